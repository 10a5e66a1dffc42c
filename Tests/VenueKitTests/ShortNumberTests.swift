import MarketModel
import Testing
@testable import VenueKit

// The straight-line number core (`SWAR.shortNumber`) and the readers built on it
// (`JSONScanner.readDecimal`/`readInt64`, `LayoutReader.decimal`/`integer`/`quotedDecimal`/
// `quotedInteger`) against independent references: a byte-by-byte reading of the same grammar,
// and the scanner's general path (`readNumber()` + `decimal()`/`int64()`, `readString()` +
// `decimal()`/`int64()`). Every digit count 1…19, every scale 0…18, leading zeros, signs,
// overflow, each byte of the text replaced by a malformed one, with and without room after it.

/// A number text's digit runs, read byte by byte: the reference for `SWAR.shortNumber`.
fileprivate struct Runs: Equatable {
    var mantissa: UInt64, scale: Int, intDigits: Int, length: Int
}

/// Reads `[0-9]+(\.[0-9]+)?` at the start of `bytes` byte by byte (maximal runs, wrapping
/// arithmetic); `nil` without a first digit or with a point not followed by a digit.
fileprivate func referenceRuns(_ bytes: [UInt8]) -> Runs? {
    func isDigit(_ i: Int) -> Bool { i < bytes.count && bytes[i] &- UInt8(ascii: "0") < 10 }
    var i = 0, value: UInt64 = 0
    while isDigit(i) { value = value &* 10 &+ UInt64(bytes[i] &- UInt8(ascii: "0")); i += 1 }
    guard i > 0 else { return nil }
    let intDigits = i
    guard i < bytes.count, bytes[i] == UInt8(ascii: ".") else { return Runs(mantissa: value, scale: 0, intDigits: intDigits, length: i) }
    i += 1
    let fractionStart = i
    while isDigit(i) { value = value &* 10 &+ UInt64(bytes[i] &- UInt8(ascii: "0")); i += 1 }
    guard i > fractionStart else { return nil }
    return Runs(mantissa: value, scale: i - fractionStart, intDigits: intDigits, length: i)
}

/// `SWAR.shortNumber` on `bytes`, padded so that its 17 bytes are readable.
fileprivate func shortRuns(_ bytes: [UInt8]) -> Runs? {
    let padded = bytes + [UInt8](repeating: UInt8(ascii: " "), count: 17)
    return padded.withUnsafeBytes { raw in
        SWAR.shortNumber(raw.baseAddress!).map { Runs(mantissa: $0.mantissa, scale: $0.scale, intDigits: $0.intDigits, length: $0.length) }
    }
}

/// Random digits (the first never `0` when `leadingZero` is false and more follow).
fileprivate func digitText(_ n: Int, _ rng: inout SplitMix64, leadingZero: Bool = false) -> String {
    String((0 ..< n).map { i -> Character in
        if i == 0, n > 1 { return leadingZero ? "0" : Character(String(rng.next() % 9 + 1)) }
        return Character(String(rng.next() % 10))
    })
}

/// Number bodies for every digit count 1…19 and scale 0…18 (integer digits ≥ 1), with and
/// without a leading zero, plus the edge spellings; each also negative.
fileprivate func numberBodies() -> [String] {
    var rng = SplitMix64(seed: 0x5348_4F52_544E_554D)
    var bodies: [String] = []
    for total in 1 ... 19 {
        for scale in 0 ..< total {
            let intDigits = total - scale
            for leadingZero in [false, true] where !leadingZero || intDigits > 1 {
                for _ in 0 ..< 2 {
                    let int = digitText(intDigits, &rng, leadingZero: leadingZero)
                    bodies.append(scale == 0 ? int : "\(int).\(digitText(scale, &rng))")
                }
            }
            bodies.append(String(repeating: "9", count: intDigits) + (scale == 0 ? "" : "." + String(repeating: "9", count: scale)))
        }
    }
    bodies += ["0", "0.0", "0.5", "1.", ".5", "", "1..5", "1.5.5", "00", "07", "0.00000001", "1e5", "1.5e-3", "12345678.5",
               "123456789012345", "1234567890123456", "999999999999999999", "1000000000000000000", "9223372036854775807",
               "9223372036854775808", "18446744073709551616", "1234567.12345678", "1234567.123456789"]
    return bodies + bodies.map { "-" + $0 }
}

/// Bytes that must never be read as part of a number where they stand.
fileprivate let malformedBytes: [UInt8] = [UInt8(ascii: "x"), UInt8(ascii: "."), UInt8(ascii: "-"), UInt8(ascii: "e"),
                                           UInt8(ascii: "/"), UInt8(ascii: ":"), UInt8(ascii: " "), UInt8(ascii: "\""), 0x00, 0xFF, 0xB9]

/// What follows the number: the end of the buffer, delimiters, room for the word reads, garbage.
fileprivate let tails = ["", ",", "]", "}", " ", ",\"pad\":\"0123456789abcdef\"}", "]                    ", "x123456789abcdefgh", "5"]

/// The texts to read: every body with every tail, and every sixth body with each of its bytes
/// replaced by each malformed byte, at the end of the buffer, before `}` and with room after it.
fileprivate func cases() -> [(body: [UInt8], tail: [UInt8])] {
    var all: [(body: [UInt8], tail: [UInt8])] = []
    for (n, body) in numberBodies().enumerated() {
        let bytes = Array(body.utf8)
        all += tails.map { (bytes, Array($0.utf8)) }
        guard n % 6 == 0 else { continue }
        for i in bytes.indices {
            for bad in malformedBytes where bad != bytes[i] {
                var copy = bytes
                copy[i] = bad
                all += ["", "}", ",\"pad\":\"0123456789abcdef\"}"].map { (copy, Array($0.utf8)) }
            }
        }
    }
    return all
}

/// Runs `body` on a scanner over exactly `bytes`.
fileprivate func scanning<R>(_ bytes: [UInt8], _ body: (inout JSONScanner) -> R) -> R {
    bytes.withUnsafeBytes { raw in
        var s = JSONScanner(raw)
        return body(&s)
    }
}

/// Runs `body` with a layout reader over exactly `bytes` (an allocation of that size).
fileprivate func reading<R>(_ bytes: [UInt8], _ body: (inout LayoutReader) -> R) -> R {
    let storage = UnsafeMutableRawBufferPointer.allocate(byteCount: max(bytes.count, 1), alignment: 1)
    defer { storage.deallocate() }
    bytes.withUnsafeBytes { storage.copyMemory(from: $0) }
    var reader = LayoutReader(UnsafeRawBufferPointer(start: storage.baseAddress, count: bytes.count))
    return body(&reader)
}

/// A read's exact value and where it ended, or a refusal.
fileprivate enum Outcome: Equatable {
    case value(mantissa: Int64, scale: UInt8, end: Int)
    case refused
}

/// `true` for `[0-9]`.
fileprivate func isDigit(_ c: UInt8) -> Bool { c &- UInt8(ascii: "0") < 10 }

/// The layout reader's grammar, byte by byte: `-?` then a maximal digit run (1…18 digits in all,
/// no leading zero unless plain numbers allow it), for decimals an optional `.` and a maximal
/// fraction run. Returns the value and the offset after it.
fileprivate func referenceLayout(_ bytes: [UInt8], integer: Bool, negativeAllowed: Bool = true,
                                 leadingZeros: Bool = false) -> Outcome {
    var i = 0
    let negative = negativeAllowed && i < bytes.count && bytes[i] == UInt8(ascii: "-")
    if negative { i += 1 }
    let start = i
    var value: UInt64 = 0
    while i < bytes.count, isDigit(bytes[i]) { value = value &* 10 &+ UInt64(bytes[i] &- 48); i += 1 }
    let intDigits = i - start
    guard intDigits > 0, leadingZeros || intDigits == 1 || bytes[start] != UInt8(ascii: "0") else { return .refused }
    var scale = 0
    if !integer, i < bytes.count, bytes[i] == UInt8(ascii: ".") {
        i += 1
        let fractionStart = i
        while i < bytes.count, isDigit(bytes[i]) { value = value &* 10 &+ UInt64(bytes[i] &- 48); i += 1 }
        scale = i - fractionStart
        guard scale > 0 else { return .refused }
    }
    guard intDigits + scale <= 18 else { return .refused }
    return .value(mantissa: negative ? -Int64(value) : Int64(value), scale: UInt8(scale), end: i)
}

@Suite("Short number core and the readers on it")
struct ShortNumberTests {
    @Test("SWAR.shortNumber equals a byte-by-byte reading wherever it answers, and answers for every short shape")
    func coreMatchesReference() {
        var checked = 0
        for (bytes, tail) in cases() {
            do {
                let text = bytes + tail
                let expected = referenceRuns(text)
                guard let actual = shortRuns(text) else {
                    // It must answer for ddd (≤ 15 digits) and ddd.ddd (≤ 7 + ≤ 8 digits) that end there.
                    if let expected, expected.length <= 16,
                       expected.scale == 0 ? expected.intDigits <= 15 : expected.intDigits <= 7 && expected.scale <= 8 {
                        Issue.record("no answer for \(String(decoding: text, as: UTF8.self))")
                    }
                    continue
                }
                #expect(actual == expected, "\(String(decoding: text, as: UTF8.self))")
                #expect(actual.length <= 16 && (actual.scale == 0 ? actual.intDigits <= 15 : actual.intDigits <= 7 && actual.scale <= 8))
                checked += 1
            }
        }
        #expect(checked > 10_000)
    }

    @Test("readDecimal and readInt64 equal the general path for every digit count, scale, sign and malformed byte")
    func scannerMatchesGeneral() {
        var checked = 0
        for (bytes, tail) in cases() {
            for quoted in [false, true] {
                do {
                    let text = quoted ? [UInt8(ascii: "\"")] + bytes + [UInt8(ascii: "\"")] + tail : bytes + tail
                    let decimal = scanning(text) { s -> Outcome in
                        guard let d = try? s.readDecimal() else { return .refused }
                        return .value(mantissa: d.mantissa, scale: d.scale, end: s.position)
                    }
                    let generalDecimal = scanning(text) { s -> Outcome in
                        let d = quoted ? (try? s.readString().decimal()) : (try? s.readNumber().decimal())
                        guard let d else { return .refused }
                        return .value(mantissa: d.mantissa, scale: d.scale, end: s.position)
                    }
                    let integer = scanning(text) { s -> Outcome in
                        guard let v = try? s.readInt64() else { return .refused }
                        return .value(mantissa: v, scale: 0, end: s.position)
                    }
                    let generalInteger = scanning(text) { s -> Outcome in
                        let v = quoted ? (try? s.readString().int64()) : (try? s.readNumber().int64())
                        guard let v else { return .refused }
                        return .value(mantissa: v, scale: 0, end: s.position)
                    }
                    // A plain number's delimiter is checked by the fast readers at once and by the
                    // general path's next read: where the general path accepted the number but the
                    // fast reader refused, the byte after it must be no delimiter.
                    for (fast, general) in [(decimal, generalDecimal), (integer, generalInteger)] where fast != general {
                        if fast == .refused, case .value(_, _, let end) = general, !quoted, end < text.count,
                           !JSONScanner.isDelimiter(text[end]) { continue }
                        Issue.record("\(String(decoding: text, as: UTF8.self)): \(fast) ≠ general \(general)")
                    }
                    checked += 1
                }
            }
        }
        #expect(checked > 50_000)
    }

    @Test("LayoutReader numbers equal the JSON grammar read byte by byte, for every digit count, scale, sign and malformed byte")
    func layoutMatchesReference() {
        var checked = 0
        for (bytes, tail) in cases() {
            do {
                let text = bytes + tail
                let decimal = reading(text) { r -> Outcome in
                    guard let d = r.decimal() else { return .refused }
                    return .value(mantissa: d.mantissa, scale: d.scale, end: text.count - r.remaining)
                }
                #expect(decimal == referenceLayout(text, integer: false), "decimal \(String(decoding: text, as: UTF8.self))")
                let integer = reading(text) { r -> Outcome in
                    guard let v = r.integer() else { return .refused }
                    return .value(mantissa: v, scale: 0, end: text.count - r.remaining)
                }
                #expect(integer == referenceLayout(text, integer: true), "integer \(String(decoding: text, as: UTF8.self))")
                // Quoted: the opening quote belongs to the literal before; the value ends at `"`.
                let quotedText = bytes + [UInt8(ascii: "\"")] + tail
                func quoted(_ reference: Outcome) -> Outcome {
                    guard case .value(let m, let s, let end) = reference, end < quotedText.count,
                          quotedText[end] == UInt8(ascii: "\"") else { return .refused }
                    return .value(mantissa: m, scale: s, end: end + 1)
                }
                let quotedDecimal = reading(quotedText) { r -> Outcome in
                    guard let d = r.quotedDecimal() else { return .refused }
                    return .value(mantissa: d.mantissa, scale: d.scale, end: quotedText.count - r.remaining)
                }
                #expect(quotedDecimal == quoted(referenceLayout(quotedText, integer: false)), "quoted decimal \(String(decoding: quotedText, as: UTF8.self))")
                let quotedInteger = reading(quotedText) { r -> Outcome in
                    guard let v = r.quotedInteger() else { return .refused }
                    return .value(mantissa: v, scale: 0, end: quotedText.count - r.remaining)
                }
                let expectedQuotedInteger = quoted(referenceLayout(quotedText, integer: true, negativeAllowed: false, leadingZeros: true))
                #expect(quotedInteger == expectedQuotedInteger, "quoted integer \(String(decoding: quotedText, as: UTF8.self))")
                checked += 1
            }
        }
        #expect(checked > 20_000)
    }
}
