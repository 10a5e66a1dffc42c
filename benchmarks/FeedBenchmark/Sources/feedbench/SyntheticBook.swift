import Books
import MarketModel
import VenueKit

/// How one venue writes a symbol's numbers.
struct NumberFormat {
    /// Digits after the point in the venue's price text.
    var priceScale: UInt8
    /// One tick as a mantissa at `priceScale` (Binance spot BTCUSDT: 0.01 at scale 8 = 1_000_000).
    var tick: Int64
    /// Digits after the point in the venue's size text.
    var sizeScale: UInt8
    /// Size mantissas (at `sizeScale`) are drawn from this range...
    var sizes: ClosedRange<Int64>
    /// ...in multiples of this (Deribit: 10 USD = 100 at scale 1).
    var sizeStep: Int64 = 1
    /// Drop trailing fractional zeros, as venues that send JSON numbers or trimmed strings do.
    var isTrimmed = false
}

/// A generated L2 book that evolves like a real one near the top: every delta rewrites the sizes
/// of a few levels among the best `window`, and about half of them also delete one level and
/// insert another at an empty tick inside the book, so depth stays constant (fixed-depth venues
/// never see the book grow past what they maintain). Prices sit on a tick grid around a fixed mid,
/// bids below and asks above, so the book never crosses.
///
/// The same changes are applied to ``shadow`` (a `Books.OrderBook`), which yields the checksums a
/// venue would send and the book the benchmark checks against after a run.
struct SyntheticBook {
    struct Level {
        var distance: Int64  // ticks from the mid; 1 = the best possible
        var size: FixedDecimal
        var id: Int64        // BitMEX row id
        var orders: Int      // Bitfinex COUNT / OKX number of orders
    }

    /// One level a delta sets (size 0 = delete), in the venue's price text.
    struct Change {
        var isBid: Bool
        var price: FixedDecimal
        var size: FixedDecimal
        var id: Int64
        var orders: Int
        var kind: Kind
        enum Kind { case insert, modify, delete }
    }

    let format: NumberFormat
    let midTicks: Int64
    private(set) var bids: [Level] = []   // best first
    private(set) var asks: [Level] = []
    private(set) var shadow = OrderBook()
    private var rng: SplitMix64

    /// A book of `depth` levels per side around `mid` (in ticks), about 70 % of ticks occupied.
    init(depth: Int, mid: Int64, format: NumberFormat, seed: UInt64) {
        self.format = format
        self.midTicks = mid
        self.rng = SplitMix64(seed: seed)
        for isBid in [true, false] {
            var levels: [Level] = []
            var distance: Int64 = 0
            while levels.count < depth {
                distance += 1
                if distance > 1 && rng.chance(30) { continue }
                levels.append(Level(distance: distance, size: randomSize(), id: nextID(), orders: 1 + rng.below(8)))
            }
            if isBid { bids = levels } else { asks = levels }
        }
        shadow.apply(snapshotUpdate())
    }

    func price(_ distance: Int64, isBid: Bool) -> FixedDecimal {
        let ticks = isBid ? midTicks - distance : midTicks + distance
        let p = FixedDecimal(mantissa: ticks * format.tick, scale: format.priceScale)
        return format.isTrimmed ? p.normalized : p
    }

    mutating func randomSize() -> FixedDecimal {
        let steps = rng.value(in: (format.sizes.lowerBound / format.sizeStep) ... (format.sizes.upperBound / format.sizeStep))
        let s = FixedDecimal(mantissa: max(1, steps) * format.sizeStep, scale: format.sizeScale)
        return format.isTrimmed ? s.normalized : s
    }

    mutating func nextID() -> Int64 { 8_700_000_000 + rng.value(in: 0 ... 99_999_999) }

    /// Both sides, best first, as `(isBid, level, price)`.
    func levels(isBid: Bool) -> [(level: Level, price: FixedDecimal)] {
        (isBid ? bids : asks).map { ($0, price($0.distance, isBid: isBid)) }
    }

    /// The whole book as a snapshot `BookUpdate` (best first).
    func snapshotUpdate() -> BookUpdate {
        let b = levels(isBid: true).map { BookLevel(price: $0.price, size: $0.level.size) }
        let a = levels(isBid: false).map { BookLevel(price: $0.price, size: $0.level.size) }
        return BookUpdate(venue: "bench", symbol: Symbol(unchecked: "BTC-USD", kind: .spot), isSnapshot: true,
                          bids: b, asks: a, tsExchange: nil, tsRecv: 0)
    }

    /// The next delta: `perSide` levels on each side (bids best first, then asks best first),
    /// modifications among the best `window` levels; with `insertDelete` about half the deltas
    /// per side also delete one level and insert one at an empty tick.
    mutating func nextDelta(perSide: Int, window: Int, insertDelete: Bool = true) -> [Change] {
        var changes: [Change] = []
        for isBid in [true, false] {
            var side = isBid ? bids : asks
            var sideChanges: [(distance: Int64, change: Change)] = []
            var fixed: Set<Int64> = []  // distances already in this message
            if insertDelete, side.count > 2, rng.chance(50) {
                let top = min(window, side.count) - 1
                // An empty tick better than the current window's worst level.
                var target: Int64?
                for _ in 0 ..< 16 {
                    let d = rng.value(in: 1 ... side[top].distance)
                    if !side.contains(where: { $0.distance == d }) { target = d; break }
                }
                if let d = target {
                    let victim = rng.below(top + 1)
                    let old = side.remove(at: victim)
                    sideChanges.append((old.distance, Change(isBid: isBid, price: price(old.distance, isBid: isBid), size: .zero,
                                                            id: old.id, orders: 0, kind: .delete)))
                    let level = Level(distance: d, size: randomSize(), id: nextID(), orders: 1 + rng.below(8))
                    side.insert(level, at: side.firstIndex { $0.distance > d } ?? side.count)
                    sideChanges.append((d, Change(isBid: isBid, price: price(d, isBid: isBid), size: level.size, id: level.id,
                                                  orders: level.orders, kind: .insert)))
                    fixed = [old.distance, d]
                }
            }
            let w = min(window, side.count)
            var candidates = (0 ..< w).filter { !fixed.contains(side[$0].distance) }
            while sideChanges.count < perSide, !candidates.isEmpty {
                let i = candidates.remove(at: rng.below(candidates.count))
                side[i].size = randomSize()
                side[i].orders = 1 + rng.below(8)
                sideChanges.append((side[i].distance, Change(isBid: isBid, price: price(side[i].distance, isBid: isBid),
                                                             size: side[i].size, id: side[i].id, orders: side[i].orders, kind: .modify)))
            }
            sideChanges.sort { $0.distance < $1.distance }  // venues list levels best first
            changes += sideChanges.map(\.change)
            if isBid { bids = side } else { asks = side }
        }
        let delta = BookUpdate(venue: "bench", symbol: Symbol(unchecked: "BTC-USD", kind: .spot), isSnapshot: false,
                               bids: changes.filter(\.isBid).map { BookLevel(price: $0.price, size: $0.size) },
                               asks: changes.filter { !$0.isBid }.map { BookLevel(price: $0.price, size: $0.size) },
                               tsExchange: nil, tsRecv: 0)
        shadow.apply(delta)
        return changes
    }

    /// The venue checksum of the current book (what the venue would send after this delta).
    func checksum(_ algorithm: ChecksumAlgorithm) -> UInt32 {
        var scratch: [UInt8] = []
        return BookChecksums.compute(algorithm, book: shadow, scratch: &scratch)
    }
}
