import COpenSSL

/// A sans-IO TLS server connection over memory BIOs (the mirror of Transport's `TLSClientEngine`):
/// feed ciphertext from the socket, read plaintext, write plaintext, and send whatever
/// `takeCiphertext` hands out. One event loop, not thread-safe.
public final class TLSServerEngine {
    /// The outcome of reading.
    public enum ReadResult: Sendable, Equatable {
        /// This many plaintext bytes were written to the front of the buffer.
        case bytes(Int)
        /// More ciphertext is needed.
        case wantMore
        /// The client ended the stream (`cleanly`: with close_notify).
        case closed(cleanly: Bool)
    }

    private let ssl: OpaquePointer
    private let networkInput: OpaquePointer
    private let networkOutput: OpaquePointer
    private var pendingPlaintext: [UInt8] = []
    private var isFailed = false
    private var isClosed = false
    private var receivedEndOfStream = false

    /// Whether the handshake finished.
    public private(set) var isHandshakeComplete = false

    /// Whether the client resumed a session.
    public var isSessionReused: Bool { SSL_session_reused(ssl) == 1 }

    /// A connection on `context`.
    public init(context: TLSServerContext) throws(ReplayError) {
        guard let ssl = SSL_new(context.context) else { throw .tls("SSL_new failed") }
        guard let input = BIO_new(BIO_s_mem()), let output = BIO_new(BIO_s_mem()) else {
            SSL_free(ssl)
            throw .tls("BIO_new failed")
        }
        // An empty memory BIO reads as "retry later", not EOF: more bytes may still arrive.
        _ = mm_BIO_set_mem_eof_return(input, -1)
        _ = mm_BIO_set_mem_eof_return(output, -1)
        SSL_set_bio(ssl, input, output)
        SSL_set_accept_state(ssl)
        self.ssl = ssl
        networkInput = input
        networkOutput = output
    }

    deinit { SSL_free(ssl) }

    /// Ciphertext read from the socket.
    public func feedCiphertext(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
        var offset = 0
        while offset < bytes.count {
            let written = BIO_write(networkInput, base + offset, Int32(min(bytes.count - offset, Int(Int32.max))))
            guard written > 0 else { return }
            offset += Int(written)
        }
    }

    /// The socket reached EOF.
    public func feedEndOfStream() {
        receivedEndOfStream = true
        _ = mm_BIO_set_mem_eof_return(networkInput, 0)
    }

    /// Drives the handshake, then decrypts into `buffer`.
    public func readPlaintext(into buffer: UnsafeMutableRawBufferPointer) throws(ReplayError) -> ReadResult {
        if isClosed { return .closed(cleanly: true) }
        if isFailed { throw .tls("the TLS connection already failed") }
        if !isHandshakeComplete {
            ERR_clear_error()
            let result = SSL_do_handshake(ssl)
            if result != 1 {
                let error = SSL_get_error(ssl, result)
                if error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE {
                    return receivedEndOfStream ? .closed(cleanly: false) : .wantMore
                }
                isFailed = true
                throw .tls("TLS handshake with the client failed: \(TLSServerContext.drainErrors())")
            }
            isHandshakeComplete = true
            if !pendingPlaintext.isEmpty {
                let buffered = pendingPlaintext
                pendingPlaintext = []
                try encrypt(buffered)
            }
        }
        guard let base = buffer.baseAddress, !buffer.isEmpty else { return .bytes(0) }
        ERR_clear_error()
        var count = 0
        let result = SSL_read_ex(ssl, base, buffer.count, &count)
        if result == 1 { return .bytes(count) }
        switch SSL_get_error(ssl, result) {
        case SSL_ERROR_WANT_READ, SSL_ERROR_WANT_WRITE:
            return receivedEndOfStream ? .closed(cleanly: false) : .wantMore
        case SSL_ERROR_ZERO_RETURN:
            isClosed = true
            ERR_clear_error()
            return .closed(cleanly: !receivedEndOfStream)
        default:
            if receivedEndOfStream {
                ERR_clear_error()
                return .closed(cleanly: false)
            }
            isFailed = true
            throw .tls("TLS read failed: \(TLSServerContext.drainErrors())")
        }
    }

    /// Encrypts `bytes` (buffered until the handshake completes).
    public func writePlaintext(_ bytes: [UInt8]) throws(ReplayError) {
        guard !bytes.isEmpty else { return }
        if isHandshakeComplete { try encrypt(bytes) } else { pendingPlaintext.append(contentsOf: bytes) }
    }

    /// Queues close_notify.
    public func close() {
        guard isHandshakeComplete, !isFailed else { return }
        ERR_clear_error()
        _ = SSL_shutdown(ssl)
        ERR_clear_error()
    }

    /// Hands over all pending ciphertext.
    public func takeCiphertext() -> [UInt8] {
        let count = Int(mm_BIO_ctrl_pending(networkOutput))
        guard count > 0 else { return [] }
        var bytes = [UInt8](repeating: 0, count: count)
        let read = bytes.withUnsafeMutableBytes { BIO_read(networkOutput, $0.baseAddress, Int32(clamping: count)) }
        if Int(read) < count { bytes.removeSubrange(Int(max(read, 0))...) }
        return bytes
    }

    private func encrypt(_ bytes: [UInt8]) throws(ReplayError) {
        ERR_clear_error()
        var written = 0
        let result = bytes.withUnsafeBytes { SSL_write_ex(ssl, $0.baseAddress, $0.count, &written) }
        guard result == 1 else {
            isFailed = true
            throw .tls("TLS write failed: \(TLSServerContext.drainErrors())")
        }
    }
}
