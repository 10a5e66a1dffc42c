import Foundation
import MarketModel
import NIOCore
import NIOPosix
import Replay
import SessionPool
import Sessions
import Testing
import Transport
import VenueKit
import Venues

/// The real pool (planner + connections + pipelines + REST snapshots) against the simulated venue
/// over loopback, with faults injected by the simulator. Waits are bounded polls on what the pool
/// published; timers are configured in milliseconds so nothing waits on production delays.
@Suite("SessionPool against the simulated venue", .serialized)
struct SessionPoolSimulatorTests {
    final class Collector: VenueSessionSink, @unchecked Sendable {
        private let lock = NSLock()
        private var events: [MarketEvent] = []
        private var logs: [String] = []

        func publish(_ events: [MarketEvent]) { lock.withLock { self.events += events } }
        func log(venue: VenueID, _ message: String, isError: Bool) { lock.withLock { logs.append(message) } }

        var snapshot: [MarketEvent] { lock.withLock { events } }
        var logLines: [String] { lock.withLock { logs } }

        func bookStates(_ symbol: String) -> [StreamState] {
            snapshot.compactMap {
                if case .status(let s) = $0, s.symbol?.description == symbol, s.channel == .book { return s.state }
                return nil
            }
        }

        func books(_ symbol: String) -> [BookUpdate] {
            snapshot.compactMap { if case .book(let b) = $0, b.symbol.description == symbol { return b } else { return nil } }
        }
    }

    static var fixtures: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("fixtures").path
    }

    /// Polls `condition` every 10 ms for at most `seconds`.
    func eventually(_ seconds: Double = 20, _ condition: () -> Bool) async -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition() { return true }
            try? await Task.sleep(nanoseconds: 10_000_000)
        }
        return condition()
    }

    func runPool(faults: [String], injectWhenLive fault: Fault? = nil,
                 until condition: @escaping (Collector) -> Bool) async throws -> Collector {
        // The recording stays open once replayed, so the book can go live on the REST snapshot.
        var configuration = SimulatorConfiguration(speed: .max, scenarios: .named(["book"]), venues: ["binance"], sessionEnd: .stayOpen)
        configuration.faults = FaultPlan(steps: try faults.map { try FaultPlan.Step(parsing: $0) })
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        let simulator = try SimulatedVenueServer(library: try FixtureLibrary(directory: Self.fixtures),
                                                 configuration: configuration, eventLoop: group.next())
        _ = try await simulator.start()
        let collector = Collector()
        let backoff = ReconnectBackoffConfiguration(base: Interval.milliseconds(1), cap: Interval.milliseconds(50),
                                                    stablePeriod: Interval.milliseconds(200))
        let pool = VenueSessionPool<Binance>(
            configuration: VenueSessionConfiguration(
                symbols: [try Symbol("BTC-USDT")], channels: [.book],
                marketDataURLs: [simulator.webSocketURL(for: "binance")], restBaseURL: simulator.restURL(for: "binance"),
                pool: PoolConfiguration(lifecycle: ConnectionLifecycleConfiguration(backoff: backoff))),
            eventLoop: group.next(), sink: collector)
        pool.start()
        if let fault {
            #expect(await eventually { collector.bookStates("BTC-USDT").contains(.live) })
            await simulator.inject(fault, venue: "binance")
        }
        let reached = await eventually { condition(collector) }
        pool.stop()
        try? await Task.sleep(nanoseconds: 50_000_000)
        await simulator.stop()
        try await group.shutdownGracefully()
        #expect(reached, "condition not reached; book states: \(collector.bookStates("BTC-USDT")); log: \(collector.logLines.suffix(8))")
        return collector
    }

    @Test("connect, REST snapshot + buffered deltas, live book; the first attempt is refused with 429")
    func bootstrapAfter429() async throws {
        let collector = try await runPool(faults: ["binance/reject:429:0@1"]) { collector in
            collector.bookStates("BTC-USDT").contains(.live) && collector.books("BTC-USDT").count >= 2
        }
        #expect(collector.logLines.contains { $0.contains("429") })
        let books = collector.books("BTC-USDT")
        #expect(books.first?.isSnapshot == true)
        // Books never publish a crossed snapshot.
        if let snapshot = books.first, let bid = snapshot.bids.first?.price, let ask = snapshot.asks.first?.price {
            #expect(bid < ask)
        }
    }

    @Test("a TCP drop mid-stream: disconnected, reconnect, resnapshot, live again")
    func dropAndRecover() async throws {
        let collector = try await runPool(faults: [], injectWhenLive: .dropConnection) { collector in
            let states = collector.bookStates("BTC-USDT")
            guard let dropped = states.firstIndex(of: .disconnected) else { return false }
            return states[dropped...].contains(.live)
        }
        let states = collector.bookStates("BTC-USDT")
        let firstLive = try #require(states.firstIndex(of: .live))
        let dropped = try #require(states.firstIndex(of: .disconnected))
        #expect(firstLive < dropped)
        #expect(collector.books("BTC-USDT").filter(\.isSnapshot).count >= 2)
    }
}
