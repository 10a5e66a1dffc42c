import COpenSSL

/// A TLS failure: what went wrong (`code`), OpenSSL's own words for it (`reason`) and whether
/// reconnecting can help (`isRetryable`).
public struct TLSError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The kind of failure; compare with `==` (`error.code == .hostnameMismatch`).
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Base: Sendable, Hashable {
            case certificateVerificationFailed
            case hostnameMismatch
            case handshakeFailed
            case unexpectedEOF
            case protocolError
            case connectionClosed
            case badCAFile
            case invalidConfiguration
            case internalError
        }

        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The peer's chain did not verify against the trust anchors (expired, self-signed, unknown CA…).
        public static let certificateVerificationFailed = Code(.certificateVerificationFailed)
        /// The chain verified but names a different host or IP (RFC 6125 §6, RFC 5280 §4.2.1.6).
        public static let hostnameMismatch = Code(.hostnameMismatch)
        /// The handshake failed for another reason (alert from the peer, no common cipher or version…).
        public static let handshakeFailed = Code(.handshakeFailed)
        /// The transport ended in the middle of the handshake.
        public static let unexpectedEOF = Code(.unexpectedEOF)
        /// A record-layer or post-handshake failure on an established connection (bad MAC, fatal alert…).
        public static let protocolError = Code(.protocolError)
        /// Plaintext was written after `close()` or after the connection ended.
        public static let connectionClosed = Code(.connectionClosed)
        /// `caFile` could not be loaded.
        public static let badCAFile = Code(.badCAFile)
        /// The configuration cannot be applied (bad ALPN name, empty server name…).
        public static let invalidConfiguration = Code(.invalidConfiguration)
        /// OpenSSL failed to allocate or set up an object.
        public static let internalError = Code(.internalError)

        /// Short name of the code.
        public var description: String {
            switch base {
            case .certificateVerificationFailed: "certificateVerificationFailed"
            case .hostnameMismatch: "hostnameMismatch"
            case .handshakeFailed: "handshakeFailed"
            case .unexpectedEOF: "unexpectedEOF"
            case .protocolError: "protocolError"
            case .connectionClosed: "connectionClosed"
            case .badCAFile: "badCAFile"
            case .invalidConfiguration: "invalidConfiguration"
            case .internalError: "internalError"
            }
        }

        /// Configuration and certificate problems repeat identically on every attempt, so retrying
        /// them only hammers the venue; transport and handshake hiccups are worth a backoff retry.
        var isRetryable: Bool {
            switch base {
            case .certificateVerificationFailed, .hostnameMismatch, .badCAFile, .invalidConfiguration: false
            case .handshakeFailed, .unexpectedEOF, .protocolError, .connectionClosed, .internalError: true
            }
        }
    }

    /// What kind of failure this is.
    public let code: Code
    /// Human-readable detail, mostly OpenSSL's text (`X509_verify_cert_error_string`, `ERR_error_string_n`).
    public let reason: String
    /// The `X509_V_ERR_*` result for certificate errors, nil otherwise.
    public let verifyResult: Int?

    /// Whether reconnecting (with backoff) may succeed. Certificate and configuration errors are not.
    public var isRetryable: Bool { code.isRetryable }

    /// `"TLSError.<code>: <reason>"`.
    public var description: String { "TLSError.\(code): \(reason)" }

    init(code: Code, reason: String, verifyResult: Int? = nil) {
        self.code = code
        self.reason = reason
        self.verifyResult = verifyResult
    }
}

extension TLSError {
    /// Chain or name verification failed with `X509_V_ERR_*` `result`.
    static func verificationFailed(result: Int, serverName: String) -> TLSError {
        let text = X509_verify_cert_error_string(result).map { String(cString: $0) } ?? "error \(result)"
        switch Int32(result) {
        case X509_V_ERR_HOSTNAME_MISMATCH, X509_V_ERR_IP_ADDRESS_MISMATCH:
            return TLSError(code: .hostnameMismatch,
                            reason: "certificate verify failed: \(text) (expected \"\(serverName)\")",
                            verifyResult: result)
        default:
            return TLSError(code: .certificateVerificationFailed,
                            reason: "certificate verify failed: \(text)", verifyResult: result)
        }
    }

    /// Handshake failure described by the (drained) OpenSSL error queue.
    static func handshakeFailed(_ detail: String) -> TLSError {
        TLSError(code: .handshakeFailed, reason: "handshake failed: \(detail)")
    }

    /// The peer closed the transport before the handshake finished.
    static func unexpectedEOF(_ detail: String) -> TLSError {
        TLSError(code: .unexpectedEOF, reason: detail)
    }

    /// A failure on an established connection described by the (drained) OpenSSL error queue.
    static func protocolError(_ detail: String) -> TLSError {
        TLSError(code: .protocolError, reason: "TLS protocol error: \(detail)")
    }

    /// The CA file at `path` could not be used.
    static func badCAFile(path: String, detail: String) -> TLSError {
        TLSError(code: .badCAFile, reason: "cannot load CA file \"\(path)\": \(detail)")
    }

    /// The configuration cannot be applied.
    static func invalidConfiguration(_ detail: String) -> TLSError {
        TLSError(code: .invalidConfiguration, reason: "invalid TLS configuration: \(detail)")
    }

    /// Writing after the connection closed.
    static let connectionClosed = TLSError(code: .connectionClosed, reason: "TLS connection is closed")

    /// OpenSSL could not create or configure an object.
    static func internalError(_ what: String) -> TLSError {
        TLSError(code: .internalError, reason: "\(what): \(drainOpenSSLErrors(or: "no OpenSSL error queued"))")
    }

    /// Empties this thread's OpenSSL error queue and joins its entries (oldest first).
    ///
    /// OpenSSL keeps errors per thread until someone removes them, and SSL_get_error(3) "will not
    /// work reliably" if stale entries are left behind, so every reported failure drains the queue.
    static func drainOpenSSLErrors(or fallback: String) -> String {
        var entries: [String] = []
        withUnsafeTemporaryAllocation(of: CChar.self, capacity: 256) { buffer in
            guard let base = buffer.baseAddress else { return }
            while true {
                let code = ERR_get_error()
                if code == 0 { break }
                ERR_error_string_n(code, base, buffer.count)
                entries.append(String(cString: base))
            }
        }
        return entries.isEmpty ? fallback : entries.joined(separator: "; ")
    }
}
