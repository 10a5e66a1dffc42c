import Logging
import NIOCore

/// One operator HTTP connection: feeds bytes to an ``HTTPRequestParser``, answers one request at
/// a time (pipelined requests wait in the parser's buffer), keeps the connection for HTTP/1.1
/// keep-alive, and closes it after an error, a request with a body, or ``idleTimeout`` without
/// a request.
final class HTTPConnectionHandler: ChannelInboundHandler, @unchecked Sendable {
    // @unchecked: every property is touched only on the channel's event loop.
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    typealias Responder = @Sendable (HTTPRequestHead, any EventLoop) -> EventLoopFuture<HTTPResponse>

    private var parser: HTTPRequestParser
    private let respond: Responder
    private let idleTimeout: TimeAmount
    private let logger: Logger
    private var context: ChannelHandlerContext?
    private var isResponding = false
    private var isClosing = false
    private var idleTimer: Scheduled<Void>?

    init(maxHeadBytes: Int, idleTimeout: TimeAmount, logger: Logger, respond: @escaping Responder) {
        parser = HTTPRequestParser(maxHeadBytes: maxHeadBytes)
        self.idleTimeout = idleTimeout
        self.logger = logger
        self.respond = respond
    }

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }

    func handlerRemoved(context: ChannelHandlerContext) {
        idleTimer?.cancel()
        self.context = nil
    }

    func channelActive(context: ChannelHandlerContext) {
        armIdleTimer()
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        idleTimer?.cancel()
        isClosing = true
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !isClosing else { return }
        let buffer = unwrapInboundIn(data)
        parser.append(buffer.readableBytesView)
        // A client pipelining faster than we answer: bound what waits in the parser.
        if parser.bufferedBytes > 4 * parser.maxHeadBytes {
            send(.text(431, "too many pipelined bytes"), keepAlive: false, isHead: false)
            return
        }
        processNext()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        logger.trace("operator HTTP connection error", metadata: ["error": "\(error)"])
        context.close(promise: nil)
    }

    private func processNext() {
        guard !isResponding, !isClosing, let context else { return }
        switch parser.next() {
        case .needMoreData:
            return
        case .failure(let error):
            logger.debug("operator HTTP: refused request", metadata: ["status": "\(error.status)", "reason": "\(error.reason)"])
            send(.text(error.status, error.reason), keepAlive: false, isHead: false)
        case .request(let head):
            isResponding = true
            idleTimer?.cancel()
            // No request bodies: a connection whose request had one cannot find the next request.
            let keepAlive = head.isKeepAlive && !head.hasBody && OperationsRouter.isAllowed(head.method)
            let eventLoop = context.eventLoop
            respond(head, eventLoop).hop(to: eventLoop).whenComplete { [self] result in
                let response: HTTPResponse
                switch result {
                case .success(let value): response = value
                case .failure(let error): response = .text(503, "status not available: \(error)")
                }
                logger.trace("operator HTTP request", metadata: ["method": "\(head.method)", "path": "\(head.path)",
                                                                 "status": "\(response.status)"])
                isResponding = false
                send(response, keepAlive: keepAlive, isHead: head.method == "HEAD")
                if keepAlive {
                    armIdleTimer()
                    processNext()
                }
            }
        }
    }

    private func send(_ response: HTTPResponse, keepAlive: Bool, isHead: Bool) {
        guard let context, !isClosing else { return }
        let bytes = response.serialized(keepAlive: keepAlive, isHead: isHead)
        let written = context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(bytes: bytes)))
        if !keepAlive {
            isClosing = true
            let channel = context.channel
            written.whenComplete { _ in channel.close(promise: nil) }
        }
    }

    private func armIdleTimer() {
        idleTimer?.cancel()
        guard let context else { return }
        let channel = context.channel
        idleTimer = context.eventLoop.scheduleTask(in: idleTimeout) { channel.close(promise: nil) }
    }
}
