import NIOCore
import Transport

/// The per-socket NIO handler of a ``NATSConnection``: bytes in (through TLS once it is
/// started), bytes out, writability and closure reported to the connection. Lives on the
/// connection's event loop; `generation` lets the connection ignore a socket it abandoned.
final class NATSChannelHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let connection: NATSConnection
    let generation: UInt64
    private(set) var context: ChannelHandlerContext?
    private var tls: TLSClientEngine?
    private var plaintext: UnsafeMutableRawBufferPointer?
    private var isTLSReported = false

    init(connection: NATSConnection, generation: UInt64) {
        self.connection = connection
        self.generation = generation
    }

    deinit { plaintext?.deallocate() }

    var isWritable: Bool { context?.channel.isWritable ?? false }

    func channelActive(context: ChannelHandlerContext) {
        self.context = context
        connection.handlerOpened(self)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        if let tls {
            buffer.withUnsafeReadableBytes { tls.feedCiphertext($0) }
            drainTLS()
        } else {
            buffer.withUnsafeReadableBytes { connection.handler(self, received: $0) }
        }
        connection.handlerReadComplete(self)
    }

    func channelInactive(context: ChannelHandlerContext) {
        connection.handler(self, closedWith: NATSError(.connectionLost, "the server closed the connection"))
        self.context = nil
        context.fireChannelInactive()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        connection.handlerWritabilityChanged(self)
        context.fireChannelWritabilityChanged()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        connection.handler(self, closedWith: NATSError(.connectionLost, "socket error: \(error)"))
        context.close(promise: nil)
    }

    // MARK: TLS

    /// Starts the TLS handshake (NATS upgrades after the plaintext INFO).
    func startTLS(_ engine: TLSClientEngine) throws(TLSError) {
        tls = engine
        plaintext = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 << 10, alignment: 16)
        try engine.startHandshake()
        flushCiphertext()
    }

    private func drainTLS() {
        guard let tls, let plaintext else { return }
        while true {
            let result: TLSReadResult
            do {
                result = try tls.readPlaintext(into: plaintext)
            } catch {
                connection.handler(self, closedWith: NATSError(.tls, "\(error)", isRetryable: error.isRetryable))
                context?.close(promise: nil)
                return
            }
            if tls.isHandshakeComplete && !isTLSReported {
                isTLSReported = true
                connection.handlerTLSEstablished(self)
            }
            switch result {
            case .bytes(let n):
                connection.handler(self, received: UnsafeRawBufferPointer(rebasing: plaintext[0..<n]))
            case .wantMore:
                flushCiphertext()
                return
            case .closed:
                flushCiphertext()
                context?.close(promise: nil)
                return
            }
        }
    }

    // MARK: Writing

    /// Writes `bytes` (through TLS when on); call ``flush()`` after a burst.
    func write(_ bytes: [UInt8]) {
        guard let context else { return }
        if let tls {
            // (A typed-throws closure through withUnsafeBytes crashes the 6.3 IRGen; catch inside.)
            var failure: TLSError?
            bytes.withUnsafeBytes { raw in
                do throws(TLSError) { try tls.writePlaintext(raw) } catch { failure = error }
            }
            if let failure {
                connection.handler(self, closedWith: NATSError(.tls, "\(failure)"))
                context.close(promise: nil)
                return
            }
            flushCiphertext(flush: false)
        } else {
            var buffer = context.channel.allocator.buffer(capacity: bytes.count)
            buffer.writeBytes(bytes)
            context.write(wrapOutboundOut(buffer), promise: nil)
        }
    }

    func flush() { context?.flush() }

    func close() { context?.close(promise: nil) }

    private func flushCiphertext(flush: Bool = true) {
        guard let tls, let context else { return }
        while tls.pendingCiphertextCount > 0 {
            tls.withPendingCiphertext { (bytes: UnsafeRawBufferPointer) -> Int in
                var buffer = context.channel.allocator.buffer(capacity: bytes.count)
                buffer.writeBytes(bytes)
                context.write(self.wrapOutboundOut(buffer), promise: nil)
                return bytes.count
            }
        }
        if flush { context.flush() }
    }
}
