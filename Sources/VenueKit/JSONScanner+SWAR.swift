import MarketModel

/// Eight-bytes-at-a-time helpers ("SIMD within a register") for the scanner's hot loops: finding
/// the end of a string, the length of a run of digits and the value of up to eight digits, each
/// with a handful of integer operations on one unaligned 64-bit load instead of a branch per byte.
/// Words are little-endian: byte 0 is the first character.
@usableFromInline
enum SWAR {
    /// 0x01 in every byte (a computed constant: folds into the code, also across modules).
    @inlinable static var ones: UInt64 { 0x0101_0101_0101_0101 }
    /// 0x80 in every byte.
    @inlinable static var highs: UInt64 { 0x8080_8080_8080_8080 }

    /// 10^0 ... 10^8, for appending a run of up to eight digits to a value.
    @inlinable @inline(always)
    static func power(_ n: Int) -> UInt64 {
        // A switch compiles to a table lookup without the lazy-global check of a `let` array.
        switch n {
        case 0: return 1
        case 1: return 10
        case 2: return 100
        case 3: return 1_000
        case 4: return 10_000
        case 5: return 100_000
        case 6: return 1_000_000
        case 7: return 10_000_000
        default: return 100_000_000
        }
    }

    /// The offset (0...8) of the first byte of `w` that ends a plain string run: `"`, `\`, a
    /// control character (< 0x20) or a non-ASCII byte (≥ 0x80, validated separately); 8 if none.
    /// Exact: the lowest flagged byte of each test is a true hit, so the lowest overall is too.
    @inlinable @inline(always)
    static func stringStop(_ w: UInt64) -> Int {
        let q = w ^ (ones &* 0x22), b = w ^ (ones &* 0x5C)
        let hits = ((q &- ones) & ~q) | ((b &- ones) & ~b) | ((w &- ones &* 0x20) & ~w) | w
        return (hits & highs).trailingZeroBitCount &>> 3
    }

    /// The number of leading ASCII digits of `w` (0...8). Exact for ASCII bytes; a non-ASCII
    /// byte may end the run early (never late), which only sends the caller to its general path.
    @inlinable @inline(always)
    static func digitRun(_ w: UInt64) -> Int {
        let nibbles: UInt64 = 0xF0F0_F0F0_F0F0_F0F0, threes: UInt64 = 0x3030_3030_3030_3030
        let nonDigit = ((w & nibbles) ^ threes) | (((w &+ 0x0606_0606_0606_0606) & nibbles) ^ threes)
        return nonDigit.trailingZeroBitCount &>> 3
    }

    /// The value of the first `count` (1...8) bytes of `w`, which are ASCII digits (the first is
    /// the most significant).
    @inlinable @inline(always)
    static func digitsValue(_ w: UInt64, count: Int) -> UInt64 {
        // Digits to the top bytes (zeros, i.e. leading zero digits, below), then combine
        // neighbours: pairs, quads, the eight (D. Lemire, "Faster parsing of integers").
        var v = (w & 0x0F0F_0F0F_0F0F_0F0F) &<< UInt64(truncatingIfNeeded: (8 &- count) &* 8)
        v = ((v &* 2561) &>> 8) & 0x00FF_00FF_00FF_00FF
        v = ((v &* 6_553_601) &>> 16) & 0x0000_FFFF_0000_FFFF
        return (v &* 42_949_672_960_001) &>> 32
    }
}

extension SWAR {
    /// The digits of a plain unsigned number at `p`, read with one or two word loads and no loop:
    /// `d…d` (1–15 digits) or `d…d.d…d` (1–7 integer digits, `.`, 1–8 fraction digits). The
    /// 17 bytes at `p` must be readable. Returns the digits as one mantissa, the number of
    /// fraction digits (`scale`), of integer digits, and the text's length; the byte after the
    /// text (at `p + length`, readable, never a digit) is the caller's to check, as are the sign
    /// and the leading-zero rule of plain JSON numbers.
    ///
    /// Why: prices, sizes, counts and ids as venues send them fit these shapes, and one
    /// straight-line pass (two `digitRun`s, two `digitsValue`s) replaces a digit loop per run
    /// with its exit checks. `nil` for every other shape — no digit, 16 or more integer
    /// digits, eight integer digits and a point, no digit after the point, more than eight
    /// fraction digits — which the callers' general loops then read.
    @inlinable @inline(always)
    static func shortNumber(_ p: UnsafeRawPointer) -> (mantissa: UInt64, scale: Int, intDigits: Int, length: Int)? {
        let w = p.loadUnaligned(as: UInt64.self).littleEndian
        let intDigits = digitRun(w)
        guard intDigits > 0 else { return nil }
        if intDigits < 8 {
            // The byte after the integer digits is in `w`: a point starts the fraction, anything
            // else ends the number (the caller checks it is a delimiter).
            guard UInt8(truncatingIfNeeded: w &>> UInt64(truncatingIfNeeded: intDigits &* 8)) == UInt8(ascii: ".") else {
                return (digitsValue(w, count: intDigits), 0, intDigits, intDigits)
            }
            let intValue = digitsValue(w, count: intDigits)
            let fractionStart = intDigits &+ 1
            let f = p.loadUnaligned(fromByteOffset: fractionStart, as: UInt64.self).littleEndian  // ends ≤ p + 16
            let fractionDigits = digitRun(f)
            guard fractionDigits > 0 else { return nil }
            let length = fractionStart &+ fractionDigits  // ≤ 16: readable
            // Eight fraction digits may continue: then the general loop takes the whole number.
            guard fractionDigits < 8 || p.load(fromByteOffset: length, as: UInt8.self) &- UInt8(ascii: "0") >= 10 else { return nil }
            return (intValue &* power(fractionDigits) &+ digitsValue(f, count: fractionDigits), fractionDigits, intDigits, length)
        }
        // Eight integer digits and more (ids, times, large sizes): the rest from the next word.
        let w2 = p.loadUnaligned(fromByteOffset: 8, as: UInt64.self).littleEndian
        let more = digitRun(w2)
        guard more < 8, UInt8(truncatingIfNeeded: w2 &>> UInt64(truncatingIfNeeded: more &* 8)) != UInt8(ascii: ".") else { return nil }
        let high = digitsValue(w, count: 8)
        let value = more == 0 ? high : high &* power(more) &+ digitsValue(w2, count: more)
        return (value, 0, 8 &+ more, 8 &+ more)
    }
}

extension JSONScanner {
    /// The eight bytes at `i` (caller checks `i + 8 <= end`).
    @inlinable @inline(always)
    func word(_ i: Int) -> UInt64 {
        base.loadUnaligned(fromByteOffset: i, as: UInt64.self).littleEndian
    }

    /// Reads a run of ASCII digits starting at `i`, appending them to `value` (wrapping: callers
    /// bound the digit count before trusting it). Returns the offset after the run and the
    /// number of digits.
    @inlinable @inline(always)
    func digits(from start: Int, into value: inout UInt64) -> (end: Int, count: Int) {
        var i = start
        let end = self.end
        while i &+ 8 <= end {
            let w = word(i)
            let n = SWAR.digitRun(w)
            if n == 0 { return (i, i &- start) }
            value = value &* SWAR.power(n) &+ SWAR.digitsValue(w, count: n)
            i &+= n
            // A run shorter than eight, or eight followed by a non-digit (decimals' common
            // eight-digit fractions), ends here without another load.
            if n < 8 || i == end || at(i) &- UInt8(ascii: "0") >= 10 { return (i, i &- start) }
        }
        while i < end {
            let d = at(i) &- UInt8(ascii: "0")
            guard d < 10 else { break }
            value = value &* 10 &+ UInt64(d)
            i &+= 1
        }
        return (i, i &- start)
    }
}
