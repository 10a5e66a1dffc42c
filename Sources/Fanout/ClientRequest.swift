import MarketModel

/// One client → MarketMux line of SPEC §5, parsed and validated.
public enum ClientRequest: Sendable, Hashable {
    /// `{"op":"subscribe","id":..,"venue":..,"channel":..,"symbol":..}`.
    case subscribe(id: String, filter: SubscriptionFilter)
    /// `{"op":"unsubscribe","id":..,"venue":..,"channel":..,"symbol":..}`: removes the identical filter.
    case unsubscribe(id: String, filter: SubscriptionFilter)
    /// `{"op":"status","id":..}`.
    case status(id: String)
    /// `order.place` / `order.cancel`, handed to the ``OrderHandler``.
    case order(OrderRequest)

    /// The request id echoed in the reply.
    public var id: String {
        switch self {
        case .subscribe(let id, _), .unsubscribe(let id, _), .status(let id): return id
        case .order(let request): return request.requestID
        }
    }
}
