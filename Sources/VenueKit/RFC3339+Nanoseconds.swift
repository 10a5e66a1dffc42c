import MarketModel

extension RFC3339 {
    /// Exact RFC 3339 → ns since the epoch (`2026-04-07T14:30:02.789012Z`, up to 9 fraction
    /// digits — further digits are ignored —, `Z` or `±HH:MM`), with no Foundation on the hot
    /// path: Coinbase, Kraken and BitMEX stamp every trade this way. Years outside 1970-2261 are
    /// refused: their nanoseconds would not fit in an `Int64`.
    public static func nanoseconds(_ text: JSONString) throws(VenueParseError) -> Nanoseconds {
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
        // `YYYY-MM-DDTHH:MM:SS`: digits and separators checked in one pass (`dateTime`), ranges here.
        guard n >= 20, let t = dateTime(b), (1970 ... 2261).contains(t.year), (1 ... 12).contains(t.month),
              (1 ... 31).contains(t.day), t.hour < 24, t.minute < 60, t.second < 61
        else { throw VenueParseError.invalidValue("timestamp", "expected RFC 3339 'YYYY-MM-DDTHH:MM:SS[.f]Z', got '\(text.string)'") }
        var i = 19, fraction: Int64 = 0, scale: Int64 = 1_000_000_000
        if at(i, UInt8(ascii: ".")) {
            i += 1
            while i < n, b[i] &- UInt8(ascii: "0") < 10 {
                if scale > 1 { scale /= 10; fraction += Int64(b[i] &- UInt8(ascii: "0")) * scale }
                i += 1
            }
        }
        var offset: Int64 = 0
        if at(i, UInt8(ascii: "Z")), i + 1 == n {
        } else if i + 6 == n, at(i, UInt8(ascii: "+")) || at(i, UInt8(ascii: "-")), let oh = digits(i + 1, 2), at(i + 3, UInt8(ascii: ":")),
                  let om = digits(i + 4, 2) {
            offset = (oh * 60 + om) * 60 * (b[i] == UInt8(ascii: "+") ? 1 : -1)
        } else { throw VenueParseError.invalidValue("timestamp", "expected 'Z' or '±HH:MM' in '\(text.string)'") }
        let seconds = daysSinceEpoch(year: t.year, month: t.month, day: t.day) * 86_400 + t.hour * 3600 + t.minute * 60 + t.second - offset
        return seconds * 1_000_000_000 + fraction
    }
}
