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

    /// Room for a decimal: its longest text (sign, "0.", 18 zeros, 19 digits = 41) plus the
    /// whole-word stores of ``FixedDecimal/writeText(to:)`` (``FixedDecimal/maxTextLength``).
    @usableFromInline static let maxDecimalLength = FixedDecimal.maxTextLength
    /// Room for an Int64 / UInt64 (20 digits; ``Digits/writeWide(_:to:)`` stores no further).
    @usableFromInline static let maxIntegerLength = Digits.wideRoom

    /// Worst-case escaped length of `text` plus quotes.
    @inlinable
    static func maxStringLength(_ text: String) -> Int { text.utf8.count &* 6 &+ 2 }

    /// The most bytes ``venue(_:)`` writes for `id`.
    @inlinable
    static func maxLength(of id: VenueID) -> Int { id.withUTF8 { $0.count &* 6 &+ 2 } }

    /// The most bytes ``symbol(_:)`` writes for `symbol`.
    @inlinable
    static func maxLength(of symbol: Symbol) -> Int { symbol.withUTF8 { $0.count &* 6 &+ 2 } }

    /// The most bytes ``tradeID(_:)`` writes for `id`.
    @inlinable
    static func maxLength(of id: TradeID) -> Int {
        switch id.storage {
        case .number: return 22
        case .inline(let t): return t.count &* 6 &+ 2
        case .text(let t): return maxStringLength(t)
        }
    }

    @inlinable @inline(always)
    mutating func byte(_ c: UInt8) {
        start.storeBytes(of: c, toByteOffset: count, as: UInt8.self)
        count &+= 1
    }

    /// A literal's bytes. Literals are short (`,"ts_exchange":`) and their lengths constant
    /// after inlining: up to 32 bytes are copied with word loads and stores (`copyMemory` is an
    /// out-of-line call into the runtime and then `memmove`, several times the cost).
    @inlinable @inline(always)
    mutating func raw(_ text: StaticString) {
        let n = text.utf8CodeUnitCount
        let source = UnsafeRawPointer(text.utf8Start), target = start + count
        if n <= 16 {
            LineWriter.copy(source, to: target, n)
        } else if n <= 32 {
            LineWriter.copy(source, to: target, 16)
            LineWriter.copy(source + 16, to: target + 16, n &- 16)
        } else {
            target.copyMemory(from: source, byteCount: n)
        }
        count &+= n
    }

    /// The decimal digits of `value`, eight per word (``Digits/writeWide(_:to:)``; the line's
    /// bound reserves ``maxIntegerLength`` per integer).
    @inlinable @inline(always)
    mutating func unsigned(_ value: UInt64) {
        count &+= Digits.writeWide(value, to: start + count)
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

    /// `"text"` with RFC 8259 §7 escaping. Text that needs none (venue names, symbols, ids) is
    /// checked and copied a word at a time, inline; the byte-by-byte escaping is out of line.
    @inlinable @inline(always)
    mutating func string(_ text: String) {
        let target = start + count
        let written: Int? = text.utf8.withContiguousStorageIfAvailable { utf8 -> Int in
            let n = utf8.count
            guard let base = utf8.baseAddress else {
                target.storeBytes(of: UInt16(0x2222), as: UInt16.self)  // ""
                return 2
            }
            let source = UnsafeRawPointer(base)
            guard !LineWriter.needsEscaping(source, n) else { return -1 }
            target.storeBytes(of: UInt8(ascii: "\""), as: UInt8.self)
            LineWriter.copy(source, to: target + 1, n)
            target.storeBytes(of: UInt8(ascii: "\""), toByteOffset: n &+ 1, as: UInt8.self)
            return n &+ 2
        }
        if let written, written >= 0 {
            count &+= written
        } else {
            escapedString(text)
        }
    }

    /// A venue id as a JSON string, straight from its words.
    @inlinable @inline(__always)
    mutating func venue(_ id: VenueID) {
        id.withUTF8 { quoted($0) }
    }

    /// A symbol as a JSON string, straight from its words.
    @inlinable @inline(__always)
    mutating func symbol(_ symbol: Symbol) {
        symbol.withUTF8 { quoted($0) }
    }

    /// A trade id as a JSON string: a numbered id is rendered straight from the number.
    @inlinable @inline(always)
    mutating func tradeID(_ id: TradeID) {
        switch id.storage {
        case .number(let n):
            byte(UInt8(ascii: "\""))
            unsigned(UInt64(n))
            byte(UInt8(ascii: "\""))
        case .inline(let t):
            t.withBytes { quoted($0) }
        case .text(let t):
            string(t)
        }
    }

    /// `"bytes"` with RFC 8259 §7 escaping, for ASCII text held outside a `String` (an inline
    /// ``TradeID``): copied a word at a time when nothing needs escaping, as ``string(_:)`` does.
    @inlinable @inline(always)
    mutating func quoted(_ bytes: UnsafeRawBufferPointer) {
        let n = bytes.count
        guard let source = bytes.baseAddress, !LineWriter.needsEscaping(source, n) else {
            byte(UInt8(ascii: "\""))
            for c in bytes { escaped(c) }
            byte(UInt8(ascii: "\""))
            return
        }
        let target = start + count
        target.storeBytes(of: UInt8(ascii: "\""), as: UInt8.self)
        LineWriter.copy(source, to: target + 1, n)
        target.storeBytes(of: UInt8(ascii: "\""), toByteOffset: n &+ 1, as: UInt8.self)
        count &+= n &+ 2
    }

    /// ``string(_:)`` for text that needs escaping or is not stored contiguously.
    @usableFromInline @inline(never)
    mutating func escapedString(_ text: String) {
        byte(UInt8(ascii: "\""))
        for c in text.utf8 { escaped(c) }
        byte(UInt8(ascii: "\""))
    }

    /// Whether any of the `n` bytes at `p` is `"`, `\` or a control character (< 0x20), eight
    /// bytes per test (SWAR: a zero byte of `w ^ c`, or a byte of `w` below 0x20, sets its top
    /// bit). Only bytes inside `p[0 ..< n]` are read: the last word overlaps the previous one
    /// instead of reading past the end, and 1–7 bytes are gathered from overlapping smaller loads
    /// (testing a byte twice changes nothing).
    @inlinable @inline(always)
    static func needsEscaping(_ p: UnsafeRawPointer, _ n: Int) -> Bool {
        if n >= 8 {
            var i = 0
            while i &+ 8 < n {
                if hasEscapable(p.loadUnaligned(fromByteOffset: i, as: UInt64.self)) { return true }
                i &+= 8
            }
            return hasEscapable(p.loadUnaligned(fromByteOffset: n &- 8, as: UInt64.self))
        }
        return n > 0 && hasEscapable(gather(p, n))
    }

    /// 1–7 bytes at `p` in one word (some repeated), from two overlapping loads.
    @inlinable @inline(always)
    static func gather(_ p: UnsafeRawPointer, _ n: Int) -> UInt64 {
        if n >= 4 {
            return UInt64(p.loadUnaligned(as: UInt32.self)) | UInt64(p.loadUnaligned(fromByteOffset: n &- 4, as: UInt32.self)) &<< 32
        }
        if n >= 2 {
            let pair = UInt64(p.loadUnaligned(as: UInt16.self)) | UInt64(p.loadUnaligned(fromByteOffset: n &- 2, as: UInt16.self)) &<< 16
            return pair | pair &<< 32
        }
        return UInt64(p.load(as: UInt8.self)) &* 0x0101_0101_0101_0101
    }

    /// Whether a byte of `w` is `"`, `\` or below 0x20 (exact: see ``needsEscaping(_:_:)``).
    @inlinable @inline(always)
    static func hasEscapable(_ w: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101, highs: UInt64 = 0x8080_8080_8080_8080
        let q = w ^ (ones &* 0x22), b = w ^ (ones &* 0x5C)
        let hits = ((q &- ones) & ~q) | ((b &- ones) & ~b) | ((w &- ones &* 0x20) & ~w)
        return hits & highs != 0
    }

    /// Copies `n` bytes from `source` to `target`, never touching a byte outside either range:
    /// up to 16 bytes (venue names, symbols, numeric ids) as two overlapping loads and stores,
    /// longer text with `memcpy`.
    @inlinable @inline(always)
    static func copy(_ source: UnsafeRawPointer, to target: UnsafeMutableRawPointer, _ n: Int) {
        if n > 16 {
            target.copyMemory(from: source, byteCount: n)
        } else if n >= 8 {
            let head = source.loadUnaligned(as: UInt64.self), tail = source.loadUnaligned(fromByteOffset: n &- 8, as: UInt64.self)
            target.storeBytes(of: head, as: UInt64.self)
            target.storeBytes(of: tail, toByteOffset: n &- 8, as: UInt64.self)
        } else if n >= 4 {
            let head = source.loadUnaligned(as: UInt32.self), tail = source.loadUnaligned(fromByteOffset: n &- 4, as: UInt32.self)
            target.storeBytes(of: head, as: UInt32.self)
            target.storeBytes(of: tail, toByteOffset: n &- 4, as: UInt32.self)
        } else if n > 0 {
            let first = source.load(as: UInt8.self), last = source.load(fromByteOffset: n &- 1, as: UInt8.self)
            let middle = source.load(fromByteOffset: n &>> 1, as: UInt8.self)
            target.storeBytes(of: first, as: UInt8.self)
            target.storeBytes(of: middle, toByteOffset: n &>> 1, as: UInt8.self)
            target.storeBytes(of: last, toByteOffset: n &- 1, as: UInt8.self)
        }
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
    /// `buffer`: written in place in the array's spare capacity (grown first if needed), no
    /// staging copy.
    @inlinable
    static func append(maxLength: Int, to buffer: inout [UInt8], _ body: (inout LineWriter) -> Void) {
        buffer.append(addingCapacity: maxLength) { span in
            span.withUnsafeMutableBufferPointer { target, initialized in
                guard let base = target.baseAddress else { return }
                var w = LineWriter(UnsafeMutableRawPointer(base + initialized))
                body(&w)
                initialized &+= w.count
            }
        }
    }
}
