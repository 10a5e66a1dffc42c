import Testing
import MarketModel
import VenueKit
@testable import Sessions

@Suite("OutboundRateLimiter")
struct OutboundRateLimiterTests {
    /// Drives `limiter` with a manual clock, waking exactly at ``OutboundRateLimiter/nextReleaseTime(now:)``.
    static func drain(_ limiter: inout OutboundRateLimiter, from start: Nanoseconds) -> [(Nanoseconds, OutboundFrame)] {
        var clock = ManualClock(now: start)
        var sent: [(Nanoseconds, OutboundFrame)] = []
        while let next = limiter.nextReleaseTime(now: clock.now) {
            clock.advance(to: next)
            sent += limiter.release(now: clock.now).map { (clock.now, $0) }
        }
        return sent
    }

    @Test("Binance 5 msgs/s: 50 subscribe frames leave every 200 ms, never 6 in any 1 s window")
    func binancePacing() throws {
        var limiter = OutboundRateLimiter(configuration: OutboundRateLimiterConfiguration(messagesPerSecond: 5))
        for index in 0..<50 { try limiter.enqueue(text("SUBSCRIBE \(index)"), lane: .subscription) }
        let sent = Self.drain(&limiter, from: 0)
        #expect(sent.count == 50)
        #expect(sent.map(\.0) == (0..<50).map { Int64($0) * Interval.milliseconds(200) })
        #expect(sent.map(\.1) == (0..<50).map { text("SUBSCRIBE \($0)") })
        let times = sent.map(\.0)
        for index in 5..<times.count { #expect(times[index] - times[index - 5] >= Interval.seconds(1)) }
    }

    @Test("the emission interval rounds up so rate × interval ≥ 1 s (3/s → 333,333,334 ns)")
    func roundsUp() {
        let limiter = OutboundRateLimiter(configuration: OutboundRateLimiterConfiguration(messagesPerSecond: 3))
        #expect(limiter.emissionInterval == 333_333_334)
    }

    @Test("control frames overtake queued subscriptions")
    func controlFirst() throws {
        var limiter = OutboundRateLimiter(configuration: OutboundRateLimiterConfiguration(messagesPerSecond: 5))
        for index in 0..<3 { try limiter.enqueue(text("sub \(index)"), lane: .subscription) }
        #expect(limiter.release(now: 0) == [text("sub 0")])
        try limiter.enqueue(text("ping"), lane: .control)
        #expect(limiter.release(now: Interval.milliseconds(199)) == [])
        #expect(limiter.release(now: Interval.milliseconds(200)) == [text("ping")])
        #expect(limiter.release(now: Interval.milliseconds(400)) == [text("sub 1")])
    }

    @Test("the automatic pong to a server ping is charged: queued frames wait for it (BN-STR)")
    func chargeAutomaticPong() throws {
        var limiter = OutboundRateLimiter(configuration: OutboundRateLimiterConfiguration(messagesPerSecond: 5))
        limiter.charge(now: 0)  // pong sent by the WebSocket layer at t = 0
        try limiter.enqueue(text("sub"), lane: .subscription)
        #expect(limiter.release(now: 0) == [])
        #expect(limiter.nextReleaseTime(now: 0) == Interval.milliseconds(200))
        #expect(limiter.release(now: Interval.milliseconds(200)) == [text("sub")])
    }

    @Test("burst 3 lets three frames go back to back, then paces")
    func burst() throws {
        var limiter = OutboundRateLimiter(configuration: OutboundRateLimiterConfiguration(messagesPerSecond: 10, burst: 3))
        for index in 0..<6 { try limiter.enqueue(text("\(index)"), lane: .subscription) }
        let sent = Self.drain(&limiter, from: 0).map(\.0)
        let ms = Interval.milliseconds
        #expect(sent == [0, 0, 0, ms(100), ms(200), ms(300)])
    }

    @Test("a weight-2 frame costs two emission intervals")
    func weighted() throws {
        var limiter = OutboundRateLimiter(configuration: OutboundRateLimiterConfiguration(messagesPerSecond: 5))
        try limiter.enqueue(.text(OutboundMessage(text: "heavy", weight: 2)), lane: .subscription)
        try limiter.enqueue(text("light"), lane: .subscription)
        let sent = Self.drain(&limiter, from: 0).map(\.0)
        #expect(sent == [0, Interval.milliseconds(400)])
    }

    @Test("tryConsume without a queue follows the same GCRA")
    func tryConsume() {
        var limiter = OutboundRateLimiter(configuration: OutboundRateLimiterConfiguration(messagesPerSecond: 2))
        let times = [0, Interval.milliseconds(499), Interval.milliseconds(500), Interval.seconds(10), Interval.seconds(10)]
        let outcomes = times.map { limiter.tryConsume(now: $0) }
        // Idle time is not banked beyond the burst: after 10 s, still one at a time.
        #expect(outcomes == [true, false, true, true, false])
    }

    @Test("lanes are bounded: a full lane throws OutboundQueueFull naming it")
    func bounded() throws {
        var limiter = OutboundRateLimiter(configuration: OutboundRateLimiterConfiguration(
            messagesPerSecond: 5, maxQueuedControlFrames: 1, maxQueuedSubscriptionFrames: 2))
        try limiter.enqueue(text("a"), lane: .subscription)
        try limiter.enqueue(text("b"), lane: .subscription)
        #expect(throws: OutboundQueueFull(lane: .subscription, capacity: 2)) {
            try limiter.enqueue(text("c"), lane: .subscription)
        }
        try limiter.enqueue(.protocolPing, lane: .control)
        #expect(throws: OutboundQueueFull(lane: .control, capacity: 1)) {
            try limiter.enqueue(.protocolPing, lane: .control)
        }
        #expect(limiter.queuedCount == 3)
        limiter.removeAll()
        #expect(limiter.queuedCount == 0)
        #expect(limiter.nextReleaseTime(now: 0) == nil)
    }
}
