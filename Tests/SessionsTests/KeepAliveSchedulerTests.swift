import Testing
import MarketModel
import VenueKit
@testable import Sessions

@Suite("KeepAliveScheduler")
struct KeepAliveSchedulerTests {
    @Test("Binance: answer server pings only — never an unsolicited ping; dead after 3 missed pings + grace")
    func binance() {
        var scheduler = KeepAliveScheduler(rules: [.serverPings(interval: Interval.seconds(20), pongWithin: Interval.minutes(1))], now: 0)
        #expect(!scheduler.sendsPings)
        #expect(scheduler.expectedReplies.isEmpty)
        #expect(scheduler.nextDeadline == nil)
        for second in stride(from: Int64(0), through: 3_600, by: 7) {
            #expect(scheduler.tick(now: Interval.seconds(second)).isEmpty)
        }
        #expect(scheduler.deadPeerTimeout == Interval.seconds(62))
    }

    @Test("OKX: text ping after 20 s without any inbound frame; dead at its 30 s cutoff (OKX-CONN)")
    func okx() {
        var clock = ManualClock()
        var scheduler = KeepAliveScheduler(rules: [.applicationPing(payload: "ping", every: Interval.seconds(20))], now: clock.now)
        #expect(scheduler.deadPeerTimeout == Interval.seconds(30))
        #expect(scheduler.expectedReplies == [.applicationPong])
        // Data at 10 s pushes the ping to 30 s.
        clock.advance(by: Interval.seconds(10))
        scheduler.onFrame(kind: .data, now: clock.now)
        #expect(scheduler.nextDeadline == Interval.seconds(30))
        #expect(scheduler.tick(now: Interval.seconds(30) - 1).isEmpty)
        #expect(scheduler.tick(now: Interval.seconds(30)) == [text("ping")])
        #expect(scheduler.isAwaitingReply)
        // The pong answers it; the next ping is 20 s after the pong (idle-based).
        scheduler.onFrame(kind: .pong, now: Interval.seconds(31))
        #expect(!scheduler.isAwaitingReply)
        #expect(scheduler.nextDeadline == Interval.seconds(51))
        // Still silent after our ping: one more ping per 20 s, not one per tick.
        #expect(scheduler.tick(now: Interval.seconds(51)) == [text("ping")])
        #expect(scheduler.tick(now: Interval.seconds(60)).isEmpty)
        #expect(scheduler.nextDeadline == Interval.seconds(71))
    }

    @Test("application pings per venue rule", arguments: [
        // Bybit v5: {"op":"ping"} every 20 s (BY-CONN).
        (KeepAliveRule.applicationPing(payload: #"{"op":"ping"}"#, every: Interval.seconds(20)), #"{"op":"ping"}"#, Interval.seconds(20)),
        // BitMEX: `ping` after 5 s idle (BMX-AC).
        (KeepAliveRule.applicationPing(payload: "ping", every: Interval.seconds(5)), "ping", Interval.seconds(5)),
        // Kraken v2: {"method":"ping"} (KR-PING).
        (KeepAliveRule.applicationPing(payload: #"{"method":"ping"}"#, every: Interval.seconds(20)), #"{"method":"ping"}"#, Interval.seconds(20)),
    ])
    func applicationPings(rule: KeepAliveRule, payload: String, every: Nanoseconds) {
        var scheduler = KeepAliveScheduler(rules: [rule], now: 0)
        #expect(scheduler.tick(now: every - 1).isEmpty)
        #expect(scheduler.tick(now: every) == [text(payload)])
        #expect(scheduler.deadPeerTimeout == every + Interval.seconds(10))
    }

    @Test("Kraken: app ping and 1 s heartbeats — the strictest deadline wins (~5 s, KR-RECON)")
    func krakenStrictest() {
        let scheduler = KeepAliveScheduler(rules: [.applicationPing(payload: #"{"method":"ping"}"#, every: Interval.seconds(20)),
                                                   .heartbeatChannel(expectedEvery: Interval.seconds(1))], now: 0)
        #expect(scheduler.deadPeerTimeout == Interval.seconds(5))
        #expect(scheduler.nextDeadline == Interval.seconds(20))
    }

    @Test("heartbeat channels send nothing: Coinbase 1 s heartbeats ⇒ 5 s, Bitfinex hb 15 s ⇒ 47 s")
    func heartbeats() {
        var coinbase = KeepAliveScheduler(rules: [.heartbeatChannel(expectedEvery: Interval.seconds(1))], now: 0)
        #expect(coinbase.tick(now: Interval.hours(1)).isEmpty)
        #expect(coinbase.deadPeerTimeout == Interval.seconds(5))
        let bitfinex = KeepAliveScheduler(rules: [.heartbeatChannel(expectedEvery: Interval.seconds(15))], now: 0)
        #expect(bitfinex.deadPeerTimeout == Interval.seconds(47))
    }

    @Test("Deribit: set_heartbeat and test_request belong to the adapter; we send nothing (DB-HB)")
    func deribit() {
        var scheduler = KeepAliveScheduler(rules: [.deribitHeartbeat(interval: Interval.seconds(30))], now: 0)
        #expect(!scheduler.sendsPings)
        #expect(scheduler.tick(now: Interval.minutes(10)).isEmpty)
        #expect(scheduler.deadPeerTimeout == Interval.seconds(92))
    }

    @Test("protocol pings go out every interval regardless of traffic and expect a pong")
    func protocolPing() {
        var scheduler = KeepAliveScheduler(rules: [.protocolPing(every: Interval.seconds(15))], now: 0)
        #expect(scheduler.expectedReplies == [.protocolPong])
        scheduler.onFrame(kind: .data, now: Interval.seconds(10))
        #expect(scheduler.tick(now: Interval.seconds(15)) == [.protocolPing])
        scheduler.onFrame(kind: .data, now: Interval.seconds(16))
        #expect(scheduler.tick(now: Interval.seconds(29)).isEmpty)
        #expect(scheduler.tick(now: Interval.seconds(30)) == [.protocolPing])
        scheduler.onFrame(kind: .pong, now: Interval.seconds(30))
        #expect(!scheduler.isAwaitingReply)
    }

    @Test("no rule at all: the fallback dead-peer timeout")
    func noRules() {
        let scheduler = KeepAliveScheduler(rules: [], now: 0)
        #expect(scheduler.deadPeerTimeout == Interval.seconds(60))
        #expect(scheduler.nextDeadline == nil)
    }
}
