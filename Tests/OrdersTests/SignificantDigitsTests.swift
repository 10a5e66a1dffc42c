import MarketModel
import Testing
import VenueKit
@testable import Orders

/// Bitfinex-style price precision (issue #6): a price may carry at most N significant digits,
/// checked with the tick before an order is queued; and the refusal reason of a venue that was
/// refused at start-up.
@Suite("Significant-digit prices and refused venues")
struct SignificantDigitsTests {
    static let bitfinex = InstrumentRules(
        tickSize: dec("0.00000001"), lotSize: dec("0.00000001"), minSize: dec("0.00004"), maxSize: dec("2000"), priceSignificantDigits: 5)

    @Test("significant digits ignore leading and trailing zeros", arguments: [
        ("60000", 1), ("60001", 5), ("60000.5", 6), ("12.123", 5), ("0.00012345", 5), ("1234.5", 5), ("100.10", 4), ("0", 0),
    ])
    func count(text: String, digits: Int) {
        #expect(dec(text).significantDigitCount == digits)
    }

    @Test("five significant digits pass, six are refused with the reason")
    func bitfinexPrices() {
        #expect(Self.bitfinex.check(price: dec("60001")) == nil)
        #expect(Self.bitfinex.check(price: dec("1.1234")) == nil)
        #expect(Self.bitfinex.check(price: dec("60000.5")) == "price 60000.5 has 6 significant digits; the venue takes at most 5")
        #expect(Self.bitfinex.check(price: dec("123456")) == "price 123456 has 6 significant digits; the venue takes at most 5")
        // The 8-decimal step still applies.
        #expect(Self.bitfinex.check(price: dec("0.000000001")) == "price 0.000000001 is not a multiple of the tick size 0.00000001")
        #expect(Self.bitfinex.check(size: dec("2000.1")) == "size 2000.1 is above the maximum size 2000")
    }

    @Test("Deribit tick_size_steps: above a step's price only its coarser tick passes, with the step named")
    func tickSteps() {
        let option = InstrumentRules(tickSize: dec("0.0001"), lotSize: dec("0.1"), minSize: dec("0.1"),
                                     tickSteps: [TickStep(abovePrice: dec("0.005"), tickSize: dec("0.0005"))])
        #expect(option.check(price: dec("0.0043")) == nil)
        #expect(option.check(price: dec("0.005")) == nil)
        #expect(option.check(price: dec("0.0055")) == nil)
        #expect(option.check(price: dec("0.0053")) == "price 0.0053 is not a multiple of the tick size 0.0005 that applies above 0.005")
        #expect(option.check(price: dec("0.00431")) == "price 0.00431 is not a multiple of the tick size 0.0001")
    }

    @Test("without the rule, any number of digits on the tick is fine")
    func noRule() {
        let rules = InstrumentRules(tickSize: dec("0.01"), lotSize: dec("0.001"), minSize: dec("0.001"))
        #expect(rules.check(price: dec("123456.78")) == nil)
    }

    @Test("the validator refuses an off-precision price before queueing, and a refused venue with its reason")
    func validator() throws {
        var venue = VenueOrderConfiguration(venue: .bitfinex, spec: testSpec(), frameBuilder: fakeBuilder, instruments: [btc: Self.bitfinex])
        guard case .place(let placement) = place("a", price: "60000.5", venue: .bitfinex) else { Issue.record("not a placement"); return }
        #expect(OrderValidator.validate(placement, venue: venue)?.message == "price 60000.5 has 6 significant digits; the venue takes at most 5")
        venue.spec = nil
        venue.unavailableReason = "venue 'bitfinex' has no order entry in this run: bitfinex: HTTP 503"
        let refused = OrderValidator.validate(placement, venue: venue)
        #expect(refused?.code == .unsupported && refused?.message == "venue 'bitfinex' has no order entry in this run: bitfinex: HTTP 503")
    }
}
