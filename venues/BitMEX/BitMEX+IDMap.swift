import MarketModel
import VenueKit

extension BitMEX {
    /// One symbol's `orderBookL2` id → level table, keyed by the row `id` (an integer in every
    /// BitMEX L2 schema, BMX-ID), in VenueKit's `IntegerKeyedTable` (no per-row SipHash).
    struct LevelIDMap {
        /// id → side and price.
        var levels = IntegerKeyedTable<Level>()
        /// Whether the table is the symbol's book (between its partial and a divergence); deltas
        /// for a book that is not live are ignored (BMX-AC: nothing before the partial).
        var isLive = false
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
            maps[slot].levels.removeAll(capacity: 0)
            maps[slot].isLive = false
        }
    }
}
