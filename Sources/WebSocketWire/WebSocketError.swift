/// An error from the WebSocket protocol layer, naming what was wrong and the close code it maps to.
public struct WebSocketError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What kind of failure this is.
    public enum Kind: Sendable, Equatable {
        /// The peer broke RFC 6455 framing rules.
        case protocolViolation
        /// A text message (or close reason) was not valid UTF-8.
        case invalidUTF8
        /// A frame, message or decompressed message exceeded a configured limit.
        case tooBig
        /// The compressed stream could not be inflated.
        case compression
        /// The opening handshake failed (status, headers, Accept key, extensions).
        case handshake
        /// The server answered with a redirect, which we refuse to follow.
        case redirect
        /// An operation was attempted in a state that does not allow it (e.g. sending after close).
        case invalidState
    }

    /// The kind of failure.
    public let kind: Kind
    /// The close code to send to the peer when failing the connection for this error.
    public let closeCode: WebSocketCloseCode
    /// One clear sentence saying what was wrong.
    public let message: String
    /// For handshake failures: the HTTP status the server answered with, if any.
    public let httpStatus: Int?
    /// For 429/503 handshake answers: the server's `Retry-After`, in seconds, if it sent one.
    public let retryAfterSeconds: Int?

    /// Creates an error.
    public init(_ kind: Kind, _ closeCode: WebSocketCloseCode, _ message: String,
                httpStatus: Int? = nil, retryAfterSeconds: Int? = nil) {
        self.kind = kind
        self.closeCode = closeCode
        self.message = message
        self.httpStatus = httpStatus
        self.retryAfterSeconds = retryAfterSeconds
    }

    /// Whether reconnecting may succeed (protocol bugs and bad configuration will not fix themselves,
    /// but the venue dropping, 429s and 5xx do).
    public var isRetryable: Bool {
        switch kind {
        case .handshake:
            guard let status = httpStatus else { return true }
            return status == 429 || status == 418 || status >= 500
        case .redirect, .invalidState: return false
        case .protocolViolation, .invalidUTF8, .tooBig, .compression: return true
        }
    }

    /// The message, prefixed by the close code.
    public var description: String { "websocket: \(message) [\(closeCode)]" }

    static func protocolViolation(_ message: String) -> WebSocketError {
        WebSocketError(.protocolViolation, .protocolError, message)
    }
}
