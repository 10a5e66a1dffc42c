import NIOCore
import NIOPosix
import WebSocketWire

/// The NIO shell around `WebSocketEngine`: TLS records in and out, the HTTP upgrade, timers, and
/// delivery to the delegate. Lives entirely on the channel's event loop.
final class WebSocketChannelHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private enum State { case connecting, tlsHandshake, upgrading, open, closing, closed }

    private let connection: WebSocketConnection
    private let options: WebSocketClientOptions
    private let tls: TLSSession?
    private let delegate: any WebSocketConnectionDelegate
    private let opened: EventLoopPromise<WebSocketConnection>
    private let handshake: WebSocketHandshake
    private var state = State.connecting
    private var context: ChannelHandlerContext?
    private var engine: WebSocketEngine?
    private var responseHead: [UInt8] = []
    private var handshakeTimer: Scheduled<Void>?
    private var closeTimer: Scheduled<Void>?
    private var closeError: TransportError?
    private var peerCode = WebSocketCloseCode.abnormalClosure
    private var peerReason = ""
    /// Size of the buffer plaintext out of TLS lands in before the WebSocket parser sees it
    /// (lent per drain by `PlaintextBuffer`, not owned: an idle connection holds none).
    private let plaintextCapacity: Int

    init(connection: WebSocketConnection, options: WebSocketClientOptions, tls: TLSSession?,
         delegate: any WebSocketConnectionDelegate, opened: EventLoopPromise<WebSocketConnection>) {
        self.connection = connection
        self.options = options
        self.tls = tls
        self.delegate = delegate
        self.opened = opened
        var nonce = [UInt8](repeating: 0, count: 16)
        var generator = SystemRandomNumberGenerator()
        for i in 0..<16 { nonce[i] = generator.next() }
        handshake = WebSocketHandshake(url: connection.url, nonce: nonce, extraHeaders: options.extraHeaders,
                                       subprotocols: options.subprotocols, compression: options.configuration.compression,
                                       maxResponseSize: options.configuration.maxHandshakeResponseSize)
        plaintextCapacity = max(options.receiveBufferSize, 16 << 10)
    }

    // MARK: Channel events

    func channelActive(context: ChannelHandlerContext) {
        self.context = context
        handshakeTimer = context.eventLoop.scheduleTask(in: .nanoseconds(options.handshakeTimeoutNanoseconds)) { [self] in
            guard state == .tlsHandshake || state == .upgrading || state == .connecting else { return }
            fail(TransportError(.timeout, "the \(state == .tlsHandshake ? "TLS" : "WebSocket") handshake with \(connection.url.host) took longer than \(options.handshakeTimeoutNanoseconds / 1_000_000) ms"))
        }
        if let tls {
            state = .tlsHandshake
            do {
                try tls.startHandshake()
                flushCiphertext()
            } catch {
                fail(TransportError(.tls, "\(error)", isRetryable: tls.isRetryable(error)))
            }
        } else {
            sendUpgradeRequest()
        }
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        if let tls {
            buffer.withUnsafeReadableBytes { tls.feed($0) }
            drainTLS()
        } else {
            buffer.withUnsafeReadableBytes { process($0) }
        }
        flushOutbound()
    }

    func channelInactive(context: ChannelHandlerContext) {
        if let tls, state != .closed {
            tls.feedEndOfStream()
            drainTLS()
        }
        handshakeTimer?.cancel()
        closeTimer?.cancel()
        let wasOpen = state == .open || state == .closing
        if state != .closed {
            if closeError == nil && engine?.isCloseReceived != true {
                closeError = TransportError(.connectionLost, "\(connection.url.host) dropped the connection without a close frame")
            }
            finish(wasOpen: wasOpen)
        }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail(TransportError(.connectionLost, "socket error: \(error)"))
    }

    func connectFailed(_ error: TransportError) {
        guard state == .connecting else { return }
        closeError = error
        finish(wasOpen: false)
    }

    // MARK: Receiving

    private func drainTLS() {
        guard let tls else { return }
        PlaintextBuffer.withBuffer(byteCount: plaintextCapacity) { drainTLS(tls, into: $0) }
    }

    private func drainTLS(_ tls: TLSSession, into plaintext: UnsafeMutableRawBufferPointer) {
        while state != .closed {
            let result: TLSSession.ReadResult
            do {
                result = try tls.read(into: plaintext)
            } catch {
                fail(TransportError(.tls, "\(error)", isRetryable: tls.isRetryable(error)))
                return
            }
            if state == .tlsHandshake && tls.isHandshakeComplete {
                connection.isTLSSessionReused = tls.isSessionReused
                sendUpgradeRequest()
            }
            switch result {
            case .bytes(let count):
                process(UnsafeRawBufferPointer(rebasing: plaintext[0..<count]))
            case .wantMore:
                flushCiphertext()
                return
            case .closed(let cleanly):
                flushCiphertext()
                if !cleanly && engine?.isCloseReceived != true && closeError == nil {
                    closeError = TransportError(.connectionLost, "\(connection.url.host) closed TCP without TLS close_notify")
                }
                context?.close(promise: nil)
                return
            }
        }
    }

    private func process(_ bytes: UnsafeRawBufferPointer) {
        switch state {
        case .upgrading:
            responseHead.append(contentsOf: bytes)
            let result: WebSocketHandshake.ParseResult
            do {
                result = try responseHead.withUnsafeBytes { try handshake.parseResponse($0) }
            } catch let error as WebSocketError {
                fail(TransportError(error, stage: .handshake))
                return
            } catch {
                fail(TransportError(.handshake, "\(error)"))
                return
            }
            guard case .complete(let response, let consumed) = result else { return }
            let leftover = Array(responseHead[consumed...])
            responseHead = []
            open(response)
            if !leftover.isEmpty { leftover.withUnsafeBytes { process($0) } }
        case .open, .closing:
            guard let engine else { return }
            var dispatcher = Dispatcher(connection: connection, delegate: delegate, handler: self)
            do {
                try engine.receive(bytes, handler: &dispatcher)
            } catch {
                closeError = TransportError(error, stage: .protocolError)
                state = .closing
            }
            if engine.isFinished { closeTransportSoon() }
        case .connecting, .tlsHandshake, .closed:
            return
        }
    }

    private func open(_ response: WebSocketHandshakeResponse) {
        do {
            var seed: UInt64 = 0
            var generator = SystemRandomNumberGenerator()
            seed = generator.next()
            engine = try WebSocketEngine(configuration: options.configuration, deflate: response.deflate, maskSeed: seed)
        } catch {
            fail(TransportError(error, stage: .handshake))
            return
        }
        handshakeTimer?.cancel()
        state = .open
        connection.negotiatedDeflate = response.deflate
        connection.responseHeaders = response.headers
        opened.succeed(connection)
        delegate.webSocketDidOpen(connection)
    }

    fileprivate func peerClosed(code: WebSocketCloseCode, reason: String) {
        peerCode = code
        peerReason = reason
        if state == .open { state = .closing }
    }

    // MARK: Sending

    private func sendUpgradeRequest() {
        state = .upgrading
        let request = handshake.requestBytes()
        request.withUnsafeBytes { writeRaw($0) }
        flushCiphertext()
        context?.flush()
    }

    func sendText(_ text: String) {
        guard state == .open, let engine else { return }
        do { try engine.sendText(text) } catch { closeError = TransportError(error, stage: .protocolError) }
        flushOutbound()
    }

    func send(_ bytes: [UInt8], opcode: WebSocketOpcode) {
        guard state == .open, let engine else { return }
        do { try bytes.withUnsafeBytes { try engine.send($0, opcode: opcode) } } catch {
            closeError = TransportError(.protocolError, "\(error)")
        }
        flushOutbound()
    }

    func sendPing(_ payload: [UInt8]) {
        guard state == .open, let engine else { return }
        try? payload.withUnsafeBytes { try engine.sendPing($0) }
        flushOutbound()
    }

    func startClose(code: WebSocketCloseCode, reason: String) {
        switch state {
        case .open:
            engine?.close(code: code, reason: reason)
            state = .closing
            flushOutbound()
            closeTransportSoon()
        case .connecting, .tlsHandshake, .upgrading:
            fail(TransportError(.connect, "closed by the caller before the handshake finished", isRetryable: false))
        case .closing, .closed:
            return
        }
    }

    func abort() {
        if closeError == nil { closeError = TransportError(.timeout, "aborted by the caller (peer presumed dead)") }
        context?.close(promise: nil)
    }

    /// Moves the engine's queued frames to the socket (through TLS for wss).
    private func flushOutbound() {
        guard let engine, !engine.outbound.isEmpty else { return }
        writeRaw(engine.outbound.bytes)
        engine.outbound.removeAll()
        flushCiphertext()
        context?.flush()
    }

    private func writeRaw(_ bytes: UnsafeRawBufferPointer) {
        guard let context else { return }
        if let tls {
            do { try tls.write(bytes) } catch { fail(TransportError(.tls, "\(error)")) }
        } else {
            var buffer = context.channel.allocator.buffer(capacity: bytes.count)
            buffer.writeBytes(bytes)
            context.write(wrapOutboundOut(buffer), promise: nil)
        }
    }

    private func flushCiphertext() {
        guard let tls, let context else { return }
        tls.takeCiphertext { bytes in
            var buffer = context.channel.allocator.buffer(capacity: bytes.count)
            buffer.writeBytes(bytes)
            context.write(self.wrapOutboundOut(buffer), promise: nil)
        }
        context.flush()
    }

    // MARK: Closing

    /// RFC 6455 §7.1.1: the server closes TCP first; give it `closeTimeout`, then close ourselves.
    private func closeTransportSoon() {
        guard closeTimer == nil, let context else { return }
        if state == .open { state = .closing }
        closeTimer = context.eventLoop.scheduleTask(in: .nanoseconds(options.closeTimeoutNanoseconds)) { [self] in
            if let tls { tls.shutdown(); flushCiphertext() }
            self.context?.close(promise: nil)
        }
    }

    private func fail(_ error: TransportError) {
        guard state != .closed else { return }
        if closeError == nil { closeError = error }
        if state == .open || state == .closing, let engine {
            engine.close(code: error.webSocketError?.closeCode ?? .goingAway, reason: "")
            flushOutbound()
        }
        context?.close(promise: nil)
        if context == nil { finish(wasOpen: false) }
    }

    private func finish(wasOpen: Bool) {
        guard state != .closed else { return }
        state = .closed
        handshakeTimer?.cancel()
        closeTimer?.cancel()
        let info = WebSocketCloseInfo(peerCode: peerCode, peerReason: peerReason, error: closeError, wasOpen: wasOpen)
        if !wasOpen {
            opened.fail(closeError ?? TransportError(.connectionLost, "the connection closed before the handshake finished"))
        }
        delegate.webSocketDidClose(connection, info: info)
        connection.handler = nil
    }
}

/// The buffer TLS plaintext is decrypted into, one per event-loop thread and lent to one drain at
/// a time: what is decrypted is parsed (and what must outlive the drain copied) before the drain
/// returns, so connections need not own 64 KiB each (most of an idle TLS session's memory). A drain
/// that starts while the thread's buffer is lent (re-entrance through a delegate callback that
/// closes another connection) gets a buffer of its own for that drain.
final class PlaintextBuffer: @unchecked Sendable {
    let bytes: UnsafeMutableRawBufferPointer
    var isLent = false

    init(byteCount: Int) { bytes = .allocate(byteCount: byteCount, alignment: 16) }
    deinit { bytes.deallocate() }

    private static let perThread = ThreadSpecificVariable<PlaintextBuffer>()

    /// Runs `body` with a buffer of at least `byteCount` bytes that nothing else writes meanwhile.
    static func withBuffer<Result>(byteCount: Int, _ body: (UnsafeMutableRawBufferPointer) throws -> Result) rethrows -> Result {
        var shared = perThread.currentValue
        if shared == nil || (shared?.isLent == false && shared!.bytes.count < byteCount) {
            shared = PlaintextBuffer(byteCount: byteCount)
            perThread.currentValue = shared
        }
        guard let buffer = shared, !buffer.isLent, buffer.bytes.count >= byteCount else {
            let own = PlaintextBuffer(byteCount: byteCount)
            return try withExtendedLifetime(own) { try body(own.bytes) }
        }
        buffer.isLent = true
        defer { buffer.isLent = false }
        return try body(buffer.bytes)
    }
}

/// Adapts engine callbacks to the delegate (a struct so the generic engine call specializes).
private struct Dispatcher: WebSocketMessageHandler {
    // Strong references, taken once per read: calls through them are +0 borrows, whereas an
    // unowned reference must be turned into a strong one (retain + release) on every message.
    let connection: WebSocketConnection
    let delegate: any WebSocketConnectionDelegate
    let handler: WebSocketChannelHandler

    mutating func webSocketDidReceiveMessage(_ payload: UnsafeRawBufferPointer, opcode: WebSocketOpcode) {
        delegate.webSocket(connection, didReceive: payload, opcode: opcode)
    }

    mutating func webSocketDidReceivePing(_ payload: UnsafeRawBufferPointer) {
        delegate.webSocket(connection, didReceivePing: payload)
    }

    mutating func webSocketDidReceivePong(_ payload: UnsafeRawBufferPointer) {
        delegate.webSocket(connection, didReceivePong: payload)
    }

    mutating func webSocketDidReceiveClose(code: WebSocketCloseCode, reason: String) {
        handler.peerClosed(code: code, reason: reason)
    }
}
