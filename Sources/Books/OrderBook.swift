import MarketModel

/// An L2 order book for one symbol: two sorted sides, snapshot/delta application, top-N access
/// and the crossed-book check. Pure value type; `BookSynchronizer` decides what to apply.
public struct OrderBook: Sendable {
    /// Bid side (best = highest).
    public private(set) var bids = BookSide(isBid: true)
    /// Ask side (best = lowest).
    public private(set) var asks = BookSide(isBid: false)

    /// An empty book.
    public init() {}

    /// Applies a snapshot (replaces everything) or a delta (absolute sizes, 0 deletes).
    public mutating func apply(_ update: BookUpdate) {
        if update.isSnapshot {
            bids.replaceAll(with: update.bids)
            asks.replaceAll(with: update.asks)
            return
        }
        for level in update.bids { bids.apply(level) }
        for level in update.asks { asks.apply(level) }
    }

    /// Applies one level on one side.
    public mutating func apply(_ level: BookLevel, side: Side) {
        if side == .buy { bids.apply(level) } else { asks.apply(level) }
    }

    /// Empties the book.
    public mutating func removeAll() {
        bids.removeAll()
        asks.removeAll()
    }

    /// Keeps the best `depth` levels per side; removed levels are appended with size 0.
    public mutating func truncate(toDepth depth: Int, removedBids: inout [BookLevel], removedAsks: inout [BookLevel]) {
        bids.truncate(toDepth: depth, removed: &removedBids)
        asks.truncate(toDepth: depth, removed: &removedAsks)
    }

    /// Highest bid.
    public var bestBid: BookLevel? { bids.best }
    /// Lowest ask.
    public var bestAsk: BookLevel? { asks.best }

    /// `true` when the best bid is at or above the best ask — impossible in a consistent book.
    public var isCrossed: Bool {
        guard let bid = bids.best, let ask = asks.best else { return false }
        return bid.price >= ask.price
    }

    /// `true` when both sides are empty.
    public var isEmpty: Bool { bids.isEmpty && asks.isEmpty }

    /// The whole book (or the best `depth` levels) as a snapshot event, best first.
    public func snapshot(venue: VenueID, symbol: Symbol, depth: Int? = nil, tsExchange: Nanoseconds?, tsRecv: Nanoseconds) -> BookUpdate {
        let n = depth ?? Int.max
        return BookUpdate(venue: venue, symbol: symbol, isSnapshot: true, bids: Array(bids.top(n)), asks: Array(asks.top(n)),
                          tsExchange: tsExchange, tsRecv: tsRecv)
    }
}
