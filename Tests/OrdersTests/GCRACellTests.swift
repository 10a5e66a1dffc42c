import Testing
import MarketModel
import VenueKit
@testable import Orders

@Suite("GCRACell")
struct GCRACellTests {
    let second = Interval.seconds(1)

    @Test("10 per second, 50 % burst, 20 % reserve → B = 5, R = 1, T = ⌈1 s / 6⌉")
    func parameters() {
        let cell = GCRACell(capacity: 10, interval: second)
        #expect(cell.burst == 5)
        #expect(cell.reserve == 1)
        #expect(cell.emissionInterval == 166_666_667)
    }

    @Test("a burst: new orders get B − R back to back, cancels the reserve on top, then one per T")
    func burstAndReserve() {
        var cell = GCRACell(capacity: 10, interval: second)
        for _ in 0..<4 {
            #expect(cell.earliestTime(weight: 1, usesReserve: false, now: 0) == 0)
            cell.charge(weight: 1, now: 0)
        }
        let t = cell.emissionInterval
        #expect(cell.earliestTime(weight: 1, usesReserve: false, now: 0) == t)
        // The reserved unit is there for a cancel right now.
        #expect(cell.earliestTime(weight: 1, usesReserve: true, now: 0) == 0)
        cell.charge(weight: 1, now: 0)
        #expect(cell.earliestTime(weight: 1, usesReserve: true, now: 0) == t)
        #expect(cell.earliestTime(weight: 1, usesReserve: false, now: 0) == 2 * t)
        #expect(cell.availableUnits(now: 0) == 0)
        #expect(cell.availableUnits(now: 5 * t) == 5)
    }

    @Test("a weight-3 request costs three emission intervals")
    func weights() {
        var cell = GCRACell(capacity: 10, interval: second, maxWeight: 3)
        cell.charge(weight: 3, now: 0)
        #expect(cell.tat == 3 * cell.emissionInterval)
        // B − R = 4 allows one more unit now, not another 3.
        #expect(cell.earliestTime(weight: 1, usesReserve: false, now: 0) == 0)
        #expect(cell.earliestTime(weight: 3, usesReserve: false, now: 0) == 2 * cell.emissionInterval)
    }

    @Test("the burst grows to fit the heaviest request plus the reserve")
    func burstCoversWeight() {
        let cell = GCRACell(capacity: 10, interval: second, policy: ThrottlePolicy(burstPercent: 10), maxWeight: 4)
        #expect(cell.burst - cell.reserve >= 4)
    }

    @Test("never more than capacity units in any window, for any burst, weights and lanes (seeded)",
          arguments: [1, 20, 50, 100])
    func slidingWindowInvariant(burstPercent: Int) {
        var random = TestRandom(seed: UInt64(burstPercent))
        var cell = GCRACell(capacity: 50, interval: Interval.seconds(10),
                            policy: ThrottlePolicy(burstPercent: burstPercent, cancelReservePercent: 20), maxWeight: 2)
        var now: Nanoseconds = 0
        var grants: [(time: Nanoseconds, weight: Int)] = []
        for _ in 0..<20_000 {
            now += Int64.random(in: 0...Interval.milliseconds(150), using: &random)
            let weight = Int.random(in: 1...2, using: &random)
            let usesReserve = random.chance(30)
            if cell.earliestTime(weight: weight, usesReserve: usesReserve, now: now) <= now {
                cell.charge(weight: weight, now: now)
                grants.append((now, weight))
            }
        }
        // Burst 100 % leaves one unit per interval sustained: the price of an all-at-once burst.
        #expect(grants.count > (burstPercent == 100 ? 100 : 1000))
        #expect(maxUnitsInAnyWindow(grants, interval: Interval.seconds(10)) <= 50)
    }

    @Test("a decaying counter (Kraken: threshold 60, −1/s): the venue's counter never passes the threshold, and the sustained rate is its decay rate",
          arguments: [20, 50, 100])
    func decayingCounter(burstPercent: Int) {
        var random = TestRandom(seed: UInt64(burstPercent) &+ 7)
        var cell = GCRACell(capacity: 60, interval: Interval.minutes(1), policy: ThrottlePolicy(burstPercent: burstPercent, cancelReservePercent: 20),
                            maxWeight: 8, decayInterval: second)
        #expect(cell.emissionInterval == second)
        var now: Nanoseconds = 0
        var counter = 0.0, peak = 0.0, units = 0  // the venue's view: +weight, −1 per second
        var last: Nanoseconds = 0
        for _ in 0..<20_000 {
            now += Int64.random(in: 0...Interval.milliseconds(100), using: &random)
            let weight = random.chance(30) ? Int.random(in: 1...8, using: &random) : 1
            let usesReserve = random.chance(30)
            if cell.earliestTime(weight: weight, usesReserve: usesReserve, now: now) <= now {
                cell.charge(weight: weight, now: now)
                counter = max(0, counter - Double(now - last) / 1e9) + Double(weight)
                last = now
                peak = max(peak, counter)
                units += weight
            }
        }
        #expect(peak <= 60.000_001, "the venue's counter reached \(peak)")
        // ~1000 s of demand above the decay rate: close to 1 unit per second went out (the window
        // model of the same limit allowed about half).
        let seconds = Double(now) / 1e9
        #expect(Double(units) >= 0.95 * seconds, "\(units) units in \(seconds) s")
    }

    @Test("venue feedback: used 8 of 10 leaves 2 units, never loosens")
    func tighten() {
        var cell = GCRACell(capacity: 10, interval: second)
        cell.tighten(remaining: 2, now: 0)
        #expect(cell.availableUnits(now: 0) == 2)
        #expect(cell.earliestTime(weight: 1, usesReserve: false, now: 0) == 0)
        cell.charge(weight: 1, now: 0)
        // One left, and it is the reserve.
        #expect(cell.earliestTime(weight: 1, usesReserve: false, now: 0) > 0)
        #expect(cell.earliestTime(weight: 1, usesReserve: true, now: 0) == 0)
        let before = cell.tat
        cell.tighten(remaining: 10, now: 0)
        #expect(cell.tat == before)
    }

    @Test("a smaller venue-reported capacity is adopted, a larger one ignored")
    func adopt() {
        var cell = GCRACell(capacity: 10, interval: second)
        cell.adopt(capacity: 20, now: 0)
        #expect(cell.capacity == 10)
        cell.adopt(capacity: 4, now: 0)
        #expect(cell.capacity == 4)
        #expect(cell.burst == 2)
        #expect(cell.emissionInterval == (second + 2) / 3)
    }

    @Test("a block holds every lane until its end and is never shortened")
    func block() {
        var cell = GCRACell(capacity: 10, interval: second)
        cell.block(until: 5 * second)
        cell.block(until: 2 * second)
        #expect(cell.earliestTime(weight: 1, usesReserve: true, now: 0) == 5 * second)
        #expect(cell.earliestTime(weight: 1, usesReserve: false, now: 6 * second) == 6 * second)
    }
}

@Suite("OrderThrottle")
struct OrderThrottleTests {
    let perConnection = ThrottleKey(scope: .connection, owner: "binance", limit: "msgs/1s")
    let perAccount = ThrottleKey(scope: .account, owner: "acct", limit: "orders/10s")

    func makeThrottle() -> OrderThrottle {
        var throttle = OrderThrottle()
        throttle.register(perConnection, cell: GCRACell(capacity: 10, interval: Interval.seconds(1)))
        throttle.register(perAccount, cell: GCRACell(capacity: 4, interval: Interval.seconds(10),
                                                     policy: ThrottlePolicy(burstPercent: 100, cancelReservePercent: 0)))
        return throttle
    }

    @Test("several keys are acquired atomically: a refusal by one charges none")
    func atomic() {
        var throttle = makeThrottle()
        let both = [ThrottleDemand(key: perConnection, weight: 1), ThrottleDemand(key: perAccount, weight: 1)]
        for _ in 0..<4 {
            let granted = throttle.tryAcquire(both, usesReserve: false, now: 0)
            #expect(granted)
        }
        let connectionBefore = throttle.cells[perConnection]
        // The account cell (burst 4) is exhausted; the connection cell still has room.
        let refused = !throttle.tryAcquire(both, usesReserve: false, now: 0)
        #expect(refused)
        #expect(throttle.cells[perConnection] == connectionBefore)
        let connectionOnly = throttle.tryAcquire([ThrottleDemand(key: perConnection, weight: 1)], usesReserve: true, now: 0)
        #expect(connectionOnly)
        // earliestTime is the latest of the cells.
        let accountNext = throttle.cells[perAccount]?.earliestTime(weight: 1, usesReserve: false, now: 0) ?? 0
        #expect(throttle.earliestTime(for: both, usesReserve: false, now: 0) == accountNext)
        #expect(accountNext == Interval.seconds(10))
    }

    @Test("feedback: used/limit tightens the named cell; retryAfter blocks it")
    func feedback() {
        var throttle = makeThrottle()
        throttle.apply(RateLimitFeedback(name: "orders/10s", used: 3, limit: 4), to: [perAccount], now: 0)
        #expect(throttle.cells[perAccount]?.availableUnits(now: 0) == 1)
        throttle.apply(RateLimitFeedback(retryAfter: Interval.seconds(7)), to: [perConnection], now: 0)
        #expect(throttle.earliestTime(for: [ThrottleDemand(key: perConnection, weight: 1)], usesReserve: true, now: 0)
                == Interval.seconds(7))
    }

    @Test("resetUsage forgets per-connection usage, keeps blocks")
    func reset() {
        var throttle = makeThrottle()
        let demand = [ThrottleDemand(key: perConnection, weight: 1)]
        for _ in 0..<5 { _ = throttle.tryAcquire(demand, usesReserve: true, now: 0) }
        let sixth = throttle.tryAcquire(demand, usesReserve: true, now: 0)
        #expect(!sixth)
        throttle.resetUsage(of: [perConnection])
        let afterReset = throttle.tryAcquire(demand, usesReserve: true, now: 0)
        #expect(afterReset)
        throttle.block([perConnection], until: 100)
        throttle.resetUsage(of: [perConnection])
        let whileBlocked = throttle.tryAcquire(demand, usesReserve: true, now: 0)
        #expect(!whileBlocked)
    }
}
