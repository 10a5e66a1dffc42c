import MarketModel

/// What the adapter learned from a subscribe acknowledgement.
public struct SubscriptionAck: Sendable, Hashable {
    /// The subscriptions confirmed (or refused), when the venue names them; empty when the ack
    /// only echoes a request id.
    public var subscriptions: [Subscription]
    /// `false` when the venue refused (unknown symbol, limit reached).
    public var isSuccess: Bool
    /// The venue's request id echo, if any.
    public var requestID: String?
    /// The venue's message for refusals.
    public var message: String?

    /// Memberwise initializer.
    public init(subscriptions: [Subscription] = [], isSuccess: Bool = true, requestID: String? = nil, message: String? = nil) {
        self.subscriptions = subscriptions
        self.isSuccess = isSuccess
        self.requestID = requestID
        self.message = message
    }
}
