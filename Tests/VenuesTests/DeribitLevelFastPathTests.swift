import Foundation
import MarketModel
import Testing
import VenueKit
import Venues

// Deribit's book levels (`["new"|"change"|"delete", price, amount]`) are read in their compact wire
// form in one pass, and every other spelling rewinds to the general element reader. These tests
// require compact frames, frames with whitespace after every `,` and `:` (no level compact) and
// frames mixing both per level to give the same levels with the same digits, and malformed levels
// to raise a VenueParseError with nothing appended.

@Suite("Deribit book level fast path")
struct DeribitLevelFastPathTests {
    static let counts = [0, 1, 2, 15, 16, 17, 33, 40]

    func adapter() throws -> Deribit {
        Deribit(configuration: VenueAdapterConfiguration(symbols: [try Symbol("BTC-USD-PERP")]))
    }

    /// `count` levels per side in Deribit's spellings (plain and quoted numbers, deletes with a
    /// zero or a stale amount, long digit runs), every `spacedEvery`-th level with whitespace.
    static func sides(_ count: Int, seed: UInt64, spacedEvery: Int?, extra: String = "") -> (bids: String, asks: String) {
        var rng = SplitMix64(seed: seed)
        func number() -> String {
            switch rng.next() % 5 {
            case 0: return "\(87000 + rng.next() % 900).\(rng.next() % 10)"
            case 1: return "\(rng.next() % 500000).0"
            case 2: return "\(87000 + rng.next() % 900)"
            case 3: return "\"\(rng.next() % 900).\(rng.next() % 100)\""
            default: return "123456789.123456789"
            }
        }
        func side() -> String {
            "[" + (0 ..< count).map { i in
                let action = ["new", "change", "delete"][Int(rng.next() % 3)]
                let amount = action == "delete" && rng.next() % 2 == 0 ? "0.0" : number()
                let level = "[\"\(action)\",\(number()),\(amount)\(extra)]"
                if let every = spacedEvery, i % every == 0 { return spaced(level) }
                return level
            }.joined(separator: ",") + "]"
        }
        return (side(), side())
    }

    static func frame(_ sides: (bids: String, asks: String)) -> String {
        #"{"jsonrpc":"2.0","method":"subscription","params":{"channel":"book.BTC-PERPETUAL.100ms","data":{"type":"change","#
            + #""timestamp":1626993724337,"prev_change_id":33195894355,"change_id":33195894358,"instrument_name":"BTC-PERPETUAL","#
            + #""bids":"# + sides.bids + #","asks":"# + sides.asks + "}}}"
    }

    @Test("compact, spaced and mixed levels read the same", arguments: counts)
    func sameLevels(_ count: Int) throws {
        var adapter = try adapter()
        let seed = 0x4442_0000 &+ UInt64(count)
        let expected = try expectSameLevels(&adapter, levelCount: 2 * count, mixedEvery: 3) {
            Self.frame(Self.sides(count, seed: seed, spacedEvery: $0))
        }
        // A fourth element after the amount: the general reader skips it, same levels.
        let extended = Self.frame(Self.sides(count, seed: seed, spacedEvery: nil, extra: ",7"))
        #expect(try bookLevelTexts(&adapter, extended) == expected)
    }

    @Test("a delete keeps size zero whatever amount it carries")
    func deleteIsZero() throws {
        var adapter = try adapter()
        let frame = Self.frame((#"[["delete",87000.5,3.25],["delete",87000.0,0.0]]"#, #"[["new",87001.5,1.50]]"#))
        #expect(try bookLevelTexts(&adapter, frame) == ["b 87000.5/0", "b 87000.0/0.0", "a 87001.5/1.50"])
    }

    @Test("malformed levels raise VenueParseError", arguments: [
        #"["add",1.5,1.0]"#, #"["new",01.5,1.0]"#, #"["new",1.5,1.]"#, #"["new",1.5]"#, #"["new"]"#, #"[]"#,
        #"["new",1.5,1.0,]"#, #"["new",1.5,"1.0]"#, #"["new",1.5,1.0x]"#, #"["new",-,1.0]"#, #"{"new":1.5}"#, #"[new,1.5,1.0]"#,
    ])
    func malformed(_ level: String) throws {
        var adapter = try adapter()
        let good = #"["change",87412.5,1200.0]"#
        let frame = Self.frame(("[" + good + "," + level + "," + good + "]", "[]"))
        #expect(throws: VenueParseError.self) { _ = try adapter.parse(frame, context: ParseContext(tsRecv: 1)) }
    }
}
