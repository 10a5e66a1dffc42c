import MarketModel

/// One client → MarketMux line of SPEC §5, parsed and validated.
public enum ClientRequest: Sendable, Hashable {
    /// `{"op":"subscribe","id":..,"venue":..,"channel":..,"symbol":..}`.
    case subscribe(id: String, filter: SubscriptionFilter)
    /// `{"op":"unsubscribe","id":..,"venue":..,"channel":..,"symbol":..}`: removes the identical filter.
    case unsubscribe(id: String, filter: SubscriptionFilter)
    /// `{"op":"status","id":..}`.
    case status(id: String)
    /// `order.place` / `order.cancel` / `order.cancel_all`, handed to the ``OrderHandler``.
    case order(OrderRequest)
    /// `{"op":"order.options","id":..,"cancel_on_disconnect":true}`: this connection's order options.
    case orderOptions(id: String, cancelOnDisconnect: Bool)

    /// The request id echoed in the reply.
    public var id: String {
        switch self {
        case .subscribe(let id, _), .unsubscribe(let id, _), .status(let id), .orderOptions(let id, _): return id
        case .order(let request): return request.requestID
        }
    }
}
