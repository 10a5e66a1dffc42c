import Logging
import NIOCore
import NIOPosix

/// The operator endpoint's listener: HTTP/1.1 over TCP on one event loop (every connection on it,
/// so the connection count needs no lock). Bounded: at most ``maxConnections`` at once (one more
/// gets 503 and is closed), request heads of at most ``maxHeadBytes``, idle connections closed.
public final class OperationsHTTPServer: @unchecked Sendable {
    // @unchecked: `channel` and `connections` are touched only on `eventLoop`.

    /// The loop of the listener and every connection.
    public let eventLoop: any EventLoop
    /// Host to bind.
    public let host: String
    /// Port to bind (0: any free port, see ``start()``).
    public let port: Int
    /// Most connections at once.
    public let maxConnections: Int
    /// Longest request head.
    public let maxHeadBytes: Int
    /// How long a connection may wait for a request.
    public let idleTimeout: TimeAmount

    private let respond: HTTPConnectionHandler.Responder
    private let logger: Logger
    private var channel: (any Channel)?
    private var connections = 0

    /// A server (not started) answering every request with `respond`.
    public init(host: String, port: Int, eventLoop: any EventLoop, maxConnections: Int = 64, maxHeadBytes: Int = 8192,
                idleTimeout: TimeAmount = .seconds(30), logger: Logger,
                respond: @escaping @Sendable (HTTPRequestHead, any EventLoop) -> EventLoopFuture<HTTPResponse>) {
        self.host = host
        self.port = port
        self.eventLoop = eventLoop
        self.maxConnections = maxConnections
        self.maxHeadBytes = maxHeadBytes
        self.idleTimeout = idleTimeout
        self.logger = logger
        self.respond = respond
    }

    /// Binds and listens; returns the bound port.
    @discardableResult
    public func start() async throws -> Int {
        let bootstrap = ServerBootstrap(group: eventLoop, childGroup: eventLoop)
            .serverChannelOption(ChannelOptions.backlog, value: 64)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { [self] child in
                child.eventLoop.makeCompletedFuture {
                    connections += 1
                    child.closeFuture.whenComplete { [self] _ in connections -= 1 }
                    if connections > maxConnections {
                        let response = HTTPResponse.text(503, "too many connections (limit \(maxConnections))")
                        let bytes = response.serialized(keepAlive: false, isHead: false)
                        child.writeAndFlush(child.allocator.buffer(bytes: bytes)).whenComplete { _ in child.close(promise: nil) }
                        return
                    }
                    try child.pipeline.syncOperations.addHandler(
                        HTTPConnectionHandler(maxHeadBytes: maxHeadBytes, idleTimeout: idleTimeout, logger: logger, respond: respond))
                }
            }
        let channel = try await bootstrap.bind(host: host, port: port).get()
        try await eventLoop.submit { self.channel = channel }.get()
        return channel.localAddress?.port ?? port
    }

    /// Stops listening (connections already open finish their answer or time out idle).
    public func shutdown() async {
        let channel: (any Channel)? = try? await eventLoop.submit { () -> (any Channel)? in
            defer { self.channel = nil }
            return self.channel
        }.get() ?? nil
        try? await channel?.close()
    }
}
