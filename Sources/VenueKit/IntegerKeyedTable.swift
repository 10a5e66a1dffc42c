/// A hash table from `Int64` keys to values for per-message hot paths: open addressing with
/// linear probing on a power-of-two array of plain slots.
///
/// Why not `[Int64: Value]`: `Dictionary` hashes every key with the per-process seeded SipHash
/// (~90 instructions) and its generic lookups are out-of-line calls; a multiplicative (Fibonacci)
/// hash and one or two probes in a table kept at most half full cost a few instructions. Meant for
/// keys a venue's matching engine assigns (BitMEX `orderBookL2` row ids), not keys an adversary
/// picks: there is no seeding, so chosen colliding keys would make probe runs long.
///
/// Deletion shifts the following slots of the run back (no tombstones), so a long session of
/// inserts and deletes never degrades lookups.
public struct IntegerKeyedTable<Value> {
    /// One slot: a key and its value, or unused (`value == nil`).
    @usableFromInline
    struct Slot {
        @usableFromInline var key: Int64
        @usableFromInline var value: Value?

        @inlinable init(key: Int64, value: Value?) {
            self.key = key
            self.value = value
        }
    }

    /// The slots; the count is a power of two.
    @usableFromInline var slots: [Slot]
    /// `64 − log2(slots.count)`: the hash's top bits index the table.
    @usableFromInline var shift: UInt64
    /// Keys held (set only by the table; internal so the inlinable mutators can update it).
    @usableFromInline var storedCount = 0

    /// Keys held.
    @inlinable public var count: Int { storedCount }

    /// An empty table with room for `capacity` keys before it grows.
    @inlinable
    public init(capacity: Int = 32) {
        var size = 16
        while size < capacity &* 2 { size &*= 2 }
        slots = Array(repeating: Slot(key: 0, value: nil), count: size)
        shift = UInt64(64 &- size.trailingZeroBitCount)
    }

    /// Slots in the table (the table grows to stay at most half full).
    public var slotCount: Int { slots.count }

    /// The slot where the probe for `key` starts.
    @inlinable @inline(__always)
    func home(_ key: Int64) -> Int {
        Int(truncatingIfNeeded: (UInt64(bitPattern: key) &* 0x9E37_79B9_7F4A_7C15) &>> shift)
    }

    /// The slot holding `key`, if any (for ``value(at:)`` and ``setValue(_:at:)``).
    @inlinable @inline(__always)
    public func index(of key: Int64) -> Int? {
        let mask = slots.count &- 1
        var i = home(key)
        while slots[i].value != nil {
            if slots[i].key == key { return i }
            i = (i &+ 1) & mask
        }
        return nil
    }

    /// The value in slot `index` (from ``index(of:)``).
    @inlinable @inline(__always)
    public func value(at index: Int) -> Value { slots[index].value! }

    /// Replaces the value in slot `index` (from ``index(of:)``), keeping its key.
    @inlinable @inline(__always)
    public mutating func setValue(_ value: Value, at index: Int) { slots[index].value = value }

    /// Sets `key`'s value and returns the value it replaced, like `Dictionary.updateValue`.
    @inlinable
    @discardableResult
    public mutating func updateValue(_ value: Value, forKey key: Int64) -> Value? {
        if let i = index(of: key) {
            let old = slots[i].value
            slots[i].value = value
            return old
        }
        if (count &+ 1) &* 2 > slots.count { grow() }
        let mask = slots.count &- 1
        var i = home(key)
        while slots[i].value != nil { i = (i &+ 1) & mask }
        slots[i] = Slot(key: key, value: value)
        storedCount &+= 1
        return nil
    }

    /// Removes `key` and returns its value, like `Dictionary.removeValue(forKey:)`.
    @inlinable
    @discardableResult
    public mutating func removeValue(forKey key: Int64) -> Value? {
        guard var hole = index(of: key) else { return nil }
        let old = slots[hole].value
        // Backward-shift deletion: a later slot of the run whose home is not cyclically within
        // (hole, itself] would be unreachable past an empty slot, so it moves into the hole,
        // which moves on to where it was.
        let mask = slots.count &- 1
        var j = hole
        while true {
            j = (j &+ 1) & mask
            guard slots[j].value != nil else { break }
            let h = home(slots[j].key)
            let reachable = hole <= j ? (hole < h && h <= j) : (hole < h || h <= j)
            if !reachable {
                slots[hole] = slots[j]
                hole = j
            }
        }
        slots[hole].value = nil
        storedCount &-= 1
        return old
    }

    /// Forgets every key; `capacity` sizes the table for the keys about to fill it.
    @inlinable
    public mutating func removeAll(capacity: Int) {
        if capacity &* 2 > slots.count {
            self = IntegerKeyedTable(capacity: capacity)
        } else {
            for i in slots.indices { slots[i].value = nil }
            storedCount = 0
        }
    }

    /// Doubles the table and re-inserts every key (at most half full after).
    @usableFromInline
    mutating func grow() {
        let old = slots
        slots = Array(repeating: Slot(key: 0, value: nil), count: old.count &* 2)
        shift &-= 1
        let mask = slots.count &- 1
        for slot in old where slot.value != nil {
            var i = home(slot.key)
            while slots[i].value != nil { i = (i &+ 1) & mask }
            slots[i] = slot
        }
    }
}

extension IntegerKeyedTable: Sendable where Value: Sendable {}
extension IntegerKeyedTable.Slot: Sendable where Value: Sendable {}
