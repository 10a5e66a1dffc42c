import MarketModel

/// One side of an L2 book: price levels kept sorted in a contiguous array.
///
/// The array is ordered **worst → best** (bids ascending, asks descending) so the best level is
/// the last element: most venue updates touch the top of the book, and inserting or removing
/// near the end of an array moves only the few levels behind it.
///
/// Lookups are a branch-free binary search over a parallel array of `Int64` **keys**: each
/// level's price scaled to one common scale (the largest seen on this side) and negated on the
/// ask side, so keys ascend on both sides and equal keys mean equal prices. Venues that trim
/// trailing zeros (OKX `87415` next to `87412.4`) would otherwise need a cross-scale compare
/// per probe, and a compare-and-branch search mispredicts about every other probe. Should a
/// price not fit at the common scale (|mantissa × 10^k| ≥ 2^62), the side drops the keys
/// and searches with ``FixedDecimal/compare(_:_:)`` until it is emptied or replaced.
public struct BookSide: Sendable {
    /// `true` for the bid side (higher is better), `false` for asks (lower is better).
    public let isBid: Bool
    /// Levels ordered worst → best.
    @usableFromInline var levels: [BookLevel] = []
    /// `keys[i]` is `levels[i].price` at ``keyScale`` (negated for asks), ascending; empty and
    /// unused while ``isKeyed`` is `false`.
    @usableFromInline var keys: [Int64] = []
    /// The common scale of ``keys``.
    @usableFromInline var keyScale: UInt8 = 0
    /// Whether ``keys`` is maintained (every price fit at ``keyScale``).
    @usableFromInline var isKeyed = true

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

    /// `price` at ``keyScale`` with this side's sign, or `nil` when it needs a larger scale or
    /// does not fit.
    @inlinable @inline(__always)
    func key(_ price: Price) -> Int64? {
        // Mantissas are never Int64.min, and 10^k × m never is either: negation cannot overflow.
        let m: Int64
        if price.scale == keyScale {
            m = price.mantissa
        } else {
            guard price.scale < keyScale, let scaled = price.mantissa(atScale: keyScale) else { return nil }
            m = scaled
        }
        guard BookSide.fitsKey(m) else { return nil }
        return isBid ? m : -m
    }

    /// Keys stay within ±2^62 so that the difference of two never overflows (the search takes
    /// its step from the difference's sign). Larger prices make the side compare numerically.
    @inlinable @inline(__always)
    static func fitsKey(_ k: Int64) -> Bool {
        k.magnitude < 1 << 62
    }

    /// Finds `price`: whether it is present and its index (or insertion index).
    @inlinable
    func search(_ price: Price) -> (found: Bool, index: Int) {
        // A price above the key scale (or one that does not fit) is compared numerically: it can
        // still equal a level when it has trailing zeros (`100.50` vs `100.5`).
        if isKeyed, let k = key(price) { return BookSide.lowerBound(k, in: keys) }
        return searchByCompare(price)
    }

    /// The first index whose key is ≥ `key` in ascending `keys`, and whether that key equals
    /// `key`. The loop has no data-dependent branch (the step is a conditional move).
    @inlinable @inline(__always)
    static func lowerBound(_ key: Int64, in keys: [Int64]) -> (found: Bool, index: Int) {
        keys.withUnsafeBufferPointer { k -> (found: Bool, index: Int) in
            guard let base = k.baseAddress, !k.isEmpty else { return (false, 0) }
            // The answer lies in [low, low + length]. Most updates touch the top of the book:
            // one compare first decides between the best 63 levels and the rest (6 probes
            // instead of 10 in a 1000-level book when it is the top).
            var low = 0
            var length = k.count
            let window = 64
            if length > window {
                let split = length &- window
                if base[split] < key { low = split &+ 1; length = window &- 1 } else { length = split }
            }
            while length > 1 {
                let half = length &>> 1
                // All-ones when the probe is below `key`: the sign of a difference that cannot
                // overflow (keys are within ±2^62). A `<` select was compiled to a branch, which
                // mispredicts on the last few probes of every search.
                let mask = (base[low &+ half &- 1] &- key) &>> 63
                low &+= half & Int(mask)
                length &-= half
            }
            // One element left at `low`: the answer is `low` or `low + 1`.
            let index = base[low] < key ? low &+ 1 : low
            return (index < k.count && base[index] == key, index)
        }
    }

    /// ``search(_:)`` by numeric compares (sides whose prices do not fit one key scale).
    @usableFromInline
    func searchByCompare(_ price: Price) -> (found: Bool, index: Int) {
        var lo = 0
        var hi = levels.count
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
        if isKeyed, level.price.scale > keyScale, !level.size.isZero { rescaleKeys(to: level.price.scale) }
        if isKeyed, let k = key(level.price) {
            let (found, index) = BookSide.lowerBound(k, in: keys)
            if level.size.isZero {
                if found { levels.remove(at: index); keys.remove(at: index) }
            } else if found {
                levels[index] = level
            } else {
                levels.insert(level, at: index)
                keys.insert(k, at: index)
            }
            return
        }
        if isKeyed, !level.size.isZero { dropKeys() }  // an insert whose price does not fit a key
        let (found, index) = searchByCompare(level.price)
        if level.size.isZero {
            if found {
                levels.remove(at: index)
                if isKeyed { keys.remove(at: index) }
            }
        } else if found {
            levels[index] = level
        } else {
            levels.insert(level, at: index)
        }
    }

    /// Raises ``keyScale`` to `scale`, rescaling every key; drops the keys if one overflows.
    @usableFromInline
    mutating func rescaleKeys(to scale: UInt8) {
        let factor = FixedDecimal.powerOfTen(scale &- keyScale)
        for i in keys.indices {
            let (k, overflow) = keys[i].multipliedReportingOverflow(by: factor)
            guard !overflow, BookSide.fitsKey(k) else { dropKeys(); return }
            keys[i] = k
        }
        keyScale = scale
    }

    /// Stops maintaining keys (a price does not fit); searches compare prices from now on.
    @usableFromInline
    mutating func dropKeys() {
        isKeyed = false
        keys = []
    }

    /// Rebuilds ``keys`` from ``levels`` at their largest scale (after a replace or truncation).
    mutating func rebuildKeys() {
        isKeyed = true
        keyScale = levels.reduce(0) { Swift.max($0, $1.price.scale) }
        keys.removeAll(keepingCapacity: true)
        keys.reserveCapacity(levels.count)
        for level in levels {
            guard let k = key(level.price) else { dropKeys(); return }
            keys.append(k)
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
            rebuildKeys()
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
        rebuildKeys()
    }

    /// Removes every level.
    public mutating func removeAll() {
        levels.removeAll(keepingCapacity: true)
        rebuildKeys()
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
        if isKeyed { keys.removeFirst(excess) }
    }

    /// All levels, best first (copies; for snapshots and tests).
    public var bestFirst: [BookLevel] { Array(levels.reversed()) }
}
