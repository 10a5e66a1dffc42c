import MarketModel

extension RFC3339 {
    /// Exact RFC 3339 → ns since the epoch (`2026-04-07T14:30:02.789012Z`, up to 9 fraction
    /// digits — further digits are ignored —, `Z` or `±HH:MM`), with no Foundation on the hot
    /// path: Coinbase, Kraken and BitMEX stamp every trade this way. Years outside 1970-2261 are
    /// refused: their nanoseconds would not fit in an `Int64`.
    public static func nanoseconds(_ text: JSONString) throws(VenueParseError) -> Nanoseconds {
        if !text.hasEscapes, let ns = canonicalNanoseconds(text.bytes) { return ns }
        return try generalNanoseconds(text)
    }

    /// The form venues send on every trade, `YYYY-MM-DDTHH:MM:SS[.f{1,9}]Z`, read with three word
    /// loads: separators and digits are checked with masks, the fields taken from fixed bytes.
    /// `nil` for anything else (offsets, more than nine fraction digits, out-of-range fields),
    /// which ``generalNanoseconds(_:)`` then reads or refuses; for text this accepts, both agree.
    static func canonicalNanoseconds(_ b: UnsafeRawBufferPointer) -> Nanoseconds? {
        let n = b.count
        guard n >= 20, n <= 30, let p = b.baseAddress, p.load(fromByteOffset: n &- 1, as: UInt8.self) == UInt8(ascii: "Z") else { return nil }
        let w0 = p.loadUnaligned(as: UInt64.self).littleEndian                      // YYYY-MM-
        let w1 = p.loadUnaligned(fromByteOffset: 8, as: UInt64.self).littleEndian   // DDTHH:MM
        let w2 = p.loadUnaligned(fromByteOffset: 12, as: UInt64.self).littleEndian  // H:MM:SS?
        // Separators: `-` at 4 and 7, `T` at 10, `:` at 13 and 16.
        guard w0 & 0xFF00_00FF_0000_0000 == 0x2D00_002D_0000_0000, w1 & 0x0000_FF00_00FF_0000 == 0x0000_3A00_0054_0000,
              w2 & 0x0000_00FF_0000_FF00 == 0x0000_003A_0000_3A00 else { return nil }
        // Digits everywhere else in bytes 0...18 (byte 19 is `.` or `Z`, checked below).
        @inline(__always) func allDigits(_ w: UInt64, _ mask: UInt64) -> Bool {
            let t = w & mask, threes = 0x3030_3030_3030_3030 & mask, highs = 0xF0F0_F0F0_F0F0_F0F0 & mask
            return ((t & highs) ^ threes) | (((t &+ (0x0606_0606_0606_0606 & mask)) & highs) ^ threes) == 0
        }
        guard allDigits(w0, 0x00FF_FF00_FFFF_FFFF), allDigits(w1, 0xFFFF_00FF_FF00_FFFF), allDigits(w2, 0x00FF_FF00_FFFF_00FF) else { return nil }
        @inline(__always) func digit(_ w: UInt64, _ i: Int) -> Int64 { Int64((w &>> UInt64(8 &* i)) & 0x0F) }
        let year = digit(w0, 0) &* 1000 &+ digit(w0, 1) &* 100 &+ digit(w0, 2) &* 10 &+ digit(w0, 3)
        let month = digit(w0, 5) &* 10 &+ digit(w0, 6), day = digit(w1, 0) &* 10 &+ digit(w1, 1)
        let hour = digit(w1, 3) &* 10 &+ digit(w1, 4), minute = digit(w1, 6) &* 10 &+ digit(w1, 7)
        let second = digit(w2, 5) &* 10 &+ digit(w2, 6)
        guard year >= 1970, year <= 2261, month >= 1, month <= 12, day >= 1, day <= 31, hour < 24, minute < 60, second < 61 else { return nil }
        var fraction: Int64 = 0
        if n > 20 {
            // `.` then 1...9 digits before the `Z`.
            guard p.load(fromByteOffset: 19, as: UInt8.self) == UInt8(ascii: "."), n > 21 else { return nil }
            for i in 20 ..< n &- 1 {
                let d = p.load(fromByteOffset: i, as: UInt8.self) &- UInt8(ascii: "0")
                guard d < 10 else { return nil }
                fraction = fraction &* 10 &+ Int64(d)
            }
            fraction &*= Int64(LayoutReader.powerOfTen(30 &- n))  // 9 - digits
        }
        let seconds = daysSinceEpoch(year: year, month: month, day: day) &* 86_400 &+ hour &* 3600 &+ minute &* 60 &+ second
        return seconds &* 1_000_000_000 &+ fraction
    }

    /// Any RFC 3339 text ``nanoseconds(_:)`` accepts (offsets, escapes, longer fractions), or the error.
    static func generalNanoseconds(_ text: JSONString) throws(VenueParseError) -> Nanoseconds {
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
