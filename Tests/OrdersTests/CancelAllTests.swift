import MarketModel
@testable import Orders
import Testing
import VenueKit

/// `order.cancel_all`: a client's own open orders on a venue (one symbol or all), each canceled as
/// by `order.cancel` — queued ones locally, sent ones in the cancel lane — and nobody else's; with
/// `all_clients`, the kill switch.
@Suite("order.cancel_all")
struct CancelAllTests {
    static func cancelAll(_ id: String = "ca", symbol: Symbol? = nil, allClients: Bool = false) -> OrderRequest {
        .cancelAll(OrderCancelAll(requestID: id, venue: .binance, symbol: symbol, allClients: allClients))
    }

    @Test func onlyTheRequestersOpenOrdersOfThatSymbolAreCanceled() {
        // 10/s, burst 5, reserve 1: four orders are sent at once, the rest wait in the queue.
        var harness = Harness(makeMultiplexer())
        harness.up()
        harness.submit(place("a1"), from: alice)
        harness.submit(place("a2"), from: alice)
        harness.submit(place("b1"), from: bob)
        harness.submit(place("a3", symbol: eth, price: "10.00", size: "0.01"), from: alice)
        harness.submit(place("a4"), from: alice)  // queued behind the burst
        for request in harness.sendTimes { harness.respond(request.requestID, .accepted(nil)) }

        let actions = harness.submit(Self.cancelAll(symbol: btc), from: alice)
        #expect(actions.replies == [.accepted])
        // a4 never left: canceled locally; a1 and a2 go to the venue as cancels; b1 (bob's) and a3
        // (ETH) are untouched.
        #expect(actions.states == ["a4 canceled"])
        // The first cancel goes at once from the reserve; the second as soon as the throttle allows.
        #expect(actions.sent == ["cancel mm1 BTC-USDT"])
        harness.run(until: Interval.seconds(1))
        #expect(harness.sendTimes.map { describe($0.request) }.filter { $0.hasPrefix("cancel") } == ["cancel mm1 BTC-USDT", "cancel mm2 BTC-USDT"])
        #expect(Set(harness.mux.openOrders.map(\.key.clientOrderID)) == ["a1", "a2", "b1", "a3"])
    }

    @Test func withoutASymbolEverySymbolOfTheVenueAndNothingOpenIsStillAnAck() {
        var harness = Harness(makeMultiplexer())
        harness.up()
        harness.submit(place("a1"), from: alice)
        harness.submit(place("a2", symbol: eth, price: "10.00", size: "0.01"), from: alice)
        for request in harness.sendTimes { harness.respond(request.requestID, .accepted(nil)) }
        harness.submit(Self.cancelAll(), from: alice)
        harness.run(until: Interval.seconds(1))
        #expect(harness.sendTimes.map { describe($0.request) }.filter { $0.hasPrefix("cancel") } == ["cancel mm1 BTC-USDT", "cancel mm2 ETH-USDT"])
        let nothing = harness.submit(Self.cancelAll("again"), from: bob)
        #expect(nothing.replies == [.accepted] && nothing.sent.isEmpty && nothing.states.isEmpty)
    }

    @Test func allClientsIsTheKillSwitch() {
        var harness = Harness(makeMultiplexer(spec: testSpec(supportsCancelAll: true)))
        harness.up()
        harness.submit(place("a1"), from: alice)
        harness.submit(place("b1"), from: bob)
        for request in harness.sendTimes { harness.respond(request.requestID, .accepted(nil)) }
        let actions = harness.submit(Self.cancelAll(symbol: btc, allClients: true), from: bob)
        #expect(actions.replies == [.accepted])
        #expect(actions.sent == ["cancelAll BTC-USDT"])
        let ack = harness.respond(harness.sendTimes.last?.requestID ?? "", .accepted(nil))
        #expect(Set(ack.states) == ["a1 canceled", "b1 canceled"])
    }

    @Test func aVenueWithoutOrderEntryOrUnknownIsRefused() {
        var harness = Harness(makeMultiplexer())
        let unknown = harness.submit(.cancelAll(OrderCancelAll(requestID: "x", venue: "nowhere", symbol: nil)), from: alice)
        #expect(unknown.rejection?.code == .unknownVenue)
    }
}
