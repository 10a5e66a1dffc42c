import MarketModel

/// A request sent and not yet answered, keyed by its request id (response correlation).
enum PendingRequest: Sendable, Hashable {
    /// A place for this order.
    case place(OrderKey)
    /// A cancel for this order.
    case cancel(OrderKey)
    /// A cancel-all; `scope` are the orders open at the venue when it was sent (the only ones
    /// its acknowledgement may terminate).
    case cancelAll(symbol: Symbol?, scope: [OrderKey])
    /// A status query for this order.
    case status(OrderKey)
}
