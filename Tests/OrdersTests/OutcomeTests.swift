import Testing
import MarketModel
import VenueKit
@testable import Orders

@Suite("Ledger and exactly one outcome")
struct OutcomeTests {
    func view(_ id: String, _ state: OrderState, filled: String? = nil, venueOrderID: String? = "V1") -> VenueOrderState {
        VenueOrderState(venueClientOrderID: id, venueOrderID: venueOrderID, state: state, filledSize: filled.map(dec),
                        averagePrice: filled.map { _ in dec("100.0") })
    }

    /// Up, one order sent; returns the harness and the place request id.
    func sentOrder(_ mux: OrderMultiplexer = makeMultiplexer()) -> (Harness, String) {
        var harness = Harness(mux)
        harness.up()
        let actions = harness.submit(place("c-1"))
        return (harness, actions.sends.first?.requestID ?? "")
    }

    @Test("queued → sent → accepted → partially_filled → filled, each reported once")
    func happyPath() {
        var (harness, request) = sentOrder()
        #expect(harness.log.map(\.action).states == ["c-1 queued", "c-1 sent"])
        #expect(harness.respond(request, .accepted(view("mm1", .accepted))).states == ["c-1 accepted"])
        #expect(harness.event(.update(view("mm1", .partiallyFilled, filled: "0.004"))).states == ["c-1 partially_filled"])
        // A repeated report changes nothing and says nothing.
        #expect(harness.event(.update(view("mm1", .partiallyFilled, filled: "0.004"))).updates.isEmpty)
        let filled = harness.event(.update(view("mm1", .filled, filled: "0.010")))
        #expect(filled.states == ["c-1 filled"])
        #expect(filled.updates.first?.venueOrderID == "V1")
        #expect(filled.updates.first?.filledSize == dec("0.010"))
        #expect(harness.mux.order(subscriber: alice, clientOrderID: "c-1")?.placeFramesSent == 1)
    }

    @Test("the ledger maps local ids to generated venue ids and correlates by request id")
    func ledger() {
        var harness = Harness(makeMultiplexer())
        harness.up()
        harness.submit(place("x"), from: alice)
        harness.submit(place("x"), from: bob)
        #expect(harness.sendTimes.map { describe($0.request) } == [
            "place mm1 BTC-USDT buy limit 0.010@100.0", "place mm2 BTC-USDT buy limit 0.010@100.0"])
        #expect(harness.sendTimes.map(\.requestID) == ["1", "2"])
        let reply = harness.respond("2", .accepted(nil))
        #expect(reply.updates.map(\.clientOrderID) == ["x"])
        #expect(harness.mux.order(subscriber: bob, clientOrderID: "x")?.state == .accepted)
        #expect(harness.mux.order(subscriber: alice, clientOrderID: "x")?.state == .sent)
        // Execution reports find the order by venue order id too.
        harness.respond("1", .accepted(view("mm1", .accepted, venueOrderID: "V-77")))
        let fill = harness.event(.update(VenueOrderState(venueClientOrderID: nil, venueOrderID: "V-77", state: .filled,
                                                         filledSize: dec("0.010"))))
        #expect(fill.states == ["x filled"])
        #expect(fill.updates.first?.venueOrderID == "V-77")
    }

    @Test("venue client order ids: prefix + base36 counter, or a decimal counter; deterministic from the seed")
    func idGenerator() {
        var generator = VenueClientOrderIDGenerator(seed: 35, prefix: "m-m_")
        #expect(generator.next(format: .alphanumeric(maxLength: 32)) == "mmz")
        #expect(generator.next(format: .alphanumeric(maxLength: 32)) == "mm10")
        #expect(generator.next(format: .numeric) == "37")
        #expect(generator.next(format: .alphanumeric(maxLength: 3)) == nil)
        #expect(generator.counter == 38)
        var again = VenueClientOrderIDGenerator(seed: 35, prefix: "mm")
        #expect(again.next(format: .alphanumeric(maxLength: 32)) == "mmz")
        var mux = makeMultiplexer(spec: testSpec(format: .alphanumeric(maxLength: 2)))
        #expect(mux.submit(place("a"), from: alice, now: 0).rejection
                == OrderRejection(.unsupported, "cannot generate a client order id in binance's format"))
    }

    @Test("a venue rejection is terminal; a later fill for it is only a diagnostic")
    func venueRejection() {
        var (harness, request) = sentOrder()
        #expect(harness.respond(request, .rejected(reason: "insufficient balance", rateLimited: false, retryAfter: nil)).updates
                .map { "\($0.state.rawValue): \($0.reason ?? "")" } == ["rejected: insufficient balance"])
        let late = harness.event(.update(view("mm1", .filled, filled: "0.010")))
        #expect(late.updates.isEmpty)
        #expect(late.diagnostics.count == 1)
    }

    @Test("cancel: one frame even when asked twice; ack → canceled; a fill after the ack is a diagnostic, not a second outcome")
    func cancelThenLateFill() {
        var (harness, request) = sentOrder()
        harness.respond(request, .accepted(view("mm1", .accepted)))
        #expect(harness.submit(cancel("c-1")).sent == ["cancel mm1 BTC-USDT"])
        #expect(harness.submit(cancel("c-1")).sends.isEmpty)
        let cancelRequest = harness.sendTimes.last?.requestID ?? ""
        #expect(harness.respond(cancelRequest, .accepted(nil)).states == ["c-1 canceled"])
        // The venue's own cancel report, then a late fill from another connection.
        #expect(harness.event(.update(view("mm1", .canceled))).updates.isEmpty)
        let late = harness.event(.update(view("mm1", .partiallyFilled, filled: "0.002")))
        #expect(late.updates.isEmpty)
        #expect(late.diagnostics.first?.contains("terminal state stands") == true)
    }

    @Test("cancel refused by the venue keeps the state and says why; 'not found' triggers a status query")
    func cancelRefusals() {
        var (harness, request) = sentOrder()
        harness.respond(request, .accepted(nil))
        harness.submit(cancel("c-1"))
        var refusal = harness.respond(harness.sendTimes.last?.requestID ?? "", .rejected(reason: "too late", rateLimited: false, retryAfter: nil))
        #expect(refusal.updates.map { "\($0.state.rawValue): \($0.reason ?? "")" } == ["accepted: cancel refused by the venue: too late"])
        harness.submit(cancel("c-1"))
        refusal = harness.respond(harness.sendTimes.last?.requestID ?? "", .notFound(reason: "unknown order"))
        #expect(refusal.sent == ["status mm1 BTC-USDT"])
        let answer = harness.respond(harness.sendTimes.last?.requestID ?? "", .accepted(view("mm1", .filled, filled: "0.010")))
        #expect(answer.states == ["c-1 filled"])
    }

    @Test("late acknowledgement after a partial fill does not move the state backwards")
    func noRegression() {
        var (harness, request) = sentOrder()
        harness.event(.update(view("mm1", .partiallyFilled, filled: "0.004")))
        #expect(harness.respond(request, .accepted(view("mm1", .accepted))).updates.isEmpty)
        #expect(harness.mux.order(subscriber: alice, clientOrderID: "c-1")?.state == .partiallyFilled)
        // A smaller cumulative fill (out of order) does not shrink it.
        harness.event(.update(view("mm1", .partiallyFilled, filled: "0.002")))
        #expect(harness.mux.order(subscriber: alice, clientOrderID: "c-1")?.filledSize == dec("0.004"))
    }

    @Test("disconnect while sent → unknown (never rejected, never resent); reconnect → status query → resolved")
    func unknownThenReconcile() {
        var (harness, _) = sentOrder()
        harness.submit(place("c-2"))
        let down = harness.down()
        #expect(down.states == ["c-1 unknown", "c-2 unknown"])
        #expect(down.updates.first?.reason == "connection lost before the venue answered; outcome unknown until reconciled")
        harness.submit(place("c-3"))  // queued while down
        let up = harness.up()
        #expect(up.sent == ["status mm1 BTC-USDT", "status mm2 BTC-USDT", "place mm3 BTC-USDT buy limit 0.010@100.0"])
        let statusIDs = up.sends.prefix(2).map(\.requestID)
        #expect(harness.respond(statusIDs[0], .accepted(view("mm1", .partiallyFilled, filled: "0.001"))).states == ["c-1 partially_filled"])
        let notFound = harness.respond(statusIDs[1], .notFound(reason: "order does not exist"))
        #expect(notFound.updates.map { "\($0.state.rawValue): \($0.reason ?? "")" }
                == ["rejected: not received by venue (status query: order does not exist)"])
        for key in ["c-1", "c-2", "c-3"] {
            #expect(harness.mux.order(subscriber: alice, clientOrderID: key)?.placeFramesSent == 1)
        }
    }

    @Test("an unknown order is not resolved by a 'not found' cancel, only by the status query")
    func unknownCancel() {
        var (harness, _) = sentOrder()
        harness.down()
        harness.submit(cancel("c-1"))
        let up = harness.up()
        #expect(up.sent == ["cancel mm1 BTC-USDT", "status mm1 BTC-USDT"])
        let cancelAnswer = harness.respond(up.sends[0].requestID, .notFound(reason: "unknown order"))
        #expect(cancelAnswer.updates.isEmpty)
        #expect(harness.mux.order(subscriber: alice, clientOrderID: "c-1")?.state == .unknown)
        #expect(harness.respond(up.sends[1].requestID, .notFound(reason: "unknown order")).states == ["c-1 rejected"])
    }

    @Test("a cancel lost in flight goes out again after the reconnect (cancels are idempotent)")
    func lostCancel() {
        var (harness, request) = sentOrder(makeMultiplexer(reconcile: .unknownOnly))
        harness.respond(request, .accepted(nil))
        harness.submit(cancel("c-1"))
        harness.down()
        #expect(harness.up().sent == ["cancel mm1 BTC-USDT"])
    }

    @Test("reconcile scope allOpen also queries acknowledged open orders (fills during the gap)")
    func reconcileAllOpen() {
        var (harness, request) = sentOrder()
        harness.respond(request, .accepted(nil))
        harness.down()
        let up = harness.up()
        #expect(up.sent == ["status mm1 BTC-USDT"])
        #expect(harness.respond(up.sends[0].requestID, .accepted(view("mm1", .filled, filled: "0.010"))).states == ["c-1 filled"])
    }

    @Test("a rate-limited rejection blocks the throttle until retryAfter and re-queues the order first in line")
    func rateLimitedRequeue() {
        var (harness, request) = sentOrder()
        harness.submit(place("c-2"))
        let reply = harness.respond(request, .rejected(reason: "429 too many requests", rateLimited: true, retryAfter: Interval.seconds(2)))
        #expect(reply.states == ["c-1 queued"])
        #expect(reply.updates.first?.reason == "rate limited by the venue (429 too many requests); queued again")
        harness.submit(place("c-3"))
        #expect(harness.wakeUp == Interval.seconds(2))
        let resend = harness.run(until: Interval.seconds(3))
        #expect(resend.sent.first == "place mm1 BTC-USDT buy limit 0.010@100.0")
        #expect(harness.sendTimes.last { describe($0.request).hasPrefix("place mm1") }?.time == Interval.seconds(2))
        #expect(harness.mux.order(subscriber: alice, clientOrderID: "c-1")?.placeFramesSent == 2)
    }

    @Test("a rate-limited place whose cancel is pending ends canceled instead of being queued again (issue #6 soak)")
    func rateLimitedPlaceWithPendingCancel() {
        var (harness, request) = sentOrder()
        let cancelSent = harness.submit(cancel("c-1")).sends
        #expect(cancelSent.count == 1, "the cancel goes out behind the place, in flight")
        let reply = harness.respond(request, .rejected(reason: "429", rateLimited: true, retryAfter: Interval.seconds(1)))
        #expect(reply.states == ["c-1 canceled"])
        // The cancel's own answer (refused too, or "unknown order") changes nothing.
        #expect(harness.respond(cancelSent[0].requestID, .rejected(reason: "429", rateLimited: true, retryAfter: nil)).states.isEmpty)
        #expect(harness.run(until: Interval.seconds(5)).sends.isEmpty)
        #expect(harness.mux.order(subscriber: alice, clientOrderID: "c-1")?.placeFramesSent == 1)
    }

    @Test("a re-queued order the venue reports after all is taken off the queue, not sent again")
    func rateLimitedButTaken() {
        var (harness, request) = sentOrder()
        harness.respond(request, .rejected(reason: "429", rateLimited: true, retryAfter: Interval.seconds(2)))
        let report = harness.event(.update(view("mm1", .accepted)))
        #expect(report.states == ["c-1 accepted"])
        #expect(harness.run(until: Interval.seconds(5)).sends.isEmpty)
    }

    @Test("rate-limit feedback (used/limit) tightens the throttle to the venue's count")
    func feedback() {
        let spec = testSpec(limits: [OrderRateLimit(name: "ORDERS", scope: .account, capacity: 50, interval: Interval.seconds(10))])
        var harness = Harness(makeMultiplexer(spec: spec))
        harness.up()
        harness.event(.rateLimit(RateLimitFeedback(name: "ORDERS", used: 44, limit: 50)))
        for index in 0..<4 { harness.submit(place("o\(index)")) }
        // 6 left at the venue; 5 of them are the cancel reserve (B = 25, R = 5).
        #expect(harness.sendTimes.count == 1)
        let unmatched = harness.event(.rateLimit(RateLimitFeedback(name: "WEIGHT", used: 1, limit: 2, retryAfter: Interval.seconds(30))))
        #expect(unmatched.diagnostics == ["rate-limit feedback for 'WEIGHT', which matches no configured limit (map it in feedbackLimitNames)"])
        // Its retryAfter still blocks the venue: the queued orders expire (5 s TTL) unsent.
        harness.run(until: Interval.seconds(31))
        #expect(harness.sendTimes.count == 1)
        #expect(harness.mux.order(subscriber: alice, clientOrderID: "o3")?.state == .expired)
    }

    @Test("a frame the router cannot build rejects the order without sending or charging anything")
    func buildFailure() {
        let failing = ClosureFrameBuilder { request, requestID, _ throws(OrderRoutingError) in
            if case .place(let order) = request, order.symbol == eth { throw OrderRoutingError("ETH-USDT has no instrument code") }
            return OutboundMessage(text: "\(requestID) \(describe(request))")
        }
        var harness = Harness(makeMultiplexer(builder: failing))
        harness.up()
        let actions = harness.submit(place("e", symbol: eth, price: "10.00", size: "0.01"))
        #expect(actions.updates.map { "\($0.state.rawValue): \($0.reason ?? "")" }
                == ["queued: ", "rejected: the request could not be built: ETH-USDT has no instrument code"])
        #expect(actions.sends.isEmpty)
        #expect(harness.submit(place("b")).sends.map(\.requestID) == ["1"])
    }

    @Test("cancel-on-disconnect: queued orders canceled locally, sent ones canceled at the venue")
    func cancelOnDisconnect() {
        var harness = Harness(makeMultiplexer())
        harness.mux.setCancelOnDisconnect(true, for: alice)
        harness.up()
        for index in 0..<6 { harness.submit(place("a\(index)"), from: alice) }
        harness.submit(place("b0"), from: bob)
        for request in harness.sendTimes { harness.respond(request.requestID, .accepted(nil)) }
        let gone = harness.record(harness.mux.onSubscriberGone(alice, now: harness.clock.now))
        #expect(gone.states == ["a4 canceled", "a5 canceled"])
        // One cancel from the reserve now, the rest as the throttle allows, all before bob's queued order.
        #expect(gone.sent == ["cancel mm1 BTC-USDT"])
        let later = harness.run(until: Interval.seconds(2))
        #expect(later.sent == ["cancel mm2 BTC-USDT", "cancel mm3 BTC-USDT", "cancel mm4 BTC-USDT",
                               "place mm7 BTC-USDT buy limit 0.010@100.0"])
        // Bob has not asked for it: his orders stay.
        #expect(harness.record(harness.mux.onSubscriberGone(bob, now: harness.clock.now)).sends.isEmpty)
    }

    @Test("unsolicited noise: unknown request ids and foreign orders are diagnostics; control frames pass through")
    func noise() {
        var harness = Harness(makeMultiplexer())
        harness.up()
        #expect(harness.respond("999", .accepted(nil)).diagnostics == ["response to unknown request id 999"])
        #expect(harness.event(.update(view("zzz", .filled))).diagnostics.count == 1)
        let control = harness.event(.send(OutboundMessage(text: "{\"method\":\"public/test\"}")))
        #expect(control.contains(.sendControl(venue: .binance, frame: OutboundMessage(text: "{\"method\":\"public/test\"}"))))
    }
}

/// A builder for a venue whose replies carry the order's client id instead of a request id
/// (Bitfinex `cid`; cancel-all replies carry a fixed key).
struct CorrelatingBuilder: OrderFrameBuilder {
    func frame(for request: OutboundOrderRequest, requestID: String, now: Nanoseconds) throws(OrderRoutingError) -> OutboundMessage {
        OutboundMessage(text: describe(request))
    }

    func replyCorrelationKey(for request: OutboundOrderRequest) -> String? {
        request.venueClientOrderID ?? "cancel-all"
    }
}

@Suite("Reply correlation without request ids")
struct CorrelationTests {
    @Test("replies keyed by client order id are matched to requests in send order")
    func byClientOrderID() {
        var harness = Harness(makeMultiplexer(spec: testSpec(format: .numeric), builder: CorrelatingBuilder()))
        harness.up()
        harness.submit(place("a"))
        harness.submit(place("b"))
        #expect(harness.respond("2", .accepted(nil)).states == ["b accepted"])
        harness.submit(cancel("b"))
        // First reply keyed "1" answers the place of order 1, the next one keyed "2" the cancel of order 2.
        #expect(harness.respond("1", .accepted(nil)).states == ["a accepted"])
        #expect(harness.respond("2", .accepted(nil)).states == ["b canceled"])
        #expect(harness.respond("2", .accepted(nil)).diagnostics == ["response to unknown request id 2"])
    }
}

@Suite("Venues without a WebSocket status query; feedback names")
struct OutOfBandTests {
    /// A router that cannot build status frames (OKX, Bybit, Kraken, Bitfinex in docs/order-routing.md).
    static let noStatus = ClosureFrameBuilder { request, requestID, _ throws(OrderRoutingError) in
        if case .status = request { throw OrderRoutingError("no WebSocket status query; use REST GET /api/v5/trade/order") }
        return OutboundMessage(text: "\(requestID) \(describe(request))")
    }

    @Test("an unknown order is handed to the shell for an out-of-band (REST) status query and resolved by its answer")
    func outOfBand() {
        var harness = Harness(makeMultiplexer(builder: Self.noStatus))
        harness.up()
        harness.submit(place("c-1"))
        harness.submit(place("c-2"))
        harness.down()
        let up = harness.up()
        #expect(up.sends.isEmpty)
        let queries = up.compactMap { action -> OrderKey? in
            if case .queryStatus(.binance, let key, _, btc) = action { key } else { nil }
        }
        #expect(queries.map(\.clientOrderID) == ["c-1", "c-2"])
        let first = harness.record(harness.mux.onStatusAnswer(.accepted(VenueOrderState(
            venueClientOrderID: "mm1", venueOrderID: "V1", state: .filled, filledSize: dec("0.010"))), for: queries[0], now: harness.clock.now))
        #expect(first.states == ["c-1 filled"])
        let second = harness.record(harness.mux.onStatusAnswer(.notFound(reason: "51603 order does not exist"), for: queries[1],
                                                               now: harness.clock.now))
        #expect(second.updates.map { "\($0.state.rawValue): \($0.reason ?? "")" }
                == ["rejected: not received by venue (status query: 51603 order does not exist)"])
    }

    @Test("venue feedback names are mapped to limits; an unmatched name is reported once")
    func feedbackNames() {
        let spec = testSpec(limits: [OrderRateLimit(name: "orders/10s", scope: .account, capacity: 50, interval: Interval.seconds(10))])
        let venue = VenueOrderConfiguration(venue: .binance, spec: spec, frameBuilder: fakeBuilder, instruments: testInstruments,
                                            staleDataGuard: .off, feedbackLimitNames: ["ORDERS 10 SECOND": "orders/10s"])
        var mux = OrderMultiplexer(configuration: OrderMultiplexerConfiguration(venues: [venue]))
        _ = mux.onConnectionUp(venue: .binance, now: 0)
        _ = mux.onVenueEvent(.rateLimit(RateLimitFeedback(name: "ORDERS 10 SECOND", used: 45, limit: 50)), venue: .binance, now: 0)
        let key = ThrottleKey(scope: .account, owner: "binance", limit: "orders/10s")
        #expect(mux.throttle.cells[key]?.availableUnits(now: 0) == 5)
        let first = mux.onVenueEvent(.rateLimit(RateLimitFeedback(name: "REQUEST_WEIGHT 1 MINUTE", used: 1, limit: 6000)), venue: .binance, now: 0)
        let second = mux.onVenueEvent(.rateLimit(RateLimitFeedback(name: "REQUEST_WEIGHT 1 MINUTE", used: 2, limit: 6000)), venue: .binance, now: 0)
        #expect(first.diagnostics.count == 1)
        #expect(second.diagnostics.isEmpty)
    }
}
