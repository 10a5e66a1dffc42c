/// Best bid and offer (SPEC §5 `"type":"bbo"`). A side is `nil` when that side of the book is empty.
public struct BBO: Sendable, Hashable {
    /// Where the book lives.
    public var venue: VenueID
    /// The normalized instrument.
    public var symbol: Symbol
    /// Best bid price.
    public var bidPrice: Price?
    /// Size at the best bid.
    public var bidSize: Size?
    /// Best ask price.
    public var askPrice: Price?
    /// Size at the best ask.
    public var askSize: Size?
    /// The venue's time in ns, if it gives one.
    public var tsExchange: Nanoseconds?
    /// When the frame was read, ns since the epoch.
    public var tsRecv: Nanoseconds

    /// Memberwise initializer.
    public init(venue: VenueID, symbol: Symbol, bidPrice: Price?, bidSize: Size?, askPrice: Price?, askSize: Size?,
                tsExchange: Nanoseconds?, tsRecv: Nanoseconds) {
        self.venue = venue
        self.symbol = symbol
        self.bidPrice = bidPrice
        self.bidSize = bidSize
        self.askPrice = askPrice
        self.askSize = askSize
        self.tsExchange = tsExchange
        self.tsRecv = tsRecv
    }
}
