/// A refused order request: a code and one sentence naming what was wrong
/// (`"price 50000.15 is not a multiple of the tick size 0.1"`).
public struct OrderRejection: Error, Sendable, Hashable, CustomStringConvertible {
    /// The machine-readable reason.
    public var code: OrderRejectionCode
    /// The human-readable reason, naming the offending field and value.
    public var message: String

    /// Memberwise initializer.
    public init(_ code: OrderRejectionCode, _ message: String) {
        self.code = code
        self.message = message
    }

    /// Whether the same request may succeed later (see ``OrderRejectionCode/isRetryable``).
    public var isRetryable: Bool { code.isRetryable }

    /// `code: message`.
    public var description: String { "\(code.rawValue): \(message)" }
}
