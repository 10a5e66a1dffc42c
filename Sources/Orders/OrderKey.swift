/// An order's identity on the local side: client order ids are unique per subscriber, not
/// globally (two clients may both call their first order `c-1`).
public struct OrderKey: Sendable, Hashable, CustomStringConvertible {
    /// The subscriber that placed the order.
    public var subscriber: OrderSubscriber
    /// The subscriber's client order id.
    public var clientOrderID: String

    /// Memberwise initializer.
    public init(subscriber: OrderSubscriber, clientOrderID: String) {
        self.subscriber = subscriber
        self.clientOrderID = clientOrderID
    }

    /// `#3/c-1`.
    public var description: String { "\(subscriber)/\(clientOrderID)" }
}
