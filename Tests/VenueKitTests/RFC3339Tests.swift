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
