import MarketModel
import NIOCore
@testable import OrderGateway
import NIOPosix
import Orders
import Synchronization
import Testing
import VenueKit
import Venues

/// Stopping the gateway ends its REST status queries: a query on the wire is closed at once (not
/// left to its timeout), queued ones are dropped, and nothing more reaches the delegate.
@Suite("REST status queries end with the gateway")
struct StatusQueryStopTests {
    /// A loopback HTTP "venue" that accepts and never answers, counting open and closed connections.
    final class SilentServer: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = ByteBuffer
        let counts = Mutex((opened: 0, closed: 0))
        func channelActive(context: ChannelHandlerContext) { counts.withLock { $0.opened += 1 } }
        func channelInactive(context: ChannelHandlerContext) { counts.withLock { $0.closed += 1 } }
    }

    /// Records what the reconciler reports.
    final class Recorder: StatusReconcilerDelegate, @unchecked Sendable {
        let answers = Mutex<[String]>([])
        func statusAnswered(_ venue: VenueID, order: OrderKey, response: OrderResponse, fromVenue: Bool) {
            answers.withLock { $0.append("\(order): \(response)") }
        }
        func statusLog(_ venue: VenueID, _ message: String, isError: Bool) {}
    }

    /// Polls `condition` on a short tick (loopback events; the 60 s query timeout is far away).
    func wait(_ what: String, _ condition: () -> Bool) async throws {
        for _ in 0 ..< 500 where !condition() { try await Task.sleep(for: .milliseconds(10)) }
        #expect(condition(), "\(what)")
    }

    @Test("stop closes the query on the wire, drops the queued one and reports neither")
    func stopEndsQueries() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let server = SilentServer()
        let channel = try await ServerBootstrap(group: group)
            .childChannelInitializer { child in child.eventLoop.makeCompletedFuture { try child.pipeline.syncOperations.addHandler(server) } }
            .bind(host: "127.0.0.1", port: 0).get()
        let port = try #require(channel.localAddress?.port)
        let loop = group.next()
        let recorder = Recorder()
        let btc = try Symbol("BTC-USDT")
        let reconciler = try await loop.submit {
            RESTStatusReconciler(venue: .okx, router: OKX(configuration: VenueAdapterConfiguration(symbols: [btc])),
                                 credentials: SharedCredentials(VenueCredentials(apiKey: "k", secret: "s", passphrase: "p")),
                                 baseURL: "http://127.0.0.1:\(port)", eventLoop: loop, caFile: nil, timeout: Interval.seconds(60),
                                 maxInFlight: 1, clock: { 1_795_219_200_000_000_000 }, delegate: recorder)
        }.get()
        try await loop.submit {
            reconciler.query(OrderKey(subscriber: OrderSubscriber(rawValue: 1), clientOrderID: "a"), venueClientOrderID: "a1", symbol: btc)
            reconciler.query(OrderKey(subscriber: OrderSubscriber(rawValue: 1), clientOrderID: "b"), venueClientOrderID: "b1", symbol: btc)
        }.get()
        try await wait("the first query reached the venue") { server.counts.withLock { $0.opened } == 1 }
        #expect(try await loop.submit { reconciler.outstanding }.get() == 2)

        try await loop.submit { reconciler.stop() }.get()
        try await wait("the query's connection was closed") { server.counts.withLock { $0.closed } == 1 }
        #expect(try await loop.submit { reconciler.outstanding }.get() == 0)
        // A query after stop is ignored; the queued one never went out.
        try await loop.submit {
            reconciler.query(OrderKey(subscriber: OrderSubscriber(rawValue: 1), clientOrderID: "c"), venueClientOrderID: "c1", symbol: btc)
        }.get()
        try await Task.sleep(for: .milliseconds(50))
        #expect(server.counts.withLock { $0.opened } == 1)
        #expect(recorder.answers.withLock { $0 }.isEmpty)
        try await channel.close()
        try await group.shutdownGracefully()
    }
}
