import Testing
import MarketModel
import VenueKit
@testable import Books

/// The checksum text cache (copies unchanged levels' text from the previous checksum) must give
/// the same CRC as rendering the whole text afresh, whatever changed in between.
@Suite("Checksum text cache")
struct ChecksumCacheTests {
    @Test("cached and fresh checksums agree over random deltas", arguments: ChecksumAlgorithm.allCases)
    func cachedEqualsFresh(algorithm: ChecksumAlgorithm) {
        var random = BookSideKeyTests.Random(state: 42)
        var book = OrderBook()
        var cache = ChecksumTextCache()
        var scratch: [UInt8] = []
        var fresh: [UInt32] = []
        for step in 0 ..< 600 {
            // 1…12 level changes near the top (prices with 0…2 fraction digits, sizes that
            // sometimes repeat the previous text), some deletes; occasionally a whole new book.
            if step % 150 == 0 {
                book.removeAll()
            }
            for _ in 0 ..< 1 + random.below(12) {
                let isBid = random.below(2) == 0
                let tick = Int64(isBid ? 1000 - random.below(40) : 1001 + random.below(40))
                let scale = UInt8(random.below(3))
                let price = BookSideKeyTests.price(tick: tick * 10, scale: scale)
                let size = random.below(5) == 0 ? FixedDecimal.zero
                    : FixedDecimal(mantissa: Int64(1 + random.below(30)), scale: UInt8(random.below(4)))
                book.apply(BookLevel(price: price, size: size), side: isBid ? .buy : .sell)
            }
            let cached = BookChecksums.compute(algorithm, book: book, cache: &cache)
            let once = BookChecksums.compute(algorithm, book: book, scratch: &scratch)
            #expect(cached == once, "step \(step)")
            fresh.append(once)
        }
        // The books really changed (the check above is not comparing one constant).
        #expect(Set(fresh).count > 400)
    }

    @Test("one cache reused across algorithms starts over for the new one")
    func algorithmSwitch() {
        var book = OrderBook()
        book.apply(BookUpdate(venue: .okx, symbol: btc, isSnapshot: true, bids: levels([("100.5", "1"), ("100", "2")]),
                              asks: levels([("101", "0.5"), ("101.25", "3")]), tsExchange: nil, tsRecv: 0))
        var cache = ChecksumTextCache()
        var scratch: [UInt8] = []
        for algorithm in ChecksumAlgorithm.allCases + ChecksumAlgorithm.allCases.reversed() {
            #expect(BookChecksums.compute(algorithm, book: book, cache: &cache)
                == BookChecksums.compute(algorithm, book: book, scratch: &scratch))
        }
    }

    @Test("the OKX text is the venue's strings joined by ':'")
    func okxText() {
        var book = OrderBook()
        book.apply(BookUpdate(venue: .okx, symbol: btc, isSnapshot: true, bids: levels([("3366.1", "7"), ("3366", "6")]),
                              asks: levels([("3366.8", "9"), ("3368", "8"), ("3372", "8")]), tsExchange: nil, tsRecv: 0))
        var scratch: [UInt8] = []
        #expect(BookChecksums.compute(.okxTop25Interleaved, book: book, scratch: &scratch)
            == CRC32.checksum("3366.1:7:3366.8:9:3366:6:3368:8:3372:8"))
    }
}
