import MarketModel
import Testing
import VenueKit

// `IntegerKeyedTable` is held to `Dictionary` over long random operation sequences: colliding keys
// (a small range gives long probe runs), spread and negative keys, growth from a tiny table,
// backward-shift deletion inside and across the wrap-around, and resets.

@Suite("IntegerKeyedTable")
struct IntegerKeyedTableTests {
    @Test("= Dictionary over random inserts, replacements, lookups, in-place sets and removals", arguments: [0, 1, 2, 3])
    func matchesDictionary(_ seed: Int) {
        var rng = SplitMix64(seed: 0x1D_0000 &+ UInt64(seed))
        var table = IntegerKeyedTable<Int>(capacity: 4), reference: [Int64: Int] = [:]
        func key() -> Int64 {
            switch rng.next() % 3 {
            case 0: return Int64(rng.next() % 64)
            case 1: return 8_798_309_800 &+ Int64(rng.next() % 500) &* 100
            default: return -Int64(rng.next() % 1_000_000)
            }
        }
        for step in 0 ..< 20_000 {
            let k = key(), v = Int(rng.next() % 1000)
            switch rng.next() % 6 {
            case 0, 1:
                #expect(table.updateValue(v, forKey: k) == reference.updateValue(v, forKey: k), "step \(step)")
            case 2:
                #expect(table.removeValue(forKey: k) == reference.removeValue(forKey: k), "step \(step)")
            case 3:
                #expect(table.index(of: k).map { table.value(at: $0) } == reference[k], "step \(step)")
            case 4:
                if let i = table.index(of: k) {
                    table.setValue(v, at: i)
                    reference[k] = v
                }
                #expect(table.index(of: k).map { table.value(at: $0) } == reference[k], "step \(step)")
            default:
                if rng.next() % 500 == 0 {
                    table.removeAll(capacity: Int(rng.next() % 300))
                    reference.removeAll()
                }
            }
            #expect(table.count == reference.count)
            #expect(table.count * 2 <= table.slotCount)
        }
        // Every key is still reachable after all the shifting, and removed ones are gone.
        for (k, v) in reference { #expect(table.index(of: k).map { table.value(at: $0) } == v) }
        for k in Int64(0) ..< 64 where reference[k] == nil { #expect(table.index(of: k) == nil) }
    }

    @Test("deleting inside a run that wraps around the end keeps every key reachable")
    func wrapAroundDeletion() {
        var table = IntegerKeyedTable<Int64>(capacity: 8)   // 16 slots
        // Keys whose home is the last slot, so their run wraps to slot 0, 1, ...
        var keys: [Int64] = []
        var k: Int64 = 1
        while keys.count < 5 {
            let home = Int(truncatingIfNeeded: (UInt64(bitPattern: k) &* 0x9E37_79B9_7F4A_7C15) &>> 60)
            if home == 15 { keys.append(k) }
            k += 1
        }
        for key in keys { table.updateValue(key * 10, forKey: key) }
        #expect(table.removeValue(forKey: keys[1]) == keys[1] * 10)
        for key in keys where key != keys[1] { #expect(table.index(of: key).map { table.value(at: $0) } == key * 10) }
        #expect(table.index(of: keys[1]) == nil)
        #expect(table.count == 4)
    }
}
