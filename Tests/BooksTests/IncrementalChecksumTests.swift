import Testing
import MarketModel
import VenueKit
@testable import Books

/// The incremental checksum (rendered parts kept in slots between messages) must equal a
/// checksum recomputed from scratch — here from an independent model of the book and the venues'
/// string rules written out with `String`s — after every message of long random sessions:
/// size changes (also to the same value in other digits), deletes at and below the top, inserts
/// above the best level, levels re-entering the covered top when others leave it, Kraken's
/// depth truncation, snapshot resets and resyncs after a bad checksum.
@Suite("Incremental checksum equals recomputation")
struct IncrementalChecksumTests {
    /// A book kept as two best-first lists of (price, size) with the venue's digits: what the
    /// venue's own book is, without any of `Books`' machinery.
    struct ReferenceBook {
        var bids: [BookLevel] = []
        var asks: [BookLevel] = []

        /// Applies one absolute level (size 0 deletes); a repeated price takes the new text.
        mutating func apply(_ level: BookLevel, isBid: Bool) {
            var side = isBid ? bids : asks
            let better: (FixedDecimal, FixedDecimal) -> Bool = { a, b in
                isBid ? FixedDecimal.compare(a, b) > 0 : FixedDecimal.compare(a, b) < 0
            }
            if let i = side.firstIndex(where: { FixedDecimal.compare($0.price, level.price) == 0 }) {
                if level.size.isZero { side.remove(at: i) } else { side[i] = level }
            } else if !level.size.isZero {
                side.insert(level, at: side.firstIndex(where: { better(level.price, $0.price) }) ?? side.count)
            }
            if isBid { bids = side } else { asks = side }
        }

        /// Keeps the best `depth` levels per side (Kraken sends no delete for levels pushed out).
        mutating func truncate(to depth: Int) {
            bids = Array(bids.prefix(depth))
            asks = Array(asks.prefix(depth))
        }

        /// The venue's checksum, from the rules as the venues document them.
        func checksum(_ algorithm: ChecksumAlgorithm) -> UInt32 {
            switch algorithm {
            case .krakenTop10:
                // Asks then bids, top 10; each number's text without '.' and leading zeros.
                func digits(_ x: FixedDecimal) -> String { String(x.description.filter { $0 != "." }.drop { $0 == "0" }) }
                let text = (asks.prefix(10) + bids.prefix(10)).map { digits($0.price) + digits($0.size) }.joined()
                return CRC32.checksum(text)
            case .okxTop25Interleaved:
                var parts: [String] = []
                for i in 0 ..< 25 {
                    if i < bids.count { parts.append("\(bids[i].price):\(bids[i].size)") }
                    if i < asks.count { parts.append("\(asks[i].price):\(asks[i].size)") }
                }
                return CRC32.checksum(parts.joined(separator: ":"))
            case .bitfinexTop25:
                func js(_ x: FixedDecimal) -> String {
                    var bytes: [UInt8] = []
                    x.writeJavaScriptForm(into: &bytes)
                    return String(decoding: bytes, as: UTF8.self)
                }
                var parts: [String] = []
                for i in 0 ..< 25 {
                    if i < bids.count { parts.append("\(js(bids[i].price)):\(js(bids[i].size))") }
                    if i < asks.count { parts.append("\(js(asks[i].price)):\(js(asks[i].size.negated))") }
                }
                return CRC32.checksum(parts.joined(separator: ":"))
            }
        }
    }

    /// Random prices and sizes in several spellings.
    struct Generator {
        var random: BookSideKeyTests.Random
        let mid: Int64 = 100_000  // in 0.1 ticks

        /// A price `distance` ticks from the mid, written with 1 or 2 fraction digits, or none
        /// when the tick allows (OKX trims `87415.0` to `87415`).
        mutating func price(distance: Int64, isBid: Bool) -> FixedDecimal {
            let tick = isBid ? mid - distance : mid + distance
            switch random.below(4) {
            case 0 where tick % 10 == 0: return FixedDecimal(mantissa: tick / 10, scale: 0)
            case 1: return FixedDecimal(mantissa: tick * 10, scale: 2)
            default: return FixedDecimal(mantissa: tick, scale: 1)
            }
        }

        /// A size with 0–8 fraction digits, sometimes large.
        mutating func size() -> FixedDecimal {
            let mantissa = random.below(10) == 0 ? Int64(1 + random.below(2_000_000_000)) : Int64(1 + random.below(5_000))
            return FixedDecimal(mantissa: mantissa, scale: UInt8(random.below(9)))
        }

        /// A random book of `depth` levels per side, best first.
        mutating func book(depth: Int) -> (bids: [BookLevel], asks: [BookLevel]) {
            func side(_ isBid: Bool) -> [BookLevel] {
                var levels: [BookLevel] = []
                var distance: Int64 = Int64(random.below(3))
                while levels.count < depth {
                    distance += 1 + Int64(random.below(3))
                    levels.append(BookLevel(price: price(distance: distance, isBid: isBid), size: size()))
                }
                return levels
            }
            return (side(true), side(false))
        }

        /// One delta: on each side 0…25 changes — size changes among the best 30 (sometimes to
        /// the same value in other digits, sometimes the price re-spelled), deletes (at the top,
        /// within and below the checksum's levels, or of absent prices), inserts above the best
        /// level and at free ticks near the top.
        mutating func delta(_ reference: ReferenceBook) -> (bids: [BookLevel], asks: [BookLevel]) {
            func side(_ isBid: Bool) -> [BookLevel] {
                let current = isBid ? reference.bids : reference.asks
                var out: [BookLevel] = []
                for _ in 0 ..< random.below(26) {
                    switch random.below(10) {
                    case 0 ..< 4 where !current.isEmpty:
                        let level = current[random.below(Swift.min(30, current.count))]
                        let size: FixedDecimal
                        switch random.below(4) {
                        case 0 where level.size.scale < 8:  // same value, one more digit: the text changes
                            size = FixedDecimal(mantissa: level.size.mantissa * 10, scale: level.size.scale + 1)
                        case 1:  // the same text again
                            size = level.size
                        default:
                            size = self.size()
                        }
                        // Sometimes the same price in other digits (`100.5` → `100.50`).
                        let price = random.below(8) == 0 && level.price.scale < 4
                            ? FixedDecimal(mantissa: level.price.mantissa * 10, scale: level.price.scale + 1) : level.price
                        out.append(BookLevel(price: price, size: size))
                    case 4 ... 5 where !current.isEmpty:
                        // Deletes: mostly the best few, sometimes anywhere.
                        let range = random.below(3) == 0 ? current.count : Swift.min(3, current.count)
                        out.append(BookLevel(price: current[random.below(range)].price, size: .zero))
                    case 6:
                        // Above the best level (a new best), or at a tick near the top.
                        let best = current.first.map { level -> Int64 in
                            let tick = level.price.mantissa(atScale: 1) ?? mid
                            return isBid ? mid - tick : tick - mid
                        } ?? 5
                        let distance = random.below(2) == 0 ? Swift.max(1, best - 1) : Int64(1 + random.below(40))
                        out.append(BookLevel(price: price(distance: distance, isBid: isBid), size: size()))
                    case 7:
                        // A price that is not in the book: a delete of it changes nothing.
                        out.append(BookLevel(price: price(distance: Int64(500 + random.below(100)), isBid: isBid), size: .zero))
                    default:
                        out.append(BookLevel(price: price(distance: Int64(1 + random.below(60)), isBid: isBid), size: size()))
                    }
                }
                return out
            }
            return (side(true), side(false))
        }
    }

    @Test("a synchronizer's checksums over long random sessions match the venue rules", arguments: ChecksumAlgorithm.allCases)
    func longSessions(algorithm: ChecksumAlgorithm) {
        for seed: UInt64 in [1, 2, 3] {
            var generator = Generator(random: BookSideKeyTests.Random(state: seed &* 0x9E37_79B9))
            let depth: Int? = algorithm == .krakenTop10 ? 10 : nil
            var harness = Harness(.okx, BookSpec(bootstrap: .streamSnapshot, maxDepth: depth, checksum: algorithm))
            var reference = ReferenceBook()
            var checked = Set<UInt32>()
            var resyncs = 0

            /// A snapshot of a fresh random book, with the reference checksum.
            func snapshot() {
                let book = generator.book(depth: depth ?? (10 + generator.random.below(60)))
                reference = ReferenceBook()
                for level in book.bids { reference.apply(level, isBid: true) }
                for level in book.asks { reference.apply(level, isBid: false) }
                if let depth { reference.truncate(to: depth) }
                let actions = harness.feed(BookMessage(
                    update: BookUpdate(venue: .okx, symbol: btc, isSnapshot: true, bids: book.bids, asks: book.asks, tsExchange: nil, tsRecv: 1),
                    checksum: BookChecksum(expected: reference.checksum(algorithm), algorithm: algorithm)))
                #expect(actions.statuses.allSatisfy { $0.state == .live }, "seed \(seed): snapshot")
            }

            snapshot()
            for step in 0 ..< 1500 {
                if step % 400 == 399 { snapshot(); continue }
                let delta = generator.delta(reference)
                for level in delta.bids { reference.apply(level, isBid: true) }
                for level in delta.asks { reference.apply(level, isBid: false) }
                if let depth { reference.truncate(to: depth) }
                let expected = reference.checksum(algorithm)
                // Now and then the venue's value is wrong: the book must resync, not agree.
                let isBad = step % 250 == 125
                let actions = harness.feed(BookMessage(
                    update: BookUpdate(venue: .okx, symbol: btc, isSnapshot: false, bids: delta.bids, asks: delta.asks, tsExchange: nil, tsRecv: 1),
                    checksum: BookChecksum(expected: isBad ? expected ^ 1 : expected, algorithm: algorithm)))
                if isBad {
                    #expect(actions.statuses.map(\.state) == [.resyncing] && actions.resubscribes == 1, "seed \(seed) step \(step)")
                    resyncs += 1
                    snapshot()
                    continue
                }
                #expect(actions.statuses.isEmpty && actions.resubscribes == 0, "seed \(seed) step \(step): \(actions.statuses.map(\.reason))")
                // The synchronizer's book is the reference book, and a from-scratch computation agrees too.
                #expect(harness.sync.book.bids.bestFirst == reference.bids && harness.sync.book.asks.bestFirst == reference.asks)
                var scratch: [UInt8] = []
                #expect(BookChecksums.compute(algorithm, book: harness.sync.book, scratch: &scratch) == expected)
                checked.insert(expected)
            }
            // The sessions really varied (not one constant checksum), and the resyncs happened.
            #expect(checked.count > 1000)
            #expect(resyncs == 6)
        }
    }

    @Test("one cache follows the top of a deep book through inserts at the top and deletes that pull levels in")
    func topChurn() {
        var book = OrderBook()
        var reference = ReferenceBook()
        var cache = ChecksumTextCache()
        var random = BookSideKeyTests.Random(state: 77)
        for i in 0 ..< 100 {
            for isBid in [true, false] {
                let level = BookLevel(price: FixedDecimal(mantissa: isBid ? 5_000 - Int64(i) : 9_001 + Int64(i), scale: 1),
                                      size: FixedDecimal(mantissa: Int64(1 + i), scale: 2))
                book.apply(level, side: isBid ? .buy : .sell)
                reference.apply(level, isBid: isBid)
            }
        }
        var bestBid: Int64 = 5_000, bestAsk: Int64 = 9_001
        for step in 0 ..< 400 {
            for isBid in [true, false] {
                let level: BookLevel
                if random.below(2) == 0 {
                    // Delete the best: the 26th level enters the covered top.
                    let tick = isBid ? bestBid : bestAsk
                    level = BookLevel(price: FixedDecimal(mantissa: tick, scale: 1), size: .zero)
                    let side = isBid ? reference.bids : reference.asks
                    if side.count > 1, let next = side.dropFirst().first { if isBid { bestBid = next.price.mantissa } else { bestAsk = next.price.mantissa } }
                } else {
                    // Insert a new best one tick better: the 25th level leaves the covered top.
                    if isBid { bestBid += 1 } else { bestAsk -= 1 }
                    level = BookLevel(price: FixedDecimal(mantissa: isBid ? bestBid : bestAsk, scale: 1),
                                      size: FixedDecimal(mantissa: Int64(1 + random.below(999)), scale: 3))
                }
                book.apply(level, side: isBid ? .buy : .sell)
                reference.apply(level, isBid: isBid)
            }
            #expect(bestBid < bestAsk)
            #expect(BookChecksums.compute(.okxTop25Interleaved, book: book, cache: &cache)
                == reference.checksum(.okxTop25Interleaved), "step \(step)")
        }
    }
}
