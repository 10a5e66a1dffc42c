/// A perpetual swap's funding rate (`"type":"funding"`).
///
/// Wire shape: `{"type":"funding","venue":..,"symbol":..,"rate":..,"next_funding_time":..,"mark_price":..,"ts_exchange":..,"ts_recv":..,"seq":..}`
public struct Funding: Sendable, Hashable {
    /// Where it trades.
    public var venue: VenueID
    /// The normalized perpetual.
    public var symbol: Symbol
    /// The current (or predicted, per venue) funding rate per interval, as a fraction (`0.0001`).
    public var rate: FixedDecimal
    /// When the next funding happens, ns since the epoch, if given.
    public var nextFundingTime: Nanoseconds?
    /// Mark price, if the venue sends it on the same message.
    public var markPrice: Price?
    /// The venue's time in ns, if it gives one.
    public var tsExchange: Nanoseconds?
    /// When the frame was read, ns since the epoch.
    public var tsRecv: Nanoseconds

    /// Memberwise initializer.
    public init(venue: VenueID, symbol: Symbol, rate: FixedDecimal, nextFundingTime: Nanoseconds?,
                markPrice: Price? = nil, tsExchange: Nanoseconds?, tsRecv: Nanoseconds) {
        self.venue = venue
        self.symbol = symbol
        self.rate = rate
        self.nextFundingTime = nextFundingTime
        self.markPrice = markPrice
        self.tsExchange = tsExchange
        self.tsRecv = tsRecv
    }
}
