import Testing
import MarketModel
import VenueKit
@testable import Sessions

@Suite("LivenessMonitor")
struct LivenessMonitorTests {
    let btc = sub("BTC-USDT", .book)
    let eth = sub("ETH-USDT", .liquidations)

    @Test("dead peer: every kind of frame resets it; silence fires exactly at the timeout", arguments: FrameKind.allCases)
    func deadPeer(kind: FrameKind) {
        var clock = ManualClock()
        var monitor = LivenessMonitor(deadPeerTimeout: Interval.seconds(30), dataIdleTimeout: Interval.hours(1), now: clock.now)
        clock.advance(by: Interval.seconds(20))
        _ = monitor.onFrame(kind: kind, subscription: nil, now: clock.now)
        #expect(monitor.nextDeadline == Interval.seconds(30))  // cached from the start: early, never late
        #expect(monitor.tick(now: Interval.seconds(30)).isEmpty)
        #expect(monitor.nextDeadline == Interval.seconds(50))
        #expect(monitor.tick(now: Interval.seconds(50) - 1).isEmpty)
        #expect(monitor.tick(now: Interval.seconds(50)) == [.peerDead(silentFor: Interval.seconds(30))])
        // Reported once.
        #expect(monitor.tick(now: Interval.seconds(60)).isEmpty)
    }

    @Test("data idle: heartbeats keep the peer alive but not the data; reported once per idle period")
    func dataIdle() {
        var clock = ManualClock()
        var monitor = LivenessMonitor(deadPeerTimeout: Interval.seconds(5), dataIdleTimeout: Interval.seconds(60), now: clock.now)
        monitor.register([btc], now: clock.now) { _ in Interval.hours(1) }
        var seen: [LivenessAction] = []
        for _ in 0..<70 {  // Kraken-style 1 s heartbeats, no data
            clock.advance(by: Interval.seconds(1))
            _ = monitor.onFrame(kind: .heartbeat, subscription: nil, now: clock.now)
            seen += monitor.tick(now: clock.now)
        }
        #expect(seen == [.dataIdle(silentFor: Interval.seconds(60))])
        // Data resets it; it can fire again after another full window.
        #expect(monitor.onFrame(kind: .data, subscription: btc, now: clock.now) == .live(btc))
        #expect(monitor.nextDeadline.map { $0 <= clock.now + Interval.seconds(5) } == true)
        clock.advance(by: Interval.seconds(60))
        _ = monitor.onFrame(kind: .heartbeat, subscription: nil, now: clock.now)
        #expect(monitor.tick(now: clock.now) == [.dataIdle(silentFor: Interval.seconds(60))])
    }

    @Test("the default data-idle window is twice the longest stale window of the subscriptions")
    func derivedDataIdle() {
        var monitor = LivenessMonitor(deadPeerTimeout: Interval.seconds(60), now: 0)
        #expect(monitor.dataIdleTimeout == nil)
        monitor.register([btc, eth], now: 0) { $0.channel == .book ? Interval.seconds(5) : Interval.hours(24) }
        #expect(monitor.dataIdleTimeout == Interval.hours(48))
        monitor.unregister([eth])
        #expect(monitor.dataIdleTimeout == Interval.seconds(10))
    }

    @Test("per subscription: only the quiet one turns stale, and back to live on its next message")
    func perSubscriptionStale() {
        var clock = ManualClock()
        var monitor = LivenessMonitor(deadPeerTimeout: Interval.seconds(600), dataIdleTimeout: Interval.hours(1), now: clock.now)
        monitor.register([btc, eth], now: clock.now) { $0 == self.btc ? Interval.seconds(5) : Interval.seconds(60) }
        #expect(monitor.onFrame(kind: .data, subscription: btc, now: clock.now) == .live(btc))
        #expect(monitor.onFrame(kind: .data, subscription: eth, now: clock.now) == .live(eth))
        #expect(monitor.onFrame(kind: .data, subscription: btc, now: clock.now) == nil)  // already live
        #expect(monitor.nextDeadline == Interval.seconds(5))

        clock.advance(by: Interval.seconds(5))
        #expect(monitor.tick(now: clock.now) == [.stale(btc, silentFor: Interval.seconds(5))])
        #expect(monitor.state(of: btc) == .stale)
        #expect(monitor.state(of: eth) == .live)
        #expect(monitor.nextDeadline == Interval.seconds(60))  // the stale one no longer counts

        clock.advance(by: Interval.seconds(10))
        #expect(monitor.onFrame(kind: .data, subscription: btc, now: clock.now) == .live(btc))
        #expect(monitor.nextDeadline == Interval.seconds(20))  // lowered at once for the revived one
        #expect(monitor.tick(now: Interval.seconds(20)) == [.stale(btc, silentFor: Interval.seconds(5))])
    }

    @Test("a subscription that never delivers turns stale after its window from subscribe time")
    func neverDelivers() {
        var monitor = LivenessMonitor(deadPeerTimeout: Interval.seconds(600), dataIdleTimeout: Interval.hours(1), now: 0)
        monitor.register([btc], now: Interval.seconds(1)) { _ in Interval.seconds(10) }
        #expect(!monitor.hasAnyData)
        #expect(monitor.tick(now: Interval.seconds(11) - 1).isEmpty)
        #expect(monitor.tick(now: Interval.seconds(11)) == [.stale(btc, silentFor: Interval.seconds(10))])
        #expect(!monitor.hasDataForAllSubscriptions)  // stale is not the same as delivered
        #expect(monitor.onFrame(kind: .data, subscription: btc, now: Interval.seconds(12)) == .live(btc))
        #expect(monitor.hasDataForAllSubscriptions)
    }

    @Test("the cached deadline is never later than the true earliest expiry")
    func cacheNeverLate() {
        var random = SplitMix64(seed: 11)
        let subs = manySymbols(20).map { Subscription(symbol: $0, channel: .trades) }
        var monitor = LivenessMonitor(deadPeerTimeout: Interval.seconds(15), now: 0)
        monitor.register(subs, now: 0) { subscription in
            Interval.seconds(Int64(subscription.symbol.rawValue.utf8.reduce(0) { $0 &+ Int($1) } % 7 + 3))
        }
        var now: Nanoseconds = 0
        for _ in 0..<3_000 {
            now += Int64.random(in: 0...Interval.milliseconds(900), using: &random)
            if Bool.random(using: &random) {
                let kind: FrameKind = Int.random(in: 0..<4, using: &random) == 0 ? .heartbeat : .data
                _ = monitor.onFrame(kind: kind, subscription: subs.randomElement(using: &random), now: now)
            }
            guard let cached = monitor.nextDeadline else { continue }
            // Probe: nothing may expire strictly before the cached deadline.
            var probe = monitor
            #expect(probe.tick(now: max(now, cached - 1)).isEmpty || cached - 1 < now)
            if cached <= now { _ = monitor.tick(now: now) }
        }
    }
}
