import Testing
import MarketModel
@testable import VenueKit

@Suite("RFC3339 helpers")
struct RFC3339Tests {
    func fields(_ text: String) -> RFC3339DateTime? {
        Array(text.utf8).withUnsafeBytes { RFC3339.dateTime($0) }
    }

    @Test("reads the fixed-position head, anything after it ignored")
    func head() {
        let expected = RFC3339DateTime(year: 2023, month: 10, day: 6, hour: 17, minute: 35, second: 55)
        #expect(fields("2023-10-06T17:35:55.440295Z") == expected)
        #expect(fields("2023-10-06T17:35:55") == expected)
        #expect(fields("0000-00-00T00:00:00") == RFC3339DateTime(year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0))
        #expect(fields("9999-99-99T99:99:99") == RFC3339DateTime(year: 9999, month: 99, day: 99, hour: 99, minute: 99, second: 99))
        #expect(fields("2023-10-06T17:35:5") == nil)
        #expect(fields("") == nil)
    }

    @Test("any wrong byte in the head is refused")
    func everyPosition() {
        let good = Array("2023-10-06T17:35:55Z".utf8)
        for i in 0 ..< 19 {
            for bad: UInt8 in [UInt8(ascii: "/"), UInt8(ascii: ":"), UInt8(ascii: " "), UInt8(ascii: "a"), 0x00, 0xFF, UInt8(ascii: "-"), UInt8(ascii: "T")] {
                var text = good
                guard text[i] != bad else { continue }
                text[i] = bad
                let got = text.withUnsafeBytes { RFC3339.dateTime($0) }
                #expect(got == nil, "byte \(bad) at \(i)")
            }
        }
    }

    @Test("days from the epoch")
    func days() {
        #expect(RFC3339.daysSinceEpoch(year: 1970, month: 1, day: 1) == 0)
        #expect(RFC3339.daysSinceEpoch(year: 2000, month: 3, day: 1) == 11_017)
        #expect(RFC3339.daysSinceEpoch(year: 2026, month: 11, day: 22) == 20_779)
        #expect(RFC3339.daysSinceEpoch(year: 1969, month: 12, day: 31) == -1)
    }
}

@Suite("RFC 3339 canonical fast path")
struct RFC3339CanonicalTests {
    /// Runs both readers over `text`.
    private func both(_ text: String) -> (fast: Nanoseconds?, general: Nanoseconds?) {
        let bytes = Array(text.utf8)
        return bytes.withUnsafeBytes { raw in
            let s = JSONString(bytes: raw, hasEscapes: false)
            return (RFC3339.canonicalNanoseconds(raw), try? RFC3339.generalNanoseconds(s))
        }
    }

    @Test("the venues' forms take the fast path and agree with the general reader")
    func canonicalForms() {
        for text in ["2026-04-07T14:30:02Z", "2026-04-07T14:30:02.7Z", "2026-04-07T14:30:02.789012Z", "2026-04-07T14:30:02.789012345Z",
                     "1970-01-01T00:00:00.000Z", "2261-12-31T23:59:60.999999999Z", "2024-02-29T12:00:00.5Z"] {
            let (fast, general) = both(text)
            #expect(fast != nil && fast == general, "\(text)")
        }
    }

    @Test("every fraction length 1...9, each fraction byte replaced by a non-digit: refused, never misread")
    func fractionBytes() {
        for k in 1 ... 9 {
            let digits = String("987654321".prefix(k))
            let text = "2026-04-07T14:30:02.\(digits)Z"
            let (fast, general) = both(text)
            #expect(fast != nil && fast == general, "\(text)")
            #expect(fast.map { $0 % 1_000_000_000 } == Int64(digits + String(repeating: "0", count: 9 - k)), "\(text)")
            for i in 20 ..< 20 + k {
                for c in Array("/:a. Z".utf8) {
                    var bytes = Array(text.utf8)
                    bytes[i] = c
                    let mutated = String(decoding: bytes, as: UTF8.self)
                    #expect(both(mutated).fast == nil, "\(mutated)")
                }
            }
        }
    }

    @Test("seeded random times and mutations: the fast path answers only when it agrees")
    func randomAndMutated() {
        var rng = SplitMix64(seed: 0x52464333)
        let alphabet = Array("0123456789-T:.Z+ x".utf8)
        var fastAnswers = 0
        for _ in 0 ..< 20_000 {
            let year = 1960 + Int(rng.next() % 320), month = 1 + Int(rng.next() % 12), day = 1 + Int(rng.next() % 31)
            let hour = Int(rng.next() % 24), minute = Int(rng.next() % 60), second = Int(rng.next() % 61)
            func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
            var text = "\(year)-\(two(month))-\(two(day))T\(two(hour)):\(two(minute)):\(two(second))"
            let digits = Int(rng.next() % 12)
            if digits > 0 || rng.next() % 4 == 0 { text += "." + (0 ..< digits).map { _ in String(rng.next() % 10) }.joined() }
            text += rng.next() % 8 == 0 ? "+01:30" : "Z"
            var bytes = Array(text.utf8)
            if rng.next() % 3 == 0 { bytes[Int(rng.next() % UInt64(bytes.count))] = alphabet[Int(rng.next() % UInt64(alphabet.count))] }
            let mutated = String(decoding: bytes, as: UTF8.self)
            let (fast, general) = both(mutated)
            if let fast {
                fastAnswers += 1
                #expect(fast == general, "\(mutated)")
            }
        }
        #expect(fastAnswers > 5000)
    }
}

@Suite("RFC3339Clock")
struct RFC3339ClockTests {
    @Test("a stream of times with repeating hours, some mutated: the clock answers as RFC3339.nanoseconds does")
    func agreesWithStatelessReader() {
        var rng = SplitMix64(seed: 0x436c6f636b)
        var clock = RFC3339Clock()
        let alphabet = Array("0123456789-T:.Z+ x".utf8)
        var hour = 0, day = 1
        for _ in 0 ..< 20_000 {
            if rng.next() % 50 == 0 { hour = (hour + 1) % 24 }
            if rng.next() % 500 == 0 { day = day % 28 + 1 }
            func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
            var text = "2026-04-\(two(day))T\(two(hour)):\(two(Int(rng.next() % 60))):\(two(Int(rng.next() % 61)))"
            let digits = Int(rng.next() % 11)
            if digits > 0 { text += "." + (0 ..< digits).map { _ in String(rng.next() % 10) }.joined() }
            text += "Z"
            var bytes = Array(text.utf8)
            if rng.next() % 4 == 0 { bytes[Int(rng.next() % UInt64(bytes.count))] = alphabet[Int(rng.next() % UInt64(alphabet.count))] }
            let mutated = String(decoding: bytes, as: UTF8.self)
            let (fromClock, expected) = Array(mutated.utf8).withUnsafeBytes { raw in
                let s = JSONString(bytes: raw, hasEscapes: false)
                return (try? clock.nanoseconds(s), try? RFC3339.nanoseconds(s))
            }
            #expect(fromClock == expected, "\(mutated)")
        }
    }
}
