import Testing
import MarketModel
import VenueKit
@testable import Books

@Suite("OrderBook")
struct OrderBookTests {
    @Test("snapshot in any order, deltas insert/replace/delete, best-first access")
    func applyAndAccess() {
        var book = OrderBook()
        book.apply(BookUpdate(venue: .okx, symbol: btc, isSnapshot: true,
                              bids: levels([("99", "1"), ("101", "2"), ("100", "3"), ("98", "0"), ("100", "4")]),
                              asks: levels([("102", "1"), ("103", "2")]), tsExchange: nil, tsRecv: 0))
        #expect(book.bids.bestFirst.map(\.description) == ["101x2", "100x4", "99x1"])
        #expect(book.asks.bestFirst.map(\.description) == ["102x1", "103x2"])
        book.apply(BookUpdate(venue: .okx, symbol: btc, isSnapshot: false,
                              bids: levels([("100", "0"), ("101.5", "7"), ("99.0", "9"), ("50", "0")]),
                              asks: levels([("102", "0"), ("102.5", "1")]), tsExchange: nil, tsRecv: 0))
        #expect(book.bids.bestFirst.map(\.description) == ["101.5x7", "101x2", "99.0x9"])
        #expect(book.asks.bestFirst.map(\.description) == ["102.5x1", "103x2"])
        #expect(book.bestBid?.price == dec("101.5"))
        #expect(book.bestAsk?.price == dec("102.5"))
        #expect(book.bids[1].price == dec("101"))
        #expect(book.bids.top(2).map(\.description) == ["101.5x7", "101x2"])
        #expect(book.bids.size(at: dec("99")) == dec("9"))
        #expect(!book.isCrossed)
        book.apply(BookLevel(price: dec("102.5"), size: dec("1")), side: .buy)
        #expect(book.isCrossed)
    }

    @Test("truncation reports removed levels as deletions")
    func truncate() {
        var book = OrderBook()
        book.apply(BookUpdate(venue: .kraken, symbol: btc, isSnapshot: true, bids: levels([("3", "1"), ("2", "1"), ("1", "1")]),
                              asks: levels([("4", "1"), ("5", "1")]), tsExchange: nil, tsRecv: 0))
        var rb: [BookLevel] = []
        var ra: [BookLevel] = []
        book.truncate(toDepth: 1, removedBids: &rb, removedAsks: &ra)
        #expect(rb.map(\.description) == ["1x0", "2x0"])
        #expect(ra.map(\.description) == ["5x0"])
        #expect(book.bids.count == 1 && book.asks.count == 1)
    }

    @Test("many random updates keep both sides sorted and unique")
    func randomized() {
        var book = OrderBook()
        var reference: [Int: Int] = [:]
        var rng = SystemRandomNumberGenerator()
        for _ in 0 ..< 5000 {
            let price = Int.random(in: 1 ... 400, using: &rng)
            let size = Int.random(in: 0 ... 3, using: &rng)
            book.apply(BookLevel(price: FixedDecimal(Int64(price)), size: FixedDecimal(Int64(size))), side: .buy)
            reference[price] = size == 0 ? nil : size
        }
        let expected = reference.keys.sorted(by: >).map { "\($0)x\(reference[$0] ?? 0)" }
        #expect(book.bids.bestFirst.map(\.description) == expected)
    }
}

@Suite("Book checksums")
struct BookChecksumTests {
    func book(bids: [(String, String)], asks: [(String, String)]) -> OrderBook {
        var b = OrderBook()
        b.apply(BookUpdate(venue: .kraken, symbol: btc, isSnapshot: true, bids: levels(bids), asks: levels(asks), tsExchange: nil, tsRecv: 0))
        return b
    }

    @Test("Kraken v2 official vector 3310070434 and v1 doc vector 974947235")
    func kraken() {
        var scratch: [UInt8] = []
        let v2 = book(bids: [("45283.5", "0.10000000"), ("45283.4", "1.54582015"), ("45282.1", "0.10000000"), ("45281.0", "0.10000000"),
                             ("45280.3", "1.54592586"), ("45279.0", "0.07990000"), ("45277.6", "0.03310103"), ("45277.5", "0.30000000"),
                             ("45277.3", "1.54602737"), ("45276.6", "0.15445238")],
                      asks: [("45285.2", "0.00100000"), ("45286.4", "1.54571953"), ("45286.6", "1.54571109"), ("45289.6", "1.54560911"),
                             ("45290.2", "0.15890660"), ("45291.8", "1.54553491"), ("45294.7", "0.04454749"), ("45296.1", "0.35380000"),
                             ("45297.5", "0.09945542"), ("45299.5", "0.18772827")])
        #expect(BookChecksums.compute(.krakenTop10, book: v2, scratch: &scratch) == 3_310_070_434)
        let asks = ["0.05005", "0.05010", "0.05015", "0.05020", "0.05025", "0.05030", "0.05035", "0.05040", "0.05045", "0.05050"]
        let bids = ["0.05000", "0.04995", "0.04990", "0.04980", "0.04975", "0.04970", "0.04965", "0.04960", "0.04955", "0.04950"]
        let v1 = book(bids: bids.map { ($0, "0.00000500") }, asks: asks.map { ($0, "0.00000500") })
        #expect(BookChecksums.compute(.krakenTop10, book: v1, scratch: &scratch) == 974_947_235)
    }

    @Test("OKX interleaved top-25 vectors 831078360 and 2399502091")
    func okx() {
        var scratch: [UInt8] = []
        let small = book(bids: [("3366.1", "7")], asks: [("3366.8", "9"), ("3368", "8"), ("3372", "8")])
        #expect(BookChecksums.compute(.okxTop25Interleaved, book: small, scratch: &scratch) == 831_078_360)
        let asks: [(String, String)] = [("28923.3", "1.87800235"), ("28923.4", "0.04"), ("28924.3", "0.06867412"), ("28925.6", "0.09861686"),
            ("28925.8", "0.16453656"), ("28925.9", "2.23"), ("28926", "0.32274814"), ("28926.1", "0.6232534"), ("28926.4", "1.04"),
            ("28926.8", "0.01707781"), ("28928.5", "0.07061975"), ("28929", "0.144"), ("28930.2", "0.1"), ("28930.3", "6.40922866"),
            ("28931.9", "0.54902396"), ("28932", "0.17306693"), ("28932.7", "2.5672"), ("28932.8", "1.19528238"), ("28932.9", "0.05"),
            ("28933", "0.34194526"), ("28933.5", "0.02319626"), ("28933.6", "0.764"), ("28933.7", "0.01"), ("28934.4", "0.05"),
            ("28935", "0.0115"), ("28935.1", "0.48"), ("28935.8", "0.00696447"), ("28935.9", "0.144"), ("28936", "0.12700417"),
            ("28936.5", "1.58799999")]
        let bids: [(String, String)] = [("28923.2", "0.0000001"), ("28923", "0.49101312"), ("28922.4", "0.01251868"), ("28921.2", "0.00020273"),
            ("28920.9", "0.00009315"), ("28920.3", "0.00008106"), ("28920", "0.03448414"), ("28919.6", "0.00002087"), ("28919.3", "0.00026015"),
            ("28919", "0.0000519"), ("28917.7", "0.00014609"), ("28916.7", "0.00002008"), ("28915.9", "0.00009415"), ("28915", "0.0454951"),
            ("28914.6", "0.007"), ("28914.3", "0.12709954"), ("28913.7", "0.0060879"), ("28913.6", "0.00342"), ("28913.3", "0.00574477"),
            ("28911.8", "0.00106132"), ("28911.1", "0.00011083"), ("28911", "0.00008173"), ("28910", "0.0006918"), ("28909.9", "0.06897"),
            ("28909.8", "0.00975481"), ("28909.6", "0.00001002"), ("28909", "0.00134995"), ("28908.5", "0.00796815"), ("28908.4", "0.17308796"),
            ("28908.1", "0.67728285")]
        let big = book(bids: bids, asks: asks)
        #expect(BookChecksums.compute(.okxTop25Interleaved, book: big, scratch: &scratch) == 2_399_502_091)
    }
}
