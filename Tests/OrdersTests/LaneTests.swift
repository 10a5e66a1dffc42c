import Testing
import MarketModel
import VenueKit
@testable import Orders

@Suite("Priority lanes, fairness and queue TTL")
struct LaneTests {
    /// Binance-like: 50 orders per 10 s per account, 10 requests per second per connection.
    static let binanceLimits = [
        OrderRateLimit(name: "orders/10s", scope: .account, capacity: 50, interval: Interval.seconds(10), appliesTo: [.place]),
        OrderRateLimit(name: "requests/1s", scope: .connection, capacity: 10, interval: Interval.seconds(1)),
    ]

    @Test("a cancel behind a 120-order burst goes out at once, and no limit is exceeded in any window")
    func cancelOvertakesBurst() throws {
        var harness = Harness(makeMultiplexer(spec: testSpec(limits: Self.binanceLimits), maxQueueAge: Interval.minutes(5)))
        harness.up()
        for index in 0..<120 { harness.submit(place("o\(index)")) }
        let firstWave = harness.sendTimes.count
        #expect(firstWave > 0 && firstWave < 120)
        // Acknowledge the first order, then cancel it while the burst is still draining.
        let firstRequest = try #require(harness.sendTimes.first?.requestID)
        harness.respond(firstRequest, .accepted(nil))
        harness.clock.advance(by: Interval.milliseconds(10))
        let actions = harness.submit(cancel("o0"))
        #expect(actions.sent == ["cancel mm1 BTC-USDT"])  // immediately, from the reserve
        harness.run(until: Interval.minutes(5))
        let sends = harness.sendTimes
        let places = sends.filter { $0.request.kind == .place }
        #expect(places.count == 120)
        let cancelTime = try #require(sends.first { $0.request.kind == .cancel }?.time)
        #expect(cancelTime < (places.last?.time ?? 0))
        // Every limit, every window.
        let placeUnits = places.map { (time: $0.time, weight: 1) }
        #expect(maxUnitsInAnyWindow(placeUnits, interval: Interval.seconds(10)) <= 50)
        #expect(maxUnitsInAnyWindow(sends.map { (time: $0.time, weight: 1) }, interval: Interval.seconds(1)) <= 10)
    }

    @Test("new orders cannot eat the cancel reserve; cancels can")
    func reserve() {
        // 10/s, burst 5, reserve 1: four new orders go at t = 0, the fifth waits; a cancel does not.
        var harness = Harness(makeMultiplexer())
        harness.up()
        for index in 0..<6 { harness.submit(place("o\(index)")) }
        #expect(harness.sendTimes.count == 4)
        harness.respond("1", .accepted(nil))
        #expect(harness.submit(cancel("o0")).sent == ["cancel mm1 BTC-USDT"])
    }

    @Test("a kill switch goes ahead of queued new orders and cancels queued ones locally")
    func killSwitch() {
        var harness = Harness(makeMultiplexer(spec: testSpec(supportsCancelAll: true)))
        harness.up()
        for index in 0..<8 { harness.submit(place("o\(index)")) }
        for request in harness.sendTimes { harness.respond(request.requestID, .accepted(nil)) }
        let actions = harness.record(harness.mux.killSwitch(venue: .binance, symbol: btc, now: harness.clock.now))
        #expect(actions.sent == ["cancelAll BTC-USDT"])
        #expect(actions.states == ["o4 canceled", "o5 canceled", "o6 canceled", "o7 canceled"])
        let ack = harness.respond(harness.sendTimes.last?.requestID ?? "", .accepted(nil))
        #expect(ack.states == ["o0 canceled", "o1 canceled", "o2 canceled", "o3 canceled"])
        #expect(harness.mux.openOrders.isEmpty)
    }

    @Test("without venue cancel-all the kill switch cancels one by one")
    func killSwitchOneByOne() {
        var harness = Harness(makeMultiplexer(spec: testSpec(supportsCancelAll: false)))
        harness.up()
        harness.submit(place("a"))
        harness.submit(place("b", symbol: eth, price: "10.00", size: "0.01"))
        for request in harness.sendTimes { harness.respond(request.requestID, .accepted(nil)) }
        let actions = harness.record(harness.mux.killSwitch(venue: .binance, symbol: nil, now: harness.clock.now))
        #expect(actions.sent == ["cancel mm1 BTC-USDT", "cancel mm2 ETH-USDT"])
    }

    @Test("round robin between subscribers: bob's two orders do not wait behind alice's ten")
    func fairness() {
        // 2 per second, burst 1: one order per 500 ms.
        let spec = testSpec(limits: [OrderRateLimit(name: "orders/1s", scope: .connection, capacity: 2, interval: Interval.seconds(1))])
        var harness = Harness(makeMultiplexer(spec: spec, maxQueueAge: Interval.minutes(1)))
        harness.up()
        for index in 1...10 { harness.submit(place("a\(index)"), from: alice) }
        harness.submit(place("b1"), from: bob)
        harness.submit(place("b2"), from: bob)
        harness.submit(place("c1"), from: carol)
        harness.run(until: Interval.minutes(1))
        let order = harness.log.compactMap { entry -> String? in
            if case .update(_, let update) = entry.action, update.state == .sent { return update.clientOrderID }
            return nil
        }
        #expect(order == ["a1", "a2", "b1", "c1", "a3", "b2", "a4", "a5", "a6", "a7", "a8", "a9", "a10"])
        let times = harness.sendTimes.map(\.time)
        #expect(times == (0..<13).map { Int64($0) * Interval.milliseconds(500) })
    }

    @Test("an order that waited longer than its TTL is expired with a reason, never sent late")
    func ttl() {
        let spec = testSpec(limits: [OrderRateLimit(name: "orders/1s", scope: .connection, capacity: 2, interval: Interval.seconds(1))])
        var harness = Harness(makeMultiplexer(spec: spec, maxQueueAge: Interval.seconds(1)))
        harness.up()
        for index in 0..<5 { harness.submit(place("o\(index)")) }
        harness.run(until: Interval.seconds(10))
        let sent = harness.log.compactMap { entry -> String? in
            if case .update(_, let update) = entry.action, update.state == .sent { return update.clientOrderID }
            return nil
        }
        // t = 0, 500 ms sends; o2 would go at 1 s = its deadline: expired instead.
        #expect(sent == ["o0", "o1"])
        let expired = harness.log.compactMap { entry -> OrderUpdate? in
            if case .update(_, let update) = entry.action, update.state == .expired { return update }
            return nil
        }
        #expect(expired.map(\.clientOrderID) == ["o2", "o3", "o4"])
        #expect(expired.first?.reason == "waited 1000 ms in the queue, longer than the 1000 ms queue TTL")
        #expect(expired.allSatisfy { $0.tsRecv == Interval.seconds(1) })
    }

    @Test("orders queued while the connection is down wait (TTL permitting) and go out after it comes up")
    func queuedWhileDown() {
        var harness = Harness(makeMultiplexer(maxQueueAge: Interval.seconds(2)))
        harness.submit(place("early"))
        harness.clock.advance(by: Interval.seconds(1))
        harness.submit(place("late"))
        #expect(harness.wakeUp == Interval.seconds(2))  // the first deadline
        harness.run(until: Interval.milliseconds(2500))
        #expect(harness.mux.order(subscriber: alice, clientOrderID: "early")?.state == .expired)
        let actions = harness.up()
        #expect(actions.sent == ["place mm2 BTC-USDT buy limit 0.010@100.0"])
    }
}
