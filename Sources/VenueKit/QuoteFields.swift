import MarketModel

/// Best bid/offer and 24 h statistics as one venue ticker message carries them, for adapters
/// whose one venue channel feeds both the normalized `bbo` and `ticker` (Kraken and Coinbase
/// `ticker`, Deribit `quote`/`ticker`): read the fields into it, then
/// ``append(to:bbo:ticker:venue:symbol:tsRecv:)`` emits the events that were subscribed.
public struct QuoteFields: Sendable, Equatable {
    /// Best bid price and size.
    public var bid: Price?, bidSize: Size?
    /// Best ask price and size.
    public var ask: Price?, askSize: Size?
    /// Last trade price.
    public var last: Price?
    /// 24 h volume, high and low.
    public var volume24h: Size?, high24h: Price?, low24h: Price?
    /// The venue's time of the message.
    public var tsExchange: Nanoseconds?

    /// No fields yet.
    public init() {}

    /// The normalized BBO.
    public func bbo(venue: VenueID, symbol: Symbol, tsRecv: Nanoseconds) -> BBO {
        BBO(venue: venue, symbol: symbol, bidPrice: bid, bidSize: bidSize, askPrice: ask, askSize: askSize,
            tsExchange: tsExchange, tsRecv: tsRecv)
    }

    /// The normalized ticker.
    public func ticker(venue: VenueID, symbol: Symbol, tsRecv: Nanoseconds) -> Ticker {
        Ticker(venue: venue, symbol: symbol, last: last, bid: bid, ask: ask, volume24h: volume24h, high24h: high24h,
               low24h: low24h, tsExchange: tsExchange, tsRecv: tsRecv)
    }

    /// Appends the BBO if `bbo`, then the ticker if `ticker` (what was subscribed).
    public func append(to output: inout VenueOutputs, bbo: Bool, ticker: Bool, venue: VenueID, symbol: Symbol, tsRecv: Nanoseconds) {
        if bbo { output.append(.bbo(self.bbo(venue: venue, symbol: symbol, tsRecv: tsRecv))) }
        if ticker { output.append(.ticker(self.ticker(venue: venue, symbol: symbol, tsRecv: tsRecv))) }
    }
}
