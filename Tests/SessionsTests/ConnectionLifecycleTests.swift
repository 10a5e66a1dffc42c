import Testing
import MarketModel
import VenueKit
@testable import Sessions

@Suite("ConnectionLifecycle")
struct ConnectionLifecycleTests {
    let btc = sub("BTC-USDT", .trades)
    let eth = sub("ETH-USDT", .trades)
    let primaryURL = "wss://primary.test/stream"

    @Test("idle → connecting → subscribing → live, subscribe frames paced at the venue rate")
    func happyPath() throws {
        var h = LifecycleHarness(spec: testSpec(), subscriptions: [eth, btc])
        #expect(h.lifecycle.phase == .idle)
        #expect(h.send(.start) == [.status(ConnectionStatus(state: .connecting, reason: "waiting for a connect slot")),
                                   .requestConnectSlot])
        #expect(h.lifecycle.phase == .awaitingConnectSlot)
        #expect(h.send(.connectSlotGranted).effects == [.connect(generation: 1, url: primaryURL, endpoint: 0)])
        #expect(h.lifecycle.phase == .connecting(generation: 1))
        h.advance(by: Interval.milliseconds(50))
        #expect(h.send(.connected(generation: 1)).effects == [.promote(generation: 1),
                                                             .openSession(generation: 1, subscriptions: [btc, eth])])
        #expect(h.lifecycle.phase == .subscribing(generation: 1))
        // Binance 5 msgs/s: the start frame goes now, the two SUBSCRIBEs at +200 ms and +400 ms.
        let first = try h.enqueue([text("start"), text("SUBSCRIBE btc"), text("SUBSCRIBE eth")], generation: 1)
        #expect(first.sentFrames == [text("start")])
        #expect(h.advance(by: Interval.milliseconds(199)).sentFrames.isEmpty)
        #expect(h.advance(by: Interval.milliseconds(1)).sentFrames == [text("SUBSCRIBE btc")])
        #expect(h.advance(by: Interval.milliseconds(200)).sentFrames == [text("SUBSCRIBE eth")])
        // First data per subscription: `live` for that subscription only.
        #expect(h.data(btc, generation: 1).statuses == [ConnectionStatus(state: .live, reason: "receiving data", subscription: btc)])
        #expect(h.lifecycle.phase == .live(generation: 1))
        #expect(h.data(eth, generation: 1).statuses.map(\.subscription) == [eth])
        #expect(h.data(btc, generation: 1).isEmpty)  // hot path: nothing to do
    }

    @Test("drop → backoff → reconnect → live: statuses disconnected, connecting, live in order")
    func dropAndReconnect() {
        var h = LifecycleHarness(spec: testSpec(), subscriptions: [btc])
        let first = h.open()
        h.data(btc, generation: first)
        h.log.removeAll()
        for _ in 0..<12 {  // up 60 s with data every 5 s: stable, so the backoff starts over (≤ 1 s)
            h.advance(by: Interval.seconds(5))
            h.data(btc, generation: first)
        }
        let drop = h.send(.closed(generation: first, .closed(code: 1006, reason: "abnormal closure")))
        guard case .backoff(let until) = h.lifecycle.phase else { Issue.record("expected backoff"); return }
        #expect(until - h.clock.now <= Interval.seconds(1))
        #expect(drop.statuses.first?.reason == "close 1006: abnormal closure; retrying in \(durationText(until - h.clock.now))")
        #expect(h.advance(to: until).effects == [.requestConnectSlot])
        #expect(h.send(.connectSlotGranted).effects == [.connect(generation: 2, url: primaryURL, endpoint: 0)])
        #expect(h.send(.connected(generation: 2)).effects == [.promote(generation: 2), .openSession(generation: 2, subscriptions: [btc])])
        h.data(btc, generation: 2)
        #expect(describe(h.log.statuses) == ["disconnected", "connecting", "live trades:BTC-USDT"])
        #expect(h.data(btc, generation: first).isEmpty)  // the dead generation is ignored
    }

    @Test("HTTP 429 with Retry-After: the next attempt waits for it (max of jitter and imposed)")
    func retryAfter() {
        var h = LifecycleHarness(spec: testSpec(), subscriptions: [btc])
        h.send(.start)
        h.send(.connectSlotGranted)
        let failed = h.send(.connectFailed(generation: 1, .http(429, retryAfter: Interval.seconds(30))))
        #expect(failed.statuses.map(\.reason) == ["HTTP 429; retrying in 30s"])
        #expect(h.lifecycle.phase == .backoff(until: Interval.seconds(30)))
        #expect(h.advance(to: Interval.seconds(30) - 1).effects.isEmpty)
        #expect(h.advance(to: Interval.seconds(30)).effects == [.requestConnectSlot])
    }

    @Test("dead peer: no frame at all for the keep-alive deadline closes and reconnects")
    func deadPeer() {
        // Binance: server pings every 20 s ⇒ dead after 3 × 20 s + 2 s without any frame.
        var h = LifecycleHarness(spec: testSpec(defaultStaleAfter: Interval.minutes(5)), subscriptions: [btc])
        let generation = h.open()
        h.advance(to: Interval.seconds(1))
        h.data(btc, generation: generation)
        h.advance(to: Interval.seconds(21))
        h.send(.frame(generation: generation, kind: .ping, subscription: nil))  // a server ping keeps it alive
        #expect(h.advance(to: Interval.seconds(83) - 1).effects.isEmpty)
        let dead = h.advance(to: Interval.seconds(83))
        #expect(dead.effects.first == .close(generation: generation, reason: "dead peer: no frame for 62s"))
        #expect(dead.statuses.map(\.state) == [.disconnected])
    }

    @Test("data idle: heartbeats only, no data ⇒ stale first, then reconnect at twice the stale window")
    func dataIdle() {
        let spec = testSpec(keepAlive: [.heartbeatChannel(expectedEvery: Interval.seconds(1))], defaultStaleAfter: Interval.seconds(10))
        var h = LifecycleHarness(spec: spec, subscriptions: [btc])
        let generation = h.open()
        h.data(btc, generation: generation)
        var seen: [ConnectionAction] = []
        for second in 1...25 {
            seen += h.advance(to: Interval.seconds(Int64(second)))
            seen += h.send(.frame(generation: generation, kind: .heartbeat, subscription: nil))
        }
        #expect(describe(seen.statuses) == ["stale trades:BTC-USDT", "disconnected"])
        #expect(seen.statuses.last?.reason.hasPrefix("data idle: no data for 20s") == true)
        #expect(seen.effects.first == .close(generation: generation, reason: "data idle: no data for 20s"))
    }

    @Test("per-subscription cadence: only the quiet subscription turns stale, and back to live")
    func staleSubscription() {
        let book = sub("BTC-USDT", .book)
        let configuration = ConnectionLifecycleConfiguration(staleAfterOverrides: [.book: Interval.seconds(5)], rotationJitter: 0)
        var h = LifecycleHarness(spec: testSpec(defaultStaleAfter: Interval.seconds(60)), configuration: configuration,
                                 subscriptions: [book, btc])
        let generation = h.open()
        h.advance(to: Interval.seconds(1))
        h.data(book, generation: generation)
        h.data(btc, generation: generation)
        h.log.removeAll()
        h.advance(to: Interval.seconds(3))
        h.send(.frame(generation: generation, kind: .ping, subscription: nil))
        h.advance(to: Interval.seconds(6))
        #expect(h.log.statuses == [ConnectionStatus(state: .stale, reason: "no data for 5s (stale after 5s)", subscription: book)])
        #expect(h.lifecycle.liveness(of: btc) == .live)
        h.advance(to: Interval.seconds(8))
        #expect(h.data(book, generation: generation).statuses == [ConnectionStatus(state: .live, reason: "receiving data", subscription: book)])
    }

    @Test("OKX keep-alive: text ping after 20 s of silence, the pong keeps the peer alive")
    func okxPing() {
        let spec = testSpec(id: .okx, outboundPerSecond: 2, keepAlive: [.applicationPing(payload: "ping", every: Interval.seconds(20))],
                            defaultStaleAfter: Interval.minutes(5))
        var h = LifecycleHarness(spec: spec, subscriptions: [btc])
        let generation = h.open()
        #expect(h.advance(to: Interval.seconds(20)).sentFrames == [text("ping")])
        h.advance(to: Interval.seconds(21))
        h.send(.frame(generation: generation, kind: .pong, subscription: nil))
        // Without the pong it would be dead at 30 s; with it, the next ping goes at 41 s.
        let later = h.advance(to: Interval.seconds(45))
        #expect(later.effects == [.send(generation: generation, [text("ping")])])
    }

    @Test("Binance: the automatic pong to a server ping uses a slot of the 5 msgs/s budget")
    func serverPingCharged() throws {
        var h = LifecycleHarness(spec: testSpec(), subscriptions: [btc])
        let generation = h.open()
        h.send(.frame(generation: generation, kind: .ping, subscription: nil))
        #expect(try h.enqueue([text("SUBSCRIBE btc")], generation: generation).sentFrames.isEmpty)
        #expect(h.advance(to: Interval.milliseconds(200)).sentFrames == [text("SUBSCRIBE btc")])
    }

    @Test("connect timeout counts as a failure")
    func connectTimeout() {
        var h = LifecycleHarness(spec: testSpec(), subscriptions: [btc])
        h.send(.start)
        h.send(.connectSlotGranted)
        let timedOut = h.advance(to: Interval.seconds(10))
        #expect(timedOut.effects.first == .close(generation: 1, reason: "connect timeout after 10s"))
        #expect(timedOut.statuses.map(\.state) == [.disconnected])
        #expect(h.send(.connected(generation: 1)).isEmpty)  // too late: ignored
    }

    @Test("subscriptions added or removed while open are subscribed / unsubscribed on the open socket")
    func changeSubscriptions() {
        var h = LifecycleHarness(spec: testSpec(), subscriptions: [btc])
        let generation = h.open()
        #expect(h.lifecycle.addSubscriptions([eth, btc], now: h.clock.now).effects == [.subscribe(generation: generation, [eth])])
        #expect(h.lifecycle.removeSubscriptions([btc], now: h.clock.now).effects == [.unsubscribe(generation: generation, [btc])])
        #expect(h.lifecycle.subscriptions == [eth])
    }

    @Test("stop closes the socket, or withdraws a pending slot request")
    func stop() {
        var waiting = LifecycleHarness(spec: testSpec(), subscriptions: [btc])
        waiting.send(.start)
        #expect(waiting.send(.stop(reason: "shutdown")) == [.cancelConnectSlotRequest,
                                                           .status(ConnectionStatus(state: .disconnected, reason: "shutdown"))])
        var open = LifecycleHarness(spec: testSpec(), subscriptions: [btc])
        let generation = open.open()
        #expect(open.send(.stop(reason: "shutdown")).effects == [.close(generation: generation, reason: "shutdown")])
        #expect(open.lifecycle.phase == .stopped(reason: "shutdown"))
        #expect(open.send(.start).isEmpty)
    }

    @Test("non-retryable refusals on every endpoint: give up instead of hammering")
    func givesUp() {
        var h = LifecycleHarness(spec: testSpec(), subscriptions: [btc])
        h.send(.start)
        h.send(.connectSlotGranted)
        h.send(.connectFailed(generation: 1, .http(404)))
        #expect(h.lifecycle.endpoints.current == 1)  // moved at once
        guard case .backoff(let until) = h.lifecycle.phase else { Issue.record("expected backoff"); return }
        h.advance(to: until)
        #expect(h.send(.connectSlotGranted).connects.map(\.url) == ["wss://backup.test/stream"])
        let last = h.send(.connectFailed(generation: 2, TransportFailure(reason: "certificate verify failed", isRetryable: false)))
        #expect(h.lifecycle.phase == .stopped(reason: "giving up: certificate verify failed"))
        #expect(last.statuses.map(\.state) == [.disconnected])
    }

    @Test("statuses expand to SPEC §5 status events: one per carried subscription, or just the one named")
    func statusEvents() {
        let wide = ConnectionStatus(state: .disconnected, reason: "close 1006")
        #expect(wide.statusEvents(venue: .binance, carried: [btc, eth]) == [
            StatusEvent(venue: .binance, symbol: btc.symbol, channel: .trades, state: .disconnected, reason: "close 1006"),
            StatusEvent(venue: .binance, symbol: eth.symbol, channel: .trades, state: .disconnected, reason: "close 1006"),
        ])
        let one = ConnectionStatus(state: .stale, reason: "quiet", subscription: eth)
        #expect(one.statusEvents(venue: .binance, carried: [btc, eth]) == [
            StatusEvent(venue: .binance, symbol: eth.symbol, channel: .trades, state: .stale, reason: "quiet"),
        ])
    }
}
