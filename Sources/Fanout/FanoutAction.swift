import MarketModel

/// What ``FanoutCore`` asks its shell to do.
public enum FanoutAction: Sendable, Hashable {
    /// The subscriber has lines queued: drain its queue while its socket is writable (call
    /// ``FanoutCore/beginWrite(_:)`` first).
    case write(SubscriberID)
    /// The subscriber's queue overflowed: its final line is queued behind the lines its socket
    /// has not taken. Close the connection after ``FanoutConfiguration/disconnectGrace`` even
    /// if that line cannot be written (a client that never reads again).
    case disconnect(SubscriberID)
    /// Hand an order request to the ``OrderHandler``; it answers through ``OrderReplies``.
    case submitOrder(OrderRequest, from: SubscriberID)
    /// Set the connection's order options on the ``OrderHandler``, then acknowledge `requestID`.
    case setOrderOptions(cancelOnDisconnect: Bool, requestID: String, from: SubscriberID)
}
