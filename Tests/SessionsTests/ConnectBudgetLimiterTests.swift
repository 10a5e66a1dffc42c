import Testing
import MarketModel
import VenueKit
@testable import Sessions

@Suite("ConnectBudgetLimiter")
struct ConnectBudgetLimiterTests {
    /// Every half-open window `[t, t + window)` holds at most `attempts` of the sorted `grants`.
    static func isWithinBudget(_ grants: [Nanoseconds], _ budget: ConnectBudget) -> Bool {
        let sorted = grants.sorted()
        guard sorted.count > budget.attempts else { return true }
        return (budget.attempts..<sorted.count).allSatisfy { sorted[$0] - sorted[$0 - budget.attempts] >= budget.window }
    }

    @Test("Binance 300 per 5 min: the 301st attempt waits exactly until the first leaves the window")
    func binanceWindow() {
        var clock = ManualClock()
        var limiter = ConnectBudgetLimiter(budget: ConnectBudget(attempts: 300, window: Interval.minutes(5)))
        for _ in 0..<300 { #expect(limiter.tryAcquire(now: clock.now) == .granted) }
        #expect(limiter.tryAcquire(now: clock.now) == .notBefore(Interval.minutes(5)))
        clock.advance(to: Interval.minutes(5) - 1)
        #expect(limiter.tryAcquire(now: clock.now) == .notBefore(Interval.minutes(5)))
        clock.advance(to: Interval.minutes(5))
        #expect(limiter.tryAcquire(now: clock.now) == .granted)
        #expect(limiter.grantsInWindow(now: clock.now) == 1)
    }

    @Test("OKX 3 per second with staggered attempts")
    func okxPerSecond() {
        var limiter = ConnectBudgetLimiter(budget: ConnectBudget(attempts: 3, window: Interval.seconds(1)))
        let ms = Interval.milliseconds
        #expect(limiter.tryAcquire(now: ms(0)) == .granted)
        #expect(limiter.tryAcquire(now: ms(100)) == .granted)
        #expect(limiter.tryAcquire(now: ms(900)) == .granted)
        #expect(limiter.tryAcquire(now: ms(950)) == .notBefore(ms(1_000)))
        #expect(limiter.tryAcquire(now: ms(1_000)) == .granted)
        #expect(limiter.tryAcquire(now: ms(1_050)) == .notBefore(ms(1_100)))
        #expect(limiter.tryAcquire(now: ms(1_100)) == .granted)
    }

    @Test("1,000 simultaneous attempts retried at notBefore: exactly 300 per window, no more, no idle slot")
    func massAttempt() {
        let budget = ConnectBudget(attempts: 300, window: Interval.minutes(5))
        var limiter = ConnectBudgetLimiter(budget: budget)
        var pending = Array(repeating: Nanoseconds(0), count: 1_000)  // next try time per client
        var grants: [Nanoseconds] = []
        while !pending.isEmpty {
            let now = pending.min() ?? 0
            var still: [Nanoseconds] = []
            for time in pending {
                guard time <= now else { still.append(time); continue }
                switch limiter.tryAcquire(now: now) {
                case .granted: grants.append(now)
                case .notBefore(let at): still.append(at)
                }
            }
            pending = still
        }
        #expect(Self.isWithinBudget(grants, budget))
        let window = Interval.minutes(5)
        #expect(grants.filter { $0 == 0 }.count == 300)
        #expect(grants.filter { $0 == window }.count == 300)
        #expect(grants.filter { $0 == 2 * window }.count == 300)
        #expect(grants.filter { $0 == 3 * window }.count == 100)
    }

    @Test("random arrivals never exceed the budget in any window")
    func randomArrivals() {
        let budget = ConnectBudget(attempts: 20, window: Interval.minutes(1))  // Bitfinex api-pub
        var limiter = ConnectBudgetLimiter(budget: budget)
        var random = SplitMix64(seed: 99)
        var now: Nanoseconds = 0
        var grants: [Nanoseconds] = []
        for _ in 0..<5_000 {
            now += Int64.random(in: 0...Interval.seconds(2), using: &random)
            if limiter.tryAcquire(now: now).isGranted { grants.append(now) }
        }
        #expect(Self.isWithinBudget(grants, budget))
        #expect(grants.count > 1_000)
    }

    @Test("a 429/418 suspension holds every attempt until it ends")
    func suspension() {
        var limiter = ConnectBudgetLimiter(budget: ConnectBudget(attempts: 300, window: Interval.minutes(5)))
        limiter.suspend(until: Interval.minutes(2))
        limiter.suspend(until: Interval.minutes(1))  // never shortened
        #expect(limiter.tryAcquire(now: 0) == .notBefore(Interval.minutes(2)))
        #expect(limiter.tryAcquire(now: Interval.minutes(2)) == .granted)
    }

    @Test("a zero window grants everything (venues without a declared budget)")
    func unlimited() {
        var limiter = ConnectBudgetLimiter(budget: ConnectBudget(attempts: 1, window: 0))
        for _ in 0..<1_000 { #expect(limiter.tryAcquire(now: 5) == .granted) }
    }
}
