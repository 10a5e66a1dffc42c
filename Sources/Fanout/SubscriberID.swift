/// One connected subscriber (one socket connection), unique for the life of a hub.
public struct SubscriberID: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The number, from 1.
    public let rawValue: UInt64

    /// Wraps a number.
    public init(rawValue: UInt64) { self.rawValue = rawValue }

    /// By number.
    public static func < (lhs: SubscriberID, rhs: SubscriberID) -> Bool { lhs.rawValue < rhs.rawValue }

    /// `#N`.
    public var description: String { "#\(rawValue)" }
}
