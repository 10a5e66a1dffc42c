import MarketModel
import Testing
import VenueKit
@testable import Orders

/// Kraken charges a cancel by the age of the order it cancels (+8 under 5 s … +1 under 300 s): the
/// throttle must count cancels the same way, or a place-then-cancel strategy overruns the venue's
/// counter and learns the limit only from its refusals.
@Suite("Cancel penalties by order age (Kraken's trading counter)")
struct CancelPenaltyTests {
    static let penalty = CancelPenalty(steps: [(Interval.seconds(5), 8), (Interval.seconds(10), 6), (Interval.seconds(15), 5),
                                               (Interval.seconds(45), 4), (Interval.seconds(90), 2)], otherwise: 1)
    static let counter = OrderRateLimit(name: "trading-counter", scope: .connection, capacity: 60, interval: Interval.minutes(1),
                                        appliesTo: [.place, .cancel, .cancelAll])

    static func spec(penalty: CancelPenalty?) -> OrderEntrySpec {
        var spec = testSpec(limits: [counter])
        spec.cancelPenalty = penalty
        return spec
    }

    @Test("the table: weights by age, boundaries to the older step, the largest weight")
    func table() {
        #expect(Self.penalty.weight(age: 0) == 8)
        #expect(Self.penalty.weight(age: Interval.seconds(5) - 1) == 8)
        #expect(Self.penalty.weight(age: Interval.seconds(5)) == 6)
        #expect(Self.penalty.weight(age: Interval.seconds(44)) == 4)
        #expect(Self.penalty.weight(age: Interval.seconds(90)) == 1)
        #expect(Self.penalty.weight(age: Interval.hours(1)) == 1)
        #expect(Self.penalty.maxWeight == 8)
        #expect(Self.spec(penalty: Self.penalty).maxWeight(of: .cancel) == 8)
        #expect(Self.spec(penalty: Self.penalty).maxWeight(of: .place) == 1)
    }

    /// Places orders as fast as the throttle allows, each canceled 1 s after the venue accepted it,
    /// for `duration`; returns every send with the weight the venue charges it.
    static func placeAndCancel(penalty: CancelPenalty?, duration: Nanoseconds) -> [(time: Nanoseconds, weight: Int)] {
        var harness = Harness(makeMultiplexer(spec: spec(penalty: penalty), maxQueueAge: Interval.hours(1)))
        harness.up()
        for i in 0 ..< 200 { harness.submit(place("o\(i)")) }
        var ackedAt: [String: Nanoseconds] = [:]   // venue client order id → acceptance time
        var clientID: [String: String] = [:]       // venue client order id → our client order id
        var canceled: Set<String> = []
        var seen = 0  // log entries already looked at
        let step = Interval.milliseconds(100)
        while harness.clock.now < duration {
            let fresh = harness.log[seen...].compactMap { entry -> (String, VenueOrder)? in
                if case .send(_, let id, .place(let order), _) = entry.action { (id, order) } else { nil }
            }
            seen = harness.log.count
            for (requestID, order) in fresh {
                harness.respond(requestID, .accepted(nil))
                ackedAt[order.venueClientOrderID] = harness.clock.now
                clientID[order.venueClientOrderID] = harness.mux.records.values
                    .first { $0.order.venueClientOrderID == order.venueClientOrderID }?.key.clientOrderID
            }
            for (venueID, at) in ackedAt.sorted(by: { ($0.value, $0.key) < ($1.value, $1.key) })
            where !canceled.contains(venueID) && harness.clock.now >= at + Interval.seconds(1) {
                canceled.insert(venueID)
                if let id = clientID[venueID] { harness.submit(cancel(id)) }
            }
            harness.run(until: harness.clock.now + step)
        }
        // The venue's view: a place costs 1, a cancel its age penalty (age from the acceptance).
        return harness.sendTimes.map { send in
            switch send.request {
            case .cancel(let venueID, _): (send.time, Self.penalty.weight(age: send.time - (ackedAt[venueID] ?? send.time)))
            default: (send.time, 1)
            }
        }
    }

    @Test("with the penalty the venue's counter never passes its threshold; counting a cancel as 1 does")
    func paced() {
        let paced = Self.placeAndCancel(penalty: Self.penalty, duration: Interval.minutes(2))
        #expect(paced.count > 20, "orders went out: \(paced.count) requests")
        #expect(maxUnitsInAnyWindow(paced, interval: Interval.minutes(1)) <= 60)
        // The control: the same strategy with cancels at weight 1 overruns the venue's counter.
        let naive = Self.placeAndCancel(penalty: nil, duration: Interval.minutes(2))
        #expect(maxUnitsInAnyWindow(naive, interval: Interval.minutes(1)) > 60)
    }

    @Test("an old order's cancel weighs the fallback; one not yet confirmed weighs the most")
    func ages() {
        var harness = Harness(makeMultiplexer(spec: Self.spec(penalty: Self.penalty)))
        harness.up()
        harness.submit(place("old"))
        harness.respond(harness.sendTimes[0].requestID, .accepted(nil))
        harness.run(until: Interval.minutes(10))
        #expect(harness.mux.cancelDemands(.one(OrderKey(subscriber: alice, clientOrderID: "old")), venue: .binance, now: harness.clock.now)
                    .map(\.weight) == [1])
        harness.submit(place("new"))
        #expect(harness.mux.cancelDemands(.one(OrderKey(subscriber: alice, clientOrderID: "new")), venue: .binance, now: harness.clock.now)
                    .map(\.weight) == [8])
        harness.clock.advance(to: harness.clock.now + Interval.seconds(6))
        harness.respond(harness.sendTimes[1].requestID, .accepted(nil))
        harness.clock.advance(to: harness.clock.now + Interval.seconds(11))
        #expect(harness.mux.cancelDemands(.one(OrderKey(subscriber: alice, clientOrderID: "new")), venue: .binance, now: harness.clock.now)
                    .map(\.weight) == [5], "age counts from the acceptance, not the submission")
    }
}
