import Testing
import MarketModel
import VenueKit
@testable import Orders

@Suite("Validation before queueing")
struct ValidationTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var request: OrderRequest
        var code: OrderRejectionCode
        var message: String
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "unknown venue", request: place("c", venue: "nowhere"), code: .unknownVenue,
             message: "venue 'nowhere' is not configured"),
        Case(name: "venue without WS order entry", request: place("c", venue: .coinbase), code: .unsupported,
             message: "venue 'coinbase' has no WebSocket order entry"),
        Case(name: "unknown symbol", request: place("c", symbol: Symbol(unchecked: "DOGE-USDT", kind: .spot)),
             code: .unknownSymbol, message: "symbol 'DOGE-USDT' is not tradable on binance"),
        Case(name: "limit without price", request: place("c", price: nil), code: .missingField,
             message: "a limit order needs a price"),
        Case(name: "market with price", request: place("c", type: .market, price: "100"), code: .invalidField,
             message: "a market order must not have a price"),
        Case(name: "market post-only", request: place("c", type: .market, price: nil, tif: .postOnly), code: .invalidField,
             message: "a market order cannot be post_only"),
        Case(name: "price off the tick grid", request: place("c", price: "100.05"), code: .invalidField,
             message: "price 100.05 is not a multiple of the tick size 0.1"),
        Case(name: "zero price", request: place("c", price: "0"), code: .invalidField, message: "price 0 must be positive"),
        Case(name: "negative price", request: place("c", price: "-100.0"), code: .invalidField,
             message: "price -100.0 must be positive"),
        Case(name: "size off the lot grid", request: place("c", size: "0.0105"), code: .invalidField,
             message: "size 0.0105 is not a multiple of the lot size 0.001"),
        Case(name: "zero size", request: place("c", symbol: eth, price: "10.00", size: "0"), code: .invalidField,
             message: "size 0 must be positive"),
        Case(name: "size above maximum", request: place("c", size: "100.001"), code: .invalidField,
             message: "size 100.001 is above the maximum size 100"),
        Case(name: "empty client order id", request: place(""), code: .invalidField, message: "client_order_id must not be empty"),
        Case(name: "client order id too long", request: place(String(repeating: "x", count: 65)), code: .invalidField,
             message: "client_order_id is longer than 64 bytes"),
    ]

    @Test("each refusal names what was wrong", arguments: cases)
    func refusals(_ testCase: Case) {
        var mux = makeMultiplexer()
        let actions = mux.submit(testCase.request, from: alice, now: 0)
        #expect(actions.rejection == OrderRejection(testCase.code, testCase.message))
        #expect(actions.sends.isEmpty)
        #expect(actions.updates.isEmpty)
        #expect(mux.queuedOrderCount(venue: .binance) == 0)
    }

    @Test("a size below the instrument minimum (min above the lot)")
    func belowMinimum() {
        var instruments = testInstruments
        instruments[btc] = InstrumentRules(tickSize: dec("0.1"), lotSize: dec("0.001"), minSize: dec("0.005"))
        var mux = OrderMultiplexer(configuration: OrderMultiplexerConfiguration(venues: [
            VenueOrderConfiguration(venue: .binance, spec: testSpec(), frameBuilder: fakeBuilder, instruments: instruments,
                                    staleDataGuard: .off)]))
        let actions = mux.submit(place("c", size: "0.004"), from: alice, now: 0)
        #expect(actions.rejection == OrderRejection(.invalidField, "size 0.004 is below the minimum size 0.005"))
    }

    @Test("a cancel or cancel-all on a venue refused at start-up names the reason, like a new order")
    func refusedVenueCancel() {
        var refused = VenueOrderConfiguration(venue: .bitfinex, spec: nil, frameBuilder: nil, instruments: [:])
        refused.unavailableReason = "venue 'bitfinex' has no order entry in this run: bitfinex: HTTP 503"
        var mux = OrderMultiplexer(configuration: OrderMultiplexerConfiguration(venues: [refused]))
        let expected = OrderRejection(.unsupported, "venue 'bitfinex' has no order entry in this run: bitfinex: HTTP 503")
        #expect(mux.submit(cancel("a", venue: .bitfinex), from: alice, now: 0).rejection == expected)
        #expect(mux.submit(.cancelAll(OrderCancelAll(requestID: "ca", venue: .bitfinex, symbol: nil, allClients: false)), from: alice, now: 0).rejection
                == expected)
    }

    @Test("side, type and time in force the venue does not support")
    func capabilities() {
        var mux = makeMultiplexer(types: [.limit], timeInForce: [.gtc, .ioc], sides: [.sell])
        #expect(mux.submit(place("a", side: .buy), from: alice, now: 0).rejection
                == OrderRejection(.invalidField, "side 'buy' is not supported on binance"))
        #expect(mux.submit(place("b", side: .sell, type: .market, price: nil), from: alice, now: 0).rejection
                == OrderRejection(.invalidField, "type 'market' is not supported on binance"))
        #expect(mux.submit(place("c", side: .sell, tif: .fok), from: alice, now: 0).rejection
                == OrderRejection(.invalidField, "tif 'fok' is not supported on binance"))
        #expect(mux.submit(place("d", side: .sell, tif: .ioc), from: alice, now: 0).replies == [.accepted])
    }

    @Test("exact decimal grids: 100.10 is on a 0.1 tick, 0.0100 on a 0.001 lot (scale does not matter)")
    func grids() {
        var mux = makeMultiplexer()
        #expect(mux.submit(place("a", price: "100.10", size: "0.0100"), from: alice, now: 0).replies == [.accepted])
        #expect(mux.submit(place("b", price: "100", size: "1"), from: alice, now: 0).replies == [.accepted])
        #expect(dec("0.3").isExactMultiple(of: dec("0.1")))
        #expect(!dec("0.35").isExactMultiple(of: dec("0.1")))
        #expect(dec("123456789.123456789").isExactMultiple(of: dec("0.000000001")))
    }

    @Test("duplicate client order ids are refused per subscriber, also after the order finished, until the retention window ends")
    func duplicates() {
        var mux = makeMultiplexer(retention: Interval.minutes(10))
        #expect(mux.submit(place("c-1"), from: alice, now: 0).replies == [.accepted])
        #expect(mux.submit(place("c-1"), from: alice, now: 1).rejection
                == OrderRejection(.duplicateClientOrderID, "client_order_id 'c-1' was already used by this connection"))
        // Another subscriber may use the same id.
        #expect(mux.submit(place("c-1"), from: bob, now: 2).replies == [.accepted])
        // Finish alice's order (canceled before sending: the connection is down).
        #expect(mux.submit(cancel("c-1"), from: alice, now: 3).states == ["c-1 canceled"])
        #expect(mux.submit(place("c-1"), from: alice, now: Interval.minutes(5)).rejection?.code == .duplicateClientOrderID)
        _ = mux.onTick(now: Interval.minutes(10) + 3)
        #expect(mux.submit(place("c-1"), from: alice, now: Interval.minutes(10) + 3).replies == [.accepted])
    }

    @Test("cancel refusals: unknown order, wrong symbol, already finished, unknown venue, no order entry")
    func cancelRefusals() {
        var mux = makeMultiplexer()
        #expect(mux.submit(cancel("nope"), from: alice, now: 0).rejection
                == OrderRejection(.unknownOrder, "no order 'nope' from this connection"))
        _ = mux.submit(place("c-1"), from: alice, now: 0)
        #expect(mux.submit(cancel("c-1", symbol: eth), from: alice, now: 0).rejection
                == OrderRejection(.invalidField, "order 'c-1' is on binance BTC-USDT, not binance ETH-USDT"))
        #expect(mux.submit(cancel("c-1"), from: bob, now: 0).rejection?.code == .unknownOrder)
        _ = mux.submit(cancel("c-1"), from: alice, now: 0)
        #expect(mux.submit(cancel("c-1"), from: alice, now: 0).rejection
                == OrderRejection(.orderNotOpen, "order 'c-1' is already canceled"))
        #expect(mux.submit(cancel("c-1", venue: "nowhere"), from: alice, now: 0).rejection?.code == .unknownVenue)
        #expect(mux.submit(cancel("c-1", venue: .coinbase), from: alice, now: 0).rejection?.code == .unsupported)
    }

    @Test("a subscriber's queue is bounded")
    func queueBound() {
        var mux = makeMultiplexer(maxQueued: 2)
        _ = mux.submit(place("a"), from: alice, now: 0)
        _ = mux.submit(place("b"), from: alice, now: 0)
        #expect(mux.submit(place("c"), from: alice, now: 0).rejection
                == OrderRejection(.queueFull, "2 orders already queued for binance"))
        #expect(mux.submit(place("c"), from: bob, now: 0).replies == [.accepted])
    }

    @Test("the reply comes first, then `queued`; a MarketMux-assigned id when the client gives none")
    func acceptedShape() {
        var mux = makeMultiplexer()
        let actions = mux.submit(place(nil), from: alice, now: 0)
        #expect(actions.first == .reply(subscriber: alice, requestID: "req-auto", result: .accepted))
        #expect(actions.states == ["mm1 queued"])
    }
}

@Suite("Stale-data guard")
struct StaleDataGuardTests {
    @Test("no book status yet → refused; live → accepted")
    func needsLiveBook() {
        var mux = makeMultiplexer(guard: .on)
        #expect(mux.submit(place("a"), from: alice, now: 0).rejection
                == OrderRejection(.staleMarketData, "the BTC-USDT book on binance has no live status yet"))
        mux.onMarketStatus(live(btc))
        #expect(mux.submit(place("a"), from: alice, now: 0).replies == [.accepted])
    }

    @Test("stale trades or a resyncing book refuse new orders for that symbol only; cancels pass")
    func staleStates() {
        var mux = makeMultiplexer(guard: .on)
        mux.onMarketStatus(live(btc))
        mux.onMarketStatus(live(eth))
        _ = mux.submit(place("open"), from: alice, now: 0)
        mux.onMarketStatus(live(btc, .trades, .stale))
        #expect(mux.submit(place("a"), from: alice, now: 0).rejection
                == OrderRejection(.staleMarketData, "market data for BTC-USDT on binance is stale (trades)"))
        #expect(mux.submit(place("e", symbol: eth, price: "10.00", size: "0.01"), from: alice, now: 0).replies == [.accepted])
        mux.onMarketStatus(live(btc, .trades, .live))
        mux.onMarketStatus(live(btc, .book, .resyncing))
        #expect(mux.submit(place("b"), from: alice, now: 0).rejection
                == OrderRejection(.staleMarketData, "the BTC-USDT book on binance is resyncing, not live"))
        #expect(mux.submit(cancel("open"), from: alice, now: 0).replies == [.accepted])
    }

    @Test("a venue-wide disconnect refuses every symbol until a newer per-symbol live")
    func venueWide() {
        var mux = makeMultiplexer(guard: .on)
        mux.onMarketStatus(live(btc))
        mux.onMarketStatus(StatusEvent(venue: .binance, state: .disconnected, reason: "socket closed"))
        #expect(mux.submit(place("a"), from: alice, now: 0).rejection?.code == .staleMarketData)
        mux.onMarketStatus(live(btc))
        #expect(mux.submit(place("a"), from: alice, now: 0).replies == [.accepted])
    }

    @Test("guard off (per venue): stale data does not refuse; requiresLiveBook false passes without status")
    func configurable() {
        var off = makeMultiplexer(guard: .off)
        off.onMarketStatus(live(btc, .book, .stale))
        #expect(off.submit(place("a"), from: alice, now: 0).replies == [.accepted])
        var lenient = makeMultiplexer(guard: StaleDataGuardConfiguration(isEnabled: true, requiresLiveBook: false))
        #expect(lenient.submit(place("a"), from: alice, now: 0).replies == [.accepted])
        lenient.onMarketStatus(live(btc, .bbo, .stale))
        #expect(lenient.submit(place("b"), from: alice, now: 0).rejection?.code == .staleMarketData)
    }
}
