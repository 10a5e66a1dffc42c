import MarketModel

/// The date and time fields of an RFC 3339 timestamp's fixed-position head
/// `YYYY-MM-DDTHH:MM:SS` (no range checks: adapters apply their venue's rules).
public struct RFC3339DateTime: Sendable, Equatable {
    /// Four-digit year.
    public var year: Int64
    /// Two-digit month (not checked to be 1...12).
    public var month: Int64
    /// Two-digit day of month.
    public var day: Int64
    /// Two-digit hour.
    public var hour: Int64
    /// Two-digit minute.
    public var minute: Int64
    /// Two-digit second.
    public var second: Int64

    /// Memberwise initializer.
    @inlinable
    public init(year: Int64, month: Int64, day: Int64, hour: Int64, minute: Int64, second: Int64) {
        self.year = year
        self.month = month
        self.day = day
        self.hour = hour
        self.minute = minute
        self.second = second
    }
}

/// Shared pieces of RFC 3339 timestamp parsing (Kraken, Coinbase and BitMEX send
/// `2023-10-06T17:35:55.440295Z`-style times on every trade).
public enum RFC3339 {
    /// Reads `YYYY-MM-DDTHH:MM:SS` from the first 19 bytes of `text`: ASCII digits at the 14
    /// digit positions and `-` `-` `T` `:` `:` at the 5 separator positions, else `nil` (also
    /// for text shorter than 19 bytes). Straight-line code: every digit is tested and the
    /// failures are OR-ed into one flag, so a timestamp costs one branch instead of a loop and
    /// a branch per digit.
    @inlinable
    public static func dateTime(_ text: UnsafeRawBufferPointer) -> RFC3339DateTime? {
        guard text.count >= 19, let p = text.baseAddress else { return nil }
        @inline(__always) func digit(_ i: Int, _ bad: inout Bool) -> Int64 {
            let d = p.load(fromByteOffset: i, as: UInt8.self) &- UInt8(ascii: "0")
            bad = bad || d > 9
            return Int64(d)
        }
        @inline(__always) func byte(_ i: Int) -> UInt8 { p.load(fromByteOffset: i, as: UInt8.self) }
        var bad = byte(4) != UInt8(ascii: "-") || byte(7) != UInt8(ascii: "-") || byte(10) != UInt8(ascii: "T")
            || byte(13) != UInt8(ascii: ":") || byte(16) != UInt8(ascii: ":")
        let y0 = digit(0, &bad), y1 = digit(1, &bad), y2 = digit(2, &bad), y3 = digit(3, &bad)
        let mo0 = digit(5, &bad), mo1 = digit(6, &bad), d0 = digit(8, &bad), d1 = digit(9, &bad)
        let h0 = digit(11, &bad), h1 = digit(12, &bad), mi0 = digit(14, &bad), mi1 = digit(15, &bad)
        let s0 = digit(17, &bad), s1 = digit(18, &bad)
        guard !bad else { return nil }
        return RFC3339DateTime(year: ((y0 &* 10 &+ y1) &* 10 &+ y2) &* 10 &+ y3, month: mo0 &* 10 &+ mo1, day: d0 &* 10 &+ d1,
                               hour: h0 &* 10 &+ h1, minute: mi0 &* 10 &+ mi1, second: s0 &* 10 &+ s1)
    }

    /// Days from 1970-01-01 to a proleptic Gregorian date (H. Hinnant's `days_from_civil`),
    /// for any year that fits.
    @inlinable
    public static func daysSinceEpoch(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        return era * 146_097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719_468
    }
}
