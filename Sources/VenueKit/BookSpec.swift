import MarketModel

/// How a venue's L2 book is bootstrapped and validated (used to configure `Books`).
public struct BookSpec: Sendable, Equatable {
    /// Where the initial / recovery snapshot comes from.
    public var bootstrap: BookBootstrap
    /// Truncate the local book to this many levels per side after each message (Kraken v2
    /// requires it: levels pushed out of the subscribed depth get no delete). `nil`: keep all.
    public var maxDepth: Int?
    /// The checksum the venue sends, if any.
    public var checksum: ChecksumAlgorithm?
    /// How many consecutive messages may leave the book crossed before it counts as broken.
    /// 0 for venues that send whole batches per message; Bitfinex and BitMEX move one level per
    /// message, so a transient cross between two messages is normal there.
    public var crossedTolerance: Int

    /// Memberwise initializer.
    public init(bootstrap: BookBootstrap = .streamSnapshot, maxDepth: Int? = nil, checksum: ChecksumAlgorithm? = nil,
                crossedTolerance: Int = 0) {
        self.bootstrap = bootstrap
        self.maxDepth = maxDepth
        self.checksum = checksum
        self.crossedTolerance = crossedTolerance
    }
}

/// Where book snapshots come from.
public enum BookBootstrap: Sendable, Equatable {
    /// The venue sends a snapshot on (re)subscribe; recovery = resubscribe (OKX, Bybit, Kraken,
    /// Deribit, BitMEX, Bitfinex, Coinbase).
    case streamSnapshot
    /// Diffs over WebSocket, snapshot over REST (Binance); recovery = fetch a new snapshot via
    /// ``VenueAdapter/snapshotRequest(for:)``.
    case restSnapshot
}
