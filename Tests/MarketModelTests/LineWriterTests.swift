import Testing
@testable import MarketModel

/// The word-at-a-time rendering primitives under the NDJSON encoder, checked against plain
/// `String` arithmetic at every digit-count boundary and every string length up to 40.
@Suite("LineWriter and Digits")
struct LineWriterTests {
    /// Every power of ten, its neighbours and a few mixed-digit values, up to `UInt64.max`.
    static var boundaryValues: [UInt64] {
        var values: [UInt64] = [0, 1, 9, 12_345_678, 87_654_321, 1_795_219_200_000_000_000, 1_700_000_000_000_123_456, .max, .max - 1]
        var p: UInt64 = 1
        for _ in 0 ... 19 {
            values += [p, p &- 1, p &+ 1, p &* 9 / 10 &+ p / 3]
            if p > UInt64.max / 10 { break }
            p *= 10
        }
        return values
    }

    /// `body` run on 64 bytes of 0xEE; the written prefix as text, and whether the bytes past `room` are untouched.
    func render(room: Int, _ body: (UnsafeMutableRawPointer) -> Int) -> (String, Bool) {
        var bytes = [UInt8](repeating: 0xEE, count: 64)
        let (n, intact) = bytes.withUnsafeMutableBytes { raw -> (Int, Bool) in
            let n = body(raw.baseAddress!)
            return (n, raw[room...].allSatisfy { $0 == 0xEE })
        }
        return (String(decoding: bytes[..<n], as: UTF8.self), intact)
    }

    @Test("powers of ten without a table")
    func powers() {
        var p: UInt64 = 1
        for n in 0 ... 19 {
            #expect(Digits.powerOfTen(n) == p, "10^\(n)")
            if n < 19 { p *= 10 }
        }
        #expect(Digits.powerOfTen(25) == p)
    }

    @Test("eight digits per word, zero-padded")
    func eightDigits() {
        for x: UInt64 in [0, 1, 9, 10, 99, 100, 999, 1_000, 9_999, 10_000, 10_001, 99_999, 100_000, 1_234_567, 9_999_999, 10_000_000, 12_345_678, 99_999_999] {
            var word = Digits.eightDigits(x).littleEndian
            let text = withUnsafeBytes(of: &word) { String(decoding: $0, as: UTF8.self) }
            let plain = String(x)
            #expect(text == String(repeating: "0", count: 8 - plain.count) + plain)
        }
    }

    @Test("integers across digit-count boundaries, within their room")
    func wideIntegers() {
        for v in Self.boundaryValues {
            let (text, intact) = render(room: Digits.wideRoom) { Digits.writeWide(v, to: $0) }
            #expect(text == String(v), "\(v)")
            #expect(intact, "\(v) wrote past its room")
            #expect(Digits.count(v) == String(v).count)
        }
    }

    @Test("integer ids as strings, both signs, at every digit-count boundary")
    func idStrings() {
        for v in Self.boundaryValues where v <= UInt64(Int64.max) {
            let x = Int64(v)
            #expect(DecimalText.string(x) == String(x))
            #expect(DecimalText.string(-x) == String(-x))
        }
        #expect(DecimalText.string(.min) == String(Int64.min))
        #expect(DecimalText.string(.max) == String(Int64.max))
    }

    /// The decimal text by plain string arithmetic: the digits, zero-padded to scale + 1, with the point.
    static func reference(_ mantissa: Int64, _ scale: Int) -> String {
        let digits = String(mantissa.magnitude)
        let sign = mantissa < 0 ? "-" : ""
        guard scale > 0 else { return sign + digits }
        let padded = String(repeating: "0", count: max(0, scale + 1 - digits.count)) + digits
        return sign + padded.dropLast(scale) + "." + padded.suffix(scale)
    }

    @Test("decimal text for every scale at digit-count boundaries, within maxTextLength")
    func decimals() {
        var mantissas: [Int64] = [0, 1, -1, 5, 35_170_000, 8_741_235_000_000, -8_741_235_000_000, .max, -.max]
        var p: Int64 = 1
        for _ in 0 ..< 18 {
            mantissas += [p, p - 1, p + 1, -p]
            p *= 10
        }
        for m in mantissas {
            for scale in 0 ... Int(FixedDecimal.maxScale) {
                let value = FixedDecimal(mantissa: m, scale: UInt8(scale))
                let (text, intact) = render(room: FixedDecimal.maxTextLength) { value.writeText(to: $0) }
                #expect(text == Self.reference(m, scale), "\(m) scale \(scale)")
                #expect(intact, "\(m) scale \(scale) wrote past maxTextLength")
                #expect(value.description == text)
            }
        }
        #expect(FixedDecimal("0.35170000")?.description == "0.35170000")
        #expect(FixedDecimal("50000.10")?.description == "50000.10")
        #expect(FixedDecimal("1e-8")?.description == "0.00000001")
    }

    @Test("escaping check at every length and position")
    func escapingCheck() {
        for n in 0 ... 40 {
            let plain = [UInt8]((0 ..< n).map { UInt8(ascii: "A") + UInt8($0 % 26) })
            #expect(!plain.withUnsafeBytes { LineWriter.needsEscaping($0.baseAddress ?? UnsafeRawPointer(bitPattern: 8)!, n) })
            for i in 0 ..< n {
                for bad: UInt8 in [0x22, 0x5C, 0x00, 0x0A, 0x1F] {
                    var text = plain
                    text[i] = bad
                    #expect(text.withUnsafeBytes { LineWriter.needsEscaping($0.baseAddress!, n) }, "length \(n), \(bad) at \(i)")
                }
                var high = plain
                high[i] = 0xC3  // UTF-8 lead byte: copied as is, never escaped
                #expect(!high.withUnsafeBytes { LineWriter.needsEscaping($0.baseAddress!, n) })
            }
        }
    }

    @Test("word copies touch exactly the bytes asked for")
    func copies() {
        for n in 0 ... 40 {
            let source = [UInt8]((0 ..< n).map { UInt8($0 + 1) })
            var target = [UInt8](repeating: 0xEE, count: 48)
            source.withUnsafeBytes { s in
                target.withUnsafeMutableBytes { t in
                    LineWriter.copy(s.baseAddress ?? UnsafeRawPointer(bitPattern: 8)!, to: t.baseAddress! + 4, n)
                }
            }
            #expect(Array(target[4 ..< 4 + n]) == source, "length \(n)")
            #expect(target[..<4].allSatisfy { $0 == 0xEE } && target[(4 + n)...].allSatisfy { $0 == 0xEE }, "length \(n) wrote outside")
        }
    }

    @Test("strings: plain ones copied, others escaped, at every length")
    func strings() {
        let enc = NDJSONEncoder()
        for n in 0 ... 40 {
            let plain = String((0 ..< n).map { Character(Unicode.Scalar(UInt8(ascii: "a") + UInt8($0 % 26))) })
            var b: [UInt8] = []
            NDJSONEncoder.string(plain, &b)
            #expect(String(decoding: b, as: UTF8.self) == "\"" + plain + "\"")
            if n > 0 {
                let quoted = String(plain.dropLast()) + "\""
                b.removeAll()
                NDJSONEncoder.string(quoted, &b)
                #expect(String(decoding: b, as: UTF8.self) == "\"" + String(plain.dropLast()) + "\\\"\"")
            }
        }
        // A symbol or venue that needs escaping still comes out escaped in a trade line.
        let t = Trade(venue: VenueID(rawValue: "v\"1"), symbol: Symbol(unchecked: "A\\B", kind: .spot), price: FixedDecimal(mantissa: 15, scale: 1),
                      size: FixedDecimal(mantissa: 2, scale: 0), side: .sell, tradeID: "id\n", tsExchange: -5, tsRecv: 0)
        #expect(enc.line(for: .trade(t), seq: 0) == #"{"type":"trade","venue":"v\"1","symbol":"A\\B","price":"1.5","size":"2","side":"sell","trade_id":"id\n","ts_exchange":-5,"ts_recv":0,"seq":0}"# + "\n")
    }

    @Test("lines append after existing bytes, growing the buffer when needed")
    func appendsInPlace() {
        let t = Trade(venue: .binance, symbol: Symbol(unchecked: "BTC-USDT", kind: .spot), price: FixedDecimal(mantissa: 8_741_235_000_000, scale: 8),
                      size: FixedDecimal(mantissa: 56_304_000, scale: 8), side: .buy, tradeID: "3021456789",
                      tsExchange: 1_795_219_200_000_000_000, tsRecv: 1_795_219_200_000_000_123)
        let line = #"{"type":"trade","venue":"binance","symbol":"BTC-USDT","price":"87412.35000000","size":"0.56304000","side":"buy","trade_id":"3021456789","ts_exchange":1795219200000000000,"ts_recv":1795219200000000123,"seq":9223372036854775808}"# + "\n"
        var b: [UInt8] = Array("x".utf8)
        for _ in 0 ..< 50 { NDJSONEncoder().encode(t, seq: 1 << 63, into: &b) }
        #expect(String(decoding: b, as: UTF8.self) == "x" + String(repeating: line, count: 50))
    }
}
