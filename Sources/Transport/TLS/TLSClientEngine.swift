import COpenSSL

/// A sans-IO TLS client connection: ciphertext in and out through memory BIOs, plaintext in and
/// out through caller buffers. It never touches a socket or a clock, so it is driven identically
/// by the event-loop shell and by tests.
///
/// Driving it (one event loop, not thread-safe):
/// 1. `startHandshake()`, then send `withPendingCiphertext` / `drainCiphertext` output.
/// 2. On every socket read: `feedCiphertext(_:)`, then call `readPlaintext(into:)` until it returns
///    `.wantMore` or `.closed`, then send any pending ciphertext (reads can produce output too:
///    handshake flights, key-update replies, alerts). On TCP EOF: `feedEndOfStream()`, then read.
/// 3. `writePlaintext(_:)` encrypts; send the pending ciphertext. Writes made before the handshake
///    finishes are buffered and encrypted as soon as it does.
/// 4. `close()` queues close_notify; send it, then close the socket.
public final class TLSClientEngine {
    /// The shared context this connection was made from (it also owns the session cache).
    public let context: TLSContext
    /// Session cache key, normally `"host:port"`.
    public let cacheKey: String

    private let ssl: OpaquePointer
    /// Socket → SSL: ciphertext we received, for OpenSSL to read.
    private let networkInput: OpaquePointer
    /// SSL → socket: ciphertext OpenSSL produced, for us to send.
    private let networkOutput: OpaquePointer
    private let serverName: String
    private var state: State = .idle
    /// Plaintext written before the handshake finished (SSL_write cannot take it yet).
    private var pendingPlaintext: [UInt8] = []
    private var isOutputClosed = false
    private var receivedEndOfStream = false
    /// Set by the info callback when the peer's close_notify alert is read. Needed because
    /// SSL_OP_IGNORE_UNEXPECTED_EOF reports a bare TCP EOF as SSL_ERROR_ZERO_RETURN too.
    fileprivate var receivedCloseNotify = false
    private var offeredCachedSession = false

    private enum State {
        case idle
        case handshaking
        case established
        case closed(cleanly: Bool)
        case failed(TLSError)
    }

    /// Whether the handshake finished and application data can flow.
    public private(set) var isHandshakeComplete = false
    /// The ALPN protocol the server selected (RFC 7301), nil if it selected none.
    public private(set) var negotiatedALPN: String?

    /// Whether the handshake resumed a cached session (abbreviated handshake, no certificate sent).
    public var isSessionReused: Bool { SSL_session_reused(ssl) == 1 }

    /// Negotiated protocol, e.g. `"TLSv1.3"` (`SSL_get_version`).
    public var protocolVersion: String { String(cString: SSL_get_version(ssl)) }

    /// Bytes of ciphertext waiting to be sent.
    public var pendingCiphertextCount: Int { Int(mm_BIO_ctrl_pending(networkOutput)) }

    /// Creates the `SSL` for one connection to `configuration.serverName`: SNI, host-name
    /// verification, ALPN and, if the context has one cached for `cacheKey`, a session to resume.
    public init(context: TLSContext, configuration: TLSConfiguration, cacheKey: String) throws(TLSError) {
        let serverName = configuration.normalizedServerName
        guard !serverName.isEmpty else { throw TLSError.invalidConfiguration("empty server name") }
        let alpnWire = try configuration.alpnWireFormat()

        ERR_clear_error()
        guard let ssl = SSL_new(context.context) else { throw TLSError.internalError("SSL_new") }
        guard let input = BIO_new(BIO_s_mem()) else {
            SSL_free(ssl)
            throw TLSError.internalError("BIO_new")
        }
        guard let output = BIO_new(BIO_s_mem()) else {
            BIO_free(input)
            SSL_free(ssl)
            throw TLSError.internalError("BIO_new")
        }
        // An empty memory BIO must read as "retry later", not EOF: more bytes may still arrive
        // from the socket (BIO_s_mem(3)). feedEndOfStream() switches this to a real EOF.
        _ = mm_BIO_set_mem_eof_return(input, -1)
        _ = mm_BIO_set_mem_eof_return(output, -1)
        SSL_set_bio(ssl, input, output) // SSL owns both BIOs from here on; SSL_free frees them.
        SSL_set_connect_state(ssl)

        self.context = context
        self.cacheKey = cacheKey
        self.ssl = ssl
        self.networkInput = input
        self.networkOutput = output
        self.serverName = serverName
        // From here `self` owns `ssl` and deinit frees it, also when a later line throws.
        SSL_set_ex_data(ssl, Self.exDataIndex, Unmanaged.passUnretained(self).toOpaque())
        SSL_set_info_callback(ssl, tlsClientEngineInfoCallback)

        if configuration.isIPAddressLiteral {
            // RFC 6066 §3: no SNI for IP literals; RFC 6125 §6.2: match IP SANs only.
            if context.verifyPeer, X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), serverName) != 1 {
                throw TLSError.invalidConfiguration("cannot verify IP address \"\(serverName)\"")
            }
        } else {
            guard mm_SSL_set_tlsext_host_name(ssl, serverName) == 1 else {
                throw TLSError.invalidConfiguration("SNI rejected \"\(serverName)\": "
                    + TLSError.drainOpenSSLErrors(or: "invalid host name"))
            }
            if context.verifyPeer {
                // No partial wildcards ("f*.example.com"): RFC 6125 §7.2 calls them out as risky,
                // and the CA/Browser Forum baseline forbids issuing them.
                SSL_set_hostflags(ssl, UInt32(X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS))
                guard SSL_set1_host(ssl, serverName) == 1 else {
                    throw TLSError.invalidConfiguration("cannot verify host name \"\(serverName)\"")
                }
            }
        }
        if !alpnWire.isEmpty {
            // Unlike most of OpenSSL, SSL_set_alpn_protos returns 0 on success.
            let result = alpnWire.withUnsafeBufferPointer { SSL_set_alpn_protos(ssl, $0.baseAddress, UInt32($0.count)) }
            guard result == 0 else { throw TLSError.internalError("SSL_set_alpn_protos") }
        }
        if let session = context.copySession(forKey: cacheKey) {
            // SSL_set_session takes its own reference; release the one copySession gave us.
            offeredCachedSession = SSL_set_session(ssl, session) == 1
            SSL_SESSION_free(session)
        }
        ERR_clear_error()
    }

    deinit {
        // Detach first: nothing may reach a deinitializing object through the callbacks.
        SSL_set_info_callback(ssl, nil)
        SSL_set_ex_data(ssl, Self.exDataIndex, nil)
        SSL_free(ssl)
    }

    /// Produces the ClientHello (collect it with `withPendingCiphertext`/`drainCiphertext`).
    public func startHandshake() throws(TLSError) {
        guard case .idle = state else { return }
        state = .handshaking
        try continueHandshake()
    }

    /// Hands ciphertext read from the socket to OpenSSL. Follow with `readPlaintext(into:)`.
    public func feedCiphertext(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
        var offset = 0
        while offset < bytes.count {
            // BIO_write takes an Int32 length; a memory BIO accepts everything (it grows).
            let chunk = min(bytes.count - offset, Int(Int32.max))
            let written = BIO_write(networkInput, base + offset, Int32(chunk))
            guard written > 0 else { return } // only on allocation failure; the read then stalls
            offset += Int(written)
        }
    }

    /// The socket reached EOF (or was reset). Pending ciphertext is still processed; after it,
    /// `readPlaintext` reports `.closed(cleanly: false)` unless close_notify arrived first.
    public func feedEndOfStream() {
        receivedEndOfStream = true
        _ = mm_BIO_set_mem_eof_return(networkInput, 0)
    }

    /// Decrypts into `buffer` as much as is available (several records per call), driving the
    /// handshake first if it is still running.
    ///
    /// Returns `.bytes(n)` with n > 0, `.wantMore` when more ciphertext is needed, or `.closed` once
    /// the peer ended the stream (then on every later call). A 64 KiB buffer amortises the per-call
    /// overhead; nothing is allocated here.
    public func readPlaintext(into buffer: UnsafeMutableRawBufferPointer) throws(TLSError) -> TLSReadResult {
        switch state {
        case .idle:
            try startHandshake()
            if !isHandshakeComplete { return .wantMore }
        case .handshaking:
            try continueHandshake()
            if !isHandshakeComplete { return .wantMore }
        case .established:
            break
        case .closed(let cleanly):
            return .closed(cleanly: cleanly)
        case .failed(let error):
            throw error
        }
        guard let base = buffer.baseAddress, !buffer.isEmpty else { return .bytes(0) }

        ERR_clear_error()
        var total = 0
        while total < buffer.count {
            // Shortcut the common "drained everything" case: without read-ahead OpenSSL never
            // buffers a whole undecrypted record, so an empty input BIO and no decrypted leftovers
            // (SSL_pending) means SSL_read could only say WANT_READ.
            if total > 0, !receivedEndOfStream, mm_BIO_ctrl_pending(networkInput) == 0, SSL_pending(ssl) == 0 {
                break
            }
            var count = 0
            let result = SSL_read_ex(ssl, base + total, buffer.count - total, &count)
            if result == 1 {
                total += count
                continue
            }
            switch SSL_get_error(ssl, result) {
            case SSL_ERROR_WANT_READ, SSL_ERROR_WANT_WRITE:
                return total > 0 ? .bytes(total) : .wantMore
            case SSL_ERROR_ZERO_RETURN:
                // close_notify (RFC 8446 §6.1), or a bare EOF turned into ZERO_RETURN by
                // SSL_OP_IGNORE_UNEXPECTED_EOF; only the alert makes it a clean close.
                let cleanly = receivedCloseNotify
                state = .closed(cleanly: cleanly)
                ERR_clear_error()
                return total > 0 ? .bytes(total) : .closed(cleanly: cleanly)
            case SSL_ERROR_SYSCALL where receivedEndOfStream:
                // Defensive: with SSL_OP_IGNORE_UNEXPECTED_EOF a bare EOF should arrive as
                // ZERO_RETURN above, but OpenSSL 1.1-style SYSCALL/EOF means the same thing.
                state = .closed(cleanly: false)
                ERR_clear_error()
                return total > 0 ? .bytes(total) : .closed(cleanly: false)
            default:
                let error = failure(duringHandshake: false)
                state = .failed(error)
                // Hand out what was decrypted before the failure; the next call throws.
                if total > 0 { return .bytes(total) }
                throw error
            }
        }
        return .bytes(total)
    }

    /// Encrypts `bytes` (all of them: the output memory BIO grows as needed). Before the handshake
    /// completes the bytes are buffered and encrypted right after it.
    public func writePlaintext(_ bytes: UnsafeRawBufferPointer) throws(TLSError) {
        if isOutputClosed { throw TLSError.connectionClosed }
        switch state {
        case .idle, .handshaking:
            pendingPlaintext.append(contentsOf: bytes)
        case .established:
            try encrypt(bytes)
        case .closed:
            throw TLSError.connectionClosed
        case .failed(let error):
            throw error
        }
    }

    /// Lends the pending ciphertext to `body`, which returns how many bytes it sent (e.g. a
    /// partial non-blocking write); those are dropped from the buffer without copying.
    /// Does nothing when no ciphertext is pending.
    public func withPendingCiphertext<E: Error>(_ body: (UnsafeRawBufferPointer) throws(E) -> Int) throws(E) {
        var data: UnsafeMutablePointer<CChar>?
        let length = mm_BIO_get_mem_data(networkOutput, &data)
        guard length > 0, let data else { return }
        let sent = try body(UnsafeRawBufferPointer(start: data, count: length))
        discardCiphertext(min(max(sent, 0), length))
    }

    /// Moves up to `buffer.count` bytes of pending ciphertext into `buffer`; returns the count.
    public func drainCiphertext(into buffer: UnsafeMutableRawBufferPointer) -> Int {
        guard let base = buffer.baseAddress, !buffer.isEmpty else { return 0 }
        let count = BIO_read(networkOutput, base, Int32(clamping: buffer.count))
        return max(Int(count), 0)
    }

    /// Appends all pending ciphertext to `bytes`.
    public func drainCiphertext(into bytes: inout [UInt8]) {
        withPendingCiphertext { pending in
            bytes.append(contentsOf: pending)
            return pending.count
        }
    }

    /// Queues close_notify (RFC 8446 §6.1: each side MUST send it before closing its write side)
    /// and refuses further writes. Reading may continue until the peer's close_notify.
    /// Send the pending ciphertext, then close the socket.
    public func close() {
        guard !isOutputClosed else { return }
        isOutputClosed = true
        pendingPlaintext = []
        switch state {
        case .established, .closed:
            // Returns 0 ("sent, peer's not yet received") or 1; we never wait for the peer's.
            ERR_clear_error()
            _ = SSL_shutdown(ssl)
            ERR_clear_error()
        case .idle, .handshaking, .failed:
            // Mid-handshake OpenSSL refuses SSL_shutdown; after a fatal error it already sent an alert.
            break
        }
    }

    // MARK: - Private

    private func continueHandshake() throws(TLSError) {
        ERR_clear_error()
        let result = SSL_do_handshake(ssl)
        if result == 1 {
            try handshakeDidComplete()
            return
        }
        switch SSL_get_error(ssl, result) {
        case SSL_ERROR_WANT_READ, SSL_ERROR_WANT_WRITE:
            return
        default:
            let error = failure(duringHandshake: true)
            state = .failed(error)
            if offeredCachedSession {
                // The server may have rejected the session badly; the retry should start fresh.
                context.removeCachedSession(forKey: cacheKey)
            }
            throw error
        }
    }

    private func handshakeDidComplete() throws(TLSError) {
        state = .established
        isHandshakeComplete = true
        var protocolName: UnsafePointer<UInt8>?
        var protocolLength: UInt32 = 0
        SSL_get0_alpn_selected(ssl, &protocolName, &protocolLength)
        if let protocolName, protocolLength > 0 {
            negotiatedALPN = String(decoding: UnsafeBufferPointer(start: protocolName, count: Int(protocolLength)),
                                    as: UTF8.self)
        }
        if !pendingPlaintext.isEmpty {
            let buffered = pendingPlaintext
            pendingPlaintext = []
            // Array.withUnsafeBytes only rethrows untyped errors; carry the typed one out by hand.
            var encryptError: TLSError?
            buffered.withUnsafeBytes { bytes in
                do throws(TLSError) { try encrypt(bytes) } catch { encryptError = error }
            }
            if let encryptError { throw encryptError }
        }
    }

    private func encrypt(_ bytes: UnsafeRawBufferPointer) throws(TLSError) {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
        ERR_clear_error()
        var written = 0
        // Without SSL_MODE_ENABLE_PARTIAL_WRITE SSL_write_ex writes everything or fails, and a
        // memory BIO never pushes back, so one call suffices.
        let result = SSL_write_ex(ssl, base, bytes.count, &written)
        guard result == 1 else {
            let error: TLSError
            if SSL_get_error(ssl, result) == SSL_ERROR_ZERO_RETURN {
                ERR_clear_error()
                error = .connectionClosed
            } else {
                error = failure(duringHandshake: false)
                state = .failed(error)
            }
            throw error
        }
    }

    /// Drops `count` bytes from the front of the output BIO. OpenSSL ≥ 3.0 memory BIOs support
    /// BIO_seek, which just moves the read pointer; fall back to reading them out otherwise.
    private func discardCiphertext(_ count: Int) {
        guard count > 0 else { return }
        let position = mm_BIO_tell(networkOutput)
        if position >= 0, mm_BIO_seek(networkOutput, position + Int32(clamping: count)) >= 0 { return }
        var remaining = count
        withUnsafeTemporaryAllocation(byteCount: 4096, alignment: 1) { scratch in
            guard let base = scratch.baseAddress else { return }
            while remaining > 0 {
                let read = BIO_read(networkOutput, base, Int32(min(remaining, scratch.count)))
                if read <= 0 { break }
                remaining -= Int(read)
            }
        }
    }

    /// Classifies the failure of the last SSL call and drains the OpenSSL error queue.
    private func failure(duringHandshake: Bool) -> TLSError {
        let verifyResult = SSL_get_verify_result(ssl)
        if duringHandshake, context.verifyPeer, verifyResult != Int(X509_V_OK) {
            ERR_clear_error()
            return .verificationFailed(result: verifyResult, serverName: serverName)
        }
        let detail = TLSError.drainOpenSSLErrors(or: receivedEndOfStream ? "connection closed" : "unknown error")
        if duringHandshake {
            if receivedEndOfStream, !receivedCloseNotify {
                return .unexpectedEOF("connection closed during TLS handshake (\(detail))")
            }
            return .handshakeFailed(detail)
        }
        return .protocolError(detail)
    }

    /// ex_data slot that points from an `SSL` back to its engine (unretained: the engine owns the SSL).
    private static let exDataIndex: Int32 = mm_SSL_get_ex_new_index()

    /// The engine that owns `ssl`, for OpenSSL callbacks.
    static func engine(for ssl: OpaquePointer) -> TLSClientEngine? {
        guard let pointer = SSL_get_ex_data(ssl, exDataIndex) else { return nil }
        return Unmanaged<TLSClientEngine>.fromOpaque(pointer).takeUnretainedValue()
    }
}

/// `SSL_set_info_callback` hook: records a received close_notify alert. The alert value is
/// `level << 8 | description` (SSL_CTX_set_info_callback(3)); close_notify is description 0.
private func tlsClientEngineInfoCallback(_ ssl: OpaquePointer?, _ event: Int32, _ value: Int32) {
    let readAlert = mm_SSL_CB_READ_ALERT()
    guard event & readAlert == readAlert, value & 0xff == SSL_AD_CLOSE_NOTIFY,
          let ssl, let engine = TLSClientEngine.engine(for: ssl)
    else { return }
    engine.receivedCloseNotify = true
}
