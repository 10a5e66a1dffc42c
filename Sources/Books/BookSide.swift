import MarketModel

/// One side of an L2 book: price levels kept sorted in a contiguous array.
///
/// The array is ordered **worst → best** (bids ascending, asks descending) so the best level is
/// the last element: most venue updates touch the top of the book, and inserting or removing
/// near the end of an array moves only the few levels behind it. Lookups are a binary search
/// (≤ 13 comparisons at 5000 levels); comparisons are integer compares when scales match.
public struct BookSide: Sendable {
    /// `true` for the bid side (higher is better), `false` for asks (lower is better).
    public let isBid: Bool
    /// Levels ordered worst → best.
    @usableFromInline var levels: [BookLevel] = []

    /// An empty side.
    public init(isBid: Bool) {
        self.isBid = isBid
    }

    /// Number of levels.
    @inlinable public var count: Int { levels.count }

    /// `true` when the side has no level.
    @inlinable public var isEmpty: Bool { levels.isEmpty }

    /// The best level (highest bid / lowest ask).
    @inlinable public var best: BookLevel? { levels.last }

    /// The level at `rank` (0 = best). `rank` must be below ``count``.
    @inlinable
    public subscript(rank: Int) -> BookLevel { levels[levels.count - 1 - rank] }

    /// The best `n` levels, best first (no copy).
    @inlinable
    public func top(_ n: Int) -> ReversedCollection<ArraySlice<BookLevel>> {
        levels.suffix(Swift.max(0, n)).reversed()
    }

    /// The size resting at `price`, if any.
    public func size(at price: Price) -> Size? {
        let (found, index) = search(price)
        return found ? levels[index].size : nil
    }

    /// `true` when `a` is a better price than `b` on this side.
    @inlinable @inline(__always)
    func isBetter(_ a: Price, than b: Price) -> Bool {
        isBid ? b < a : a < b
    }

    /// Finds `price`: whether it is present and its index (or insertion index). Checks the best
    /// level first (the most common target), then binary-searches. (A linear probe of the top 8
    /// levels measured slower on Binance-like depth streams, whose updates spread over hundreds
    /// of levels.)
    @inlinable
    func search(_ price: Price) -> (found: Bool, index: Int) {
        var lo = 0
        var hi = levels.count
        if hi > 0 {
            let c = FixedDecimal.compare(levels[hi &- 1].price, price)
            if c == 0 { return (true, hi &- 1) }
            if isBid ? c < 0 : c > 0 { return (false, hi) }  // a new best level
        }
        while lo < hi {
            let mid = (lo &+ hi) >> 1
            let c = FixedDecimal.compare(levels[mid].price, price)
            if c == 0 { return (true, mid) }
            // levels[mid] better than price ⇒ price sits below mid.
            if isBid ? c > 0 : c < 0 { hi = mid } else { lo = mid &+ 1 }
        }
        return (false, lo)
    }

    /// Applies one absolute level: size 0 deletes, otherwise inserts or replaces (the stored price
    /// takes the new text, which checksums are computed from).
    @inlinable
    public mutating func apply(_ level: BookLevel) {
        let (found, index) = search(level.price)
        if level.size.isZero {
            if found { levels.remove(at: index) }
        } else if found {
            levels[index] = level
        } else {
            levels.insert(level, at: index)
        }
    }

    /// Replaces the whole side with `input` (venue order, any), ignoring zero sizes; for repeated
    /// prices the later entry wins.
    public mutating func replaceAll(with input: [BookLevel]) {
        levels.removeAll(keepingCapacity: true)
        levels.reserveCapacity(input.count)
        // Venues send snapshots best first: reversing gives our order without sorting.
        var sortedBestFirst = true
        var previous: Price?
        for level in input where !level.size.isZero {
            if let p = previous, !isBetter(p, than: level.price) { sortedBestFirst = false }
            previous = level.price
            levels.append(level)
        }
        if sortedBestFirst {
            levels.reverse()
            return
        }
        // General case: stable order by (price, arrival), keep the last of equal prices.
        let indexed = levels.enumerated().sorted { a, b in
            let c = FixedDecimal.compare(a.element.price, b.element.price)
            if c != 0 { return isBid ? c < 0 : c > 0 }
            return a.offset < b.offset
        }
        levels.removeAll(keepingCapacity: true)
        for (_, level) in indexed {
            if let last = levels.last, last.price == level.price {
                levels[levels.count - 1] = level
            } else {
                levels.append(level)
            }
        }
    }

    /// Removes every level.
    public mutating func removeAll() {
        levels.removeAll(keepingCapacity: true)
    }

    /// Keeps only the best `depth` levels, appending the removed levels' prices with size 0 to
    /// `removed` (so a published delta tells subscribers to drop them too).
    public mutating func truncate(toDepth depth: Int, removed: inout [BookLevel]) {
        let excess = levels.count - Swift.max(0, depth)
        guard excess > 0 else { return }
        for level in levels[0 ..< excess] {
            removed.append(BookLevel(price: level.price, size: .zero))
        }
        levels.removeFirst(excess)
    }

    /// All levels, best first (copies; for snapshots and tests).
    public var bestFirst: [BookLevel] { Array(levels.reversed()) }
}
