import Testing
import MarketModel
@testable import Sessions

@Suite("ReconnectBackoff")
struct ReconnectBackoffTests {
    let configuration = ReconnectBackoffConfiguration(base: Interval.seconds(1), cap: Interval.seconds(60),
                                                      stablePeriod: Interval.seconds(60))

    @Test("ceiling is min(cap, base·2^attempt) and never overflows")
    func ceiling() {
        let backoff = ReconnectBackoff(configuration: configuration)
        let seconds = (0..<9).map { backoff.ceiling(forAttempt: $0) / Interval.seconds(1) }
        #expect(seconds == [1, 2, 4, 8, 16, 32, 60, 60, 60])
        #expect(backoff.ceiling(forAttempt: 63) == Interval.seconds(60))
        #expect(backoff.ceiling(forAttempt: 10_000) == Interval.seconds(60))
    }

    @Test("full jitter: every delay in [0, ceiling], spread over the whole range")
    func fullJitterRange() {
        var random = SplitMix64(seed: 42)
        var samples: [Nanoseconds] = []
        for _ in 0..<10_000 {
            var backoff = ReconnectBackoff(configuration: configuration)
            for _ in 0..<4 { _ = backoff.recordFailure(now: 0, using: &random) }  // attempt 4: ceiling 16 s
            samples.append(backoff.recordFailure(now: 0, using: &random))
        }
        let ceiling = Interval.seconds(16)
        #expect(samples.allSatisfy { $0 >= 0 && $0 <= ceiling })
        #expect(samples.min().map { $0 < ceiling / 100 } == true)
        #expect(samples.max().map { $0 > ceiling * 99 / 100 } == true)
        // Uniform on [0, ceiling]: the mean is ceiling / 2 within 2 %.
        let mean = samples.reduce(0, +) / Int64(samples.count)
        #expect(abs(mean - ceiling / 2) < ceiling / 50)
    }

    @Test("the same seed gives the same delays")
    func deterministic() {
        func run() -> [Nanoseconds] {
            var random = SplitMix64(seed: 7)
            var backoff = ReconnectBackoff(configuration: configuration)
            return (0..<20).map { _ in backoff.recordFailure(now: 0, using: &random) }
        }
        #expect(run() == run())
    }

    @Test("the attempt counter resets only after the stable period")
    func stablePeriodReset() {
        var clock = ManualClock()
        var random = SplitMix64(seed: 1)
        var backoff = ReconnectBackoff(configuration: configuration)
        for _ in 0..<3 { _ = backoff.recordFailure(now: clock.now, using: &random) }
        #expect(backoff.attempt == 3)

        // Up for 59.999 s: not stable; the next delay still grows.
        backoff.recordConnected(now: clock.now)
        clock.advance(by: Interval.seconds(60) - 1)
        #expect(!backoff.isStable(now: clock.now))
        _ = backoff.recordFailure(now: clock.now, using: &random)
        #expect(backoff.attempt == 4)

        // Up for exactly 60 s: stable; the failure starts over at attempt 0 (ceiling = base).
        backoff.recordConnected(now: clock.now)
        clock.advance(by: Interval.seconds(60))
        #expect(backoff.isStable(now: clock.now))
        let delay = backoff.recordFailure(now: clock.now, using: &random)
        #expect(delay <= Interval.seconds(1))
        #expect(backoff.attempt == 1)
    }

    @Test("a server-imposed delay is a floor: max(jittered, imposed)")
    func imposedFloor() {
        var random = SplitMix64(seed: 3)
        var backoff = ReconnectBackoff(configuration: configuration)
        // Attempt 0: jitter ≤ 1 s, so a 30 s Retry-After decides.
        let failure = TransportFailure.http(429, retryAfter: Interval.seconds(30))
        #expect(backoff.recordFailure(failure, now: 0, using: &random) == Interval.seconds(30))
        // With a large ceiling the jitter may exceed a small imposed floor, never fall below it.
        var large = ReconnectBackoff(configuration: configuration)
        for _ in 0..<6 { _ = large.recordFailure(now: 0, using: &random) }
        let delays = (0..<200).map { _ in
            var copy = large
            return copy.recordFailure(now: 0, imposedDelay: Interval.seconds(5), using: &random)
        }
        #expect(delays.allSatisfy { $0 >= Interval.seconds(5) && $0 <= Interval.seconds(60) })
        #expect(delays.contains { $0 > Interval.seconds(5) })
    }

    @Test("imposed delays: Retry-After, Binance 418 ban, 429, close 1008 and 1013, clamped", arguments: [
        (TransportFailure.http(429, retryAfter: Interval.seconds(12)), Interval.seconds(12)),
        (TransportFailure.http(418), Interval.minutes(2)),
        (TransportFailure.http(429), Interval.seconds(60)),
        (TransportFailure.closed(code: 1008, reason: "Too many requests"), Interval.seconds(10)),
        (TransportFailure.closed(code: 1013), Interval.seconds(5)),
        (TransportFailure.http(418, retryAfter: Interval.hours(1_000)), Interval.hours(72)),
    ])
    func imposedDelays(failure: TransportFailure, expected: Nanoseconds) {
        #expect(configuration.imposedDelay(for: failure) == expected)
    }

    @Test("plain network failures and other close codes impose nothing")
    func nothingImposed() {
        #expect(configuration.imposedDelay(for: .network("reset")) == nil)
        #expect(configuration.imposedDelay(for: .closed(code: 1006)) == nil)
        #expect(configuration.imposedDelay(for: .http(503)) == nil)
    }
}
