@testable import Fanout
import MarketModel
import Testing

@Suite("Subscription filters with * wildcards")
struct SubscriptionFilterTests {
    @Test("patterns", arguments: [
        ("*", "BTC-USDT", true),
        ("*", "", true),
        ("BTC-USDT", "BTC-USDT", true),
        ("BTC-USDT", "BTC-USDT-PERP", false),
        ("BTC-*", "BTC-USDT", true),
        ("BTC-*", "BTC-USDT-PERP", true),
        ("BTC-*", "ETH-BTC", false),
        ("*-PERP", "BTC-USDT-PERP", true),
        ("*-PERP", "BTC-USDT", false),
        ("*USDT*", "ETH-USDT-PERP", true),
        ("B*-*-PERP", "BTC-USDT-PERP", true),
        ("B*-*-PERP", "BTC-PERP", false),
        ("a*a*a", "aaa", true),
        ("a*a*a", "aa", false),
        ("**", "x", true),
        ("bin*", "binance", true),
        ("bin*", "bitmex", false),
    ])
    func pattern(_ pattern: String, _ value: String, _ expected: Bool) {
        #expect(SubscriptionPattern(pattern).matches(value) == expected)
    }

    @Test("a filter matches venue, channel and symbol; order events never")
    func filterMatching() {
        let filter = SubscriptionFilter(venue: "binance", channel: "trades", symbol: "BTC-*")
        #expect(filter.matches(Fixtures.trade("binance", Fixtures.btc, id: 1)))
        #expect(!filter.matches(Fixtures.trade("okx", Fixtures.btc, id: 1)))
        #expect(!filter.matches(Fixtures.trade("binance", Fixtures.eth, id: 1)))
        #expect(!filter.matches(Fixtures.book(snapshot: true)))
        let order = MarketEvent.order(OrderUpdate(clientOrderID: "c-1", venue: "binance", symbol: Fixtures.btc, state: .accepted, tsRecv: 1))
        #expect(!SubscriptionFilter.everything.matches(order))
    }

    @Test("status without symbol or channel concerns every stream of the venue")
    func venueWideStatus() {
        let filter = SubscriptionFilter(venue: "binance", channel: "book", symbol: "ETH-USDT")
        #expect(filter.matches(Fixtures.status("binance", nil, nil, .disconnected)))
        #expect(filter.matches(Fixtures.status("binance", Fixtures.eth, nil, .stale)))
        #expect(!filter.matches(Fixtures.status("binance", Fixtures.btc, nil, .stale)))
        #expect(!filter.matches(Fixtures.status("binance", Fixtures.eth, .trades, .stale)))
        #expect(!filter.matches(Fixtures.status("okx", nil, nil, .disconnected)))
    }

    @Test("request line escapes and round-trips through the parser")
    func requestLine() throws {
        let filter = SubscriptionFilter(venue: "okx", channel: "*", symbol: "BTC-*")
        let line = String(decoding: filter.requestLine(id: "a\"b"), as: UTF8.self)
        #expect(line == #"{"op":"subscribe","id":"a\"b","venue":"okx","channel":"*","symbol":"BTC-*"}"# + "\n")
        let request = try RequestParser.parse(String(line.dropLast()), catalog: Fixtures.catalog, isOrderEntryEnabled: false)
        #expect(request == .subscribe(id: "a\"b", filter: filter))
    }
}
