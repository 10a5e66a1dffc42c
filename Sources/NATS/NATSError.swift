/// A failure of the NATS client: a malformed server byte stream, a server `-ERR`, a transport
/// problem, or a refused call. Says whether reconnecting (or retrying the call) can help.
public struct NATSError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of failure this is.
    public enum Kind: String, Sendable, Hashable {
        /// The server sent bytes that are not the NATS protocol (names the op and the byte).
        case protocolViolation = "protocol_violation"
        /// The server sent `-ERR '…'`.
        case serverError = "server_error"
        /// The server refused our credentials (`-ERR 'Authorization Violation'` and friends).
        case authorization
        /// TCP connect failed, or the connection dropped.
        case connectionLost = "connection_lost"
        /// TLS could not be set up or failed mid-stream.
        case tls
        /// A handshake step, a request or a keep-alive PONG did not arrive in time.
        case timeout
        /// The caller asked for something invalid (subject, payload above `max_payload`, closed client).
        case invalidArgument = "invalid_argument"
    }

    /// The kind of failure.
    public let kind: Kind
    /// One sentence for logs.
    public let message: String
    /// Whether reconnecting / retrying can help.
    public let isRetryable: Bool

    /// Creates an error; `isRetryable` defaults to what the kind usually means.
    public init(_ kind: Kind, _ message: String, isRetryable: Bool? = nil) {
        self.kind = kind
        self.message = message
        switch kind {
        case .invalidArgument, .authorization: self.isRetryable = isRetryable ?? false
        default: self.isRetryable = isRetryable ?? true
        }
    }

    /// `kind: message`.
    public var description: String { "nats \(kind.rawValue): \(message)" }
}
