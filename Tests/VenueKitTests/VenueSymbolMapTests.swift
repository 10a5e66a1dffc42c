import MarketModel
import Testing
@testable import VenueKit

/// ``VenueSymbolMap`` finds symbols straight from message bytes (``VenueNameIndex`` plus a
/// last-hit check): these tests hold it to a plain `[String: Symbol]` model over names of every
/// length around the 8- and 16-byte word boundaries, interleaved lookups, misses, escapes and
/// replaced mappings.
@Suite("Venue symbol map")
struct VenueSymbolMapTests {
    /// Looks `text` up as the raw bytes of a JSON string (`hasEscapes` as given).
    static func lookup(_ map: inout VenueSymbolMap, _ text: String, hasEscapes: Bool = false) -> Symbol? {
        var text = text
        return text.withUTF8 { map.lookup(JSONString(bytes: UnsafeRawBufferPointer($0), hasEscapes: hasEscapes)) }
    }

    /// Venue-like names of 1…40 bytes, several per length, differing in one byte at the start,
    /// the middle or the end (the bytes a word-at-a-time hash and compare must all see).
    static func names(seed: UInt64) -> [String] {
        var rng = SplitMix64(seed: seed)
        var names: Set<String> = []
        for length in 1 ... 40 {
            for _ in 0 ..< 4 {
                var bytes = (0 ..< length).map { _ in UInt8(ascii: "A") + UInt8(rng.next() % 26) }
                names.insert(String(decoding: bytes, as: UTF8.self))
                let at = [0, length / 2, length - 1][Int(rng.next() % 3)]
                bytes[at] = bytes[at] == UInt8(ascii: "Z") ? UInt8(ascii: "0") : bytes[at] + 1
                names.insert(String(decoding: bytes, as: UTF8.self))
            }
        }
        return names.sorted()
    }

    @Test("interleaved lookups agree with a dictionary, hits and misses", arguments: [1, 2, 3] as [UInt64])
    func agreesWithDictionary(seed: UInt64) throws {
        let all = Self.names(seed: seed)
        var rng = SplitMix64(seed: seed ^ 0x5EED)
        var model: [String: Symbol] = [:]
        var map = VenueSymbolMap()
        for (i, name) in all.enumerated() where i % 3 != 0 {  // every third name stays unknown
            let symbol = try Symbol("S\(i)-USD")
            model[name] = symbol
            map.insert(symbol, venueName: name)
        }
        for _ in 0 ..< 20_000 {
            let name = all[Int(rng.next() % UInt64(all.count))]
            // Repeats exercise the last-hit check, changes the index.
            let times = rng.next() % 4 == 0 ? 2 : 1
            for _ in 0 ..< times {
                #expect(Self.lookup(&map, name) == model[name], "\(name)")
            }
        }
        for name in all { #expect(map.symbol(forVenueName: name) == model[name], "\(name)") }
    }

    @Test("a replaced mapping wins at once, even right after the old one was found")
    func replaced() throws {
        var map = VenueSymbolMap([(try Symbol("BTC-USDT"), "BTCUSDT")])
        #expect(Self.lookup(&map, "BTCUSDT") == (try Symbol("BTC-USDT")))
        map.insert(try Symbol("BTC-USDC"), venueName: "BTCUSDT")
        #expect(Self.lookup(&map, "BTCUSDT") == (try Symbol("BTC-USDC")))
        #expect(map.symbol(forVenueName: "BTCUSDT") == (try Symbol("BTC-USDC")))
    }

    @Test("escaped names are decoded before the lookup; empty and unknown names miss")
    func escapesAndMisses() throws {
        var map = VenueSymbolMap([(try Symbol("BTC-USD"), "BTC/USD"), (try Symbol("ETH-USD"), "ETH/USD-LONG-NAME-OF-25B")])
        #expect(Self.lookup(&map, #"BTC\/USD"#, hasEscapes: true) == (try Symbol("BTC-USD")))
        #expect(Self.lookup(&map, #"ETH\/USD-LONG-NAME-OF-25B"#, hasEscapes: true) == (try Symbol("ETH-USD")))
        #expect(Self.lookup(&map, "ETH/USD-LONG-NAME-OF-25B") == (try Symbol("ETH-USD")))
        #expect(Self.lookup(&map, "") == nil)
        var onlyEmpty = VenueSymbolMap([(try Symbol("BTC-USD"), "")])
        #expect(Self.lookup(&onlyEmpty, "") == (try Symbol("BTC-USD")))
        #expect(Self.lookup(&onlyEmpty, "X") == nil)
        #expect(Self.lookup(&map, "BTC/USDT") == nil)
        #expect(Self.lookup(&map, "BTC/US") == nil)
    }
}
