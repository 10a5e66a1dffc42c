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

extension QuoteFields {
    /// The venue's member name of each field (`nil`: the venue does not send it in this object),
    /// so that a ticker parser reads the fields through one ``QuoteFields/read(_:from:keys:)``
    /// call instead of a branch per field: Kraken's `bid`/`bid_qty`, Coinbase's
    /// `best_bid`/`best_bid_quantity`, Deribit's `best_bid_price`/`best_bid_amount`.
    public struct Keys: Sendable {
        /// Members holding the best bid and ask prices and sizes.
        public var bid, bidSize, ask, askSize: StaticString?
        /// Members holding the last price and the 24 h volume, high and low.
        public var last, volume24h, high24h, low24h: StaticString?
        /// Whether a member may hold `null` or `""` for "no value" (Coinbase, Deribit); when `false`
        /// every value must be a number (Kraken), and anything else is an error.
        public var allowsAbsent: Bool

        /// The names this venue's object uses; leave out the fields it does not carry.
        public init(bid: StaticString? = nil, bidSize: StaticString? = nil, ask: StaticString? = nil, askSize: StaticString? = nil,
                    last: StaticString? = nil, volume24h: StaticString? = nil, high24h: StaticString? = nil, low24h: StaticString? = nil,
                    allowsAbsent: Bool = true) {
            (self.bid, self.bidSize, self.ask, self.askSize) = (bid, bidSize, ask, askSize)
            (self.last, self.volume24h, self.high24h, self.low24h) = (last, volume24h, high24h, low24h)
            self.allowsAbsent = allowsAbsent
        }
    }

    /// When `keys` names `key`, reads its value (the scanner just past the key) into that field and
    /// returns `true`; otherwise returns `false` and reads nothing, for the caller's own members.
    public mutating func read(_ key: JSONString, from s: inout JSONScanner, keys: Keys) throws(VenueParseError) -> Bool {
        func names(_ name: StaticString?) -> Bool { name.map { key == $0 } ?? false }
        let field: WritableKeyPath<QuoteFields, FixedDecimal?>
        if names(keys.bid) { field = \.bid }
        else if names(keys.bidSize) { field = \.bidSize }
        else if names(keys.ask) { field = \.ask }
        else if names(keys.askSize) { field = \.askSize }
        else if names(keys.last) { field = \.last }
        else if names(keys.volume24h) { field = \.volume24h }
        else if names(keys.high24h) { field = \.high24h }
        else if names(keys.low24h) { field = \.low24h }
        else { return false }
        self[keyPath: field] = keys.allowsAbsent ? try s.readOptionalDecimal() : try s.readDecimal()
        return true
    }
}
