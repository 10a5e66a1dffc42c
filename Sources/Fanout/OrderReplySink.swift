import MarketModel

/// Where the order multiplexer answers one order request and reports that client's orders: the
/// reply path of a front end. The local socket's is ``OrderReplies`` (ack/error lines and
/// `order` lines on the client's connection); the NATS intake's answers on the request's reply
/// subject and publishes updates on `<prefix>.orders.updates.<client>` (docs/scaling.md).
/// Usable from any thread; replies to a client that has gone are dropped.
public protocol OrderReplySink: Sendable {
    /// The request was accepted (`{"type":"ack","id":..}`); its outcome follows as updates.
    func accept()
    /// The request was refused (`{"type":"error","id":..,"code":..,"message":..}`); nothing changed.
    func reject(code: FanoutErrorCode, message: String)
    /// One `{"type":"order",...}` update of an order of this client.
    func update(_ update: OrderUpdate)
}

extension OrderReplies: OrderReplySink {}
