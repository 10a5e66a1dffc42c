@testable import Fanout
import Foundation
import MarketModel
import NIOCore
import Testing

@Suite("FanoutCore: routing, seq, snapshots, requests")
struct FanoutCoreTests {
    @Test("routing by filter with wildcards; each subscriber has its own seq; lines differ only in seq")
    func routingAndSeq() {
        var h = CoreHarness()
        let all = h.connect()
        let btcTrades = h.connect()
        let okxOnly = h.connect()
        h.send(Fixtures.subscribe("a", "*", "*", "*"), from: all)
        h.send(Fixtures.subscribe("b", "*", "trades", "BTC-*"), from: btcTrades)
        h.send(Fixtures.subscribe("c", "okx", "*", "*"), from: okxOnly)
        for id in [all, btcTrades, okxOnly] { #expect(h.drainLines(id).count == 1) }  // the acks
        h.publish(Fixtures.trade("binance", Fixtures.eth, id: 1))
        h.publish(Fixtures.trade("okx", Fixtures.perp, id: 2))
        h.publish(Fixtures.trade("binance", Fixtures.btc, id: 3))
        let a = h.drainLines(all)
        let b = h.drainLines(btcTrades)
        let c = h.drainLines(okxOnly)
        #expect(a.map { TextLines.string($0, "trade_id") } == ["1", "2", "3"])
        #expect(b.map { TextLines.string($0, "trade_id") } == ["2", "3"])
        #expect(c.map { TextLines.string($0, "trade_id") } == ["2"])
        #expect(a.map(TextLines.seq) == [1, 2, 3])
        #expect(b.map(TextLines.seq) == [1, 2])
        #expect(c.map(TextLines.seq) == [1])
        #expect(a[1].replacingOccurrences(of: #","seq":2}"#, with: "") == b[0].replacingOccurrences(of: #","seq":1}"#, with: ""))
    }

    @Test("a subscriber with overlapping filters gets each event once")
    func overlapping() {
        var h = CoreHarness()
        let id = h.connect()
        h.send(Fixtures.subscribe("1", "binance", "*", "*"), from: id)
        h.send(Fixtures.subscribe("2", "*", "trades", "BTC-USDT"), from: id)
        h.send(Fixtures.subscribe("3", "binance", "*", "*"), from: id)  // repeated: acked, no duplicate
        #expect(h.core.filters(of: id).count == 2)
        h.publish(Fixtures.trade(id: 1))
        #expect(h.drainLines(id).filter { TextLines.string($0, "type") == "trade" }.count == 1)
    }

    @Test("a new book subscriber gets the current book as a snapshot, then deltas")
    func snapshotThenDeltas() {
        var h = CoreHarness()
        let early = h.connect()
        h.send(Fixtures.subscribe("1", "binance", "book", "*"), from: early)
        h.publish(Fixtures.book(snapshot: true, bids: [("100", "1")], asks: [("101", "1")]))
        h.publish(Fixtures.book(snapshot: false, bids: [("100", "2")]))
        h.publish(Fixtures.book("binance", Fixtures.eth, snapshot: true, bids: [("10", "1")]))
        #expect(h.drainLines(early).count == 4)

        let late = h.connect()
        h.send(Fixtures.subscribe("7", "binance", "book", "BTC-USDT"), from: late)
        h.publish(Fixtures.book(snapshot: false, asks: [("101", "0")], ts: 5))
        let lines = h.drainLines(late)
        #expect(lines == [
            #"{"type":"ack","id":"7"}"#,
            #"{"type":"book","venue":"binance","symbol":"BTC-USDT","snapshot":true,"bids":[["100","2"]],"asks":[],"ts_exchange":5,"ts_recv":6,"seq":1}"#,
        ])
        // The delta published before the drain is inside that snapshot; the next one flows as a delta.
        h.publish(Fixtures.book(snapshot: false, bids: [("99", "1")], ts: 6))
        #expect(h.drainLines(late) == [
            #"{"type":"book","venue":"binance","symbol":"BTC-USDT","snapshot":false,"bids":[["99","1"]],"asks":[],"ts_exchange":6,"ts_recv":7,"seq":2}"#,
        ])
    }

    @Test("unsubscribe: ack after the last line of the subscription; unknown filters are refused")
    func unsubscribe() {
        var h = CoreHarness()
        let id = h.connect()
        h.send(Fixtures.subscribe("1", "binance", "trades", "*"), from: id)
        h.publish(Fixtures.trade(id: 1))
        h.send(#"{"op":"unsubscribe","id":"2","venue":"binance","channel":"trades","symbol":"*"}"#, from: id)
        h.publish(Fixtures.trade(id: 2))
        h.send(#"{"op":"unsubscribe","id":"3","venue":"okx","channel":"trades","symbol":"*"}"#, from: id)
        let lines = h.drainLines(id)
        #expect(lines.count == 4)
        #expect(lines[0] == #"{"type":"ack","id":"1"}"#)
        #expect(TextLines.string(lines[1], "trade_id") == "1")
        #expect(lines[2] == #"{"type":"ack","id":"2"}"#)
        #expect(lines[3] == #"{"type":"error","id":"3","code":"not_subscribed","message":"no subscription okx/trades/* on this connection (unsubscribe names a subscribed venue/channel/symbol exactly); held: nothing"}"#)
    }

    @Test("status reply: subscriptions, queue state, last state of every stream")
    func statusReply() {
        var h = CoreHarness()
        let id = h.connect()
        h.send(Fixtures.subscribe("1", "binance", "book", "BTC-USDT"), from: id)
        h.publish(Fixtures.status("binance", Fixtures.btc, .book, .resyncing, "gap: expected 101 got 103"))
        h.publish(Fixtures.status("binance", Fixtures.btc, .book, .live))
        h.publish(Fixtures.status("okx", nil, nil, .connecting))
        _ = h.drainLines(id)
        h.send(#"{"op":"status","id":"5"}"#, from: id)
        #expect(h.drainLines(id) == [
            #"{"type":"ack","id":"5","subscriber":1,"subscriptions":[{"venue":"binance","channel":"book","symbol":"BTC-USDT"}],"queued":0,"lagging":false,"streams":[{"venue":"binance","symbol":"BTC-USDT","channel":"book","state":"live","reason":""},{"venue":"okx","state":"connecting","reason":""}]}"#,
        ])
    }

    @Test("status events reach book subscribers, including venue-wide ones")
    func statusRouting() {
        var h = CoreHarness()
        let id = h.connect()
        h.send(Fixtures.subscribe("1", "binance", "book", "ETH-USDT"), from: id)
        h.publish(Fixtures.status("binance", Fixtures.btc, .book, .stale))
        h.publish(Fixtures.status("binance", Fixtures.eth, .book, .stale, "no data for 5s"))
        h.publish(Fixtures.status("binance", nil, nil, .disconnected, "connection reset"))
        let lines = h.drainLines(id).dropFirst()
        #expect(Array(lines) == [
            #"{"type":"status","venue":"binance","symbol":"ETH-USDT","channel":"book","state":"stale","reason":"no data for 5s","seq":1}"#,
            #"{"type":"status","venue":"binance","state":"disconnected","reason":"connection reset","seq":2}"#,
        ])
    }

    @Test("bad requests get errors with id, code and message; the subscriber stays")
    func badRequests() {
        var h = CoreHarness()
        let id = h.connect()
        h.send("{oops", from: id)
        h.send(#"{"op":"fly","id":"9"}"#, from: id)
        h.send("   ", from: id)  // blank: ignored
        h.send(Fixtures.subscribe("4", "kraken", "trades", "*"), from: id)
        h.core.lineTooLong(from: id, into: &h.actions)
        h.send(#"{"op":"order.place","id":"6","venue":"binance","symbol":"BTC-USDT","side":"buy","type":"market","size":"1"}"#, from: id)
        #expect(h.drainLines(id) == [
            #"{"type":"error","code":"malformed_json","message":"malformed JSON at column 2: expected '\"' to start an object key, found 'o'"}"#,
            #"{"type":"error","id":"9","code":"unknown_op","message":"unknown op 'fly'; ops are subscribe, unsubscribe, status, order.place, order.cancel, order.cancel_all, order.options"}"#,
            #"{"type":"error","id":"4","code":"unknown_venue","message":"unknown venue 'kraken'; this instance serves binance, okx"}"#,
            #"{"type":"error","code":"line_too_long","message":"request line longer than 8192 bytes; it was discarded"}"#,
            #"{"type":"error","id":"6","code":"unsupported","message":"order entry is not enabled in this instance"}"#,
        ])
        #expect(h.core.subscriberCount == 1)
        #expect(h.actions == [.write(id)])
    }

    @Test("with order entry enabled, order requests become submitOrder actions")
    func orderActions() {
        var h = CoreHarness()
        h.core.isOrderEntryEnabled = true
        let id = h.connect()
        h.send(#"{"op":"order.cancel","id":"4","venue":"binance","symbol":"BTC-USDT","client_order_id":"c-1"}"#, from: id)
        #expect(h.actions == [.submitOrder(.cancel(OrderCancellation(requestID: "4", venue: "binance", symbol: Fixtures.btc, clientOrderID: "c-1")), from: id)])
        h.core.deliver(OrderUpdate(clientOrderID: "c-1", venue: "binance", symbol: Fixtures.btc, state: .canceled, tsRecv: 9), to: id, into: &h.actions)
        #expect(h.drainLines(id) == [#"{"type":"order","client_order_id":"c-1","venue":"binance","symbol":"BTC-USDT","state":"canceled","ts_recv":9,"seq":1}"#])
    }

    @Test("limits: connections and subscriptions per connection")
    func limits() {
        var h = CoreHarness(configuration: FanoutConfiguration(maxSubscribers: 2, maxSubscriptionsPerSubscriber: 1))
        let id = h.connect()
        _ = h.connect()
        #expect(h.core.connect() == nil)
        h.send(Fixtures.subscribe("1", "binance", "trades", "*"), from: id)
        h.send(Fixtures.subscribe("2", "okx", "trades", "*"), from: id)
        #expect(h.drainLines(id).last == #"{"type":"error","id":"2","code":"too_many_subscriptions","message":"this connection already holds 1 subscriptions (the limit); unsubscribe first or use wildcards"}"#)
        h.core.disconnect(id)
        #expect(h.core.connect() != nil)
    }

    @Test("shutdown: every queue ends with a final line; no new subscribers")
    func shutdown() {
        var h = CoreHarness()
        let id = h.connect()
        h.send(Fixtures.subscribe("1", "*", "*", "*"), from: id)
        h.publish(Fixtures.trade(id: 1))
        h.core.shutdown(reason: "server shutting down", into: &h.actions)
        #expect(h.core.connect() == nil)
        let (lines, outcome) = h.drain(id)
        #expect(outcome == .finished)
        #expect(lines.count == 3)
        #expect(lines[2] == #"{"type":"status","venue":"*","state":"disconnected","reason":"server shutting down","seq":2}"#)
    }

    @Test("an overflowing subscriber gets a disconnect action; the others are untouched")
    func overflowAction() {
        let queue = SubscriberQueue.Configuration(highWaterMark: 2, highWaterBytes: 1 << 20, capacity: 3, maxBytes: 1 << 20)
        var h = CoreHarness(configuration: FanoutConfiguration(queue: queue))
        let slow = h.connect()
        let fast = h.connect()
        h.send(Fixtures.subscribe("1", "*", "trades", "*"), from: slow)
        h.send(Fixtures.subscribe("1", "*", "trades", "*"), from: fast)
        for id in 1 ... 4 {
            h.publish(Fixtures.trade(id: id))
            _ = h.drainLines(fast)
        }
        #expect(h.actions.contains(.disconnect(slow)))
        #expect(!h.actions.contains(.disconnect(fast)))
        #expect(h.core.queue(of: slow)?.isClosing == true)
        #expect(h.core.queuedBytes(of: slow) == 0)
        let (lines, outcome) = h.drain(slow)
        #expect(outcome == .finished)
        #expect(lines.map { TextLines.string($0, "state") } == ["stale", "disconnected"])
    }

    @Test("write actions are coalesced until the shell begins writing")
    func coalescedWrites() {
        var h = CoreHarness()
        let id = h.connect()
        h.send(Fixtures.subscribe("1", "*", "*", "*"), from: id)
        h.publish(Fixtures.trade(id: 1), Fixtures.trade(id: 2))
        #expect(h.actions == [.write(id)])
        h.core.beginWrite(id)
        h.publish(Fixtures.trade(id: 3))
        #expect(h.actions == [.write(id), .write(id)])
    }
}
