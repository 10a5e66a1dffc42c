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

    @inlinable @inline(always)
    mutating func byte(_ c: UInt8) {
        start.storeBytes(of: c, toByteOffset: count, as: UInt8.self)
        count &+= 1
    }

    @inlinable @inline(always)
    mutating func raw(_ text: StaticString) {
        let n = text.utf8CodeUnitCount
        (start + count).copyMemory(from: text.utf8Start, byteCount: n)
        count &+= n
    }

    /// The decimal digits of `value` (two per division, ``Digits``).
    @inlinable @inline(always)
    mutating func unsigned(_ value: UInt64) {
        count &+= Digits.write(value, to: start + count)
    }

    @inlinable @inline(always)
    mutating func signed(_ value: Int64) {
        if value < 0 { byte(UInt8(ascii: "-")) }
        unsigned(value.magnitude)
    }

    /// The plain decimal text with the venue's scale (see ``FixedDecimal/writeText(to:)``).
    @inlinable @inline(always)
    mutating func decimal(_ value: FixedDecimal) {
        count &+= value.writeText(to: start + count)
    }

    /// `"text"` with RFC 8259 §7 escaping; text that needs none (venue names, symbols, ids) is
    /// one copy.
    @inlinable
    mutating func string(_ text: String) {
        byte(UInt8(ascii: "\""))
        let done: Bool? = text.utf8.withContiguousStorageIfAvailable { utf8 in
            guard let base = utf8.baseAddress else { return true }
            let n = utf8.count
            guard !LineWriter.needsEscaping(UnsafeRawPointer(base), n) else { return false }
            (start + count).copyMemory(from: base, byteCount: n)
            count &+= n
            return true
        }
        if done != true {
            for c in text.utf8 { escaped(c) }
        }
        byte(UInt8(ascii: "\""))
    }

    /// Whether any of the `n` bytes at `p` is `"`, `\` or a control character (< 0x20): eight
    /// bytes per step (SWAR: a zero byte of `w ^ c` or a byte of `w` below 0x20 sets its top bit).
    @inlinable
    static func needsEscaping(_ p: UnsafeRawPointer, _ n: Int) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101, highs: UInt64 = 0x8080_8080_8080_8080
        var i = 0
        while i &+ 8 <= n {
            let w = p.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            let q = w ^ (ones &* 0x22), b = w ^ (ones &* 0x5C)
            let hits = ((q &- ones) & ~q) | ((b &- ones) & ~b) | ((w &- ones &* 0x20) & ~w)
            if hits & highs != 0 { return true }
            i &+= 8
        }
        while i < n {
            let c = p.loadUnaligned(fromByteOffset: i, as: UInt8.self)
            if c < 0x20 || c == UInt8(ascii: "\"") || c == UInt8(ascii: "\\") { return true }
            i &+= 1
        }
        return false
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
