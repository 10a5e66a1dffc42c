import Testing
import MarketModel
import VenueKit
@testable import Sessions

/// Make-before-break rotation and endpoint failover. The spec declares no keep-alive and long
/// stale windows so hours can pass on the manual clock without liveness interfering.
@Suite("ConnectionLifecycle rotation and failover")
struct ConnectionRotationTests {
    let btc = sub("BTC-USDT", .trades)
    let liquidations = sub("BTC-USDT", .liquidations)
    static let quietKeepAlive = KeepAliveConfiguration(fallbackDeadPeerTimeout: Interval.hours(48))

    func binance24h(urls: [String] = ["wss://primary.test/stream", "wss://backup.test/stream"]) -> VenueSpec {
        testSpec(urls: urls, keepAlive: [], defaultStaleAfter: Interval.hours(48), lifetime: Interval.hours(24))
    }

    func harness(_ subscriptions: [Subscription], spec: VenueSpec? = nil, failoverThreshold: Int = 3) -> LifecycleHarness {
        let configuration = ConnectionLifecycleConfiguration(keepAlive: Self.quietKeepAlive, rotationLead: Interval.minutes(10),
                                                             rotationJitter: 0, failoverThreshold: failoverThreshold,
                                                             returnToPrimaryAfter: Interval.minutes(10))
        return LifecycleHarness(spec: spec ?? binance24h(), configuration: configuration, subscriptions: subscriptions)
    }

    @Test("Binance 24 h: the replacement opens 10 min early, goes live, then the old one closes — no gap")
    func lifetimeRotation() {
        var h = harness([btc, sub("ETH-USDT")])
        let old = h.open()
        h.data(btc, generation: old)
        h.data(sub("ETH-USDT"), generation: old)
        h.log.removeAll()
        let rotateAt = Interval.hours(24) - Interval.minutes(10)
        #expect(h.advance(to: rotateAt - 1).effects.isEmpty)
        #expect(h.advance(to: rotateAt).effects == [.requestConnectSlot])
        #expect(h.lifecycle.isRotating)
        #expect(h.send(.connectSlotGranted).effects == [.connect(generation: 2, url: "wss://primary.test/stream", endpoint: 0)])
        // The replacement subscribes but is not promoted: the old socket still serves.
        #expect(h.send(.connected(generation: 2)).effects == [.openSession(generation: 2, subscriptions: [btc, sub("ETH-USDT")])])
        #expect(h.lifecycle.servingGeneration == old)
        h.data(btc, generation: old)
        #expect(h.data(btc, generation: 2).isEmpty)  // one of two subscriptions has data: wait
        let cut = h.data(sub("ETH-USDT"), generation: 2)
        #expect(cut.effects == [.promote(generation: 2),
                                .close(generation: old, reason: "rotated: connection lifetime 86400s ends at +600s")])
        #expect(h.log.statuses.isEmpty)  // subscribers never saw a disconnect
        #expect(h.lifecycle.phase == .live(generation: 2))
        #expect(!h.lifecycle.isRotating)
        #expect(h.data(btc, generation: old).isEmpty)
        #expect(h.send(.closed(generation: old, .closed(code: 1000))).isEmpty)
        // The next rotation is 24 h − 10 min after the replacement opened.
        #expect(h.advance(to: rotateAt * 2 - 1).effects.isEmpty)
        #expect(h.advance(to: rotateAt * 2).effects == [.requestConnectSlot])
    }

    @Test("Binance serverShutdown: rotate at once, make-before-break")
    func serverShutdown() {
        var h = harness([btc])
        let old = h.open()
        h.data(btc, generation: old)
        h.advance(to: Interval.hours(1))
        #expect(h.send(.reconnectRequested(generation: old, reason: "serverShutdown")).effects == [.requestConnectSlot])
        h.send(.connectSlotGranted)
        h.send(.connected(generation: 2))
        #expect(h.data(btc, generation: 2).effects == [.promote(generation: 2),
                                                      .close(generation: old, reason: "rotated: venue requested reconnect: serverShutdown")])
    }

    @Test("the old socket closes while the replacement is subscribed: promote it at once")
    func oldClosesAfterReplacementOpened() {
        var h = harness([btc])
        let old = h.open()
        h.data(btc, generation: old)
        h.send(.reconnectRequested(generation: old, reason: "serverShutdown"))
        h.send(.connectSlotGranted)
        h.send(.connected(generation: 2))
        h.log.removeAll()
        #expect(h.send(.closed(generation: old, .closed(code: 1001))).effects == [.promote(generation: 2)])
        #expect(h.data(btc, generation: 2).isEmpty)  // already reported live
        #expect(h.log.statuses.isEmpty)
    }

    @Test("the old socket closes before the replacement is open: it takes over as the serving connection")
    func oldClosesFirst() {
        var h = harness([btc])
        let old = h.open()
        h.data(btc, generation: old)
        h.send(.reconnectRequested(generation: old, reason: "serverShutdown"))
        h.send(.connectSlotGranted)
        h.log.removeAll()
        h.send(.closed(generation: old, .closed(code: 1001)))
        #expect(h.send(.connected(generation: 2)).effects == [.promote(generation: 2), .openSession(generation: 2, subscriptions: [btc])])
        h.data(btc, generation: 2)
        #expect(describe(h.log.statuses) == ["disconnected", "connecting", "live trades:BTC-USDT"])
    }

    @Test("a sparse subscription does not block the cut-over: settle timeout")
    func settleTimeout() {
        var h = harness([btc, liquidations])
        let old = h.open()
        h.data(btc, generation: old)
        h.send(.reconnectRequested(generation: old, reason: "serverShutdown"))
        h.send(.connectSlotGranted)
        h.send(.connected(generation: 2))
        let openedAt = h.clock.now
        h.advance(by: Interval.seconds(1))
        h.data(btc, generation: 2)
        h.data(btc, generation: old)
        #expect(h.advance(to: openedAt + Interval.seconds(30) - 1).effects.isEmpty)
        #expect(h.advance(to: openedAt + Interval.seconds(30)).effects.first == .promote(generation: 2))
    }

    @Test("a replacement that delivers nothing while the old one does is discarded and retried")
    func silentReplacement() {
        var h = harness([btc])
        let old = h.open()
        h.send(.reconnectRequested(generation: old, reason: "serverShutdown"))
        h.send(.connectSlotGranted)
        h.send(.connected(generation: 2))
        h.advance(by: Interval.seconds(1))
        h.data(btc, generation: old)
        let failed = h.advance(by: Interval.seconds(29))
        #expect(failed.effects.first == .close(generation: 2, reason: "replacement delivered no data within 30s"))
        #expect(h.lifecycle.servingGeneration == old)
        #expect(h.lifecycle.isRotating)
        // Retried after its own backoff (attempt 0: ≤ 1 s).
        #expect(h.advance(by: Interval.seconds(1)).effects == [.requestConnectSlot])
        #expect(h.send(.connectSlotGranted).connects.map(\.generation) == [3])
    }

    @Test("the replacement's connect fails: the old one keeps serving, no status, retry with backoff")
    func replacementConnectFails() {
        var h = harness([btc])
        let old = h.open()
        h.data(btc, generation: old)
        h.log.removeAll()
        h.send(.reconnectRequested(generation: old, reason: "serverShutdown"))
        h.send(.connectSlotGranted)
        h.send(.connectFailed(generation: 2, .network("connection refused")))
        #expect(h.lifecycle.servingGeneration == old)
        #expect(h.log.statuses.isEmpty)
        #expect(h.advance(by: Interval.seconds(1)).effects == [.requestConnectSlot])
    }

    @Test("failover after 3 failures, then back to the primary make-before-break after 10 stable minutes")
    func failoverAndReturn() {
        var h = harness([btc])
        h.send(.start)
        var urls: [String] = []
        for attempt in 1...3 {
            urls += h.send(.connectSlotGranted).connects.map(\.url)
            h.send(.connectFailed(generation: attempt, .network("connection refused")))
            guard case .backoff(let until) = h.lifecycle.phase else { Issue.record("expected backoff"); return }
            h.advance(to: until)
        }
        urls += h.send(.connectSlotGranted).connects.map(\.url)
        #expect(urls == ["wss://primary.test/stream", "wss://primary.test/stream", "wss://primary.test/stream", "wss://backup.test/stream"])
        h.send(.connected(generation: 4))
        h.data(btc, generation: 4)
        let openedAt = h.clock.now

        // First probe of the primary fails: stay on the backup, probe again 10 min later.
        #expect(h.advance(to: openedAt + Interval.minutes(10)).effects == [.requestConnectSlot])
        #expect(h.send(.connectSlotGranted).connects.map(\.url) == ["wss://primary.test/stream"])
        h.send(.connectFailed(generation: 5, .network("connection refused")))
        #expect(!h.lifecycle.isRotating)
        #expect(h.lifecycle.endpoints.current == 1)
        let probeFailedAt = h.clock.now
        #expect(h.advance(to: probeFailedAt + Interval.minutes(10) - 1).effects.isEmpty)
        #expect(h.advance(to: probeFailedAt + Interval.minutes(10)).effects == [.requestConnectSlot])

        // Second probe succeeds: cut over, the primary is current again.
        h.send(.connectSlotGranted)
        h.send(.connected(generation: 6))
        #expect(h.data(btc, generation: 6).effects == [.promote(generation: 6),
                                                      .close(generation: 4, reason: "rotated: returning to primary endpoint")])
        #expect(h.lifecycle.endpoints.current == 0)
        #expect(h.advance(by: Interval.hours(1)).effects.isEmpty)  // on the primary: no more probes
    }
}
