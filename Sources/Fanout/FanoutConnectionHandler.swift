import MarketModel
import NIOCore

/// One subscriber connection: frames request lines, hands them to the hub, and writes what the
/// hub drains from the subscriber's queue. Runs on the hub's event loop.
final class FanoutConnectionHandler: ChannelInboundHandler, @unchecked Sendable {
    // @unchecked: used only on the hub's event loop, like the hub's own state.
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let hub: FanoutHub
    private var framer: LineFramer
    private var context: ChannelHandlerContext?
    private var id: SubscriberID?
    private var graceTimer: Scheduled<Void>?
    /// Registered with the hub and not finishing: lines may be written and requests are read.
    private(set) var isOpen = false

    init(hub: FanoutHub) {
        self.hub = hub
        framer = LineFramer(maxLineBytes: hub.configuration.maxLineBytes)
    }

    /// Whether the socket takes more bytes now (NIO's outbound buffer is below its high mark).
    var isWritable: Bool { context?.channel.isWritable ?? false }

    var allocator: ByteBufferAllocator { context?.channel.allocator ?? ByteBufferAllocator() }

    func write(_ buffer: ByteBuffer) {
        context?.write(wrapOutboundOut(buffer), promise: nil)
    }

    func flush() {
        context?.flush()
    }

    /// The final line is written: close once everything written so far has left (the client
    /// read it), or after `grace` if the client does not read.
    func finish(grace: TimeAmount?) {
        guard isOpen, let context else { return }
        isOpen = false
        let channel = context.channel
        // An empty write completes after every write before it: the moment the last line is out.
        let written = context.eventLoop.makePromise(of: Void.self)
        context.writeAndFlush(wrapOutboundOut(channel.allocator.buffer(capacity: 0)), promise: written)
        written.futureResult.whenComplete { _ in channel.close(promise: nil) }
        if let grace { closeAfter(grace) }
    }

    /// Closes the connection after `grace` whatever happens (an overflowed slow consumer that
    /// may never read its final line). The first deadline set wins.
    func closeAfter(_ grace: TimeAmount) {
        guard graceTimer == nil, let context else { return }
        let channel = context.channel
        graceTimer = context.eventLoop.scheduleTask(in: grace) { channel.close(promise: nil) }
    }

    /// Closes now (shutdown deadline).
    func close() {
        isOpen = false
        context?.close(promise: nil)
    }

    // MARK: - ChannelInboundHandler

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    func channelActive(context: ChannelHandlerContext) {
        guard let id = hub.attach(self) else {
            // Over the connection limit, or shutting down: say so, then close.
            var line: [UInt8] = []
            let limit = hub.configuration.maxSubscribers
            NDJSONEncoder().encodeError(id: nil, code: FanoutErrorCode.unavailable.rawValue,
                                        message: "connection refused: the server is at its limit of \(limit) connections or shutting down",
                                        into: &line)
            let channel = context.channel
            context.writeAndFlush(wrapOutboundOut(channel.allocator.buffer(bytes: line))).whenComplete { _ in
                channel.close(promise: nil)
            }
            return
        }
        self.id = id
        isOpen = true
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        isOpen = false
        graceTimer?.cancel()
        graceTimer = nil
        if let id {
            self.id = nil
            hub.detach(id)
        }
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard let id, isOpen else { return }
        let hub = self.hub
        framer.append(unwrapInboundIn(data)) { item in
            switch item {
            case .line(let line): hub.received(line: line, from: id)
            case .tooLong: hub.lineTooLong(from: id)
            }
        }
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable, isOpen, let id { hub.writable(id) }
        context.fireChannelWritabilityChanged()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        // A client that shut down its sending side (`echo '{"op":"subscribe",...}' | nc -U`)
        // still gets its stream; the connection ends when it closes for good.
        if let event = event as? ChannelEvent, event == .inputClosed { return }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // Reset by the peer, broken pipe: the connection is gone.
        context.close(promise: nil)
    }
}
