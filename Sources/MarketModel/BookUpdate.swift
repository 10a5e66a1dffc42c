/// One price level: an absolute size at a price. In a delta, a zero size deletes the level.
public struct BookLevel: Sendable, Hashable, CustomStringConvertible {
    /// The level's price as the venue sent it.
    public var price: Price
    /// The absolute size resting at `price` (not a change); zero deletes in deltas.
    public var size: Size

    /// Memberwise initializer.
    @inlinable
    public init(price: Price, size: Size) {
        self.price = price
        self.size = size
    }

    /// `price x size`, for diagnostics.
    public var description: String { "\(price)x\(size)" }
}

/// An L2 book snapshot or delta (SPEC §5 `"type":"book"`).
///
/// Levels are absolute sizes. In a snapshot the arrays are the whole (visible) book; in a delta a
/// size of zero deletes the level. Bids and asks are listed best first in snapshots that MarketMux
/// emits; deltas keep the venue's order.
public struct BookUpdate: Sendable, Hashable {
    /// Where the book lives.
    public var venue: VenueID
    /// The normalized instrument.
    public var symbol: Symbol
    /// `true`: replace the whole book; `false`: apply on top of the current book.
    public var isSnapshot: Bool
    /// Bid levels.
    public var bids: [BookLevel]
    /// Ask levels.
    public var asks: [BookLevel]
    /// The venue's time for this update in ns, if it gives one.
    public var tsExchange: Nanoseconds?
    /// When the frame was read from the socket, ns since the epoch.
    public var tsRecv: Nanoseconds

    /// Memberwise initializer.
    public init(venue: VenueID, symbol: Symbol, isSnapshot: Bool, bids: [BookLevel], asks: [BookLevel],
                tsExchange: Nanoseconds?, tsRecv: Nanoseconds) {
        self.venue = venue
        self.symbol = symbol
        self.isSnapshot = isSnapshot
        self.bids = bids
        self.asks = asks
        self.tsExchange = tsExchange
        self.tsRecv = tsRecv
    }

    /// `true` when the update carries no level at all (e.g. an OKX keep-alive, a checksum-only
    /// Bitfinex message).
    @inlinable public var isEmpty: Bool { bids.isEmpty && asks.isEmpty }
}
