import NIOCore
import NIOPosix
import WebSocketWire

/// One-shot HTTP/1.1 requests over our own TCP + OpenSSL stack: venue REST book snapshots
/// (Binance `/api/v3/depth`) and signed order-status queries (OKX, Bybit, Kraken, Bitfinex).
/// `Connection: close` per request: both are rare and a fresh connection never inherits a
/// half-read response.
public enum HTTPClient {
    /// Fetches `url` (http:// or https://) with `headers`; fails on timeout, TLS or parse errors.
    public static func get(_ url: String, headers: [(name: String, value: String)] = [], on eventLoop: any EventLoop,
                           tlsContext: TLSContext? = nil, caFile: String? = nil,
                           timeoutNanoseconds: Int64 = 10_000_000_000) -> EventLoopFuture<HTTPResponse> {
        request(method: "GET", url, headers: headers, on: eventLoop, tlsContext: tlsContext, caFile: caFile,
                timeoutNanoseconds: timeoutNanoseconds)
    }

    /// Sends `method` to `url` with `headers` and `body` (a `Content-Length` is added when the
    /// body is not empty or the method is POST/PUT); fails on timeout, TLS or parse errors, not on
    /// HTTP error statuses (the caller reads the venue's error body). When `cancelledBy` completes
    /// first, the request fails at once and its connection is closed (an owner shutting down).
    public static func request(method: String, _ url: String, headers: [(name: String, value: String)] = [], body: [UInt8] = [],
                               on eventLoop: any EventLoop, tlsContext: TLSContext? = nil, caFile: String? = nil,
                               timeoutNanoseconds: Int64 = 10_000_000_000,
                               cancelledBy cancellation: EventLoopFuture<Void>? = nil) -> EventLoopFuture<HTTPResponse> {
        let promise = eventLoop.makePromise(of: HTTPResponse.self)
        // A completed promise ignores later completions, so the first of answer, timeout and
        // cancellation wins; completing it closes the channel (below).
        cancellation?.whenComplete { _ in
            promise.fail(TransportError(.connectionLost, "\(method) \(url) was cancelled", isRetryable: false))
        }
        let target: WebSocketURL
        do {
            let lower = url.lowercased()
            guard lower.hasPrefix("http://") || lower.hasPrefix("https://") else {
                throw TransportError(.connect, "'\(url)' is not an http:// or https:// URL", isRetryable: false)
            }
            guard !method.isEmpty, method.utf8.allSatisfy({ $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") }) else {
                throw TransportError(.connect, "'\(method)' is not an HTTP method (upper-case letters only)", isRetryable: false)
            }
            target = try WebSocketURL(lower.hasPrefix("https://") ? "wss://" + url.dropFirst(8) : "ws://" + url.dropFirst(7))
        } catch {
            promise.fail(error)
            return promise.futureResult
        }
        var head = "\(method) \(target.requestTarget) HTTP/1.1\r\nHost: \(target.hostHeader)\r\nConnection: close\r\n"
        head += "User-Agent: marketmux\r\n"
        if !headers.contains(where: { $0.name.lowercased() == "accept" }) { head += "Accept: application/json\r\n" }
        for header in headers { head += "\(header.name): \(header.value)\r\n" }
        if !body.isEmpty || method == "POST" || method == "PUT" { head += "Content-Length: \(body.count)\r\n" }
        head += "\r\n"
        let request = Array(head.utf8) + body
        let tls: TLSSession?
        do {
            var options = WebSocketClientOptions()
            options.caFile = caFile
            options.handshakeTimeoutNanoseconds = timeoutNanoseconds
            tls = try target.isSecure ? TLSSession.make(url: target, options: options, sharedContext: tlsContext) : nil
        } catch {
            promise.fail(error)
            return promise.futureResult
        }
        let handler = HTTPClientHandler(request: request, tls: tls, promise: promise)
        let timeout = eventLoop.scheduleTask(in: .nanoseconds(timeoutNanoseconds)) {
            promise.fail(TransportError(.timeout, "\(method) \(url) took longer than \(timeoutNanoseconds / 1_000_000) ms"))
        }
        ClientBootstrap(group: eventLoop)
            .connectTimeout(.nanoseconds(timeoutNanoseconds))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(handler) }
            }
            .connect(host: target.host, port: target.port)
            .whenComplete { result in
                switch result {
                case .success(let channel):
                    promise.futureResult.whenComplete { _ in channel.close(promise: nil) }
                case .failure(let error):
                    promise.fail(TransportError(.connect, "cannot connect to \(target.host):\(target.port): \(error)"))
                }
            }
        promise.futureResult.whenComplete { _ in timeout.cancel() }
        return promise.futureResult
    }
}

private final class HTTPClientHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let request: [UInt8]
    private let tls: TLSSession?
    private let promise: EventLoopPromise<HTTPResponse>
    private var parser = HTTPResponseParser()
    private var sentRequest = false
    private var finished = false
    private let plaintext = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 << 10, alignment: 16)

    init(request: [UInt8], tls: TLSSession?, promise: EventLoopPromise<HTTPResponse>) {
        self.request = request
        self.tls = tls
        self.promise = promise
    }

    deinit { plaintext.deallocate() }

    func channelActive(context: ChannelHandlerContext) {
        if let tls {
            do { try tls.startHandshake() } catch { fail(TransportError(.tls, "\(error)", isRetryable: tls.isRetryable(error)), context) }
            flushTLS(context)
        } else {
            sendRequest(context)
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        guard let tls else {
            buffer.withUnsafeReadableBytes { consume($0, context) }
            return
        }
        buffer.withUnsafeReadableBytes { tls.feed($0) }
        while !finished {
            let result: TLSReadResult
            do { result = try tls.read(into: plaintext) } catch {
                fail(TransportError(.tls, "\(error)", isRetryable: tls.isRetryable(error)), context)
                return
            }
            if !sentRequest && tls.isHandshakeComplete { sendRequest(context) }
            switch result {
            case .bytes(let count): consume(UnsafeRawBufferPointer(rebasing: plaintext[0..<count]), context)
            case .wantMore: flushTLS(context); return
            case .closed: finishOnClose(context); return
            }
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        finishOnClose(context)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail(TransportError(.connectionLost, "HTTP socket error: \(error)"), context)
    }

    private func sendRequest(_ context: ChannelHandlerContext) {
        sentRequest = true
        if let tls {
            do { try request.withUnsafeBytes { try tls.write($0) } } catch { fail(TransportError(.tls, "\(error)"), context) }
            flushTLS(context)
        } else {
            context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(bytes: request)), promise: nil)
        }
    }

    private func flushTLS(_ context: ChannelHandlerContext) {
        tls?.takeCiphertext { bytes in
            context.write(self.wrapOutboundOut(context.channel.allocator.buffer(bytes: bytes)), promise: nil)
        }
        context.flush()
    }

    private func consume(_ bytes: UnsafeRawBufferPointer, _ context: ChannelHandlerContext) {
        guard !finished else { return }
        do {
            if case .complete(let response) = try parser.feed(bytes) {
                finished = true
                promise.succeed(response)
                context.close(promise: nil)
            }
        } catch {
            fail(error, context)
        }
    }

    private func finishOnClose(_ context: ChannelHandlerContext) {
        guard !finished else { return }
        finished = true
        do { promise.succeed(try parser.finish()) } catch { promise.fail(error) }
    }

    private func fail(_ error: TransportError, _ context: ChannelHandlerContext) {
        guard !finished else { return }
        finished = true
        promise.fail(error)
        context.close(promise: nil)
    }
}
