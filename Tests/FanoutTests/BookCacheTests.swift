@testable import Fanout
import MarketModel
import Testing

@Suite("BookCache: the hub's current books")
struct BookCacheTests {
    @Test("snapshot, deltas (size 0 deletes), sorted best first")
    func applies() {
        var cache = BookCache()
        cache.observe(Fixtures.book(snapshot: false, bids: [("1", "1")]))  // delta before any snapshot: ignored
        #expect(cache.bookKeys.isEmpty)
        cache.observe(Fixtures.book(snapshot: true, bids: [("100", "1"), ("99", "2")], asks: [("101", "3")], ts: 10))
        cache.observe(Fixtures.book(snapshot: false, bids: [("99", "0"), ("100.5", "4")], asks: [("102", "1"), ("101", "2.5")], ts: 20))
        let key = BookKey(venue: "binance", symbol: Fixtures.btc)
        let snapshot = cache.snapshot(of: key)
        #expect(snapshot == BookUpdate(venue: "binance", symbol: Fixtures.btc, isSnapshot: true,
                                       bids: Fixtures.levels([("100.5", "4"), ("100", "1")]),
                                       asks: Fixtures.levels([("101", "2.5"), ("102", "1")]), tsExchange: 20, tsRecv: 21))
        #expect(cache.bookKeys == [key])
    }

    @Test("resyncing or disconnected drops the book until the next snapshot")
    func forgets() {
        var cache = BookCache()
        cache.observe(Fixtures.book("binance", Fixtures.btc, snapshot: true, bids: [("1", "1")]))
        cache.observe(Fixtures.book("binance", Fixtures.eth, snapshot: true, bids: [("1", "1")]))
        cache.observe(Fixtures.book("okx", Fixtures.btc, snapshot: true, bids: [("1", "1")]))
        cache.observe(Fixtures.status("binance", Fixtures.btc, .trades, .disconnected))  // another channel: kept
        #expect(cache.bookKeys.count == 3)
        cache.observe(Fixtures.status("binance", Fixtures.btc, .book, .resyncing))
        #expect(cache.bookKeys.map(\.description) == ["binance/ETH-USDT", "okx/BTC-USDT"])
        cache.observe(Fixtures.status("okx", nil, nil, .disconnected))
        #expect(cache.bookKeys.map(\.description) == ["binance/ETH-USDT"])
    }
}
