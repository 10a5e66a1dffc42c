import WebSocketWire

/// A connection-level failure, naming the stage and whether a reconnect may help.
public struct TransportError: Error, Sendable, CustomStringConvertible {
    /// Where the connection failed.
    public enum Stage: String, Sendable {
        /// DNS or TCP connect.
        case connect
        /// TLS handshake or record layer.
        case tls
        /// HTTP upgrade.
        case handshake
        /// The open WebSocket (protocol violation, limits).
        case protocolError = "protocol"
        /// A timer fired (connect, handshake, close).
        case timeout
        /// The peer dropped TCP.
        case connectionLost = "connection-lost"
    }

    /// Where it failed.
    public let stage: Stage
    /// One clear sentence.
    public let message: String
    /// Whether reconnecting may succeed.
    public let isRetryable: Bool
    /// The WebSocket error behind it, if any (carries HTTP status and Retry-After for 429s).
    public let webSocketError: WebSocketError?

    /// Creates an error.
    public init(_ stage: Stage, _ message: String, isRetryable: Bool = true, webSocketError: WebSocketError? = nil) {
        self.stage = stage
        self.message = message
        self.isRetryable = isRetryable
        self.webSocketError = webSocketError
    }

    /// Wraps a protocol-layer error.
    public init(_ error: WebSocketError, stage: Stage) {
        self.init(stage, error.description, isRetryable: error.isRetryable, webSocketError: error)
    }

    /// `stage: message`.
    public var description: String { "\(stage.rawValue): \(message)" }
}
