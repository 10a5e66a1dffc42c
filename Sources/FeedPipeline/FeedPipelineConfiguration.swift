import MarketModel
import VenueKit

/// What one venue connection carries and how its pipeline checks it.
public struct FeedPipelineConfiguration: Sendable {
    /// The symbol × channel pairs this connection subscribes (already within the venue's
    /// per-connection cap; the session layer shards). Order is kept for status events.
    public var subscriptions: [Subscription]
    /// Book depth to request where the venue lets us choose (Binance REST limit, Bitfinex `len`).
    public var bookDepth: Int?
    /// Free-form venue options (`"rest_url"`, `"trades": "trade"`), passed to the adapter.
    public var options: [String: String]
    /// The session layer's id for the connection (stamped into `ParseContext`).
    public var connectionID: Int
    /// Verify venue book checksums (on unless a venue's checksum is known broken).
    public var verifiesChecksums: Bool
    /// Data-idle windows overriding the adapter's `VenueSpec.staleAfter` per channel.
    public var staleAfter: [Channel: Nanoseconds]
    /// Further symbols the adapter must know although no subscription names them yet, so a live
    /// subscribe (``FeedPipeline/addSubscriptions(_:into:)``) can add them without a new adapter.
    public var knownSymbols: [Symbol] = []

    /// A connection carrying `subscriptions`.
    public init(subscriptions: [Subscription], bookDepth: Int? = nil, options: [String: String] = [:],
                connectionID: Int = 0, verifiesChecksums: Bool = true, staleAfter: [Channel: Nanoseconds] = [:]) {
        self.subscriptions = subscriptions
        self.bookDepth = bookDepth
        self.options = options
        self.connectionID = connectionID
        self.verifiesChecksums = verifiesChecksums
        self.staleAfter = staleAfter
    }

    /// A connection carrying every channel of `channels` for every symbol of `symbols`
    /// (symbols outer, channels inner — the order of status events).
    public init(symbols: [Symbol], channels: [Channel], bookDepth: Int? = nil, options: [String: String] = [:],
                connectionID: Int = 0, verifiesChecksums: Bool = true) {
        var subscriptions: [Subscription] = []
        for symbol in symbols {
            for channel in channels where !subscriptions.contains(Subscription(symbol: symbol, channel: channel)) {
                subscriptions.append(Subscription(symbol: symbol, channel: channel))
            }
        }
        self.init(subscriptions: subscriptions, bookDepth: bookDepth, options: options, connectionID: connectionID,
                  verifiesChecksums: verifiesChecksums)
    }

    /// The distinct symbols of ``subscriptions`` then ``knownSymbols``, in first-seen order (the
    /// adapter's symbol table).
    public var symbols: [Symbol] {
        var seen: Set<Symbol> = []
        return (subscriptions.map(\.symbol) + knownSymbols).compactMap { seen.insert($0).inserted ? $0 : nil }
    }

    /// The adapter's configuration for this connection.
    public var adapterConfiguration: VenueAdapterConfiguration {
        VenueAdapterConfiguration(symbols: symbols, bookDepth: bookDepth, options: options)
    }
}
