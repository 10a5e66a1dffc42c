import NIOCore
import NIOPosix
import WebSocketWire

/// One client WebSocket connection on a SwiftNIO event loop: TCP (+ TLS over OpenSSL) driving the
/// sans-IO `WebSocketEngine`. All delegate calls happen on `eventLoop`; the send methods may be
/// called from anywhere (they hop to the loop).
public final class WebSocketConnection: @unchecked Sendable {
    /// The URL this connection opened.
    public let url: WebSocketURL
    /// The event loop that owns the socket and every callback.
    public let eventLoop: any EventLoop
    /// Caller's label for logs and metrics.
    public let label: String
    /// The negotiated permessage-deflate parameters once open (`nil`: uncompressed).
    public internal(set) var negotiatedDeflate: PerMessageDeflateParameters?
    /// Whether TLS resumed a cached session (skipping the full handshake).
    public internal(set) var isTLSSessionReused = false
    /// The handshake response headers once open.
    public internal(set) var responseHeaders: [(name: String, value: String)] = []

    var channel: (any Channel)?
    var handler: WebSocketChannelHandler?

    init(url: WebSocketURL, eventLoop: any EventLoop, label: String) {
        self.url = url
        self.eventLoop = eventLoop
        self.label = label
    }

    /// Opens a connection: DNS (off the loop, IPv4 and IPv6 via happy eyeballs), TCP, TLS for wss,
    /// then the HTTP upgrade. The future succeeds once the WebSocket is open.
    public static func connect(to url: WebSocketURL, options: WebSocketClientOptions = WebSocketClientOptions(),
                               tlsContext: TLSContext? = nil, on eventLoop: any EventLoop, label: String = "",
                               delegate: any WebSocketConnectionDelegate) -> EventLoopFuture<WebSocketConnection> {
        let connection = WebSocketConnection(url: url, eventLoop: eventLoop, label: label)
        let opened = eventLoop.makePromise(of: WebSocketConnection.self)
        let handler: WebSocketChannelHandler
        do {
            let tls = try url.isSecure ? TLSSession.make(url: url, options: options, sharedContext: tlsContext) : nil
            handler = WebSocketChannelHandler(connection: connection, options: options, tls: tls, delegate: delegate, opened: opened)
        } catch {
            opened.fail(error)
            return opened.futureResult
        }
        connection.handler = handler
        let bootstrap = ClientBootstrap(group: eventLoop)
            .connectTimeout(.nanoseconds(options.connectTimeoutNanoseconds))
            .channelOption(ChannelOptions.socketOption(.tcp_nodelay), value: 1)
            .channelOption(ChannelOptions.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: options.receiveBufferSize))
            .channelOption(ChannelOptions.maxMessagesPerRead, value: 16)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(handler) }
            }
        bootstrap.connect(host: url.host, port: url.port).whenComplete { result in
            switch result {
            case .success(let channel):
                connection.channel = channel
            case .failure(let error):
                let failure = TransportError(.connect, "cannot connect to \(url.host):\(url.port): \(error)")
                handler.connectFailed(failure)
            }
        }
        return opened.futureResult
    }

    /// Sends a text message.
    public func send(text: String) {
        execute { handler in handler.sendText(text) }
    }

    /// Sends a binary or text message from bytes.
    public func send(bytes: [UInt8], opcode: WebSocketOpcode = .binary) {
        execute { handler in handler.send(bytes, opcode: opcode) }
    }

    /// Sends a ping (counts toward venue liveness rules that want protocol pings).
    public func sendPing(_ payload: [UInt8] = []) {
        execute { handler in handler.sendPing(payload) }
    }

    /// Starts the close handshake; the delegate hears `webSocketDidClose` when TCP is closed.
    public func close(code: WebSocketCloseCode = .normalClosure, reason: String = "") {
        execute { handler in handler.startClose(code: code, reason: reason) }
    }

    /// Drops TCP at once without a close handshake (used when a peer is presumed dead).
    public func abort() {
        execute { handler in handler.abort() }
    }

    private func execute(_ body: @escaping @Sendable (WebSocketChannelHandler) -> Void) {
        guard let handler else { return }
        let boxed = UncheckedBox(handler)
        if eventLoop.inEventLoop {
            body(handler)
        } else {
            eventLoop.execute { body(boxed.value) }
        }
    }
}

/// Carries a loop-bound reference across a hop to that same loop.
struct UncheckedBox<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
