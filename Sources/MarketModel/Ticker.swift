/// Rolling 24 h ticker statistics (`"type":"ticker"`). Every field the venue does not send is `nil`.
///
/// Wire shape (documented in docs/venuekit-api.md; SPEC §5 lists no ticker line):
/// `{"type":"ticker","venue":..,"symbol":..,"last":..,"bid":..,"ask":..,"volume_24h":..,"high_24h":..,"low_24h":..,"ts_exchange":..,"ts_recv":..,"seq":..}`
public struct Ticker: Sendable, Hashable {
    /// Where it trades.
    public var venue: VenueID
    /// The normalized instrument.
    public var symbol: Symbol
    /// Last traded price.
    public var last: Price?
    /// Best bid.
    public var bid: Price?
    /// Best ask.
    public var ask: Price?
    /// 24 h volume in the venue's base unit.
    public var volume24h: Size?
    /// 24 h high.
    public var high24h: Price?
    /// 24 h low.
    public var low24h: Price?
    /// The venue's time in ns, if it gives one.
    public var tsExchange: Nanoseconds?
    /// When the frame was read, ns since the epoch.
    public var tsRecv: Nanoseconds

    /// Memberwise initializer.
    public init(venue: VenueID, symbol: Symbol, last: Price? = nil, bid: Price? = nil, ask: Price? = nil,
                volume24h: Size? = nil, high24h: Price? = nil, low24h: Price? = nil,
                tsExchange: Nanoseconds?, tsRecv: Nanoseconds) {
        self.venue = venue
        self.symbol = symbol
        self.last = last
        self.bid = bid
        self.ask = ask
        self.volume24h = volume24h
        self.high24h = high24h
        self.low24h = low24h
        self.tsExchange = tsExchange
        self.tsRecv = tsRecv
    }
}
