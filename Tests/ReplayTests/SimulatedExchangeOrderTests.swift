@testable import Replay
import Testing

/// The simulated venue's matching engine, ledger and rate limiters, driven with made-up clocks.
@Suite("Simulated exchange: matching, ledger, rate limits")
struct SimulatedExchangeOrderTests {
    static func decimal(_ text: String) -> SimulatedDecimal { SimulatedDecimal(parsing: text) ?? .zero }

    static func clock(_ seconds: Double) -> SimulatedOrderClock {
        SimulatedOrderClock(monotonicNanoseconds: UInt64(seconds * 1e9), epochMilliseconds: 1_700_000_000_000 + Int64(seconds * 1000))
    }

    static func exchange(rules: [SimulatedRateRule] = [], splitsFills: Bool = false) -> SimulatedExchange {
        SimulatedExchange(venue: "test", accounts: [.test], rateRules: rules, referencePrices: ["BTCUSDT": decimal("50000")],
                          defaultReferencePrice: decimal("100"), splitsFills: splitsFills)
    }

    static func limit(_ id: String?, _ side: SimulatedOrderSide, _ price: String, _ size: String = "0.5",
                      tif: SimulatedTimeInForce = .goodTillCanceled) -> SimulatedOrderRequest {
        SimulatedOrderRequest(account: "mmx-test-key", clientOrderID: id, symbol: "BTCUSDT", side: side, type: .limit,
                              price: decimal(price), quantity: decimal(size), timeInForce: tif)
    }

    @Test("decimals parse and render exactly", arguments: [
        ("23416.10000000", "23416.1", "23416.10000000"), ("0.00847", "0.00847", "0.00847000"), ("2800", "2800", "2800.00000000"),
        ("-0.5", "-0.5", "-0.50000000"), ("0.000000010", "0.00000001", "0.00000001"),
    ])
    func decimals(text: String, short: String, fixed: String) throws {
        let value = try #require(SimulatedDecimal(parsing: text))
        #expect(value.description == short)
        #expect(value.fixed(8) == fixed)
    }

    @Test("malformed decimals are refused", arguments: ["", "-", "1e5", "1.2.3", "0.000000001", "abc", "99999999999999999999"])
    func badDecimals(text: String) {
        #expect(SimulatedDecimal(parsing: text) == nil)
    }

    @Test("a crossing limit fills at the reference price; a passive one rests; market fills")
    func matching() throws {
        var exchange = Self.exchange()
        let crossing = try exchange.place(Self.limit("a", .buy, "50100"), now: Self.clock(1)).get()
        #expect(crossing.status == .filled)
        #expect(crossing.fills.map(\.price) == [Self.decimal("50000")])
        #expect(crossing.filledQuote == Self.decimal("25000"))
        let resting = try exchange.place(Self.limit("b", .buy, "49000"), now: Self.clock(2)).get()
        #expect(resting.status == .new)
        #expect(resting.fills.isEmpty)
        let market = try exchange.place(SimulatedOrderRequest(account: "mmx-test-key", clientOrderID: "c", symbol: "ETHUSDT", side: .sell,
                                                              type: .market, price: nil, quantity: Self.decimal("2")), now: Self.clock(3)).get()
        #expect(market.status == .filled && market.averagePrice == Self.decimal("100"))
        let events = exchange.takeEvents().map { ($0.order.clientOrderID, $0.kind == .accepted ? "accepted" : "other", $0.order.status) }
        #expect(events.map(\.0) == ["a", "a", "b", "c", "c"])
        #expect(events.map(\.2) == [.new, .filled, .new, .new, .filled])
        #expect(exchange.ledger.map(\.orderID) == [1_000_001, 1_000_002, 1_000_003])
    }

    @Test("split fills: half, then the rest; IOC that does not cross expires; post-only that would cross is refused")
    func fillModes() throws {
        var exchange = Self.exchange(splitsFills: true)
        let order = try exchange.place(Self.limit("a", .sell, "49000", "0.3"), now: Self.clock(1)).get()
        #expect(order.fills.map(\.quantity) == [Self.decimal("0.15"), Self.decimal("0.15")])
        #expect(exchange.takeEvents().map(\.order.status) == [.new, .partiallyFilled, .filled])
        let ioc = try exchange.place(Self.limit("b", .buy, "40000", tif: .immediateOrCancel), now: Self.clock(2)).get()
        #expect(ioc.status == .expired)
        #expect(throws: SimulatedPlaceRejection.wouldTakeLiquidity) { try exchange.place(Self.limit("c", .buy, "60000", tif: .postOnly), now: Self.clock(3)).get() }
        #expect(exchange.order(account: "mmx-test-key", clientOrderID: "c") == nil)
    }

    @Test("a duplicate client order id is refused and never becomes a second order")
    func duplicates() throws {
        var exchange = Self.exchange()
        let first = try exchange.place(Self.limit("dup", .buy, "40000"), now: Self.clock(1)).get()
        for _ in 0..<3 {
            #expect(throws: SimulatedPlaceRejection.duplicateClientOrderID(existing: first)) {
                try exchange.place(Self.limit("dup", .buy, "40000"), now: Self.clock(2)).get()
            }
        }
        #expect(exchange.ledger.count == 1)
        #expect(exchange.counters.accepted == 1 && exchange.counters.duplicates == 3 && exchange.counters.placeRequests == 4)
        // Another account may use the same id.
        var other = SimulatedExchange(venue: "test", accounts: [.test, SimulatedAccount(apiKey: "k2", secret: "s2")], rateRules: [],
                                      defaultReferencePrice: Self.decimal("100"))
        _ = try other.place(Self.limit("x", .buy, "1"), now: Self.clock(1)).get()
        var second = Self.limit("x", .buy, "1")
        second.account = "k2"
        #expect(throws: Never.self) { try other.place(second, now: Self.clock(1)).get() }
    }

    @Test("cancel, cancel-all, status; a cancel of a terminal or unknown order is a miss")
    func cancel() throws {
        var exchange = Self.exchange()
        _ = try exchange.place(Self.limit("a", .buy, "40000"), now: Self.clock(1)).get()
        _ = try exchange.place(Self.limit("b", .buy, "41000"), now: Self.clock(1)).get()
        _ = try exchange.place(Self.limit("c", .buy, "60000"), now: Self.clock(1)).get()
        #expect(exchange.cancel(account: "mmx-test-key", clientOrderID: "a", now: Self.clock(2))?.status == .canceled)
        #expect(exchange.cancel(account: "mmx-test-key", clientOrderID: "a", now: Self.clock(2)) == nil)
        #expect(exchange.cancel(account: "mmx-test-key", clientOrderID: "c", now: Self.clock(2)) == nil)
        #expect(exchange.cancel(account: "mmx-test-key", clientOrderID: "nope", now: Self.clock(2)) == nil)
        #expect(exchange.cancel(account: "someone-else", clientOrderID: "b", now: Self.clock(2)) == nil)
        #expect(exchange.openOrders(account: "mmx-test-key").map(\.clientOrderID) == ["b"])
        #expect(exchange.cancelAll(account: "mmx-test-key", now: Self.clock(3)).map(\.clientOrderID) == ["b"])
        #expect(exchange.order(account: "mmx-test-key", clientOrderID: "b")?.status == .canceled)
        #expect(exchange.order(account: "mmx-test-key", clientOrderID: "b")?.updatedAt == Self.clock(3).epochMilliseconds)
        #expect(exchange.counters.canceled == 2 && exchange.counters.cancelMisses == 4)
    }

    @Test("moving the reference price fills resting orders it crosses, as makers at their own price")
    func referenceMove() throws {
        var exchange = Self.exchange()
        _ = try exchange.place(Self.limit("a", .buy, "49000"), now: Self.clock(1)).get()
        _ = try exchange.place(Self.limit("b", .buy, "48000"), now: Self.clock(1)).get()
        _ = exchange.takeEvents()
        exchange.setReferencePrice(Self.decimal("48500"), for: "BTCUSDT", now: Self.clock(2))
        let fills = exchange.takeEvents()
        #expect(fills.map(\.order.clientOrderID) == ["a"])
        #expect(fills.first?.kind == .fill(SimulatedFill(tradeID: 1, price: Self.decimal("49000"), quantity: Self.decimal("0.5"),
                                                          epochMilliseconds: Self.clock(2).epochMilliseconds, isMaker: true)))
    }

    @Test("fixed windows (Binance ORDERS 50 / 10 s): the 51st order in a window is refused until the window turns")
    func fixedWindow() {
        var limiter = SimulatedRateLimiter(rules: SimulatedOrderDialects.defaultRateRules(venue: "binance"))
        let start: UInt64 = 20_000_000_000
        for i in 0..<50 { #expect(limiter.admit(.place, account: "k", symbol: nil, now: start + UInt64(i) * 1_000_000) == .allowed) }
        guard case .limited(let rule, let retry) = limiter.admit(.place, account: "k", symbol: nil, now: start + 9_000_000_000) else {
            Issue.record("the 51st order passed")
            return
        }
        #expect(rule.name == "ORDERS" && rule.limit == 50)
        #expect(retry == 1_000_000_000)
        #expect(limiter.admit(.status, account: "k", symbol: nil, now: start + 9_000_000_000) == .allowed, "weight is another limit")
        #expect(limiter.admit(.place, account: "other", symbol: nil, now: start + 9_000_000_000) == .allowed, "per account")
        #expect(limiter.admit(.place, account: "k", symbol: nil, now: start + 10_000_000_000) == .allowed)
        #expect(limiter.used(limiter.rules[1], account: "k", symbol: nil, now: start + 10_000_000_000) == 51)
        #expect(limiter.used(limiter.rules[2], account: "k", symbol: nil, now: start + 10_000_000_000) == 55)
    }

    @Test("per-instrument windows (OKX 60 / 2 s per instrument)")
    func perInstrument() {
        var limiter = SimulatedRateLimiter(rules: SimulatedOrderDialects.defaultRateRules(venue: "okx"))
        for _ in 0..<60 { #expect(limiter.admit(.place, account: "k", symbol: "BTC-USDT", now: 0) == .allowed) }
        #expect(limiter.admit(.place, account: "k", symbol: "BTC-USDT", now: 1_999_999_999) != .allowed)
        #expect(limiter.admit(.place, account: "k", symbol: "ETH-USDT", now: 1_999_999_999) == .allowed)
        #expect(limiter.admit(.cancel, account: "k", symbol: "BTC-USDT", now: 1_999_999_999) == .allowed)
        #expect(limiter.admit(.place, account: "k", symbol: "BTC-USDT", now: 2_000_000_000) == .allowed)
    }

    @Test("token bucket (Deribit matching engine: burst 20, 5/s)")
    func tokenBucket() {
        var limiter = SimulatedRateLimiter(rules: SimulatedOrderDialects.defaultRateRules(venue: "deribit"))
        for _ in 0..<20 { #expect(limiter.admit(.place, account: "k", symbol: nil, now: 0) == .allowed) }
        guard case .limited(_, let retry) = limiter.admit(.cancel, account: "k", symbol: nil, now: 0) else {
            Issue.record("the bucket should be empty")
            return
        }
        #expect(retry == 200_000_000)
        #expect(limiter.admit(.place, account: "k", symbol: nil, now: 199_000_000) != .allowed)
        #expect(limiter.admit(.place, account: "k", symbol: nil, now: 200_000_000) == .allowed)
        #expect(limiter.admit(.status, account: "k", symbol: nil, now: 200_000_000) == .allowed, "non-matching-engine pool")
    }

    @Test("decaying counter (Kraken: threshold 60, decay 1/s, cancel penalty by order age)")
    func decayingCounter() {
        var limiter = SimulatedRateLimiter(rules: SimulatedOrderDialects.defaultRateRules(venue: "kraken"))
        for _ in 0..<52 { #expect(limiter.admit(.place, account: "k", symbol: "BTC/USD", now: 0) == .allowed) }
        #expect(limiter.admit(.cancel, account: "k", symbol: "BTC/USD", now: 0, orderAge: 1_000_000_000) == .allowed, "+8 → 60")
        #expect(limiter.admit(.place, account: "k", symbol: "BTC/USD", now: 0) == .limited(rule: limiter.rules[0], retryAfterNanoseconds: 1_000_000_000))
        #expect(limiter.admit(.place, account: "k", symbol: "ETH/USD", now: 0) == .allowed, "per pair")
        #expect(limiter.admit(.place, account: "k", symbol: "BTC/USD", now: 1_000_000_000) == .allowed, "decayed by 1")
        #expect(limiter.admit(.cancel, account: "k", symbol: "BTC/USD", now: 1_000_000_000, orderAge: 400_000_000_000) == .allowed, "old order: no penalty")
        #expect(limiter.used(limiter.rules[0], account: "k", symbol: "BTC/USD", now: 11_000_000_000) == 50)
    }

    @Test("a storm refuses everything until it ends, and counts")
    func storm() throws {
        var exchange = Self.exchange(rules: SimulatedOrderDialects.defaultRateRules(venue: "bybit"))
        exchange.stormUntil = 2_000_000_000
        #expect(exchange.admit(.place, account: "mmx-test-key", symbol: "BTCUSDT", now: Self.clock(1))
            == .limited(rule: exchange.limiter.rules[0], retryAfterNanoseconds: 1_000_000_000))
        #expect(exchange.admit(.place, account: "mmx-test-key", symbol: "BTCUSDT", now: Self.clock(2)) == .allowed)
        #expect(exchange.counters.rateLimited == 1)
    }

    @Test("order fault specs parse and print back", arguments: ["binance/orders-drop+3", "okx/orders-429:5000+10", "*/orders-restart+50"])
    func faultSpecs(spec: String) throws {
        #expect(try OrderFaultPlan.Step(parsing: spec).description == spec)
    }

    @Test("bad order fault specs are refused", arguments: ["binance/orders-drop", "binance/drop+3", "okx/orders-429:x+1", "orders-drop+1", "a/orders-drop+0"])
    func badFaultSpecs(spec: String) {
        #expect(throws: ReplayError.self) { try OrderFaultPlan.Step(parsing: spec) }
    }

    @Test("order chaos is a pure function of the seed")
    func chaosDeterminism() {
        let configuration = OrderChaosConfiguration(seed: 42, perMille: 100)
        var first = OrderChaosSchedule(configuration: configuration, venue: "binance")
        var second = OrderChaosSchedule(configuration: configuration, venue: "binance")
        let a = (0..<500).map { _ in first.nextFault() }
        let b = (0..<500).map { _ in second.nextFault() }
        #expect(a == b)
        let fired = a.compactMap { $0 }.count
        #expect(fired > 20 && fired < 90, "about 10%: \(fired)")
        #expect(Set(a.compactMap { $0?.kind }) == Set(SimulatedOrderFault.Kind.allCases))
    }
}
