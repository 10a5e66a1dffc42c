import MarketModel

/// Takes the `order.place` / `order.cancel` requests of socket clients (the order multiplexer
/// installs one with ``FanoutHub/installOrderHandler(_:)``). Until one is installed the hub
/// answers every order request with `{"type":"error","code":"unsupported",...}`.
public protocol OrderHandler: Sendable {
    /// Called on the hub's event loop with a parsed, catalog-checked request. Answer it exactly
    /// once with ``OrderReplies/accept()`` or ``OrderReplies/reject(code:message:)``; then report
    /// the order's life with ``OrderReplies/update(_:)`` until a terminal state. Do not block.
    func handle(_ request: OrderRequest, replies: OrderReplies)

    /// The client's connection closed (its pending replies can be dropped; its open orders are
    /// canceled if it asked for cancel-on-disconnect). Called on the hub's event loop.
    func subscriberDisconnected(_ subscriber: SubscriberID)

    /// `order.options`: when enabled, the client's open orders are canceled when its connection
    /// closes (queued ones at once, sent ones through the cancel lane). Called on the hub's loop.
    func setCancelOnDisconnect(_ isEnabled: Bool, for subscriber: SubscriberID)
}

extension OrderHandler {
    /// Nothing to do by default.
    public func subscriberDisconnected(_ subscriber: SubscriberID) {}

    /// Ignored by default (a handler without the option).
    public func setCancelOnDisconnect(_ isEnabled: Bool, for subscriber: SubscriberID) {}
}
