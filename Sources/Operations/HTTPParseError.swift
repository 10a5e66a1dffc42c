/// Why a request head was refused, with the status to answer (400, 431, 505) and a reason the
/// response body carries: a client that sent garbage learns what was wrong.
public struct HTTPParseError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The response status.
    public var status: Int
    /// One sentence.
    public var reason: String

    /// Memberwise initializer.
    public init(status: Int, reason: String) {
        self.status = status
        self.reason = reason
    }

    /// `400: reason`.
    public var description: String { "\(status): \(reason)" }

    static func badRequest(_ reason: String) -> HTTPParseError { HTTPParseError(status: 400, reason: reason) }
}
