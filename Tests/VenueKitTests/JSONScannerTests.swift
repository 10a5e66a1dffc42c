import Foundation
import Testing
import MarketModel
@testable import VenueKit

/// A tree built from the scanner, to compare with Foundation's JSONSerialization (the oracle).
indirect enum Tree: Equatable {
    case object([String: Tree])
    case array([Tree])
    case string(String)
    case number(String)
    case bool(Bool)
    case null
}

func walk(_ s: inout JSONScanner) throws(VenueParseError) -> Tree {
    switch try s.peekKind() {
    case .object:
        try s.beginObject()
        var members: [String: Tree] = [:]
        while let key = try s.nextKey() { members[key.string] = try walk(&s) }
        return .object(members)
    case .array:
        try s.beginArray()
        var elements: [Tree] = []
        while try s.nextElement() { elements.append(try walk(&s)) }
        return .array(elements)
    case .string: return .string(try s.readString().string)
    case .number: return .number(String(decoding: try s.readNumber().bytes, as: UTF8.self))
    case .bool: return .bool(try s.readBool())
    case .null:
        guard try s.consumeNull() else { throw .malformed("expected null", at: s.position) }
        return .null
    }
}

func scan(_ text: String) -> Result<Tree, VenueParseError> {
    let bytes = Array(text.utf8)
    return bytes.withUnsafeBytes { raw in
        var s = JSONScanner(raw)
        do throws(VenueParseError) {
            let tree = try walk(&s)
            try s.finish()
            // The validating skip must agree with the walk.
            var k = JSONScanner(raw)
            try k.skipValue()
            try k.finish()
            return .success(tree)
        } catch {
            return .failure(error)
        }
    }
}

func oracle(_ text: String) -> Tree? {
    guard let obj = try? JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed]) else { return nil }
    func convert(_ o: Any) -> Tree {
        if let d = o as? [String: Any] { return .object(d.mapValues(convert)) }
        if let a = o as? [Any] { return .array(a.map(convert)) }
        if let s = o as? String { return .string(s) }
        if o is NSNull { return .null }
        if let n = o as? NSNumber {
            if String(cString: n.objCType) == "c" { return .bool(n.boolValue) }
            return .number(n.stringValue)
        }
        return .null
    }
    return convert(obj)
}

/// Numbers are compared by value through Double here (oracle side only).
func sameValue(_ a: Tree, _ b: Tree) -> Bool {
    switch (a, b) {
    case (.object(let x), .object(let y)): return x.count == y.count && x.allSatisfy { k, v in y[k].map { sameValue(v, $0) } ?? false }
    case (.array(let x), .array(let y)): return x.count == y.count && zip(x, y).allSatisfy { sameValue($0, $1) }
    case (.number(let x), .number(let y)): return Double(x) == Double(y)
    case (.bool(let x), .bool(let y)): return x == y
    default: return a == b
    }
}

@Suite("JSONScanner")
struct JSONScannerTests {
    static let valid: [String] = [
        #"{"e":"aggTrade","E":1633998523963,"s":"NKNUSDT","a":15683430,"p":"0.35280000","q":"58.00000000","f":19862790,"l":19862790,"T":1633998523963,"m":false,"M":true}"#,
        #"{"e":"depthUpdate","E":1633998512568,"s":"NKNUSDT","U":499869753,"u":499869754,"b":[["0.35170000","4265.00000000"]],"a":[["0.35290000","10968.00000000"]]}"#,
        #"[123,[[0.0000886,1,1060.55466114],[7e-7,1,-10000],[2.5E-7,1,2000]]]"#,
        #"  { "a" : [ 1 , 2.5 , -0.5e+3 , true , false , null , "x\"y\\z\/\b\f\n\r\t\u00e9\ud83d\ude00" , { } , [ ] ] }  "#,
        #"{"nested":{"deep":[[[[{"k":[]}]]]]}}"#,
        #""just a string""#, "42", "-0", "true", "null", "[]", "{}",
        #"{"unicode":"héllo wörld ✓"}"#,
        #"{"arg":{"channel":"books","instId":"BTC-USDT"},"action":"snapshot","data":[{"asks":[["8476.98","415","0","13"]],"bids":[["8476.97","256","0","12"]],"ts":"1597026383085","checksum":0,"prevSeqId":-1,"seqId":123456}]}"#,
    ]

    @Test("agrees with JSONSerialization on valid input", arguments: valid)
    func validInputs(text: String) throws {
        let ours = scan(text)
        let expected = try #require(oracle(text), "oracle rejected \(text)")
        guard case .success(let tree) = ours else {
            Issue.record("scanner rejected valid JSON: \(ours)")
            return
        }
        #expect(sameValue(tree, expected))
    }

    static let malformed: [(String, String)] = [
        ("", "expected a value"),
        ("{", "expected '\"' or '}'"),
        (#"{"a"}"#, "expected ':'"),
        (#"{"a":}"#, "expected a value"),
        (#"{"a":1,}"#, "expected '\"'"),
        (#"{"a":1 "b":2}"#, "expected ',' or '}'"),
        ("[1,]", "expected a value after ','"),
        ("[1 2]", "expected ',' or ']'"),
        ("[1,2", "expected ',' or ']'"),
        ("[1}", "expected ',' or ']'"),
        (#"{"a":[}"#, "expected a value"),
        ("01", "expected a delimiter"),
        ("1.", "expected a digit after '.'"),
        ("-", "expected a number"),
        ("1e", "expected a digit in exponent"),
        (".5", "expected a value"),
        ("+1", "expected a value"),
        ("tru", "expected true or false"),
        ("nul", "expected null"),
        ("truex", "expected true or false"),
        (#""abc"#, "unterminated string"),
        ("\"a\u{01}b\"", "unescaped control character"),
        (#""\x""#, "invalid escape"),
        (#""\u12G4""#, "4 hex digits"),
        (#""\ud800""#, "low surrogate"),
        (#""\udc00""#, "unpaired low surrogate"),
        ("{} x", "expected end of input"),
        ("[1] [2]", "expected end of input"),
        (#"{'a':1}"#, "expected '\"'"),
        ("[NaN]", "expected a value"),
        (String(repeating: "[", count: 70) + String(repeating: "]", count: 70), "nesting deeper"),
    ]

    @Test("rejects malformed input like JSONSerialization, naming the problem", arguments: malformed)
    func malformedInputs(text: String, fragment: String) {
        // swift-foundation's parser tolerates trailing commas; we do not (RFC 8259 §4/§5).
        let oracleIsLenient = text == #"{"a":1,}"# || text == "[1,]" || text.hasPrefix("[[[[")
        #expect(oracle(text) == nil || oracleIsLenient, "oracle accepted \(text)")
        switch scan(text) {
        case .success(let t): Issue.record("scanner accepted malformed \(text): \(t)")
        case .failure(let e):
            #expect(e.kind == .malformedJSON)
            #expect(e.offset != nil)
            #expect(e.description.contains(fragment), "\(e.description) should mention \(fragment)")
        }
    }

    @Test("rejects invalid UTF-8 inside strings")
    func invalidUTF8() {
        for bad: [UInt8] in [[0x22, 0xC3, 0x28, 0x22], [0x22, 0xED, 0xA0, 0x80, 0x22], [0x22, 0xF5, 0x80, 0x80, 0x80, 0x22], [0x22, 0xC0, 0xAF, 0x22]] {
            let ok: Bool = bad.withUnsafeBytes { raw in
                var s = JSONScanner(raw)
                return (try? s.skipValue()) != nil
            }
            #expect(!ok)
            #expect((try? JSONSerialization.jsonObject(with: Data(bad), options: [.fragmentsAllowed])) == nil)
        }
    }

    @Test("reads venue fields exactly")
    func readsFields() throws {
        let text = #"{"e":"depthUpdate","E":1633998512568,"s":"NKNUSDT","U":499869753,"u":499869754,"b":[["0.35170000","4265.00000000"],["0.1","0"]],"a":[["0.35290000","10968.00000000","3","x"]],"n":null,"o":"","x":{"skip":[1,{"a":"b"}]}}"#
        try Array(text.utf8).withUnsafeBytes { raw in
            var s = JSONScanner(raw)
            try s.beginObject()
            var bids: [BookLevel] = []
            var asks: [BookLevel] = []
            var first: Int64 = 0
            var event: Int64 = 0
            var symbol = ""
            var optional: FixedDecimal? = FixedDecimal(1)
            var empty: FixedDecimal? = FixedDecimal(1)
            while let key = try s.nextKey() {
                if key == "E" { event = try s.readInt64() }
                else if key == "s" { symbol = try s.readString().string }
                else if key == "U" { first = try s.readInt64() }
                else if key == "b" { try s.readLevels(into: &bids) }
                else if key == "a" { try s.readLevels(into: &asks) }
                else if key == "n" { optional = try s.readOptionalDecimal() }
                else if key == "o" { empty = try s.readOptionalDecimal() }
                else { try s.skipValue() }
            }
            try s.finish()
            #expect(event == 1_633_998_512_568)
            #expect(symbol == "NKNUSDT")
            #expect(first == 499_869_753)
            #expect(bids.map(\.description) == ["0.35170000x4265.00000000", "0.1x0"])
            #expect(asks.count == 1)
            #expect(optional == nil)
            #expect(empty == nil)
        }
    }

    @Test("seek, capture and numbers as strings")
    func seekAndCapture() throws {
        let text = #"{"data":{"p":"1.5","t":"42"},"stream":"btcusdt@trade"}"#
        try Array(text.utf8).withUnsafeBytes { raw in
            var s = JSONScanner(raw)
            try s.beginObject()
            #expect(try s.seek(key: "data"))
            var data = try s.captureValue()
            #expect(try s.seek(key: "stream"))
            #expect(try s.readString() == "btcusdt@trade")
            #expect(try s.nextKey() == nil)
            try s.finish()
            try data.beginObject()
            #expect(try data.seek(key: "t"))
            #expect(try data.readInt64() == 42)
            #expect(try data.nextKey() == nil)
            try data.finish()
        }
    }

    @Test("type errors name the field and position")
    func typeErrors() {
        let text = #"{"p":"abc","t":1.5,"q":true}"#
        Array(text.utf8).withUnsafeBytes { raw in
            var s = JSONScanner(raw)
            #expect(throws: VenueParseError.self) {
                try s.beginObject()
                _ = try s.nextKey()
                _ = try s.readDecimal()
            }
            var t = JSONScanner(raw)
            do throws(VenueParseError) {
                try t.beginObject()
                _ = try t.seek(key: "t")
                _ = try t.readInt64()
                Issue.record("1.5 read as an integer")
            } catch {
                #expect(error.kind == .invalidValue)
                #expect(error.offset == 15)
            }
            var u = JSONScanner(raw)
            do throws(VenueParseError) {
                try u.beginObject()
                _ = try u.seek(key: "q")
                _ = try u.readString()
                Issue.record("true read as a string")
            } catch {
                #expect(error.description.contains("expected a string"))
                #expect(error.offset == 23)
            }
        }
    }

    @Test("decodes escapes into String")
    func unescape() throws {
        let text = #""a\"b\\c\/d\n\u00e9\ud83d\ude00""#
        try Array(text.utf8).withUnsafeBytes { raw in
            var s = JSONScanner(raw)
            let str = try s.readString()
            #expect(str.hasEscapes)
            #expect(str.string == "a\"b\\c/d\né😀")
        }
    }
}

@Suite("JSONScanner decimals")
struct JSONScannerDecimalTests {
    static let cases: [(String, String?)] = [
        (#""0.35170000""#, "0.35170000"), (#""-0.5""#, "-0.5"), (#""00.10""#, "0.10"), (#""1e-8""#, "0.00000001"),
        (#""123456789012345678""#, "123456789012345678"), (#""1234567890123456789""#, "1234567890123456789"),
        (#""5.""#, nil), (#"".5""#, nil), (#""""#, nil), (#""-""#, nil), (#""1.2.3""#, nil), (#""1\u0030""#, nil),
        (#""99999999999999999999""#, nil), ("-0.5", "-0.5"), ("1.7023900800000002", "1.7023900800000002"),
        ("7e-7", "0.0000007"), ("1E3", "1000"), ("01", nil), ("1.", nil),
    ]

    @Test("readDecimal from strings and numbers", arguments: cases)
    func decimals(text: String, expected: String?) {
        let got: String? = Array(text.utf8).withUnsafeBytes { raw in
            var s = JSONScanner(raw)
            guard let d = try? s.readDecimal(), (try? s.finish()) != nil else { return nil }
            return d.description
        }
        #expect(got == expected)
    }
}

@Suite("JSONScanner digit runs")
struct JSONScannerDigitTests {
    @Test("powers of ten for runs of 0 to 8 digits")
    func powers() {
        var p: UInt64 = 1
        for n in 0 ... 8 {
            #expect(SWAR.power(n) == p)
            p *= 10
        }
    }

    @Test("integers and decimals of every digit count, quoted and plain")
    func everyLength() {
        var digits = ""
        for n in 1 ... 18 {
            digits += String((n * 7) % 10 == 0 && n == 1 ? 1 : (n * 7) % 10)
            for text in [digits, "\"\(digits)\"", "-\(digits)"] {
                let got: Int64? = Array(text.utf8).withUnsafeBytes { raw in
                    var s = JSONScanner(raw)
                    return try? s.readInt64()
                }
                #expect(got == Int64(text.replacingOccurrences(of: "\"", with: "")), "\(text)")
            }
            for split in 1 ..< max(2, n) where split < n {
                let decimal = String(digits.prefix(split)) + "." + String(digits.dropFirst(split))
                for text in [decimal, "\"\(decimal)\"", "-\(decimal)"] {
                    let got: String? = Array(text.utf8).withUnsafeBytes { raw in
                        var s = JSONScanner(raw)
                        return (try? s.readDecimal())?.description
                    }
                    #expect(got == text.replacingOccurrences(of: "\"", with: ""), "\(text)")
                }
            }
        }
    }
}

@Suite("JSONScanner in-order keys")
struct JSONScannerKeyTests {
    /// Whether `nextKey(is:)` matches `key` as the member after `prefix` in `text` (then the
    /// value must follow), padded with `pad` bytes of trailing whitespace so that both the
    /// one-word compare (room for 8 bytes) and the bytewise path near the end are exercised.
    func matches(_ text: String, after prefix: Int, _ key: StaticString, pad: Int) -> (Bool, Int) {
        Array((text + String(repeating: " ", count: pad)).utf8).withUnsafeBytes { raw in
            var s = JSONScanner(raw)
            try? s.beginObject()
            for _ in 0 ..< prefix {
                _ = try? s.nextKey()
                try? s.skipValue()
            }
            let hit = s.nextKey(is: key)
            return (hit, s.position)
        }
    }

    @Test("one-word and bytewise compares agree, at the container start and after a comma")
    func agree() {
        let cases: [(String, Int, StaticString, Bool)] = [
            (#"{"e":1}"#, 0, "e", true), (#"{"e":1}"#, 0, "E", false), (#"{"ab":1}"#, 0, "a", false),
            (#"{"a":1,"pu":2}"#, 1, "pu", true), (#"{"a":1,"pu":2}"#, 1, "p", false), (#"{"a":1,"pu":2}"#, 1, "pux", false),
            (#"{"a":1,"side":2}"#, 1, "side", true), (#"{"side":2}"#, 0, "side", true), (#"{"sidz":2}"#, 0, "side", false),
            (#"{"a":1, "q":2}"#, 1, "q", false), (#"{"a":1,"q" :2}"#, 1, "q", false), (#"{"a":1,"\u0071":2}"#, 1, "q", false),
            (#"{"a":1,"":2}"#, 1, "", true), (#"{"a":1,"ts":"1"}"#, 1, "ts", true), (#"{"a":1,"symbol":2}"#, 1, "symbol", true),
            (#"{"a":1}"#, 1, "b", false),
        ]
        for (text, prefix, key, expected) in cases {
            for pad in [0, 1, 4, 8, 12] {
                let (hit, position) = matches(text, after: prefix, key, pad: pad)
                #expect(hit == expected, "\(text) key \(key) pad \(pad)")
                if hit {
                    let value = Array(text.utf8)[position]
                    #expect(value == UInt8(ascii: "1") || value == UInt8(ascii: "2") || value == UInt8(ascii: "\""), "\(text) pad \(pad)")
                }
            }
        }
    }
}

@Suite("JSONScanner levels")
struct JSONScannerLevelTests {
    static let cases: [(String, [String]?)] = [
        (#"[["0.1","2"],["0.2","0"]]"#, ["0.1x2", "0.2x0"]),
        (#"[ [ "0.1" , "2" ] ]"#, ["0.1x2"]),
        (#"[["8476.98","415","0","13"]]"#, ["8476.98x415"]),
        (#"[[0.5,1e-8],["1","2"]]"#, ["0.5x0.00000001", "1x2"]),
        ("[]", []),
        (#"[["1","2"]"#, nil), (#"[["1",]]"#, nil), (#"[["1"]]"#, nil), (#"[["1","2"],]"#, nil),
        (#"[["1","x"]]"#, nil), (#"[["1","2"}]"#, nil), (#"[["1""2"]]"#, nil), (#"[[]]"#, nil),
    ]

    @Test("readLevels fast and general paths, malformed levels rejected", arguments: cases)
    func levels(text: String, expected: [String]?) {
        let got: [String]? = Array(text.utf8).withUnsafeBytes { raw in
            var s = JSONScanner(raw)
            var out: [BookLevel] = []
            guard (try? s.readLevels(into: &out)) != nil, (try? s.finish()) != nil else { return nil }
            return out.map(\.description)
        }
        #expect(got == expected)
    }
}
