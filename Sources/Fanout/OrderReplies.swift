import MarketModel

/// The way back to the socket client that sent one order request (the local socket's
/// ``OrderReplySink``). Usable from any thread; replies to a client that has gone are dropped.
public struct OrderReplies: Sendable {
    /// The connection that sent the request.
    public let subscriber: SubscriberID
    /// The request `id` to echo.
    public let requestID: String
    let hub: FanoutHub

    /// `{"type":"ack","id":..}`: the request was accepted (its outcome follows as order updates).
    public func accept() {
        hub.onLoop { hub in hub.acknowledge(requestID: requestID, to: subscriber) }
    }

    /// `{"type":"error","id":..,"code":..,"message":..}`: the request was refused.
    public func reject(code: FanoutErrorCode, message: String) {
        let error = RequestError(id: requestID, code: code, message: message)
        hub.onLoop { hub in hub.reply(error, to: subscriber) }
    }

    /// A `{"type":"order",...,"seq":N}` line for the client (never conflated or dropped while the
    /// client keeps up with the slow-consumer limits).
    public func update(_ update: OrderUpdate) {
        hub.onLoop { hub in hub.deliver(update, to: subscriber) }
    }
}
