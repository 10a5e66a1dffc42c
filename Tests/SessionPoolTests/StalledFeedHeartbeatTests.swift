import Foundation
import MarketModel
import Replay
import Sessions
import Testing
import Venues

/// Kraken keeps sending `{"channel":"heartbeat"}` while its book stalls. The pool must then see a
/// live peer with stale data: the book goes `stale` (not `disconnected`), and the data-idle guard
/// later replaces the connection. The control run shows the same feed without heartbeats is
/// judged a dead peer first, which is why the simulator must generate them.
@Suite("Stalled feed with live heartbeats (Kraken)", .serialized)
struct StalledFeedHeartbeatTests {
    /// Dead peer after 1 missed 1 s heartbeat + 0.5 s grace = 1.5 s of total silence; book stale
    /// after 2.5 s without book data; the data-idle guard after 6 s.
    static let lifecycle = ConnectionLifecycleConfiguration(
        backoff: FaultHarness.backoff,
        keepAlive: KeepAliveConfiguration(missedHeartbeats: 1, grace: Interval.milliseconds(500)),
        dataIdleTimeout: Interval.seconds(6), staleAfterOverrides: [.book: Interval.milliseconds(2500)])

    static func run(heartbeatMilliseconds: Int64, until condition: @escaping @Sendable (RecordingSink) -> Bool) async throws -> FaultHarness.Run {
        // The recorded book session replays at full speed, then the connection stays open without data.
        var configuration = SimulatorConfiguration(speed: .max, scenarios: .named(["book"]), venues: ["kraken"], sessionEnd: .stayOpen)
        configuration.heartbeatIntervalMilliseconds = heartbeatMilliseconds
        return try await FaultHarness.run(Kraken.self, library: try FixtureLibrary(directory: FaultHarness.fixtures), simulator: configuration,
                                          symbols: ["BTC-USD"], channels: [.book], lifecycle: lifecycle, timeout: 20, until: condition)
    }

    @Test func heartbeatsWithoutDataMakeTheBookStaleThenTheDataIdleGuardReconnects() async throws {
        let run = try await Self.run(heartbeatMilliseconds: 250) { sink in
            sink.states("BTC-USD", .book).contains(.stale) && sink.states("BTC-USD", .book).contains(.disconnected)
        }
        let states = run.sink.states("BTC-USD", .book)
        #expect(run.reached, "\(states) \(run.sink.logLines.suffix(6))")
        // live → stale (heartbeats keep the peer alive) → disconnected (data idle), in that order.
        let live = try #require(states.firstIndex(of: .live), "\(states)")
        let stale = try #require(states.firstIndex(of: .stale), "\(states)")
        let disconnected = try #require(states.firstIndex(of: .disconnected), "\(states)")
        #expect(live < stale && stale < disconnected, "\(states)")
        #expect(run.sink.statuses("BTC-USD", .book)[disconnected].reason.contains("data"), "\(run.sink.statuses("BTC-USD", .book)[disconnected])")
    }

    @Test func withoutHeartbeatsTheSameStallIsADeadPeerFirst() async throws {
        let run = try await Self.run(heartbeatMilliseconds: 60_000) { sink in
            sink.states("BTC-USD", .book).contains(.disconnected)
        }
        let states = run.sink.states("BTC-USD", .book)
        #expect(run.reached, "\(states)")
        let firstDown = try #require(states.firstIndex { $0 == .stale || $0 == .disconnected }, "\(states)")
        #expect(states[firstDown] == .disconnected, "a silent peer is dead (1.5 s) before its book is stale (2.5 s): \(states)")
    }
}
