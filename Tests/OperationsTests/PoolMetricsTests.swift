import Fanout
import Foundation
import Logging
import MarketModel
import NIOCore
import NIOPosix
import Operations
import Replay
import SessionPool
import Sessions
import Testing
import Venues

/// The counters behind `/metrics` and `/status` come from the real pipeline: a real pool against
/// the simulated venue, a TCP drop injected once the book is live, then one snapshot through the
/// service.
@Suite("metrics from a real pool", .serialized)
struct PoolMetricsTests {
    final class Sink: VenueSessionSink, @unchecked Sendable {
        private let lock = NSLock()
        private var states: [StreamState] = []
        let hub: FanoutHub
        init(hub: FanoutHub) { self.hub = hub }
        func publish(_ events: [MarketEvent]) {
            hub.publish(contentsOf: events)
            for case .status(let status) in events where status.channel == .book { lock.withLock { states.append(status.state) } }
        }
        func log(venue: VenueID, _ message: String, isError: Bool) {}
        var bookStates: [StreamState] { lock.withLock { states } }
    }

    static var fixtures: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("fixtures").path
    }

    func eventually(_ seconds: Double = 20, _ condition: () -> Bool) async -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition() { return true }
            try? await Task.sleep(nanoseconds: 10_000_000)
        }
        return condition()
    }

    @Test("messages, reconnects, latency, streams and connections after a drop")
    func afterDrop() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        let simulatorConfiguration = SimulatorConfiguration(speed: .max, scenarios: .named(["book"]), venues: ["binance"],
                                                            sessionEnd: .stayOpen)
        let simulator = try SimulatedVenueServer(library: try FixtureLibrary(directory: Self.fixtures),
                                                 configuration: simulatorConfiguration, eventLoop: group.next())
        _ = try await simulator.start()
        let hub = FanoutHub(catalog: Catalog(), eventLoop: group.next())
        let sink = Sink(hub: hub)
        let backoff = ReconnectBackoffConfiguration(base: Interval.milliseconds(1), cap: Interval.milliseconds(50),
                                                    stablePeriod: Interval.milliseconds(200))
        let pool = VenueSessionPool<Binance>(
            configuration: VenueSessionConfiguration(
                symbols: [try Symbol("BTC-USDT")], channels: [.book],
                marketDataURLs: [simulator.webSocketURL(for: "binance")], restBaseURL: simulator.restURL(for: "binance"),
                pool: PoolConfiguration(lifecycle: ConnectionLifecycleConfiguration(backoff: backoff))),
            eventLoop: group.next(), sink: sink)
        let logger = Logger(label: "test") { PlainLogHandler(label: $0, level: .critical, output: .capture()) }
        let service = OperationsService(host: "127.0.0.1", port: 0, sources: [pool], hub: hub, eventLoop: group.next(), logger: logger)
        pool.start()
        #expect(await eventually { sink.bookStates.contains(.live) })
        await simulator.inject(.dropConnection, venue: "binance")
        let recovered = await eventually {
            let states = sink.bookStates
            guard let dropped = states.firstIndex(of: .disconnected) else { return false }
            return states[dropped...].contains(.live)
        }
        #expect(recovered, "book states: \(sink.bookStates)")
        let snapshot = try await service.snapshot().get()
        pool.stop()
        try? await Task.sleep(nanoseconds: 50_000_000)
        await simulator.stop()
        try await group.shutdownGracefully()

        let venue = try #require(snapshot.venues.first)
        #expect(venue.venue == .binance)
        #expect(venue.counters.messages > 0 && venue.counters.bytes > venue.counters.messages)
        #expect(venue.counters.reconnects >= 1)
        #expect(venue.counters.opens == venue.counters.reconnects + 1)  // one connection (shard)
        #expect(venue.counters.latency.count > 0)
        #expect(venue.counters.snapshots >= 2)  // REST snapshot again after the drop
        #expect(venue.connections.map(\.id) == [0])
        #expect(venue.connections[0].subscriptions == 1)
        #expect(venue.connections[0].messages == venue.counters.messages)
        let book = try #require(venue.streams.first { $0.symbol?.rawValue == "BTC-USDT" && $0.channel == .book })
        #expect(book.state == .live)
        #expect(snapshot.fanout?.totals.eventsPublished ?? 0 > 0)
        let metrics = MetricsExporter.render(snapshot)
        #expect(metrics.contains("marketmux_venue_reconnects_total{venue=\"binance\"} \(venue.counters.reconnects)\n"))
        #expect(metrics.contains("marketmux_pipeline_latency_microseconds_count{venue=\"binance\"} \(venue.counters.latency.count)\n"))
    }
}
