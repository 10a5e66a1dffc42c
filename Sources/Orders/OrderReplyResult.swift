/// The answer to one `order.place` / `order.cancel` request.
public enum OrderReplyResult: Sendable, Hashable {
    /// Taken: the order's life follows as order updates (`{"type":"ack",...}` on the socket).
    case accepted
    /// Refused before anything was queued or sent (`{"type":"error",...}` on the socket).
    case rejected(OrderRejection)
}
