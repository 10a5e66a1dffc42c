import Testing
@testable import MarketModel

/// The in-register renderers must write exactly the bytes of the general ones — in their own
/// shape (|mantissa| < 10^16, 0…8 fraction digits) and for everything they hand over:
/// `writeShortText(to:)` = `writeText(to:)`, `writeShortJavaScriptForm(to:)` =
/// `writeJavaScriptForm(to:)`, and the Kraken digits = the mantissa's decimal digits.
@Suite("FixedDecimal short text")
struct ShortTextTests {
    /// The text `render` writes into a 64-byte buffer; also checks that nothing at or past
    /// `room` bytes from the start changed (the renderers' documented room).
    static func text(room: Int = FixedDecimal.maxTextLength, _ render: (UnsafeMutableRawPointer) -> Int) -> [UInt8] {
        let scratch = Scratch()
        defer { scratch.free() }
        let count = scratch.render(room: room, render)
        #expect(count != nil, "wrote no bytes, more than \(room), or past its room")
        return Array(scratch.bytes[0 ..< (count ?? 0)])
    }

    /// Mantissas around every digit-count boundary (10^k − 1, 10^k, 10^k + 1, 2·10^k, 10^(k+1) − 1),
    /// the 10^8 and 10^16 word boundaries, values with trailing zeros, random ones below 10^8 and
    /// below 10^16, large ones, and the negatives of all of them.
    static let mantissas: [Int64] = {
        var list: [Int64] = [0, 1, 9, 10, 99_999_999, 100_000_000, 100_000_001, 9_999_999_999_999_999,
                             10_000_000_000_000_000, 10_000_000_000_000_001, 1_234_567_890_123_456, Int64.max]
        var power: Int64 = 1
        for k in 0 ... 18 {
            list += [power - 1, power, power + 1, 2 * power, 1_234_567 * (power % 1_000_000_000_000)]
            if k < 18 {
                list.append(10 * power - 1)  // k + 1 nines
                power *= 10
            }
        }
        var rng = SplitMix64(seed: 0x5157_7E77)
        for _ in 0 ..< 8_000 { list.append(Int64(rng.next() % 100_000_000)) }
        for _ in 0 ..< 8_000 { list.append(Int64(rng.next() % 10_000_000_000_000_000)) }
        // 1–99 units with eight decimals (the pair-table path for the integer digits).
        for _ in 0 ..< 4_000 { list.append(100_000_000 + Int64(rng.next() % 9_900_000_000)) }
        for _ in 0 ..< 2_000 {
            // Trailing zeros: 1…8 digits times 10^1…10^9.
            list.append(Int64(1 + rng.next() % 99_999_999) * Int64(Digits.powerOfTen(1 + Int(rng.next() % 9))))
        }
        for _ in 0 ..< 1_000 { list.append(Int64(bitPattern: rng.next()) / Int64(1 + rng.next() % 1_000_000)) }
        return list.filter { $0 != Int64.min }.flatMap { $0 == 0 ? [0] : [$0, -$0] }
    }()

    @Test("writeShortText equals writeText for every scale 0…18 around each boundary, random, trailing zeros, negatives")
    func equalsWriteText() {
        #expect(Self.compareAtEveryScale({ $0.writeShortText(to: $1) }, { $0.writeText(to: $1) }) > 700_000)
    }

    /// Checks that `short` writes what `general` writes for every mantissa at every scale 0…18;
    /// returns how many values were compared. (Plain comparisons into two reused buffers, with an
    /// issue only per mismatch: one `#expect` and two arrays per value made this loop of 900k
    /// values take 20 s in a debug build, two such tests then held both of the test pool's
    /// threads and starved the suite's wall-clock integration tests.)
    static func compareAtEveryScale(_ short: (FixedDecimal, UnsafeMutableRawPointer) -> Int,
                                    _ general: (FixedDecimal, UnsafeMutableRawPointer) -> Int) -> Int {
        var checked = 0, mismatches = Mismatches()
        let a = Scratch(), b = Scratch()
        defer { a.free(); b.free() }
        for m in mantissas {
            for scale in 0 ... 18 {
                let x = FixedDecimal(mantissa: m, scale: UInt8(scale))
                let shortCount = a.render(room: FixedDecimal.maxTextLength) { short(x, $0) }
                let generalCount = b.render(room: FixedDecimal.maxTextLength) { general(x, $0) }
                if shortCount == nil || shortCount != generalCount || !a.starts(like: b, count: shortCount ?? 0) {
                    mismatches.record("\(m) scale \(scale): \(a.text(shortCount)) ≠ \(b.text(generalCount))")
                }
                checked += 1
            }
        }
        mismatches.finish()
        return checked
    }

    /// Mismatches of a bulk comparison: the first 20 recorded one by one, then their total.
    struct Mismatches {
        var count = 0

        mutating func record(_ text: String) {
            if count < 20 { Issue.record(Comment(rawValue: text)) }
            count += 1
        }

        func finish() {
            #expect(count == 0, "\(count) mismatches in all")
        }
    }

    /// A 64-byte buffer for bulk comparisons: each render starts from bytes `0xEE`, and must write
    /// 1…`room` bytes and leave everything at or past `room` as it was.
    final class Scratch {
        let bytes = UnsafeMutableRawBufferPointer.allocate(byteCount: 64, alignment: 8)

        /// What `render` wrote (its count), or `nil` when the count or the room was violated.
        func render(room: Int, _ render: (UnsafeMutableRawPointer) -> Int) -> Int? {
            bytes.initializeMemory(as: UInt8.self, repeating: 0xEE)
            let n = render(bytes.baseAddress.unsafelyUnwrapped)
            guard n > 0, n <= room else { return nil }
            var i = room
            while i < 64 { if bytes[i] != 0xEE { return nil }; i += 1 }
            return n
        }

        /// Whether the first `count` bytes equal `other`'s.
        func starts(like other: Scratch, count: Int) -> Bool {
            var i = 0
            while i < count { if bytes[i] != other.bytes[i] { return false }; i += 1 }
            return true
        }

        /// The first `count` bytes as text, for failure messages.
        func text(_ count: Int?) -> String {
            guard let count else { return "(bad count or room)" }
            return "\"" + String(decoding: bytes[0 ..< count], as: UTF8.self) + "\""
        }

        func free() { bytes.deallocate() }
    }

    @Test("writeShortPlain equals writeText and stores at most 25 bytes, for magnitudes below 10^16 and scales 0…8")
    func shortPlainRoom() {
        var checked = 0, mismatches = Mismatches()
        let a = Scratch(), b = Scratch()
        defer { a.free(); b.free() }
        for m in Self.mantissas where m >= 0 && m < 10_000_000_000_000_000 {
            for scale in 0 ... 8 {
                let plainCount = a.render(room: 25) { Digits.writeShortPlain(UInt64(m), scale: scale, to: $0) }
                let textCount = b.render(room: FixedDecimal.maxTextLength) { FixedDecimal(mantissa: m, scale: UInt8(scale)).writeText(to: $0) }
                if plainCount == nil || plainCount != textCount || !a.starts(like: b, count: plainCount ?? 0) {
                    mismatches.record("\(m) scale \(scale): \(a.text(plainCount)) ≠ \(b.text(textCount))")
                }
                checked += 1
            }
        }
        mismatches.finish()
        #expect(checked > 150_000)
    }

    @Test("examples: sizes and prices as OKX sends them")
    func examples() {
        for (m, s, text) in [(123, 4, "0.0123"), (0, 3, "0.000"), (100_000_000 - 1, 8, "0.99999999"), (415, 0, "415"),
                             (87_412_4, 1, "87412.4"), (5, 8, "0.00000005"), (12_345_678, 7, "1.2345678"), (1, 1, "0.1"),
                             (123_456_789, 8, "1.23456789"), (100_000_000, 8, "1.00000000"), (300_000_000, 8, "3.00000000"),
                             (9_999_999_999_999_999, 8, "99999999.99999999"), (9_999_999_999_999_999, 0, "9999999999999999"),
                             (1_000_000_000_000_000, 1, "100000000000000.0"), (100_000_000, 0, "100000000"), (0, 0, "0"),
                             (-123_456_789, 3, "-123456.789"), (999_999_999, 8, "9.99999999"), (1_000_000_000, 8, "10.00000000"),
                             (9_999_999_999, 8, "99.99999999"), (10_000_000_000, 8, "100.00000000"), (4_200_000_001, 2, "42000000.01"), (-5, 8, "-0.00000005"), (10_000_000_000_000_000, 8, "100000000.00000000")] {
            let x = FixedDecimal(mantissa: Int64(m), scale: UInt8(s))
            #expect(String(decoding: Self.text { x.writeShortText(to: $0) }, as: UTF8.self) == text, "\(m) scale \(s)")
        }
    }

    @Test("writeShortJavaScriptForm equals writeJavaScriptForm for every scale 0…18, incl. exponent forms and trailing zeros")
    func javaScriptEqualsGeneral() {
        #expect(Self.compareAtEveryScale({ $0.writeShortJavaScriptForm(to: $1) }, { $0.writeJavaScriptForm(to: $1) }) > 700_000)
    }

    @Test("JavaScript examples: Bitfinex prices, amounts and the 1e-6 / 1e-7 boundary")
    func javaScriptExamples() {
        for (m, s, text) in [(92_294, 0, "92294"), (12_345, 8, "0.00012345"), (-300_000_000, 8, "-3"), (-123_456_789, 8, "-1.23456789"),
                             (1, 6, "0.000001"), (10, 7, "0.000001"), (1, 7, "1e-7"), (9, 7, "9e-7"), (99, 8, "9.9e-7"), (100, 8, "0.000001"),
                             (66, 8, "6.6e-7"), (15, 1, "1.5"), (150, 2, "1.5"), (0, 0, "0"), (0, 8, "0"), (1_000, 0, "1000"),
                             (1_000, 3, "1"), (9_999_999_999_999_999, 8, "99999999.99999999"), (12_345_678_901, 8, "123.45678901")] {
            let x = FixedDecimal(mantissa: Int64(m), scale: UInt8(s))
            #expect(String(decoding: Self.text { x.writeShortJavaScriptForm(to: $0) }, as: UTF8.self) == text, "\(m) scale \(s)")
        }
    }

    @Test("Kraken digits are the mantissa's decimal digits (no point, no leading zeros, no sign) for every scale")
    func krakenDigits() {
        let a = Scratch()
        defer { a.free() }
        var mismatches = Mismatches()
        for m in Self.mantissas {
            let expected = Array(String(m.magnitude).utf8)
            for scale in [0, 1, 5, 8, 12, 18] {
                let x = FixedDecimal(mantissa: m, scale: UInt8(scale))
                let count = a.render(room: FixedDecimal.maxTextLength) { x.writeKrakenChecksumDigits(to: $0) }
                if count != expected.count || !expected.indices.allSatisfy({ a.bytes[$0] == expected[$0] }) {
                    mismatches.record("\(m) scale \(scale): \(a.text(count)) ≠ \(String(m.magnitude))")
                }
            }
        }
        mismatches.finish()
    }
}
