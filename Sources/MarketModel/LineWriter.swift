/// Writes one NDJSON line into raw memory whose size the caller has bounded in advance, so each
/// field is a `memcpy` or a few stores instead of an `Array.append` call (which costs ~100
/// instructions each). Used by ``NDJSONEncoder``.
@usableFromInline
struct LineWriter {
    /// Start of the destination.
    @usableFromInline let start: UnsafeMutableRawPointer
    /// Bytes written so far.
    @usableFromInline var count = 0

    @inlinable
    init(_ start: UnsafeMutableRawPointer) {
        self.start = start
    }

    /// Largest text of a decimal: sign, "0.", 18 zeros, 19 digits.
    @usableFromInline static let maxDecimalLength = 41
    /// Largest text of an Int64 / UInt64.
    @usableFromInline static let maxIntegerLength = 20

    /// Worst-case escaped length of `text` plus quotes.
    @inlinable
    static func maxStringLength(_ text: String) -> Int { text.utf8.count &* 6 &+ 2 }

    @inlinable @inline(__always)
    mutating func byte(_ c: UInt8) {
        start.storeBytes(of: c, toByteOffset: count, as: UInt8.self)
        count &+= 1
    }

    @inlinable @inline(__always)
    mutating func raw(_ text: StaticString) {
        let n = text.utf8CodeUnitCount
        (start + count).copyMemory(from: text.utf8Start, byteCount: n)
        count &+= n
    }

    @inlinable
    mutating func unsigned(_ value: UInt64) {
        // Count digits, then write right to left in place.
        var digits = 1
        var probe = value
        while probe >= 10 {
            probe /= 10
            digits &+= 1
        }
        var n = value
        var i = count &+ digits
        repeat {
            i &-= 1
            start.storeBytes(of: UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: n % 10), toByteOffset: i, as: UInt8.self)
            n /= 10
        } while n != 0
        count &+= digits
    }

    @inlinable
    mutating func signed(_ value: Int64) {
        if value < 0 { byte(UInt8(ascii: "-")) }
        unsigned(value.magnitude)
    }

    /// The plain decimal text with the venue's scale (see ``FixedDecimal/write(into:)``).
    @inlinable
    mutating func decimal(_ value: FixedDecimal) {
        let magnitude = value.mantissa.magnitude
        let s = Int(value.scale)
        if value.mantissa < 0 { byte(UInt8(ascii: "-")) }
        var digits = 1
        var probe = magnitude
        while probe >= 10 {
            probe /= 10
            digits &+= 1
        }
        if s == 0 {
            unsigned(magnitude)
            return
        }
        if digits <= s {
            // 0.000ddd
            byte(UInt8(ascii: "0"))
            byte(UInt8(ascii: "."))
            for _ in 0 ..< (s &- digits) { byte(UInt8(ascii: "0")) }
            var n = magnitude
            var i = count &+ digits
            repeat {
                i &-= 1
                start.storeBytes(of: UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: n % 10), toByteOffset: i, as: UInt8.self)
                n /= 10
            } while i > count
            count &+= digits
            return
        }
        // ddd.ddd: digits + 1 bytes, the point after digits - s integer digits.
        var n = magnitude
        var i = count &+ digits &+ 1
        var written = 0
        repeat {
            i &-= 1
            start.storeBytes(of: UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: n % 10), toByteOffset: i, as: UInt8.self)
            n /= 10
            written &+= 1
            if written == s {
                i &-= 1
                start.storeBytes(of: UInt8(ascii: "."), toByteOffset: i, as: UInt8.self)
            }
        } while n != 0
        count &+= digits &+ 1
    }

    /// `"text"` with RFC 8259 §7 escaping; text that needs none (venue names, symbols, ids) is
    /// one copy.
    @inlinable
    mutating func string(_ text: String) {
        byte(UInt8(ascii: "\""))
        let done: Bool? = text.utf8.withContiguousStorageIfAvailable { utf8 in
            var clean = true
            for c in utf8 where c < 0x20 || c == UInt8(ascii: "\"") || c == UInt8(ascii: "\\") {
                clean = false
                break
            }
            guard clean else { return false }
            if let base = utf8.baseAddress {
                (start + count).copyMemory(from: base, byteCount: utf8.count)
                count &+= utf8.count
            }
            return true
        }
        if done != true {
            for c in text.utf8 { escaped(c) }
        }
        byte(UInt8(ascii: "\""))
    }

    /// One byte of string content, escaped if needed.
    @inlinable
    mutating func escaped(_ c: UInt8) {
        switch c {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"):
            byte(UInt8(ascii: "\\"))
            byte(c)
        case 0x0A: byte(UInt8(ascii: "\\")); byte(UInt8(ascii: "n"))
        case 0x0D: byte(UInt8(ascii: "\\")); byte(UInt8(ascii: "r"))
        case 0x09: byte(UInt8(ascii: "\\")); byte(UInt8(ascii: "t"))
        case 0x08: byte(UInt8(ascii: "\\")); byte(UInt8(ascii: "b"))
        case 0x0C: byte(UInt8(ascii: "\\")); byte(UInt8(ascii: "f"))
        case 0x00 ..< 0x20:
            raw("\\u00")
            byte(LineWriter.hexDigit(c >> 4))
            byte(LineWriter.hexDigit(c & 0xF))
        default:
            byte(c)
        }
    }

    @inlinable
    static func hexDigit(_ v: UInt8) -> UInt8 {
        v < 10 ? UInt8(ascii: "0") &+ v : UInt8(ascii: "a") &+ (v &- 10)
    }

    /// Runs `body` on a writer over at least `maxLength` bytes and appends what it wrote to
    /// `buffer`: stack memory for ordinary lines, the array's own tail for big book snapshots.
    @inlinable
    static func append(maxLength: Int, to buffer: inout [UInt8], _ body: (inout LineWriter) -> Void) {
        if maxLength <= 4096 {
            withUnsafeTemporaryAllocation(byteCount: maxLength, alignment: 8) { raw in
                guard let base = raw.baseAddress else { return }
                var w = LineWriter(base)
                body(&w)
                buffer.append(contentsOf: UnsafeRawBufferPointer(start: base, count: w.count))
            }
            return
        }
        let start = buffer.count
        buffer.append(contentsOf: repeatElement(0, count: maxLength))
        var written = 0
        buffer.withUnsafeMutableBytes { raw in
            guard let base = raw.baseAddress else { return }
            var w = LineWriter(base + start)
            body(&w)
            written = w.count
        }
        buffer.removeLast(maxLength - written)
    }
}
