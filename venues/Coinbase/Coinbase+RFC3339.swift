import MarketModel
import VenueKit

extension Coinbase {
    /// Exact RFC 3339 → ns since the epoch (`2026-04-07T14:30:02.789012Z`, up to 9 fraction
    /// digits, `Z` or `±HH:MM`), with no Foundation on the hot path. Shared by the BitMEX adapter
    /// (ISO 8601 ms) until VenueKit offers a timestamp helper. Years outside 1970-2261 are refused:
    /// their nanoseconds would not fit in an Int64.
    static func nanoseconds(rfc3339 text: JSONString) throws(VenueParseError) -> Nanoseconds {
        let b = text.bytes, n = b.count
        func digits(_ at: Int, _ count: Int) -> Int64? {
            guard at + count <= n else { return nil }
            var v: Int64 = 0
            for i in at ..< at + count {
                let d = b[i] &- UInt8(ascii: "0")
                guard d < 10 else { return nil }
                v = v * 10 + Int64(d)
            }
            return v
        }
        func at(_ i: Int, _ c: UInt8) -> Bool { i < n && b[i] == c }
        guard n >= 20, let year = digits(0, 4), at(4, 0x2D), let month = digits(5, 2), at(7, 0x2D), let day = digits(8, 2),
              at(10, UInt8(ascii: "T")), let hour = digits(11, 2), at(13, 0x3A), let minute = digits(14, 2), at(16, 0x3A),
              let second = digits(17, 2), (1970 ... 2261).contains(year), (1 ... 12).contains(month), (1 ... 31).contains(day), hour < 24, minute < 60, second < 61
        else { throw VenueParseError.invalidValue("timestamp", "expected RFC 3339 'YYYY-MM-DDTHH:MM:SS[.f]Z', got '\(text.string)'") }
        var i = 19, fraction: Int64 = 0, scale: Int64 = 1_000_000_000
        if at(i, 0x2E) {
            i += 1
            while i < n, b[i] &- UInt8(ascii: "0") < 10 {
                if scale > 1 { scale /= 10; fraction += Int64(b[i] &- UInt8(ascii: "0")) * scale }
                i += 1
            }
        }
        var offset: Int64 = 0
        if at(i, UInt8(ascii: "Z")), i + 1 == n {
        } else if i + 6 == n, at(i, 0x2B) || at(i, 0x2D), let oh = digits(i + 1, 2), at(i + 3, 0x3A), let om = digits(i + 4, 2) {
            offset = (oh * 60 + om) * 60 * (b[i] == 0x2B ? 1 : -1)
        } else { throw VenueParseError.invalidValue("timestamp", "expected 'Z' or '±HH:MM' in '\(text.string)'") }
        let seconds = daysSinceEpoch(year: year, month: month, day: day) * 86_400 + hour * 3600 + minute * 60 + second - offset
        return seconds * 1_000_000_000 + fraction
    }

    /// Days from 1970-01-01 to a proleptic Gregorian date (H. Hinnant's `days_from_civil`).
    static func daysSinceEpoch(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        return era * 146_097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719_468
    }
}
