/// A client's order request from the local socket (SPEC §5 `order.place` / `order.cancel`).
public enum OrderRequest: Sendable, Hashable {
    /// `{"op":"order.place",...}`.
    case place(OrderPlacement)
    /// `{"op":"order.cancel",...}`.
    case cancel(OrderCancellation)

    /// The request id to echo in the reply.
    public var requestID: String {
        switch self {
        case .place(let p): return p.requestID
        case .cancel(let c): return c.requestID
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
