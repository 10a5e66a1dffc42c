import Testing
import MarketModel
import VenueKit
@testable import Books

/// The checksum renderers work in registers on one or two 8-digit words and hand anything else to
/// the general renderers: books whose prices and sizes sit on those boundaries (10^8, 10^16, every
/// scale 0…18, trailing zeros, JavaScript's 10^-6 exponent switch) must give the checksums the
/// venues' rules give (``IncrementalChecksumTests/ReferenceBook``, written with `String`s), with a
/// cache kept across changes as the synchronizer keeps it.
@Suite("Checksum rendering at the renderers' boundaries")
struct ChecksumRenderingTests {
    /// Positive mantissas on and around the renderers' boundaries.
    static let mantissas: [Int64] = {
        var list: [Int64] = [1, 9, 10, 11, 99, 100, 12_345, 99_999_999, 100_000_000, 100_000_001, 123_456_789, 120_000_000,
                             1_000_000_000, 999_999_999_999_999, 9_999_999_999_999_999, 10_000_000_000_000_000,
                             10_000_000_000_000_001, 500_000_000_000_000_000]
        var power: Int64 = 10
        for _ in 1 ... 17 {
            list += [power - 1, power, power + 1]
            power *= 10
        }
        return list
    }()

    /// A number from ``mantissas`` at a scale of 0…18.
    static func number(_ random: inout BookSideKeyTests.Random) -> FixedDecimal {
        FixedDecimal(mantissa: mantissas[random.below(mantissas.count)], scale: UInt8(random.below(19)))
    }

    @Test("books of boundary numbers: cached checksums equal the venue rules", arguments: ChecksumAlgorithm.allCases)
    func boundaryBooks(algorithm: ChecksumAlgorithm) {
        var random = BookSideKeyTests.Random(state: 0xB0_0D)
        var checked = Set<UInt32>()
        for round in 0 ..< 20 {
            var book = OrderBook()
            var reference = IncrementalChecksumTests.ReferenceBook()
            var cache = ChecksumTextCache()
            /// Applies `level` to both books.
            func apply(_ level: BookLevel, isBid: Bool) {
                book.apply(level, side: isBid ? .buy : .sell)
                reference.apply(level, isBid: isBid)
            }
            for _ in 0 ..< 40 {
                apply(BookLevel(price: Self.number(&random), size: Self.number(&random)), isBid: random.below(2) == 0)
            }
            for step in 0 ..< 60 {
                // Size changes of listed levels (to boundary numbers), a few new levels and deletes.
                for _ in 0 ..< 1 + random.below(8) {
                    let isBid = random.below(2) == 0
                    let side = isBid ? reference.bids : reference.asks
                    switch random.below(6) {
                    case 0 ..< 3 where !side.isEmpty:
                        let level = side[random.below(Swift.min(30, side.count))]
                        apply(BookLevel(price: level.price, size: Self.number(&random)), isBid: isBid)
                    case 3 where !side.isEmpty:
                        apply(BookLevel(price: side[random.below(side.count)].price, size: .zero), isBid: isBid)
                    default:
                        apply(BookLevel(price: Self.number(&random), size: Self.number(&random)), isBid: isBid)
                    }
                }
                let expected = reference.checksum(algorithm)
                #expect(BookChecksums.compute(algorithm, book: book, cache: &cache) == expected, "round \(round) step \(step)")
                checked.insert(expected)
            }
        }
        // The books really changed (Kraken's top 10 less often than the others' top 25).
        #expect(checked.count > 800)
    }

    @Test("the usual venue numbers: sizes below and above 1, prices with and without a fraction")
    func usualNumbers() {
        // OKX: the venue's strings; Bitfinex: JS numbers (asks negative); Kraken: digits only.
        var book = OrderBook()
        book.apply(BookLevel(price: FixedDecimal(mantissa: 922_945, scale: 1), size: FixedDecimal(mantissa: 123_456_789, scale: 8)), side: .buy)
        book.apply(BookLevel(price: FixedDecimal(mantissa: 92_294, scale: 0), size: FixedDecimal(mantissa: 12_345, scale: 8)), side: .buy)
        book.apply(BookLevel(price: FixedDecimal(mantissa: 922_951, scale: 1), size: FixedDecimal(mantissa: 300_000_000, scale: 8)), side: .sell)
        book.apply(BookLevel(price: FixedDecimal(mantissa: 92_296, scale: 0), size: FixedDecimal(mantissa: 7, scale: 8)), side: .sell)
        var scratch: [UInt8] = []
        #expect(BookChecksums.compute(.okxTop25Interleaved, book: book, scratch: &scratch)
            == CRC32.checksum("92294.5:1.23456789:92295.1:3.00000000:92294:0.00012345:92296:0.00000007"))
        #expect(BookChecksums.compute(.bitfinexTop25, book: book, scratch: &scratch)
            == CRC32.checksum("92294.5:1.23456789:92295.1:-3:92294:0.00012345:92296:-7e-8"))
        #expect(BookChecksums.compute(.krakenTop10, book: book, scratch: &scratch)
            == CRC32.checksum("922951300000000" + "922967" + "922945123456789" + "9229412345"))
    }
}
