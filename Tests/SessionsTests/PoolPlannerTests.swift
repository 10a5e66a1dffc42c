import Testing
import MarketModel
import VenueKit
@testable import Sessions

@Suite("PoolPlanner")
struct PoolPlannerTests {
    static let budget = ConnectBudget(attempts: 300, window: Interval.minutes(5))

    /// Binance-like venue, two subscriptions per connection so 1,000 connections stay cheap;
    /// heartbeats and stale windows long enough that liveness stays out of the way.
    static func massSpec() -> VenueSpec {
        testSpec(cap: 2, keepAlive: [.heartbeatChannel(expectedEvery: Interval.hours(1))], defaultStaleAfter: Interval.hours(1),
                 budget: budget)
    }

    static func configuration() -> PoolConfiguration {
        PoolConfiguration(lifecycle: ConnectionLifecycleConfiguration(
            backoff: ReconnectBackoffConfiguration(base: Interval.seconds(1), cap: Interval.seconds(60), stablePeriod: Interval.seconds(60))),
            seed: 42)
    }

    @Test("config → connections: symbols × supported channels, sharded under the cap, all started")
    func configToConnections() {
        let spec = testSpec(cap: 1024)
        let wanted = PoolPlanner.subscriptions(symbols: manySymbols(1_250), channels: [.trades, .book, .funding], spec: spec)
        #expect(wanted.count == 2_500)  // `funding` is not supported by this adapter
        var planner = PoolPlanner(spec: spec)
        let actions = planner.setSubscriptions(wanted, now: 0)
        #expect(planner.connectionIDs == [0, 1, 2])
        #expect(planner.connectionIDs.map { planner.sharder.subscriptions(on: $0).count } == [1024, 1024, 452])
        let connects = actions.compactMap { action -> Int? in
            if case .connection(let id, .connect) = action { id } else { nil }
        }
        #expect(connects == [0, 1, 2])
    }

    @Test("a per-connection cap in configuration lowers, never raises, the venue's")
    func configuredCap() {
        let lower = PoolPlanner(spec: testSpec(cap: 1024), configuration: PoolConfiguration(maxSubscriptionsPerConnection: 200))
        let higher = PoolPlanner(spec: testSpec(cap: 25), configuration: PoolConfiguration(maxSubscriptionsPerConnection: 200))
        #expect(lower.sharder.capacity == 200)
        #expect(higher.sharder.capacity == 25)
    }

    @Test("1,000 connections dropped at once reconnect within the connect budget, spread by jitter")
    func massReconnect() {
        let spec = Self.massSpec()
        var sim = PoolSimulator(planner: PoolPlanner(spec: spec, configuration: Self.configuration()))
        let wanted = PoolPlanner.subscriptions(symbols: manySymbols(1_000), channels: [.trades, .book], spec: spec)
        sim.perform(sim.planner.setSubscriptions(wanted, now: 0))
        #expect(sim.planner.connectionIDs.count == 1_000)

        // Cold start: 300 at once, then 300 per window as the budget frees up.
        sim.run(until: Interval.minutes(16))
        #expect(sim.connects.count == 1_000)
        #expect((0..<1_000).allSatisfy { sim.isLive($0, subscriptions: 2) })

        // The venue drops all 1,000 sockets at the same instant.
        let dropAt = Interval.minutes(30)
        sim.run(until: dropAt)
        sim.dropAll()
        sim.run(until: dropAt)
        // Full jitter: every connection drew its own delay in [0, 1 s] (stable before: attempt 0).
        let delays = sim.planner.connectionIDs.compactMap { id -> Nanoseconds? in
            if case .backoff(let until)? = sim.planner.lifecycle(id)?.phase { until - dropAt } else { nil }
        }
        #expect(delays.count >= 995)  // a zero draw goes straight to the slot queue
        #expect(delays.allSatisfy { $0 >= 0 && $0 <= Interval.seconds(1) })
        #expect(Set(delays).count == delays.count)
        let meanDelay = delays.reduce(0, +) / Int64(max(1, delays.count))
        #expect(abs(meanDelay - Interval.milliseconds(500)) < Interval.milliseconds(50))
        sim.run(until: dropAt + Interval.minutes(16))

        let reconnects = sim.connects.filter { $0.at >= dropAt }
        #expect(reconnects.count == 1_000)
        #expect(Set(reconnects.map(\.connection)).count == 1_000)
        #expect((0..<1_000).allSatisfy { sim.isLive($0, subscriptions: 2) })

        // The budget holds exactly, over the whole run: no 5-minute window has more than 300.
        let times = sim.connects.map(\.at).sorted()
        for index in 300..<times.count {
            #expect(times[index] - times[index - 300] >= Interval.minutes(5))
        }
        // …and it is used fully: 300 in each of the first three windows after the drop, 100 in the fourth.
        let window = Interval.minutes(5)
        let perWindow = (0..<4).map { k in reconnects.filter { $0.at >= dropAt + Int64(k) * window && $0.at < dropAt + Int64(k + 1) * window }.count }
        #expect(perWindow == [300, 300, 300, 100])

        // The first wave is the 300 earliest jitter draws: spread out, not synchronised.
        let firstWave = reconnects.prefix(300).map { $0.at - dropAt }
        #expect(firstWave.allSatisfy { $0 >= 0 && $0 <= Interval.seconds(1) })
        #expect(Set(firstWave).count >= 295)
        #expect((firstWave.max() ?? 0) - (firstWave.min() ?? 0) > Interval.milliseconds(250))
        // Later waves keep that spread (FIFO behind the sliding window), never a thundering herd.
        let secondWave = reconnects.dropFirst(300).prefix(300).map { $0.at - dropAt - window }
        #expect(Set(secondWave).count >= 295)
    }

    @Test("one connection's statuses across drop → reconnect → live, in order")
    func statusOrder() {
        let spec = Self.massSpec()
        var sim = PoolSimulator(planner: PoolPlanner(spec: spec, configuration: Self.configuration()))
        let wanted = PoolPlanner.subscriptions(symbols: manySymbols(4), channels: [.trades, .book], spec: spec)
        sim.perform(sim.planner.setSubscriptions(wanted, now: 0))
        sim.run(until: Interval.minutes(2))
        sim.dropAll()
        sim.run(until: Interval.minutes(4))
        let log = sim.statuses[0]?.map(\.status) ?? []
        #expect(describe(log) == [
            "connecting",
            "live book:S00000-USDT", "live trades:S00000-USDT",
            "disconnected",
            "connecting",
            "live book:S00000-USDT", "live trades:S00000-USDT",
        ])
        #expect(log[3].reason.hasPrefix("connection reset by peer; retrying in "))
        #expect(log[4].reason == "connecting to wss://primary.test/stream")
        let times = sim.statuses[0]?.map(\.at) ?? []
        #expect(times == times.sorted())
    }

    @Test("HTTP 429 on one connect holds the whole venue's budget (per-IP limit)")
    func rateLimitSuspendsPool() {
        let spec = testSpec(cap: 1, budget: ConnectBudget(attempts: 100, window: Interval.minutes(1)))
        var sim = PoolSimulator(planner: PoolPlanner(spec: spec, configuration: Self.configuration()))
        sim.failConnect = { connection, generation in
            switch (connection, generation) {
            case (0, 1): .http(429, retryAfter: Interval.seconds(30))
            case (1, 1): .network("connection refused")
            default: nil
            }
        }
        sim.perform(sim.planner.setSubscriptions([sub("A-USDT"), sub("B-USDT"), sub("C-USDT")], now: 0))
        sim.run(until: Interval.minutes(1))
        let retries = sim.connects.filter { $0.generation == 2 }
        let released = Interval.milliseconds(50) + Interval.seconds(30)
        // Connection 1 backed off ≤ 1 s, but the venue said 30 s for the whole IP.
        #expect(retries.map(\.connection).sorted() == [0, 1])
        #expect(retries.allSatisfy { $0.at >= released })
        #expect(retries.first { $0.connection == 1 }?.at == released)
    }

    @Test("a connect held by the budget says so in its status, with the rule and the wait; a configured budget replaces the venue's")
    func budgetWaitIsReported() {
        let spec = testSpec(cap: 1, budget: ConnectBudget(attempts: 300, window: Interval.minutes(5)))
        var configuration = Self.configuration()
        configuration.connectBudget = ConnectBudget(attempts: 2, window: Interval.minutes(1))
        var planner = PoolPlanner(spec: spec, configuration: configuration)
        let actions = planner.setSubscriptions([sub("A-USDT"), sub("B-USDT"), sub("C-USDT")], now: 0)
        let connects = actions.compactMap { action -> Int? in if case .connection(let id, .connect) = action { id } else { nil } }
        #expect(connects == [0, 1], "two connects per minute: the third waits")
        let held = actions.compactMap { action -> String? in
            if case .connection(2, .status(let status)) = action, status.state == .connecting { status.reason } else { nil }
        }
        #expect(held.last == "waiting for a connect slot: the venue allows 2 connects per 60s; next in 60s", "\(held)")
        #expect(!actions.contains { if case .connection(let id, .status(let s)) = $0 { id < 2 && s.reason.contains("allows") } else { false } })
    }

    @Test("emptied shards are stopped and closed; kept subscriptions stay where they are")
    func removeShard() {
        let spec = testSpec(cap: 2)
        var sim = PoolSimulator(planner: PoolPlanner(spec: spec, configuration: Self.configuration()))
        let all = [sub("A-USDT"), sub("B-USDT"), sub("C-USDT"), sub("D-USDT")]
        sim.perform(sim.planner.setSubscriptions(all, now: 0))
        sim.run(until: Interval.seconds(1))
        let actions = sim.planner.setSubscriptions([sub("A-USDT"), sub("B-USDT")], now: sim.now)
        #expect(actions.contains(.connection(1, .close(generation: 1, reason: "no subscriptions left"))))
        #expect(actions.contains(.connection(1, .status(ConnectionStatus(state: .disconnected, reason: "no subscriptions left")))))
        #expect(sim.planner.connectionIDs == [0])
        #expect(sim.planner.sharder.connection(for: sub("A-USDT")) == 0)
        let added = sim.planner.setSubscriptions([sub("A-USDT"), sub("E-USDT")], now: sim.now)
        #expect(added.compactMap(\.connectionAction).map(\.action).filter {
            if case .status = $0 { false } else { true }
        } == [.unsubscribe(generation: 1, [sub("B-USDT")]), .subscribe(generation: 1, [sub("E-USDT")])])
    }
}
