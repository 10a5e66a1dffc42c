import NIOCore
import NIOPosix
import WebSocketWire

extension HTTPClient {
    /// One-shot HTTP/1.1 POST of a form body (`application/x-www-form-urlencoded`), for the few
    /// signed REST calls order entry needs before its WebSocket (Kraken `GetWebSocketsToken`).
    /// Same stack and failure modes as ``get(_:headers:on:tlsContext:caFile:timeoutNanoseconds:)``.
    public static func post(_ url: String, form body: String, headers: [(name: String, value: String)] = [], on eventLoop: any EventLoop,
                            tlsContext: TLSContext? = nil, caFile: String? = nil,
                            timeoutNanoseconds: Int64 = 10_000_000_000) -> EventLoopFuture<HTTPResponse> {
        let promise = eventLoop.makePromise(of: HTTPResponse.self)
        let target: WebSocketURL
        do {
            let lower = url.lowercased()
            guard lower.hasPrefix("http://") || lower.hasPrefix("https://") else {
                throw TransportError(.connect, "'\(url)' is not an http:// or https:// URL", isRetryable: false)
            }
            target = try WebSocketURL(lower.hasPrefix("https://") ? "wss://" + url.dropFirst(8) : "ws://" + url.dropFirst(7))
        } catch {
            promise.fail(error)
            return promise.futureResult
        }
        let bodyBytes = Array(body.utf8)
        var head = "POST \(target.requestTarget) HTTP/1.1\r\nHost: \(target.hostHeader)\r\nConnection: close\r\n"
        head += "Accept: application/json\r\nUser-Agent: marketmux\r\n"
        head += "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: \(bodyBytes.count)\r\n"
        for header in headers { head += "\(header.name): \(header.value)\r\n" }
        head += "\r\n"
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
        let handler = HTTPClientHandler(request: Array(head.utf8) + bodyBytes, tls: tls, promise: promise)
        let timeout = eventLoop.scheduleTask(in: .nanoseconds(timeoutNanoseconds)) {
            promise.fail(TransportError(.timeout, "POST \(url) took longer than \(timeoutNanoseconds / 1_000_000) ms"))
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
