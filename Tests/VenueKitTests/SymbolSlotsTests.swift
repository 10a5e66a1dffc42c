import MarketModel
import Testing
import VenueKit

// `SymbolSlots` is held to a `[Symbol: Value]` reference over random sequences of lookups,
// in-place mutations and removals (symbols switching and repeating, so both the last-slot check
// and the lookup run), and its subscript is checked to mutate in place rather than copy.

@Suite("SymbolSlots")
struct SymbolSlotsTests {
    static let names = ["BTC-USDT", "ETH-USDT", "BTC-USD-PERP", "SOL-USDT", "XRP-USDT"]

    @Test("a symbol's value is made once, on its first use; slots are stable and in first-use order")
    func makesOnce() throws {
        let btc = try Symbol("BTC-USDT"), eth = try Symbol("ETH-USDT")
        var slots = SymbolSlots<Int>()
        var made = 0
        func make() -> Int { made += 1; return made * 10 }
        let first = slots.slot(for: btc, orMake: make)
        #expect(slots.slot(for: btc, orMake: make) == first)   // the last slot, unchanged
        let second = slots.slot(for: eth, orMake: make)
        #expect(slots.slot(for: btc, orMake: make) == first)   // found by lookup after a switch
        #expect(first != second)
        #expect(made == 2)
        #expect(slots[first] == 10 && slots[second] == 20)
        #expect(slots.symbols == [btc, eth])
        #expect(slots.slot(of: eth) == second)
        #expect(slots.slot(of: try Symbol("SOL-USDT")) == nil)
        #expect(slots.symbols.count == 2)   // `slot(of:)` adds nothing
    }

    @Test("= Dictionary over random uses, in-place changes and removals", arguments: [0, 1, 2])
    func matchesDictionary(_ seed: Int) throws {
        var rng = SplitMix64(seed: 0x5107_0000 &+ UInt64(seed))
        let symbols = try Self.names.map { try Symbol($0) }
        var slots = SymbolSlots<Int>(), reference: [Symbol: Int] = [:]
        for step in 0 ..< 5_000 {
            // Mostly the symbol of the step before, as a venue's messages are.
            let symbol = symbols[rng.next() % 4 == 0 ? Int(rng.next() % UInt64(symbols.count)) : step / 50 % symbols.count]
            switch rng.next() % 8 {
            case 0:
                #expect(slots.remove(symbol) == reference.removeValue(forKey: symbol), "step \(step)")
            case 1:
                #expect(slots.slot(of: symbol).map { slots[$0] } == reference[symbol], "step \(step)")
            default:
                let slot = slots.slot(for: symbol) { 0 }
                slots[slot] += 1
                reference[symbol, default: 0] += 1
                #expect(slots[slot] == reference[symbol], "step \(step)")
            }
            #expect(Set(slots.symbols) == Set(reference.keys) && slots.symbols.count == reference.count, "step \(step)")
        }
        for (symbol, value) in reference { #expect(slots.slot(of: symbol).map { slots[$0] } == value) }
    }

    @Test("remove moves the later slots down, forgets the last slot, and a removed symbol starts afresh")
    func removal() throws {
        let symbols = try Self.names.prefix(3).map { try Symbol($0) }
        var slots = SymbolSlots<String>()
        for symbol in symbols { _ = slots.slot(for: symbol) { symbol.description } }
        #expect(slots.remove(try Symbol("SOL-USDT")) == nil)   // never added
        #expect(slots.remove(symbols[0]) == symbols[0].description)
        #expect(slots.symbols == [symbols[1], symbols[2]])
        #expect(slots.slot(of: symbols[2]) == 1)
        #expect(slots[slots.slot(for: symbols[2]) { "new" }] == symbols[2].description)
        #expect(slots[slots.slot(for: symbols[0]) { "new" }] == "new")
        #expect(slots.symbols == [symbols[1], symbols[2], symbols[0]])
    }

    @Test("the subscript mutates a value in place: the value is not copied first")
    func mutatesInPlace() throws {
        let btc = try Symbol("BTC-USDT"), eth = try Symbol("ETH-USDT")
        var slots = SymbolSlots<Probe>()
        let slot = slots.slot(for: btc) { Probe() }
        _ = slots.slot(for: eth) { Probe() }
        // A get/set pair would mutate a copy, which shares the reference with the stored value.
        let isUnique = slots[slot].isUnique()
        #expect(isUnique)
        let isUniqueAfterSwitch = slots[slots.slot(for: eth) { Probe() }].isUnique()
        #expect(isUniqueAfterSwitch)
    }
}

/// A value that can tell whether it is the only holder of its reference.
fileprivate struct Probe {
    final class Reference {}
    var reference = Reference()

    /// Whether no other value holds ``reference``.
    mutating func isUnique() -> Bool { isKnownUniquelyReferenced(&reference) }
}
