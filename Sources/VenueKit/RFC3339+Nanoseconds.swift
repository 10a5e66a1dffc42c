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

    /// The form venues send on every trade, `YYYY-MM-DDTHH:MM:SS[.f{1,9}]Z`, read with word loads:
    /// separators and digits are checked with masks, the fields taken from fixed bytes. `nil` for
    /// anything else (offsets, more than nine fraction digits, out-of-range fields), which
    /// ``generalNanoseconds(_:)`` then reads or refuses; for text this accepts, both agree.
    static func canonicalNanoseconds(_ b: UnsafeRawBufferPointer) -> Nanoseconds? {
        guard let rest = minutesSecondsFraction(b), let hour = hourStart(b) else { return nil }
        return hour &+ rest
    }

    /// `YYYY-MM-DDTHH` (bytes 0...12 of a canonical time) as ns since the epoch; `nil` unless
    /// every byte is a digit or its separator and the fields are in range. The caller has checked
    /// that `b` has at least 20 bytes.
    static func hourStart(_ b: UnsafeRawBufferPointer) -> Nanoseconds? {
        guard let p = b.baseAddress else { return nil }
        let w0 = p.loadUnaligned(as: UInt64.self).littleEndian                      // YYYY-MM-
        let w1 = p.loadUnaligned(fromByteOffset: 8, as: UInt64.self).littleEndian   // DDTHH:MM
        // `-` at 4 and 7, `T` at 10; digits at 0...3, 5, 6, 8, 9, 11, 12.
        guard w0 & 0xFF00_00FF_0000_0000 == 0x2D00_002D_0000_0000, w1 & 0x0000_0000_00FF_0000 == 0x0000_0000_0054_0000,
              allDigits(w0, 0x00FF_FF00_FFFF_FFFF), allDigits(w1, 0x0000_00FF_FF00_FFFF) else { return nil }
        let year = digit(w0, 0) &* 1000 &+ digit(w0, 1) &* 100 &+ digit(w0, 2) &* 10 &+ digit(w0, 3)
        let month = digit(w0, 5) &* 10 &+ digit(w0, 6), day = digit(w1, 0) &* 10 &+ digit(w1, 1)
        let hour = digit(w1, 3) &* 10 &+ digit(w1, 4)
        guard year >= 1970, year <= 2261, month >= 1, month <= 12, day >= 1, day <= 31, hour < 24 else { return nil }
        return (daysSinceEpoch(year: year, month: month, day: day) &* 86_400 &+ hour &* 3600) &* 1_000_000_000
    }

    /// `:MM:SS[.f{1,9}]Z` (bytes 13... of a canonical time) as ns into the hour; `nil` for
    /// anything else. Checks the length (20...30 bytes) and the closing `Z` for both halves.
    static func minutesSecondsFraction(_ b: UnsafeRawBufferPointer) -> Nanoseconds? {
        let n = b.count
        guard n >= 20, n <= 30, let p = b.baseAddress, p.load(fromByteOffset: n &- 1, as: UInt8.self) == UInt8(ascii: "Z") else { return nil }
        let w = p.loadUnaligned(fromByteOffset: 12, as: UInt64.self).littleEndian  // H:MM:SS?
        // `:` at 13 and 16; digits at 14, 15, 17, 18.
        guard w & 0x0000_00FF_0000_FF00 == 0x0000_003A_0000_3A00, allDigits(w, 0x00FF_FF00_FFFF_0000) else { return nil }
        let minute = digit(w, 2) &* 10 &+ digit(w, 3), second = digit(w, 5) &* 10 &+ digit(w, 6)
        guard minute < 60, second < 61 else { return nil }
        var fraction: Int64 = 0
        if n > 20 {
            // `.` then 1...9 digits before the `Z`.
            guard p.load(fromByteOffset: 19, as: UInt8.self) == UInt8(ascii: "."), n > 21 else { return nil }
            // The fraction is bytes 20 ..< n - 1 (1...9 digits). Its last eight or fewer digits are
            // the top bytes of the word that ends just before the `Z` (bytes n - 9 ... n - 2, all
            // inside the text since n ≥ 22), checked and converted in one step instead of a loop
            // with a branch per digit; a ninth digit is byte 20.
            let k = n &- 21, m = min(k, 8)
            let w = p.loadUnaligned(fromByteOffset: n &- 9, as: UInt64.self).littleEndian
            guard allDigits(w, ~0 &<< UInt64(64 &- 8 &* m)) else { return nil }
            fraction = Int64(SWAR.digitsValue(w &>> UInt64(64 &- 8 &* m), count: m))
            if k == 9 {
                let d = p.load(fromByteOffset: 20, as: UInt8.self) &- UInt8(ascii: "0")
                guard d < 10 else { return nil }
                fraction &+= Int64(d) &* 100_000_000
            }
            fraction &*= Int64(SWAR.power(9 &- k))
        }
        return (minute &* 60 &+ second) &* 1_000_000_000 &+ fraction
    }

    /// Whether the bytes of `w` selected by `mask` (0xFF per byte) are all ASCII digits.
    @inline(__always)
    static func allDigits(_ w: UInt64, _ mask: UInt64) -> Bool {
        let t = w & mask, threes = 0x3030_3030_3030_3030 & mask, highs = 0xF0F0_F0F0_F0F0_F0F0 & mask
        return ((t & highs) ^ threes) | (((t &+ (0x0606_0606_0606_0606 & mask)) & highs) ^ threes) == 0
    }

    /// The digit in byte `i` of `w` (already checked to be one).
    @inline(__always)
    static func digit(_ w: UInt64, _ i: Int) -> Int64 { Int64((w &>> UInt64(8 &* i)) & 0x0F) }

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

/// Reads a feed's RFC 3339 times, remembering the date and hour of the last canonical one: a feed's
/// times share them almost always (a Coinbase trade and its envelope, a Kraken or BitMEX stream),
/// so the next time costs only its minutes, seconds and fraction. Same results and errors as
/// ``RFC3339/nanoseconds(_:)``; an adapter keeps one per connection (it is a value, no locking).
public struct RFC3339Clock: Sendable {
    /// Bytes 0...7 and 5...12 of the last canonical time (`YYYY-MM-` and `MM-DDTHH`).
    var head: (UInt64, UInt64) = (0, 0)
    /// Its hour as ns since the epoch; `nil` until a canonical time has been read.
    var hour: Nanoseconds?

    /// A clock that has seen no time yet.
    public init() {}

    /// ``RFC3339/nanoseconds(_:)``, with the date and hour reused when they repeat.
    public mutating func nanoseconds(_ text: JSONString) throws(VenueParseError) -> Nanoseconds {
        let b = text.bytes
        if !text.hasEscapes, let rest = RFC3339.minutesSecondsFraction(b), let p = b.baseAddress {
            let key = (p.loadUnaligned(as: UInt64.self), p.loadUnaligned(fromByteOffset: 5, as: UInt64.self))
            if let hour, key == head { return hour &+ rest }
            if let start = RFC3339.hourStart(b) {
                head = key
                hour = start
                return start &+ rest
            }
        }
        return try RFC3339.generalNanoseconds(text)
    }
}
