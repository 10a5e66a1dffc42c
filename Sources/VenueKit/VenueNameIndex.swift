import MarketModel

/// Venue names → normalized symbols, found straight from a name's raw bytes: one word-at-a-time
/// hash, an open-addressing probe and one byte compare, with no `String` made and nothing
/// allocated. This is the lookup of every message whose symbol differs from the previous one on
/// its connection — on a connection carrying many symbols, most of them. (The `[String: Symbol]`
/// dictionary it replaces made a `String` from the bytes, hashed it with SipHash and, to remember
/// the hit, copied the name into a new array: several hundred instructions and an allocation per
/// change of symbol.)
struct VenueNameIndex: Sendable {
    /// One name: where its bytes are in ``arena``, and its symbol.
    private struct Entry: Sendable {
        var start: Int
        var count: Int
        var symbol: Symbol
    }

    /// All names' bytes, one after another.
    private var arena: [UInt8] = []
    private var entries: [Entry] = []
    /// Open addressing, linear probing; a power-of-two count kept at least twice the entries.
    /// Each slot holds an entry's index plus one (0 = empty) and, in the high half, the hash's top
    /// 32 bits, so most probes that miss are decided without touching the arena.
    private var slots: [UInt64] = Array(repeating: 0, count: 16)

    /// The number of names.
    var count: Int { entries.count }

    /// Adds `name` → `symbol`, or points an existing `name` at `symbol`.
    mutating func insert(_ name: String, _ symbol: Symbol) {
        var name = name
        name.withUTF8 { utf8 in
            let bytes = UnsafeRawBufferPointer(utf8)
            if let existing = entryIndex(bytes) {
                entries[existing].symbol = symbol
                return
            }
            entries.append(Entry(start: arena.count, count: bytes.count, symbol: symbol))
            arena.append(contentsOf: bytes)
            if entries.count &* 2 > slots.count {
                rebuild(slotCount: slots.count &* 2)
            } else {
                place(entries.count &- 1, hash: Self.hash(bytes))
            }
        }
    }

    /// The symbol of the name whose raw bytes are `bytes`.
    @inline(__always)
    func find(_ bytes: UnsafeRawBufferPointer) -> Symbol? {
        entryIndex(bytes).map { entries[$0].symbol }
    }

    /// The symbol of the name `name` (its UTF-8 bytes).
    func find(_ name: String) -> Symbol? {
        var name = name
        return name.withUTF8 { find(UnsafeRawBufferPointer($0)) }
    }

    /// The index in ``entries`` of the name `bytes`.
    private func entryIndex(_ bytes: UnsafeRawBufferPointer) -> Int? {
        let hash = Self.hash(bytes), tag = hash & 0xFFFF_FFFF_0000_0000, mask = slots.count &- 1
        var i = Int(truncatingIfNeeded: hash) & mask
        while true {
            let slot = slots[i]
            if slot == 0 { return nil }
            if slot & 0xFFFF_FFFF_0000_0000 == tag {
                let e = Int(truncatingIfNeeded: slot & 0xFFFF_FFFF) &- 1
                if entries[e].count == bytes.count, matches(entries[e], bytes) { return e }
            }
            i = (i &+ 1) & mask
        }
    }

    /// Whether `entry`'s bytes are `bytes` (same count checked by the caller).
    private func matches(_ entry: Entry, _ bytes: UnsafeRawBufferPointer) -> Bool {
        guard entry.count > 0 else { return true }
        return arena.withUnsafeBufferPointer { arena in
            JSONString.rawEqual(bytes, arena.baseAddress.unsafelyUnwrapped + entry.start, entry.count)
        }
    }

    /// Puts entry `e` into the first free slot of its probe sequence.
    private mutating func place(_ e: Int, hash: UInt64) {
        let mask = slots.count &- 1
        var i = Int(truncatingIfNeeded: hash) & mask
        while slots[i] != 0 { i = (i &+ 1) & mask }
        slots[i] = (hash & 0xFFFF_FFFF_0000_0000) | UInt64(e &+ 1)
    }

    /// Re-places every entry into `slotCount` slots.
    private mutating func rebuild(slotCount: Int) {
        slots = Array(repeating: 0, count: slotCount)
        for e in entries.indices {
            let hash = arena.withUnsafeBytes { Self.hash(UnsafeRawBufferPointer(rebasing: $0[entries[e].start ..< entries[e].start + entries[e].count])) }
            place(e, hash: hash)
        }
    }

    /// A multiply–xorshift hash of `bytes`, a word at a time (the last word overlapping the one
    /// before it; names under 8 bytes are gathered into one word). Not for untrusted keys: the
    /// names come from our own subscriptions, and a probe that finds nothing stops at the first
    /// empty slot.
    @inline(__always)
    static func hash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        let n = bytes.count
        var h = UInt64(truncatingIfNeeded: n) &* 0x9E37_79B9_7F4A_7C15
        guard n > 0, let p = bytes.baseAddress else { return mix(h) }
        if n < 8 {
            var w: UInt64 = 0
            for i in 0 ..< n { w |= UInt64(p.load(fromByteOffset: i, as: UInt8.self)) &<< (UInt64(i) &* 8) }
            return mix(h ^ w)
        }
        var i = 0
        while i &+ 8 < n {
            h = mix(h ^ p.loadUnaligned(fromByteOffset: i, as: UInt64.self))
            i &+= 8
        }
        return mix(h ^ p.loadUnaligned(fromByteOffset: n &- 8, as: UInt64.self))
    }

    @inline(__always)
    private static func mix(_ x: UInt64) -> UInt64 {
        let y = (x ^ (x &>> 31)) &* 0xBF58_476D_1CE4_E5B9
        return y ^ (y &>> 29)
    }
}
