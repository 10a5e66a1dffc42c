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
    /// have room for ``maxTextLength`` bytes, and returns its length.
    @inlinable
    public func writeText(to p: UnsafeMutableRawPointer) -> Int {
        var pos = 0
        if mantissa < 0 {
            p.storeBytes(of: UInt8(ascii: "-"), as: UInt8.self)
            pos = 1
        }
        let m = mantissa.magnitude
        let s = Int(scale)
        let digits = Digits.count(m)
        if s == 0 {
            Digits.writeLow(m, count: digits, to: p + pos)
            return pos &+ digits
        }
        if digits <= s {
            // 0.000ddd
            p.storeBytes(of: UInt16(UInt8(ascii: "0")) | UInt16(UInt8(ascii: ".")) << 8, toByteOffset: pos, as: UInt16.self)
            pos &+= 2
            Digits.zeros(s &- digits, to: p + pos)
            pos &+= s &- digits
            Digits.writeLow(m, count: digits, to: p + pos)
            return pos &+ digits
        }
        // ddd.ddd: fraction first (right to left), then the integer digits above it.
        let intDigits = digits &- s
        let high = Digits.writeLow(m, count: s, to: p + pos + intDigits + 1)
        p.storeBytes(of: UInt8(ascii: "."), toByteOffset: pos &+ intDigits, as: UInt8.self)
        Digits.writeLow(high, count: intDigits, to: p + pos)
        return pos &+ digits &+ 1
    }

    /// Writes the Kraken checksum digits (see ``writeKrakenChecksumDigits(into:)``) at `p` and
    /// returns their count.
    @inlinable @inline(always)
    public func writeKrakenChecksumDigits(to p: UnsafeMutableRawPointer) -> Int {
        Digits.write(mantissa.magnitude, to: p)
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
        let digits = Digits.count(value.magnitude)
        let length = value < 0 ? digits &+ 1 : digits
        if length <= 15 {
            // Built in place as a small string (ASCII: no validation pass, no allocation).
            return String(unsafeUninitializedCapacity: length) { buffer in
                guard let base = buffer.baseAddress else { return 0 }
                let p = UnsafeMutableRawPointer(base)
                if value < 0 { p.storeBytes(of: UInt8(ascii: "-"), as: UInt8.self) }
                Digits.writeLow(value.magnitude, count: digits, to: p + (length &- digits))
                return length
            }
        }
        // Rendered on the stack, then decoded: `String(unsafeUninitializedCapacity:)` with room
        // for more than 15 bytes allocates storage.
        var scratch: (UInt64, UInt64, UInt64) = (0, 0, 0)
        return withUnsafeMutableBytes(of: &scratch) { raw -> String in
            guard let p = raw.baseAddress else { return "" }
            var n = 0
            if value < 0 {
                p.storeBytes(of: UInt8(ascii: "-"), as: UInt8.self)
                n = 1
            }
            n &+= Digits.write(value.magnitude, to: p + n)
            return String(decoding: UnsafeBufferPointer(start: p.assumingMemoryBound(to: UInt8.self), count: n), as: UTF8.self)
        }
    }
}
