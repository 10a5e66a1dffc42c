/// Decimal digit rendering into raw memory, two digits per division by 100 (a multiply and a
/// shift) from a 200-byte pair table, shared by the NDJSON encoder and the book checksums.
///
/// The callers own the memory and guarantee room for what they ask to be written.
@usableFromInline
enum Digits {
    /// 10^n for n in 0...19 (every power of ten a `UInt64` holds). A switch of constants: LLVM
    /// turns it into a constant table, with no lazy-initialization check even when inlined into
    /// other modules.
    @inlinable @inline(always)
    static func powerOfTen(_ n: Int) -> UInt64 {
        switch n {
        case 0: return 1
        case 1: return 10
        case 2: return 100
        case 3: return 1_000
        case 4: return 10_000
        case 5: return 100_000
        case 6: return 1_000_000
        case 7: return 10_000_000
        case 8: return 100_000_000
        case 9: return 1_000_000_000
        case 10: return 10_000_000_000
        case 11: return 100_000_000_000
        case 12: return 1_000_000_000_000
        case 13: return 10_000_000_000_000
        case 14: return 100_000_000_000_000
        case 15: return 1_000_000_000_000_000
        case 16: return 10_000_000_000_000_000
        case 17: return 100_000_000_000_000_000
        case 18: return 1_000_000_000_000_000_000
        default: return 10_000_000_000_000_000_000
        }
    }

    /// `"00"`, `"01"`, … `"99"` back to back.
    @usableFromInline static var pairs: StaticString {
        "00010203040506070809101112131415161718192021222324252627282930313233343536373839404142434445464748495051525354555657585960616263646566676869707172737475767778798081828384858687888990919293949596979899"
    }

    /// The number of decimal digits of `value` (1 for 0): the bit length gives ⌊log10⌋ up to
    /// one, which one table compare settles.
    @inlinable @inline(always)
    static func count(_ value: UInt64) -> Int {
        let bits = 64 &- (value | 1).leadingZeroBitCount
        let t = (bits &* 1233) &>> 12
        let n = t &+ (value >= powerOfTen(t) ? 1 : 0)
        return n | (value == 0 ? 1 : 0)
    }

    /// Writes the lowest `count` digits of `value` into `p[0 ..< count]` (right to left, leading
    /// zeros if `value` has fewer digits) and returns what is left of `value` above them.
    @inlinable @inline(always)
    @discardableResult
    static func writeLow(_ value: UInt64, count: Int, to p: UnsafeMutableRawPointer) -> UInt64 {
        let table = UnsafeRawPointer(pairs.utf8Start)
        var n = value
        var i = count
        while i >= 2 {
            let q = n / 100
            let r = Int(truncatingIfNeeded: n &- q &* 100)
            i &-= 2
            p.storeBytes(of: table.loadUnaligned(fromByteOffset: r &* 2, as: UInt16.self), toByteOffset: i, as: UInt16.self)
            n = q
        }
        if i == 1 {
            let q = n / 10
            p.storeBytes(of: UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: n &- q &* 10), as: UInt8.self)
            n = q
        }
        return n
    }

    /// Writes all digits of `value` at `p` and returns how many.
    @inlinable @inline(always)
    static func write(_ value: UInt64, to p: UnsafeMutableRawPointer) -> Int {
        let n = count(value)
        writeLow(value, count: n, to: p)
        return n
    }

    /// The eight decimal digits of `x` (< 10^8, zero-padded) as ASCII, the first (most
    /// significant) digit in the lowest byte, so that storing `.littleEndian` writes them in
    /// reading order. Branch-free and loop-free ("SWAR"): the number is split into two 4-digit
    /// halves in 32-bit lanes, each into two 2-digit pairs in 16-bit lanes, each into two digits
    /// in bytes; the divisions by 100 and 10 are multiply-shifts that are exact for these ranges
    /// (x·5243>>19 = x/100 for x < 43 699, here ×2 and >>20; x·103>>10 = x/10 for x < 179), and
    /// no lane's product reaches the next lane. Three independent multiplies instead of the four
    /// dependent divisions of a two-digits-per-step loop.
    @inlinable @inline(always)
    static func eightDigits(_ x: UInt64) -> UInt64 {
        let high = x / 10_000
        var v = high | ((x &- high &* 10_000) &<< 32)
        let hundreds = ((v &* 10_486) &>> 20) & 0x0000_007F_0000_007F
        v = hundreds | ((v &- hundreds &* 100) &<< 16)
        let tens = ((v &* 103) &>> 10) & 0x000F_000F_000F_000F
        v = tens | ((v &- tens &* 10) &<< 8)
        return v | 0x3030_3030_3030_3030
    }

    /// Stores the eight bytes of ``eightDigits(_:)``'s `word` in reading order.
    @inlinable @inline(always)
    static func store(_ word: UInt64, at p: UnsafeMutableRawPointer) {
        p.storeBytes(of: word.littleEndian, as: UInt64.self)
    }

    /// Room ``writeWide(_:to:)`` needs at its destination (it stores whole 8-byte words).
    @usableFromInline static let wideRoom = 20

    /// How many of ``eightDigits(_:)``'s digits are leading zeros (8 for 0): the count of low
    /// bytes that are ASCII `0`. Counting digits this way needs no power-of-ten table (a
    /// `switch` over powers compiles to an indirect jump, mispredicted as digit counts vary).
    @inlinable @inline(always)
    static func leadingZeros(_ word: UInt64) -> Int {
        (word ^ 0x3030_3030_3030_3030).trailingZeroBitCount &>> 3
    }

    /// ``eightDigits(_:)`` of `x` (< 10^8) with its leading zeros dropped ("0" for 0), and
    /// how many digits remain.
    @inlinable @inline(always)
    static func significantDigits(_ x: UInt64) -> (word: UInt64, count: Int) {
        let w = eightDigits(x)
        let zeros = Swift.min(leadingZeros(w), 7)
        return (w &>> UInt64(truncatingIfNeeded: zeros &* 8), 8 &- zeros)
    }

    /// Writes all digits of `value` at `p` and returns how many, in 8-digit words
    /// (``eightDigits(_:)``): at most three words for a 20-digit `UInt64` instead of ten
    /// dependent divisions. Unlike ``write(_:to:)`` it may store up to ``wideRoom`` bytes (junk
    /// after the digits, up to `p + 8` for short numbers): for writers that own that much room
    /// and write what follows afterwards (``LineWriter``). Out of line: inlined three times
    /// into a line's writer it makes that function too big for the optimizer to inline the
    /// stores themselves (each then becomes a call).
    @usableFromInline @inline(never)
    static func writeWide(_ value: UInt64, to p: UnsafeMutableRawPointer) -> Int {
        if value < 100_000_000 {
            let (w, n) = significantDigits(value)
            store(w, at: p)
            return n
        }
        if value < 10_000_000_000_000_000 {
            let high = value / 100_000_000
            let (w, n) = significantDigits(high)
            store(w, at: p)
            store(eightDigits(value &- high &* 100_000_000), at: p + n)
            return n &+ 8
        }
        let top = value / 10_000_000_000_000_000  // 1...1844
        let rest = value &- top &* 10_000_000_000_000_000
        let middle = rest / 100_000_000
        let (w, n) = significantDigits(top)
        store(w, at: p)
        store(eightDigits(middle), at: p + n)
        store(eightDigits(rest &- middle &* 100_000_000), at: p + n + 8)
        return n &+ 16
    }

    /// Writes the plain decimal text of `magnitude` × 10^-`scale` at `p` — the bytes of
    /// ``FixedDecimal/writeText(to:)`` for a non-negative value — and returns its length. Requires
    /// `magnitude` < 10^16 and `scale` in 0...8 (every book size and price the checksum venues
    /// send): at most two 8-digit words (``eightDigits(_:)``) and one division by 10^8, in
    /// registers, with no loop and no stack buffer. Stores up to 25 bytes from `p` (junk after
    /// the text; callers own ``FixedDecimal/maxTextLength`` bytes and write what follows afterwards).
    ///
    /// Why: the checksums re-render ~20 numbers per message; ``FixedDecimal/writeText(to:)``
    /// assembles every value in a stack buffer and ``writeWide(_:to:)`` is out of line.
    @inlinable @inline(always)
    static func writeShortPlain(_ magnitude: UInt64, scale: Int, to p: UnsafeMutableRawPointer) -> Int {
        // The point is written for scale 0 too (it lands in the junk after the digits): one
        // length adjustment instead of a branch. Shifting by 64 is masked to 0 by `&>>`, which
        // again only affects junk.
        let pointLength = scale == 0 ? 0 : 1
        if magnitude < 100_000_000 {
            let w = eightDigits(magnitude)  // most significant digit in the lowest byte
            if scale == 8 {
                // Below 1 with all eight places: "0." and the eight digits.
                p.storeBytes(of: UInt16(0x2E30).littleEndian, as: UInt16.self)  // "0."
                store(w, at: p + 2)
                return 10
            }
            // At least one integer digit ("0" below 1, and for 0 itself), all `scale` fraction digits.
            let width = Swift.max(8 &- leadingZeros(w), scale &+ 1)  // ≤ 8 here
            let intDigits = width &- scale
            store(w &>> UInt64(truncatingIfNeeded: (8 &- width) &* 8), at: p)
            p.storeBytes(of: UInt8(ascii: "."), toByteOffset: intDigits, as: UInt8.self)
            store(w &>> UInt64(truncatingIfNeeded: (8 &- scale) &* 8), at: p + (intDigits &+ 1))
            return width &+ pointLength
        }
        // 9–16 digits: the high word's significant digits (at least one), then the low word's
        // eight, of which the last `scale` (≤ 8) are the fraction: the low word is stored whole
        // after the high digits, the point overwrites its first fraction digit, and the fraction
        // is stored again one byte further on.
        let high = magnitude / 100_000_000
        let highText: UInt64
        let highDigits: Int
        if high < 100 {
            // The usual size above 1 (1–99 units with eight decimals): one or two digits from the
            // pair table instead of a third SWAR conversion.
            let pairBytes = UnsafeRawPointer(pairs.utf8Start).loadUnaligned(fromByteOffset: Int(truncatingIfNeeded: high) &* 2,
                                                                            as: UInt16.self)
            let pair = UInt64(UInt16(littleEndian: pairBytes))  // first digit in the low byte, as in eightDigits
            highDigits = high < 10 ? 1 : 2
            highText = pair &>> UInt64(truncatingIfNeeded: (2 &- highDigits) &* 8)  // drops the pair's leading "0"
        } else {
            let highWord = eightDigits(high)
            let highZeros = leadingZeros(highWord)  // ≤ 7: high ≥ 1
            highDigits = 8 &- highZeros
            highText = highWord &>> UInt64(truncatingIfNeeded: highZeros &* 8)
        }
        let lowWord = eightDigits(magnitude &- high &* 100_000_000)
        store(highText, at: p)
        store(lowWord, at: p + highDigits)
        let intDigits = highDigits &+ 8 &- scale
        p.storeBytes(of: UInt8(ascii: "."), toByteOffset: intDigits, as: UInt8.self)
        store(lowWord &>> UInt64(truncatingIfNeeded: (8 &- scale) &* 8), at: p + (intDigits &+ 1))
        return highDigits &+ 8 &+ pointLength
    }

    /// Copies `count` (1...24) bytes as whole 8-byte words: reads and writes up to 7 bytes past
    /// `count` (callers own that room and write what follows afterwards). Unrolled: a loop here
    /// is turned into a `memcpy` call by the optimizer, which costs more than the copy.
    @inlinable @inline(always)
    static func copyWords(from source: UnsafeRawPointer, to target: UnsafeMutableRawPointer, count: Int) {
        target.storeBytes(of: source.loadUnaligned(as: UInt64.self), as: UInt64.self)
        if count > 8 {
            target.storeBytes(of: source.loadUnaligned(fromByteOffset: 8, as: UInt64.self), toByteOffset: 8, as: UInt64.self)
            if count > 16 {
                target.storeBytes(of: source.loadUnaligned(fromByteOffset: 16, as: UInt64.self), toByteOffset: 16, as: UInt64.self)
            }
        }
    }

    /// Writes `count` ASCII zeros at `p`.
    @inlinable @inline(always)
    static func zeros(_ count: Int, to p: UnsafeMutableRawPointer) {
        var i = 0
        while i < count {
            p.storeBytes(of: UInt8(ascii: "0"), toByteOffset: i, as: UInt8.self)
            i &+= 1
        }
    }
}

extension FixedDecimal {
    /// The most bytes any of the `write…(to:)` renderings takes (sign, `0.`, 18 zeros and 19
    /// digits is 41).
    public static let maxTextLength = 48

    /// Writes the plain decimal text (the wire form, see ``write(into:)``) at `p`, which must
    /// have room for ``maxTextLength`` bytes, and returns its length. Bytes after the text, up to
    /// ``maxTextLength``, may be overwritten (the digits are stored as whole 8-byte words).
    @inlinable
    public func writeText(to p: UnsafeMutableRawPointer) -> Int {
        var pos = 0
        if mantissa < 0 {
            p.storeBytes(of: UInt8(ascii: "-"), as: UInt8.self)
            pos = 1
        }
        let m = mantissa.magnitude
        let s = Int(scale)
        if s == 0 { return pos &+ Digits.writeWide(m, to: p + pos) }
        // All digits zero-padded to 24 in three words, then the integer part (at least one
        // digit: "0" below 1) and the `s` fraction digits copied out around the point. No
        // division by the variable 10^s, no per-digit loop.
        // Words above the value's digits are all zeros: rendered only when needed (sizes
        // usually fit one word, prices two). The digit count comes from the highest word's
        // leading zeros (0 for m = 0, which shows as "0.000…").
        let zeros: UInt64 = 0x3030_3030_3030_3030
        var words: (UInt64, UInt64, UInt64, UInt64) = (zeros, zeros, 0, 0)
        let digits: Int
        if m < 100_000_000 {
            let low = Digits.eightDigits(m)
            digits = 8 &- Digits.leadingZeros(low)
            words.2 = low.littleEndian
        } else if m < 10_000_000_000_000_000 {
            let middle = m / 100_000_000
            let high = Digits.eightDigits(middle)
            digits = 16 &- Digits.leadingZeros(high)
            words.1 = high.littleEndian
            words.2 = Digits.eightDigits(m &- middle &* 100_000_000).littleEndian
        } else {
            let top = m / 10_000_000_000_000_000
            let rest = m &- top &* 10_000_000_000_000_000
            let middle = rest / 100_000_000
            let highest = Digits.eightDigits(top)
            digits = 24 &- Digits.leadingZeros(highest)
            words.0 = highest.littleEndian
            words.1 = Digits.eightDigits(middle).littleEndian
            words.2 = Digits.eightDigits(rest &- middle &* 100_000_000).littleEndian
        }
        let width = Swift.max(digits, s &+ 1)
        let intDigits = width &- s
        withUnsafeBytes(of: &words) { raw in
            // Reads stay below 24 + 7 < 32 bytes: the integer part ends at 24 - s, the fraction at 24.
            guard let digits = raw.baseAddress else { return }
            Digits.copyWords(from: digits + (24 &- width), to: p + pos, count: intDigits)
            p.storeBytes(of: UInt8(ascii: "."), toByteOffset: pos &+ intDigits, as: UInt8.self)
            Digits.copyWords(from: digits + (24 &- s), to: p + (pos &+ intDigits &+ 1), count: s)
        }
        return pos &+ width &+ 1
    }

    /// The bytes of ``writeText(to:)``, under the same room rules, with the usual book numbers
    /// (|mantissa| < 10^16, 0…8 fraction digits) rendered in registers by
    /// ``Digits/writeShortPlain(_:scale:to:)``: one or two 8-digit words, the integer part, the
    /// point and the fraction stored as overlapping words. Any other value is handed to
    /// ``writeText(to:)``.
    ///
    /// Why: checksums re-render ~20 sizes per OKX message; ``writeText(to:)`` assembles every
    /// value in a 32-byte stack buffer first (~115 instructions per call, stack guard included).
    @inlinable @inline(always)
    public func writeShortText(to p: UnsafeMutableRawPointer) -> Int {
        let s = Int(scale)
        let m = mantissa.magnitude
        guard m < 10_000_000_000_000_000, s <= 8 else { return writeText(to: p) }
        // The sign byte is stored unconditionally: a positive value's digits overwrite it.
        p.storeBytes(of: UInt8(ascii: "-"), as: UInt8.self)
        let sign = mantissa < 0 ? 1 : 0
        return sign &+ Digits.writeShortPlain(m, scale: s, to: p + sign)
    }

    /// Writes the Kraken checksum digits (see ``writeKrakenChecksumDigits(into:)``) at `p`, which
    /// must have room for ``maxTextLength`` bytes, and returns their count. Bytes after the
    /// digits, up to 25, may be overwritten (eight digits per word store).
    ///
    /// Why inline words: Kraken re-renders all ten covered sizes per side on most messages;
    /// below 10^16 (every book number) ``Digits/writeShortPlain(_:scale:to:)`` at scale 0 is the
    /// digits without a call and, below 10^8, without a division.
    @inlinable @inline(always)
    public func writeKrakenChecksumDigits(to p: UnsafeMutableRawPointer) -> Int {
        let m = mantissa.magnitude
        guard m < 10_000_000_000_000_000 else { return Digits.writeWide(m, to: p) }
        return Digits.writeShortPlain(m, scale: 0, to: p)
    }

    /// The bytes of ``writeJavaScriptForm(to:)``, under the same room rules, rendered in
    /// registers when that form is the plain text (``writeShortText(to:)``): no trailing
    /// fraction zero (`scale` 0 or a last digit other than 0), |value| ≥ 10^-6 (below, JavaScript
    /// switches to the exponent form `1e-7`), |mantissa| < 10^16 and `scale` ≤ 8. Anything else is
    /// handed to ``writeJavaScriptForm(to:)``.
    ///
    /// Why: Bitfinex sends JSON numbers, already in this form, and its checksum re-renders ~20
    /// of them per message; the general form normalizes and renders two digits per division.
    @inlinable @inline(always)
    public func writeShortJavaScriptForm(to p: UnsafeMutableRawPointer) -> Int {
        let s = Int(scale)
        let m = mantissa.magnitude
        // ECMA-262 Number::toString is positional for 10^-7 < |x| < 10^21: with k digits and
        // n = k - s, exactly when n > -6, i.e. m ≥ 10^(s-6). 10^16 at scale 0 is far below 10^21.
        guard m < 10_000_000_000_000_000, s <= 8, s == 0 || m % 10 != 0,
              s <= 6 || m >= Digits.powerOfTen(s &- 6) else { return writeJavaScriptForm(to: p) }
        p.storeBytes(of: UInt8(ascii: "-"), as: UInt8.self)
        let sign = mantissa < 0 ? 1 : 0
        return sign &+ Digits.writeShortPlain(m, scale: s, to: p + sign)
    }

    /// Writes JavaScript's `Number.prototype.toString` form (see ``writeJavaScriptForm(into:)``)
    /// at `p`, which must have room for ``maxTextLength`` bytes, and returns its length.
    public func writeJavaScriptForm(to p: UnsafeMutableRawPointer) -> Int {
        let n = normalized
        if n.mantissa == 0 {
            p.storeBytes(of: UInt8(ascii: "0"), as: UInt8.self)
            return 1
        }
        var pos = 0
        if n.mantissa < 0 {
            p.storeBytes(of: UInt8(ascii: "-"), as: UInt8.self)
            pos = 1
        }
        let m = n.mantissa.magnitude
        let k = Digits.count(m)
        let point = k - Int(n.scale)  // ECMA-262's n: value = digits × 10^(point-k)
        if k <= point && point <= 21 {
            Digits.writeLow(m, count: k, to: p + pos)
            Digits.zeros(point - k, to: p + pos + k)
            return pos + point
        } else if 0 < point && point <= 21 {
            let high = Digits.writeLow(m, count: k - point, to: p + pos + point + 1)
            p.storeBytes(of: UInt8(ascii: "."), toByteOffset: pos + point, as: UInt8.self)
            Digits.writeLow(high, count: point, to: p + pos)
            return pos + k + 1
        } else if -6 < point && point <= 0 {
            p.storeBytes(of: UInt8(ascii: "0"), toByteOffset: pos, as: UInt8.self)
            p.storeBytes(of: UInt8(ascii: "."), toByteOffset: pos + 1, as: UInt8.self)
            pos += 2
            Digits.zeros(-point, to: p + pos)
            pos += -point
            Digits.writeLow(m, count: k, to: p + pos)
            return pos + k
        } else {
            // d[.ddd]e±x
            let first = Digits.writeLow(m, count: k - 1, to: p + pos + 2)
            p.storeBytes(of: UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: first), toByteOffset: pos, as: UInt8.self)
            if k > 1 {
                p.storeBytes(of: UInt8(ascii: "."), toByteOffset: pos + 1, as: UInt8.self)
                pos += k + 1
            } else {
                pos += 1
            }
            let e = point - 1
            p.storeBytes(of: UInt8(ascii: "e"), toByteOffset: pos, as: UInt8.self)
            p.storeBytes(of: e < 0 ? UInt8(ascii: "-") : UInt8(ascii: "+"), toByteOffset: pos + 1, as: UInt8.self)
            pos += 2
            return pos + Digits.write(UInt64(e.magnitude), to: p + pos)
        }
    }
}

/// Integer text without the generic `description` machinery.
public enum DecimalText {
    /// The decimal text of `value` (e.g. a trade id given as a number). Up to 15 characters stay
    /// inline in the `String` (no allocation).
    @inlinable
    public static func string(_ value: Int64) -> String {
        // Rendered eight digits per word on the stack after a sign slot (``Digits/writeWide(_:to:)``
        // needs room a string's own buffer does not have; its count replaces a digit-count lookup).
        var scratch: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        return withUnsafeMutableBytes(of: &scratch) { raw -> String in
            guard let p = raw.baseAddress else { return "" }
            let digits = Digits.writeWide(value.magnitude, to: p + 1)
            var start = 1
            if value < 0 {
                p.storeBytes(of: UInt8(ascii: "-"), as: UInt8.self)
                start = 0
            }
            let length = digits &+ 1 &- start
            let text = UnsafeRawPointer(p + start)
            if length <= 15 {
                // Built in place as a small string (ASCII: no validation pass, no allocation).
                return String(unsafeUninitializedCapacity: length) { buffer in
                    guard let base = buffer.baseAddress else { return 0 }
                    LineWriter.copy(text, to: UnsafeMutableRawPointer(base), length)
                    return length
                }
            }
            // `String(unsafeUninitializedCapacity:)` with room for more than 15 bytes allocates
            // storage; decoding from the stack allocates exactly once.
            return String(decoding: UnsafeRawBufferPointer(start: text, count: length), as: UTF8.self)
        }
    }
}
