/// One public trade (SPEC §5 `"type":"trade"`).
public struct Trade: Sendable, Hashable {
    /// Where it traded.
    public var venue: VenueID
    /// The normalized instrument.
    public var symbol: Symbol
    /// Execution price, exactly as the venue sent it.
    public var price: Price
    /// Executed size in the venue's unit (base currency for spot, contracts for most derivatives).
    public var size: Size
    /// The **taker** (aggressor) side, or `nil` if the venue does not say.
    public var side: Side?
    /// The venue's trade id as text (integers rendered in decimal).
    public var tradeID: TradeID
    /// The venue's time for the trade in ns since the epoch, if it gives one.
    public var tsExchange: Nanoseconds?
    /// When the frame carrying it was read from the socket, ns since the epoch.
    public var tsRecv: Nanoseconds

    /// Memberwise initializer.
    public init(venue: VenueID, symbol: Symbol, price: Price, size: Size, side: Side?, tradeID: TradeID,
                tsExchange: Nanoseconds?, tsRecv: Nanoseconds) {
        self.venue = venue
        self.symbol = symbol
        self.price = price
        self.size = size
        self.side = side
        self.tradeID = tradeID
        self.tsExchange = tsExchange
        self.tsRecv = tsRecv
    }
}
