/// A local client of the order multiplexer: the shell's id for one socket connection (Fanout's
/// `SubscriberID.rawValue`, a NATS reply subject's numeric handle, ...).
///
/// `Orders` cannot import `Fanout` (it would drag in NIO), so it keeps its own wrapper; client
/// order ids are unique per subscriber, and fairness between subscribers is round robin.
public struct OrderSubscriber: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The number.
    public let rawValue: UInt64

    /// Wraps a number.
    public init(rawValue: UInt64) { self.rawValue = rawValue }

    /// By number.
    public static func < (lhs: OrderSubscriber, rhs: OrderSubscriber) -> Bool { lhs.rawValue < rhs.rawValue }

    /// `#N`, like Fanout's subscriber ids.
    public var description: String { "#\(rawValue)" }
}
