import Fanout
import Foundation
import Logging
import MarketModel
import NIOCore
import NIOPosix
import Operations
import SessionPool
import Testing

/// The real server on 127.0.0.1 (an ephemeral port), with a fixed venue source and a real hub,
/// spoken to over TCP.
@Suite("operator HTTP server over loopback")
struct LoopbackServerTests {
    /// A venue whose status is fixed (the pool's side is covered by SessionPoolTests).
    struct FixedSource: VenueStatusSource {
        let eventLoop: any EventLoop
        func snapshotStatus() -> EventLoopFuture<VenueSessionStatus> { eventLoop.makeSucceededFuture(Fixtures.binance()) }
    }

    /// Collects everything the server sends until it closes the connection.
    final class Collector: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = ByteBuffer
        var received: [UInt8] = []
        let done: EventLoopPromise<[UInt8]>
        init(done: EventLoopPromise<[UInt8]>) { self.done = done }
        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            received += unwrapInboundIn(data).readableBytesView
        }
        func channelInactive(context: ChannelHandlerContext) { done.succeed(received) }
        func errorCaught(context: ChannelHandlerContext, error: any Error) { context.close(promise: nil) }
    }

    /// Sends `request` raw and returns the whole reply (the server closes after it).
    func exchange(_ request: String, port: Int, group: any EventLoopGroup) async throws -> String {
        let loop = group.next()
        let done = loop.makePromise(of: [UInt8].self)
        let channel = try await ClientBootstrap(group: loop)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(Collector(done: done)) }
            }
            .connect(host: "127.0.0.1", port: port).get()
        try await channel.writeAndFlush(channel.allocator.buffer(string: request)).get()
        let timeout = loop.scheduleTask(in: .seconds(10)) { channel.close(promise: nil) }
        let bytes = try await done.futureResult.get()
        timeout.cancel()
        return String(decoding: bytes, as: UTF8.self)
    }

    func withService(_ body: (Int, any EventLoopGroup) async throws -> Void) async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        let hub = FanoutHub(catalog: Catalog(), eventLoop: group.next())
        let logger = Logger(label: "test") { PlainLogHandler(label: $0, level: .critical, output: .capture()) }
        let service = OperationsService(host: "127.0.0.1", port: 0, sources: [FixedSource(eventLoop: group.next())], hub: hub,
                                        eventLoop: group.next(), logger: logger)
        let port = try await service.start()
        #expect(port > 0)
        do {
            try await body(port, group)
        } catch {
            await service.shutdown()
            try await group.shutdownGracefully()
            throw error
        }
        await service.shutdown()
        try await group.shutdownGracefully()
    }

    @Test("GET /metrics, /status, / and a 404, pipelined on one keep-alive connection")
    func endpoints() async throws {
        try await withService { port, group in
            let reply = try await exchange("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\nGET /status HTTP/1.1\r\nHost: x\r\n\r\n"
                                           + "GET / HTTP/1.1\r\nHost: x\r\n\r\nGET /x HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
                                           port: port, group: group)
            let parts = reply.components(separatedBy: "HTTP/1.1 ").dropFirst()
            #expect(parts.map { String($0.prefix(3)) } == ["200", "200", "200", "404"])
            let metrics = String(parts[parts.startIndex])
            #expect(metrics.contains("Content-Type: text/plain; version=0.0.4; charset=utf-8\r\n"))
            #expect(metrics.contains("Connection: keep-alive\r\n"))
            #expect(metrics.contains("\nmarketmux_venue_messages_total{venue=\"binance\"} 1200\n"))
            #expect(metrics.contains("\nmarketmux_fanout_subscribers 0\n"))
            let status = String(parts[parts.startIndex + 1])
            let json = try #require(status.components(separatedBy: "\r\n\r\n").last)
            let root = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
            #expect((root["venues"] as? [[String: Any]])?.first?["venue"] as? String == "binance")
            #expect(String(parts[parts.startIndex + 2]).contains("<title>MarketMux status</title>"))
            #expect(String(parts[parts.startIndex + 3]).contains("Connection: close\r\n\r\nnot found: /x"))
        }
    }

    @Test("HEAD gets headers only; a malformed request gets 400 and the connection closes")
    func errors() async throws {
        try await withService { port, group in
            let head = try await exchange("HEAD /status HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", port: port, group: group)
            #expect(head.hasPrefix("HTTP/1.1 200 OK\r\n"))
            #expect(head.hasSuffix("Connection: close\r\n\r\n"))
            let bad = try await exchange("GARBAGE\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n", port: port, group: group)
            #expect(bad == "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\nCache-Control: no-store\r\n"
                + "Content-Length: 58\r\nConnection: close\r\n\r\nmalformed request line (expected 'METHOD /path HTTP/1.1')\n")
            let post = try await exchange("POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhi", port: port, group: group)
            #expect(post.hasPrefix("HTTP/1.1 405 Method Not Allowed\r\n"))
            #expect(post.contains("Allow: GET, HEAD\r\n"))
            let big = try await exchange("GET / HTTP/1.1\r\nHost: x\r\nX: " + String(repeating: "a", count: 10_000) + "\r\n\r\n",
                                         port: port, group: group)
            #expect(big.hasPrefix("HTTP/1.1 431 Request Header Fields Too Large\r\n"))
        }
    }
}
