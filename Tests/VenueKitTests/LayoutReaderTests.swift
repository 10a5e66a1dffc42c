import MarketModel
import Testing
@testable import VenueKit

/// Runs `body` with a reader over exactly the bytes of `text` (an allocation of that size, so a
/// read past the end would be caught by the address sanitizer and is visible in review).
private func reading<T>(_ text: String, _ body: (inout LayoutReader) -> T) -> T {
    let bytes = Array(text.utf8)
    let storage = UnsafeMutableRawBufferPointer.allocate(byteCount: max(bytes.count, 1), alignment: 1)
    defer { storage.deallocate() }
    bytes.withUnsafeBytes { storage.copyMemory(from: $0) }
    var reader = LayoutReader(UnsafeRawBufferPointer(start: storage.baseAddress, count: bytes.count))
    return body(&reader)
}

@Suite("LayoutReader")
struct LayoutReaderTests {
    @Test("literals match whole, short, long and at the very end; one differing byte anywhere fails")
    func literals() {
        #expect(reading(#"{"e":"aggTrade","E":1"#) { $0.literal(#"{"e":"aggTrade","E":"#) && !$0.isAtEnd })
        #expect(reading(#","p":""#) { $0.literal(#","p":""#) && $0.isAtEnd })        // 6 bytes, whole message
        #expect(reading("}}") { $0.literal("}}") && $0.isAtEnd })                       // shorter than a word, at the end
        #expect(reading(#"}]}xxxxxxxxx"#) { $0.literal("}]}") && !$0.isAtEnd })          // masked word compare
        #expect(!reading("}") { $0.literal("}}") })                                      // message too short
        let long = #","data":{"e":"aggTrade","E":"#
        for i in 0 ..< long.utf8.count {
            var bytes = Array(long.utf8)
            bytes[i] ^= 0x01
            let changed = String(decoding: bytes, as: UTF8.self) + "1234567890"
            #expect(!reading(changed) { $0.literal(#","data":{"e":"aggTrade","E":"#) }, "byte \(i)")
        }
        for n in 1 ... 7 {  // every short length, differing in the last byte
            let text = String(repeating: "a", count: n)
            #expect(reading(text + "bbbbbbbb") { r in text.withStaticLength(n) { r.literal($0) } })
            #expect(!reading(String(repeating: "a", count: n - 1) + "c" + "bbbbbbbb") { r in text.withStaticLength(n) { r.literal($0) } })
        }
    }

    @Test("strings: plain ASCII through the closing quote; escapes, control, non-ASCII and an open end are refused")
    func strings() {
        #expect(reading(#"BTCUSDT","#) { r in r.string().map { $0 == "BTCUSDT" } == true && r.literal(",") })
        #expect(reading(#"","#) { r in r.string()?.isEmpty == true })
        let long = String(repeating: "x", count: 37)
        #expect(reading(long + "\"") { r in r.string()?.count == 37 && r.isAtEnd })
        #expect(reading(#"a\"b""#) { $0.string() } == nil)
        #expect(reading("a\u{1}b\"") { $0.string() } == nil)
        #expect(reading("é\"") { $0.string() } == nil)
        #expect(reading("abcdefghijklmnop") { $0.string() } == nil)
        #expect(reading("abc") { $0.string() } == nil)
        #expect(reading("abc\"") { $0.skipString() })
    }

    @Test("integers: JSON grammar, at most 18 digits, the value exact")
    func integers() {
        for text in ["0", "7", "-7", "12345678", "123456789", "1795219200000", "999999999999999999", "-999999999999999999"] {
            #expect(reading(text + ",") { r in r.integer() == Int64(text)! && r.literal(",") }, "\(text)")
            #expect(reading(text) { r in r.integer() == Int64(text)! && r.isAtEnd }, "\(text) at the end")
            #expect(reading(text + "}") { r in r.skipInteger() && r.literal("}") }, "skip \(text)")
        }
        for text in ["", "-", "01", "-01", "00", "1000000000000000000", "+1", "x"] {
            #expect(reading(text + ",") { $0.integer() } == nil, "\(text)")
            #expect(!reading(text + ",") { $0.skipInteger() }, "skip \(text)")
        }
        for text in ["0", "-0.5", "87412.6", "30400", "12345678901234567890123.25"] {
            #expect(reading(text + ",") { r in r.skipNumber() && r.literal(",") }, "skip \(text)")
        }
        for text in ["", "-", "01", "1.", ".5", "x"] {
            #expect(!reading(text + ",") { $0.skipNumber() }, "skip \(text)")
        }
        #expect(!reading("1e5,") { r in r.skipNumber() && r.literal(",") })
        // An integer slot followed by a fraction or exponent leaves those bytes to the next literal.
        #expect(!reading("1.5,") { r in r.integer() == 1 && r.literal(",") })
        #expect(reading(#"1630048897897""#) { r in r.quotedInteger() == 1_630_048_897_897 && r.isAtEnd })
        #expect(reading(#"""#) { $0.quotedInteger() } == nil)
        #expect(reading(#"12a""#) { $0.quotedInteger() } == nil)
    }

    @Test("quoted trade ids: the same TradeID as TradeID(utf8:) of the text; empty, escaped or non-ASCII ids are left to the general path")
    func tradeIDs() {
        let texts = ["0", "7", "995098700", "12345678", "123456789", "999999999999999999", "1000000000000000000", "007", "00",
                     "12a", "1.5", "-5", "ETH-123456", "6fb77fdb-0663-63fb-d873-a3180359e776", String(repeating: "9", count: 30),
                     String(repeating: "ab", count: 24)]
        for text in texts {
            let expected = Array(text.utf8).withUnsafeBytes { TradeID(utf8: $0) }
            #expect(reading(text + #"","p""#) { r in r.quotedTradeID() == expected && r.literal(#","p""#) && r.isAtEnd }, "\(text)")
            #expect(reading(text + "\"") { r in r.quotedTradeID() == expected && r.isAtEnd }, "\(text) at the end")
        }
        #expect(reading(#"995098700""#) { $0.quotedTradeID()?.number } == 995_098_700)
        for text in ["\"", #"a\"b""#, "a\u{1}b\"", "é\"", "123", "abc", "12345678901234567890"] {
            #expect(reading(text) { $0.quotedTradeID() } == nil, "\(text)")
        }
        // Seeded random ids of digits, letters and dashes agree with TradeID(utf8:).
        var rng = SplitMix64(seed: 0x7472_6164_6531_4944)
        let alphabet = Array("0000123456789abcdef-".utf8)
        for _ in 0 ..< 5_000 {
            let bytes = (0 ..< Int(rng.next() % 40) + 1).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] }
            let expected = bytes.withUnsafeBytes { TradeID(utf8: $0) }
            let text = String(decoding: bytes, as: UTF8.self)
            #expect(reading(text + "\"}") { r in r.quotedTradeID() == expected && r.literal("}") && r.isAtEnd }, "\(text)")
        }
    }

    @Test("decimals keep the venue's digits and scale; anything else is left to the general path")
    func decimals() throws {
        for text in ["0", "0.5", "-0.5", "87412.35000000", "0.00000001", "123456789012345678", "1.7023900800000002", "-87412.4"] {
            let expected = try #require(Array(text.utf8).withUnsafeBytes { try? FixedDecimal.parse($0) })
            #expect(reading(text + ",") { r in r.decimal() == expected && r.literal(",") }, "\(text)")
            let value = reading(text + "\"") { $0.quotedDecimal() }
            #expect(value == expected && value?.scale == expected.scale, "\"\(text)\"")
        }
        for text in ["", "-", ".5", "1.", "01.5", "00", "1234567890.123456789", "+1"] {
            #expect(reading(text + ",") { $0.decimal() } == nil, "\(text)")
        }
        #expect(!reading("1e5,") { r in r.decimal() != nil && r.literal(",") })
        #expect(reading(#"1.5x"#) { $0.quotedDecimal() } == nil)
    }

    @Test("decimals agree with FixedDecimal.parse on random plain texts")
    func decimalsAgainstParse() throws {
        var rng = SplitMix64(seed: 0x4c61796f7574)
        for _ in 0 ..< 5000 {
            let intDigits = Int(rng.next() % 10) + 1, fraction = Int(rng.next() % 9)  // ≤ 18 digits
            var text = rng.next() % 4 == 0 ? "-" : ""
            text += String(rng.next() % 9 + 1)
            for _ in 1 ..< intDigits { text += String(rng.next() % 10) }
            if fraction > 0 {
                text += "."
                for _ in 0 ..< fraction { text += String(rng.next() % 10) }
            }
            let expected = try #require(Array(text.utf8).withUnsafeBytes { try? FixedDecimal.parse($0) })
            let read = reading(text + ",") { $0.decimal() }
            #expect(read == expected && read?.scale == expected.scale, "\(text)")
        }
    }

    @Test("booleans")
    func booleans() {
        #expect(reading("true}") { $0.bool() } == true)
        #expect(reading("false") { $0.bool() } == false)
        #expect(reading("tru") { $0.bool() } == nil)
        #expect(reading("null") { $0.bool() } == nil)
    }
}

extension String {
    /// Calls `body` with a `StaticString` literal of this text's length `n` made of `a`s (the
    /// reader's literal compare is specialised by length, so each length needs its own literal).
    fileprivate func withStaticLength<T>(_ n: Int, _ body: (StaticString) -> T) -> T {
        switch n {
        case 1: return body("a")
        case 2: return body("aa")
        case 3: return body("aaa")
        case 4: return body("aaaa")
        case 5: return body("aaaaa")
        case 6: return body("aaaaaa")
        default: return body("aaaaaaa")
        }
    }
}
