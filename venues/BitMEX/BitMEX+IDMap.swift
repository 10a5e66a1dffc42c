import MarketModel

extension BitMEX {
    /// One symbol's `orderBookL2` id → level table: open addressing with linear probing on a
    /// power-of-two array of plain entries, keyed by the row `id` (an integer in every BitMEX L2
    /// schema, BMX-ID).
    ///
    /// Why not `[Int64: Level]`: `Dictionary` hashes every key with the per-process seeded SipHash
    /// (~90 instructions per row, 20 rows per update) and its generic lookups are out-of-line
    /// calls. A multiplicative (Fibonacci) hash of the id and one or two probes in a half-full
    /// table cost a few instructions. The ids come from the venue's matching engine (sequential
    /// per price before 2023, arbitrary since), not from a party choosing collisions; the table
    /// stays at most half full, so probe runs stay short either way.
    ///
    /// Deletion shifts the following entries of the run back (no tombstones), so a long session of
    /// inserts and deletes never degrades lookups.
    struct LevelIDMap {
        /// One slot of the table: an id and its level, or unused.
        struct Entry {
            /// The row id (meaningful only when ``isUsed``).
            var id: Int64
            /// The level's price.
            var price: Price
            /// The level's side.
            var isBid: Bool
            /// Whether the slot holds an id.
            var isUsed: Bool

            /// An unused slot.
            static let unused = Entry(id: 0, price: .zero, isBid: false, isUsed: false)
        }

        /// The slots; the count is a power of two.
        private(set) var entries: [Entry]
        /// Ids held.
        private(set) var count = 0
        /// `64 − log2(entries.count)`: the hash's top bits index the table.
        private var shift: UInt64
        /// Whether the table is the symbol's book (between its partial and a divergence); deltas
        /// for a book that is not live are ignored (BMX-AC: nothing before the partial).
        var isLive = false

        /// An empty table with room for `capacity` ids before it grows.
        init(capacity: Int = 32) {
            var size = 16
            while size < capacity * 2 { size *= 2 }
            entries = Array(repeating: .unused, count: size)
            shift = UInt64(64 - size.trailingZeroBitCount)
        }

        /// The slot where the probe for `id` starts.
        @inline(__always)
        func home(_ id: Int64) -> Int {
            Int(truncatingIfNeeded: (UInt64(bitPattern: id) &* 0x9E37_79B9_7F4A_7C15) &>> shift)
        }

        /// The slot holding `id`, if any.
        @inline(__always)
        func index(of id: Int64) -> Int? {
            let mask = entries.count &- 1
            var i = home(id)
            while entries[i].isUsed {
                if entries[i].id == id { return i }
                i = (i &+ 1) & mask
            }
            return nil
        }

        /// The level in slot `index` (from ``index(of:)``).
        @inline(__always)
        func level(at index: Int) -> Level { Level(isBid: entries[index].isBid, price: entries[index].price) }

        /// Moves the level in slot `index` to `price` (an update that changed the level's price).
        @inline(__always)
        mutating func setPrice(_ price: Price, at index: Int) { entries[index].price = price }

        /// Sets `id`'s level and returns the level it replaced, like `Dictionary.updateValue`.
        mutating func updateValue(_ level: Level, forKey id: Int64) -> Level? {
            if let i = index(of: id) {
                let old = self.level(at: i)
                entries[i].price = level.price
                entries[i].isBid = level.isBid
                return old
            }
            if (count &+ 1) &* 2 > entries.count { grow() }
            let mask = entries.count &- 1
            var i = home(id)
            while entries[i].isUsed { i = (i &+ 1) & mask }
            entries[i] = Entry(id: id, price: level.price, isBid: level.isBid, isUsed: true)
            count &+= 1
            return nil
        }

        /// Removes `id` and returns its level, like `Dictionary.removeValue(forKey:)`.
        mutating func removeValue(forKey id: Int64) -> Level? {
            guard var hole = index(of: id) else { return nil }
            let old = level(at: hole)
            // Backward-shift deletion: every later entry of the run whose home is not between the
            // hole and itself (cyclically) would be unreachable past an empty slot, so it moves
            // into the hole, which moves on to where it was.
            let mask = entries.count &- 1
            var j = hole
            while true {
                j = (j &+ 1) & mask
                guard entries[j].isUsed else { break }
                let h = home(entries[j].id)
                let reachable = hole <= j ? (hole < h && h <= j) : (hole < h || h <= j)
                if !reachable {
                    entries[hole] = entries[j]
                    hole = j
                }
            }
            entries[hole] = .unused
            count &-= 1
            return old
        }

        /// Forgets every id; `capacity` sizes the table for the partial about to fill it.
        mutating func removeAll(capacity: Int) {
            if capacity * 2 > entries.count {
                self = LevelIDMap(capacity: capacity)
            } else {
                for i in entries.indices { entries[i] = .unused }
                count = 0
            }
        }

        /// Doubles the table and re-inserts every id (at most half full after).
        mutating func grow() {
            let old = entries
            entries = Array(repeating: .unused, count: old.count * 2)
            shift -= 1
            let mask = entries.count &- 1
            for e in old where e.isUsed {
                var i = home(e.id)
                while entries[i].isUsed { i = (i &+ 1) & mask }
                entries[i] = e
            }
        }
    }

    /// The id maps of all symbols, one slot per symbol seen, with the last symbol's slot
    /// remembered: an update message (one symbol, the usual case) finds its map with one `Symbol`
    /// comparison and mutates it in place, no hashing and no copy of the table.
    struct IDMaps {
        /// Slot of each symbol seen.
        var slots: [Symbol: Int] = [:]
        /// The symbol of each slot.
        var symbols: [Symbol] = []
        /// The tables, by slot.
        var maps: [LevelIDMap] = []
        /// The slot found last (`-1` before any).
        var lastSlot = -1

        /// `symbol`'s slot, created (not live) on first use.
        mutating func slot(for symbol: Symbol) -> Int {
            if lastSlot >= 0, symbols[lastSlot] == symbol { return lastSlot }
            let slot: Int
            if let known = slots[symbol] {
                slot = known
            } else {
                slot = maps.count
                slots[symbol] = slot
                symbols.append(symbol)
                maps.append(LevelIDMap())
            }
            lastSlot = slot
            return slot
        }

        /// Forgets `symbol`'s ids (divergence, unsubscribe): deltas are ignored until a partial.
        mutating func forget(_ symbol: Symbol) {
            guard let slot = slots[symbol] else { return }
            maps[slot].removeAll(capacity: 0)
            maps[slot].isLive = false
        }
    }
}
