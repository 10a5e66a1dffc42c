import Testing
import MarketModel
@testable import Books

/// `BookSide`'s integer keys (prices at one common scale, negated for asks) against a plain
/// reference model: random inserts, replaces and deletes with mixed scales, trailing-zero
/// spellings of existing prices, scale raises that rescale every key, and prices that do not
/// fit a key (the side then falls back to numeric compares).
@Suite("BookSide keys")
struct BookSideKeyTests {
    /// Deterministic test data (MarketModel's SplitMix64).
    struct Random {
        var generator: SplitMix64
        init(state: UInt64) { generator = SplitMix64(seed: state) }
        mutating func below(_ n: Int) -> Int { Int(generator.next() % UInt64(n)) }
    }

    /// Applies one level to the reference model the side is checked against.
    static func apply(_ p: FixedDecimal, _ size: FixedDecimal, to model: inout [(price: FixedDecimal, size: FixedDecimal)]) {
        if let i = model.firstIndex(where: { $0.price == p }) {
            if size.isZero { model.remove(at: i) } else { model[i] = (p, size) }
        } else if !size.isZero {
            model.append((p, size))
        }
    }

    /// A price on a 0.1 grid written with 0…3 fraction digits (trailing zeros where needed), so
    /// the same price arrives with different scales.
    static func price(tick: Int64, scale: UInt8) -> FixedDecimal {
        // tick is in units of 0.1; scale 0 is only exact for multiples of 10 ticks.
        let s = tick % 10 == 0 ? scale : Swift.max(1, scale)
        return FixedDecimal(mantissa: tick * FixedDecimal.powerOfTen(s) / 10, scale: s)
    }

    /// Checks `side` against `model` (price → size; best first order by numeric price).
    static func check(_ side: BookSide, _ model: [(price: FixedDecimal, size: FixedDecimal)], isBid: Bool) {
        let expected = model.sorted { isBid ? $1.price < $0.price : $0.price < $1.price }
        let actual = side.bestFirst
        #expect(actual.count == expected.count)
        for (a, e) in zip(actual, expected) {
            #expect(a.price.mantissa == e.price.mantissa && a.price.scale == e.price.scale && a.size == e.size)
        }
        if side.isKeyed {
            #expect(side.keys.count == side.levels.count)
            for (k, level) in zip(side.keys, side.levels) {
                let m = level.price.mantissa(atScale: side.keyScale)
                #expect(m.map { isBid ? $0 : -$0 } == k)
            }
            #expect(zip(side.keys, side.keys.dropFirst()).allSatisfy { $0 < $1 })
        }
        for e in expected { #expect(side.size(at: e.price) == e.size) }
    }

    @Test("random deltas with mixed scales match a reference model, both sides", arguments: [true, false])
    func randomDeltas(isBid: Bool) {
        var random = Random(state: isBid ? 1 : 2)
        var side = BookSide(isBid: isBid)
        var model: [(price: FixedDecimal, size: FixedDecimal)] = []
        for step in 0 ..< 3000 {
            // Scales grow over time (0…1 first, up to 3 later): exercises the key rescaling.
            let maxScale = UInt8(step < 1000 ? 1 : 3)
            let p = Self.price(tick: Int64(870_000 + random.below(60)), scale: UInt8(random.below(Int(maxScale) + 1)))
            let size = random.below(4) == 0 ? FixedDecimal.zero : FixedDecimal(mantissa: Int64(1 + random.below(999)), scale: 3)
            side.apply(BookLevel(price: p, size: size))
            Self.apply(p, size, to: &model)
            if step % 97 == 0 { Self.check(side, model, isBid: isBid) }
        }
        Self.check(side, model, isBid: isBid)
        #expect(side.isKeyed && side.keyScale == 3)
    }

    @Test("large sides (past the 64-level top window): lookups and updates anywhere", arguments: [true, false])
    func largeSide(isBid: Bool) {
        var random = Random(state: isBid ? 3 : 4)
        var side = BookSide(isBid: isBid)
        var model: [(price: FixedDecimal, size: FixedDecimal)] = []
        // A 400-tick snapshot with gaps, then deltas at any depth, near the top and past both ends.
        var snapshot: [BookLevel] = []
        for tick in stride(from: Int64(10_000), to: 10_800, by: 2) {
            let level = BookLevel(price: Self.price(tick: tick, scale: UInt8(random.below(3))),
                                  size: FixedDecimal(mantissa: tick, scale: 2))
            snapshot.append(level)
            model.append((level.price, level.size))
        }
        side.replaceAll(with: isBid ? snapshot.reversed() : snapshot)
        Self.check(side, model, isBid: isBid)
        for step in 0 ..< 4000 {
            let tick = Int64(9_990 + random.below(830))
            let p = Self.price(tick: tick, scale: UInt8(random.below(3)))
            let size = random.below(3) == 0 ? FixedDecimal.zero : FixedDecimal(mantissa: Int64(1 + random.below(99)), scale: 1)
            side.apply(BookLevel(price: p, size: size))
            Self.apply(p, size, to: &model)
            if step % 499 == 0 { Self.check(side, model, isBid: isBid) }
        }
        #expect(side.count > 100)
        Self.check(side, model, isBid: isBid)
        // Every tick in and around the range: present ones found, absent ones not.
        for tick in Int64(9_980) ..< 10_830 {
            let p = Self.price(tick: tick, scale: 2)
            #expect(side.size(at: p) == model.first(where: { $0.price == p })?.size)
        }
    }

    @Test("a price that does not fit a key drops the keys; results stay exact", arguments: [true, false])
    func overflowFallback(isBid: Bool) {
        var side = BookSide(isBid: isBid)
        var model: [(price: FixedDecimal, size: FixedDecimal)] = []
        func apply(_ p: FixedDecimal, _ s: FixedDecimal) {
            side.apply(BookLevel(price: p, size: s))
            Self.apply(p, s, to: &model)
        }
        let one = FixedDecimal(mantissa: 1, scale: 0)
        apply(FixedDecimal(mantissa: Int64.max / 100, scale: 0), one)  // fits at scale 0
        apply(FixedDecimal(mantissa: 5, scale: 1), one)                // rescale by 10 still fits (< 2^62)
        #expect(side.isKeyed && side.keyScale == 1)
        apply(FixedDecimal(mantissa: 25, scale: 2), one)               // rescale would pass 2^62
        #expect(!side.isKeyed)
        apply(FixedDecimal(mantissa: 7, scale: 0), one)
        apply(FixedDecimal(mantissa: 50, scale: 2), FixedDecimal.zero) // deletes 0.5 (other spelling)
        Self.check(side, model, isBid: isBid)
        side.replaceAll(with: model.map { BookLevel(price: $0.price, size: $0.size) })
        #expect(!side.isKeyed)  // the huge price is still there
        Self.check(side, model, isBid: isBid)
        side.removeAll()
        model.removeAll()
        #expect(side.isKeyed && side.keyScale == 0)
        apply(FixedDecimal(mantissa: 11, scale: 1), one)
        apply(FixedDecimal(mantissa: 1, scale: 0), one)
        // A low-scale insert that overflows at the key scale (scale 1: 10 × huge).
        apply(FixedDecimal(mantissa: Int64.max / 2, scale: 0), one)
        #expect(!side.isKeyed)
        Self.check(side, model, isBid: isBid)
    }

    @Test("keys stay below 2^62 in magnitude (the search subtracts two keys)", arguments: [true, false])
    func keyBound(isBid: Bool) {
        var side = BookSide(isBid: isBid)
        let one = FixedDecimal(mantissa: 1, scale: 0)
        side.apply(BookLevel(price: FixedDecimal(mantissa: (1 << 62) - 1, scale: 0), size: one))
        side.apply(BookLevel(price: FixedDecimal(mantissa: -((1 << 62) - 1), scale: 0), size: one))
        #expect(side.isKeyed)
        side.apply(BookLevel(price: FixedDecimal(mantissa: 1 << 62, scale: 0), size: one))
        #expect(!side.isKeyed)
        let prices: [Int64] = side.bestFirst.map(\.price.mantissa)
        let top: Int64 = 1 << 62
        let descending: [Int64] = [top, top - 1, 1 - top]
        #expect(prices == (isBid ? descending : descending.reversed()))
    }

    @Test("deleting with a longer spelling of a stored price, and truncation, keep keys aligned")
    func spellingsAndTruncation() {
        var side = BookSide(isBid: false)
        for (m, s) in [(1005, 1), (101, 0), (1015, 1), (102, 0)] as [(Int64, UInt8)] {
            side.apply(BookLevel(price: FixedDecimal(mantissa: m, scale: s), size: FixedDecimal(mantissa: 1, scale: 0)))
        }
        side.apply(BookLevel(price: FixedDecimal(mantissa: 10100, scale: 2), size: .zero))  // "101.00" deletes "101"
        #expect(side.bestFirst.map(\.price.description) == ["100.5", "101.5", "102"])
        var removed: [BookLevel] = []
        side.truncate(toDepth: 2, removed: &removed)
        #expect(removed.map(\.price.description) == ["102"])
        #expect(side.keys == [-1015, -1005])
        #expect(side.size(at: FixedDecimal(mantissa: 1005, scale: 1)) == FixedDecimal(mantissa: 1, scale: 0))
        #expect(side.size(at: FixedDecimal(mantissa: 10050, scale: 2)) == FixedDecimal(mantissa: 1, scale: 0))
        #expect(side.size(at: FixedDecimal(mantissa: 10051, scale: 2)) == nil)
    }
}
