/// A client's order request from the local socket (SPEC §5 `order.place` / `order.cancel`, and
/// `order.cancel_all`, docs/protocol.md).
public enum OrderRequest: Sendable, Hashable {
    /// `{"op":"order.place",...}`.
    case place(OrderPlacement)
    /// `{"op":"order.cancel",...}`.
    case cancel(OrderCancellation)
    /// `{"op":"order.cancel_all",...}`.
    case cancelAll(OrderCancelAll)

    /// The request id to echo in the reply.
    public var requestID: String {
        switch self {
        case .place(let p): return p.requestID
        case .cancel(let c): return c.requestID
        case .cancelAll(let c): return c.requestID
        }
    }

    /// The venue the request is for.
    public var venue: VenueID {
        switch self {
        case .place(let p): return p.venue
        case .cancel(let c): return c.venue
        case .cancelAll(let c): return c.venue
        }
    }
}

/// Order types accepted on the local socket.
public enum OrderType: String, Sendable, Hashable, CaseIterable {
    /// A limit order (needs a price).
    case limit
    /// A market order.
    case market
}

/// Time in force.
public enum TimeInForce: String, Sendable, Hashable, CaseIterable {
    /// Good till canceled.
    case gtc
    /// Immediate or cancel.
    case ioc
    /// Fill or kill.
    case fok
    /// Post only (maker only; rejected if it would take).
    case postOnly = "post_only"
}

/// The fields of `order.place`.
public struct OrderPlacement: Sendable, Hashable {
    /// The socket request id (`"id"`).
    public var requestID: String
    /// Target venue.
    public var venue: VenueID
    /// Normalized instrument.
    public var symbol: Symbol
    /// Buy or sell.
    public var side: Side
    /// Limit or market.
    public var type: OrderType
    /// Limit price (required for `limit`).
    public var price: Price?
    /// Order size.
    public var size: Size
    /// Time in force (default `gtc`).
    public var timeInForce: TimeInForce
    /// The client's order id; MarketMux assigns one when absent.
    public var clientOrderID: String?

    /// Memberwise initializer.
    public init(requestID: String, venue: VenueID, symbol: Symbol, side: Side, type: OrderType, price: Price?,
                size: Size, timeInForce: TimeInForce = .gtc, clientOrderID: String?) {
        self.requestID = requestID
        self.venue = venue
        self.symbol = symbol
        self.side = side
        self.type = type
        self.price = price
        self.size = size
        self.timeInForce = timeInForce
        self.clientOrderID = clientOrderID
    }
}

/// The fields of `order.cancel`.
public struct OrderCancellation: Sendable, Hashable {
    /// The socket request id (`"id"`).
    public var requestID: String
    /// Target venue.
    public var venue: VenueID
    /// Normalized instrument.
    public var symbol: Symbol
    /// The client order id to cancel.
    public var clientOrderID: String

    /// Memberwise initializer.
    public init(requestID: String, venue: VenueID, symbol: Symbol, clientOrderID: String) {
        self.requestID = requestID
        self.venue = venue
        self.symbol = symbol
        self.clientOrderID = clientOrderID
    }
}

/// The fields of `order.cancel_all`: every open order of the requesting client on a venue (of one
/// symbol, or all), or — with `all_clients` — the venue kill switch for every client's orders.
public struct OrderCancelAll: Sendable, Hashable {
    /// The socket request id (`"id"`).
    public var requestID: String
    /// Target venue.
    public var venue: VenueID
    /// Only this instrument's orders; `nil` for every symbol.
    public var symbol: Symbol?
    /// `true`: the kill switch — every client's open orders (the venue's own cancel-all request
    /// where it has one). `false`: only the requesting client's, one cancel each.
    public var allClients: Bool

    /// Memberwise initializer.
    public init(requestID: String, venue: VenueID, symbol: Symbol?, allClients: Bool = false) {
        self.requestID = requestID
        self.venue = venue
        self.symbol = symbol
        self.allClients = allClients
    }
}
