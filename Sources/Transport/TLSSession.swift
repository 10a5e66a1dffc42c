import WebSocketWire

/// The per-connection TLS layer the channel handler drives: a `TLSClientEngine` plus the
/// connection's view of it (shared context, cache key, retry classification).
final class TLSSession {
    typealias ReadResult = TLSReadResult

    private let engine: TLSClientEngine

    private init(engine: TLSClientEngine) { self.engine = engine }

    /// A session for `url`, on the process-wide context matching `options` unless one is given.
    static func make(url: WebSocketURL, options: WebSocketClientOptions, sharedContext: TLSContext?) throws -> TLSSession {
        let configuration = TLSConfiguration(serverName: url.host, verifyPeer: options.verifiesPeer, caFile: options.caFile,
                                             handshakeTimeout: .nanoseconds(options.handshakeTimeoutNanoseconds))
        let context = try sharedContext ?? TLSContext.shared(for: configuration)
        let engine = try TLSClientEngine(context: context, configuration: configuration,
                                         cacheKey: TLSContext.cacheKey(host: url.host, port: url.port))
        return TLSSession(engine: engine)
    }

    var isHandshakeComplete: Bool { engine.isHandshakeComplete }
    var isSessionReused: Bool { engine.isSessionReused }

    func startHandshake() throws { try engine.startHandshake() }
    func feed(_ bytes: UnsafeRawBufferPointer) { engine.feedCiphertext(bytes) }
    func feedEndOfStream() { engine.feedEndOfStream() }
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> TLSReadResult { try engine.readPlaintext(into: buffer) }
    func write(_ bytes: UnsafeRawBufferPointer) throws { try engine.writePlaintext(bytes) }
    func shutdown() { engine.close() }

    /// Hands every pending ciphertext byte to `body` (which must consume all of it).
    func takeCiphertext(_ body: (UnsafeRawBufferPointer) -> Void) {
        while engine.pendingCiphertextCount > 0 {
            engine.withPendingCiphertext { (bytes: UnsafeRawBufferPointer) -> Int in
                body(bytes)
                return bytes.count
            }
        }
    }

    func isRetryable(_ error: any Error) -> Bool {
        (error as? TLSError)?.isRetryable ?? true
    }
}
