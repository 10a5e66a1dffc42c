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
        // `YYYY-MM-DDTHH:MM:SS`: digits and separators checked in one pass (VenueKit), ranges here.
        guard n >= 20, let t = RFC3339.dateTime(b), (1970 ... 2261).contains(t.year), (1 ... 12).contains(t.month),
              (1 ... 31).contains(t.day), t.hour < 24, t.minute < 60, t.second < 61
        else { throw VenueParseError.invalidValue("timestamp", "expected RFC 3339 'YYYY-MM-DDTHH:MM:SS[.f]Z', got '\(text.string)'") }
        let (year, month, day, hour, minute, second) = (t.year, t.month, t.day, t.hour, t.minute, t.second)
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

    /// Days from 1970-01-01 to a proleptic Gregorian date (``RFC3339/daysSinceEpoch(year:month:day:)``).
    static func daysSinceEpoch(year: Int64, month: Int64, day: Int64) -> Int64 {
        RFC3339.daysSinceEpoch(year: year, month: month, day: day)
    }
}
