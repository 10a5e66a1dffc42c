import MarketModel

/// Why a connect attempt failed or an open connection ended, as the I/O shell reports it to the
/// session state machines. Deliberately small and transport-agnostic: the shell maps its own
/// errors (TCP reset, TLS failure, HTTP upgrade status, WebSocket close frame) onto it.
public struct TransportFailure: Error, Sendable, Hashable, CustomStringConvertible {
    /// One phrase for logs and `status` reasons (`"connection reset by peer"`).
    public var reason: String
    /// `false` for failures that retrying the same endpoint cannot fix (HTTP 401/403/404,
    /// certificate or hostname mismatch): the session moves to the next endpoint at once.
    public var isRetryable: Bool
    /// The HTTP status of a refused WebSocket upgrade (429 rate limited, 418 IP ban on Binance).
    public var httpStatus: Int?
    /// The WebSocket close code the peer sent (RFC 6455 §7.4: 1008 policy violation — Binance's
    /// "Too many requests" — or 1013 try again later).
    public var closeCode: UInt16?
    /// A delay the server imposed (HTTP `Retry-After`, Binance `retryAfter`), in ns from the
    /// moment of failure.
    public var retryAfter: Nanoseconds?

    /// Memberwise initializer; retryable by default.
    public init(reason: String, isRetryable: Bool = true, httpStatus: Int? = nil, closeCode: UInt16? = nil,
                retryAfter: Nanoseconds? = nil) {
        self.reason = reason
        self.isRetryable = isRetryable
        self.httpStatus = httpStatus
        self.closeCode = closeCode
        self.retryAfter = retryAfter
    }

    /// A plain network failure (reset, refused, timeout): retryable.
    public static func network(_ reason: String) -> TransportFailure {
        TransportFailure(reason: reason)
    }

    /// A refused upgrade with HTTP `status`; 4xx other than 408/418/425/429 is not retryable.
    public static func http(_ status: Int, retryAfter: Nanoseconds? = nil) -> TransportFailure {
        let retryable = status >= 500 || [408, 418, 425, 429].contains(status)
        return TransportFailure(reason: "HTTP \(status)", isRetryable: retryable, httpStatus: status, retryAfter: retryAfter)
    }

    /// The peer closed with WebSocket close `code`.
    public static func closed(code: UInt16, reason: String = "") -> TransportFailure {
        TransportFailure(reason: reason.isEmpty ? "close \(code)" : "close \(code): \(reason)", closeCode: code)
    }

    /// The ``reason`` phrase.
    public var description: String { reason }

    /// Whether the failure says the whole IP is being rate limited or banned (HTTP 429/418):
    /// the pool then holds every connection of the venue, not just this one.
    public var isIPRateLimit: Bool { httpStatus == 429 || httpStatus == 418 }
}
