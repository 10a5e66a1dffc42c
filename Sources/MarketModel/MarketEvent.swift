/// Every normalized event MarketMux fans out (SPEC §5 lines with a `type`).
public enum MarketEvent: Sendable, Hashable {
    /// `"type":"trade"`.
    case trade(Trade)
    /// `"type":"book"`.
    case book(BookUpdate)
    /// `"type":"bbo"`.
    case bbo(BBO)
    /// `"type":"ticker"`.
    case ticker(Ticker)
    /// `"type":"funding"`.
    case funding(Funding)
    /// `"type":"liquidation"`.
    case liquidation(Liquidation)
    /// `"type":"status"`.
    case status(StatusEvent)
    /// `"type":"order"`.
    case order(OrderUpdate)

    /// The venue the event is about.
    public var venue: VenueID {
        switch self {
        case .trade(let e): return e.venue
        case .book(let e): return e.venue
        case .bbo(let e): return e.venue
        case .ticker(let e): return e.venue
        case .funding(let e): return e.venue
        case .liquidation(let e): return e.venue
        case .status(let e): return e.venue
        case .order(let e): return e.venue
        }
    }

    /// The symbol the event is about (`nil` for venue-wide status).
    public var symbol: Symbol? {
        switch self {
        case .trade(let e): return e.symbol
        case .book(let e): return e.symbol
        case .bbo(let e): return e.symbol
        case .ticker(let e): return e.symbol
        case .funding(let e): return e.symbol
        case .liquidation(let e): return e.symbol
        case .status(let e): return e.symbol
        case .order(let e): return e.symbol
        }
    }

    /// The subscription channel that carries the event (`nil` for venue-wide status).
    public var channel: Channel? {
        switch self {
        case .trade: return .trades
        case .book: return .book
        case .bbo: return .bbo
        case .ticker: return .ticker
        case .funding: return .funding
        case .liquidation: return .liquidations
        case .status(let e): return e.channel
        case .order: return .orders
        }
    }
}
