import MarketModel

/// Reads a message that follows its venue's usual byte layout exactly, left to right, in one pass:
/// the fixed text between values (`,"p":"`, keys, brackets, the opening quote of a string value)
/// is matched as whole 8-byte words against a literal, and each value is read where the layout
/// says it starts.
///
/// This is the trade path's fast lane. Venues write their hot messages with the same keys in the
/// same order every time, so instead of finding each key and dispatching on it (what
/// ``JSONScanner`` does, ~100 instructions per member), a layout read compares the text around
/// the values as constants and converts only the values. Every byte is either matched by a
/// literal or consumed by a validating value reader, so a matched message is valid JSON; any
/// difference — a reordered or extra key, whitespace, an escape, an exponent, a longer number —
/// makes a reader return `nil`/`false`, and the adapter then parses the same bytes with its
/// general ``JSONScanner`` path, which accepts any order and reports errors. The layout read
/// never throws and never decides that a message is malformed.
///
/// ```swift
/// var r = LayoutReader(message)
/// guard r.literal(#"{"e":"aggTrade","E":"#), let time = r.integer(),
///       r.literal(#","s":""#), let symbol = r.string(),
///       r.literal(#","p":""#), let price = r.quotedDecimal(),
///       r.literal("}"), r.isAtEnd else { return nil }   // → general path
/// ```
///
/// String values are read through their closing quote (the literal before them ends with the
/// opening one); they must be plain: no escapes, no control characters, ASCII only (any other
/// string goes to the general path, which validates and decodes it).
public struct LayoutReader {
    /// The next unread byte.
    @usableFromInline var cursor: UnsafeRawPointer
    /// One past the last byte of the message.
    @usableFromInline let end: UnsafeRawPointer

    /// Creates a reader at the start of `bytes`.
    @inlinable
    public init(_ bytes: UnsafeRawBufferPointer) {
        let base = bytes.baseAddress ?? UnsafeRawPointer(JSONScanner.emptyBase)
        cursor = base
        end = base + bytes.count
    }

    /// `true` when every byte has been read (call after the layout's last literal).
    @inlinable public var isAtEnd: Bool { cursor == end }

    /// Bytes left to read.
    @inlinable var remaining: Int { end - cursor }

    /// The eight bytes at `p` (caller checks `p + 8 <= end`), first byte lowest.
    @inlinable @inline(always)
    func word(_ p: UnsafeRawPointer) -> UInt64 { p.loadUnaligned(as: UInt64.self).littleEndian }

    /// Consumes `text` if the message continues with exactly these bytes.
    ///
    /// Whole words are compared against words of the literal (the literal is a constant at the
    /// call site, so after inlining these are compares against immediates); a tail shorter than
    /// a word is compared as the last eight bytes when the literal has them, else masked.
    @inlinable @inline(always)
    public mutating func literal(_ text: StaticString) -> Bool {
        let n = text.utf8CodeUnitCount
        let t = UnsafeRawPointer(text.utf8Start)
        guard remaining >= n else { return false }
        if n >= 8 {
            var i = 0
            while i &+ 8 <= n {
                guard cursor.loadUnaligned(fromByteOffset: i, as: UInt64.self)
                        == t.loadUnaligned(fromByteOffset: i, as: UInt64.self) else { return false }
                i &+= 8
            }
            if i < n {
                guard cursor.loadUnaligned(fromByteOffset: n &- 8, as: UInt64.self)
                        == t.loadUnaligned(fromByteOffset: n &- 8, as: UInt64.self) else { return false }
            }
        } else if remaining >= 8 {
            // The literal's bytes as a word, built byte by byte (it may end fewer than eight
            // bytes before a page boundary, so it is never read as a word).
            var pattern: UInt64 = 0
            for i in 0 ..< n {
                pattern |= UInt64(t.load(fromByteOffset: i, as: UInt8.self)) &<< UInt64(8 &* i)
            }
            let mask: UInt64 = n == 0 ? 0 : ~0 &>> UInt64(64 &- 8 &* n)
            guard word(cursor) & mask == pattern else { return false }
        } else {
            for i in 0 ..< n where cursor.load(fromByteOffset: i, as: UInt8.self) != t.load(fromByteOffset: i, as: UInt8.self) {
                return false
            }
        }
        cursor += n
        return true
    }

    /// Reads a plain string's contents through its closing quote (the opening quote was part of
    /// the literal before it). `nil` for escapes, control characters, non-ASCII bytes or a
    /// missing closing quote.
    @inlinable @inline(always)
    public mutating func string() -> JSONString? {
        let start = cursor
        var p = cursor
        while end - p >= 8 {
            let n = SWAR.stringStop(word(p))
            p += n
            if n < 8 { return close(start, p) }
        }
        while p < end {
            let c = p.load(as: UInt8.self)
            if c == UInt8(ascii: "\"") || c == UInt8(ascii: "\\") || c < 0x20 || c >= 0x80 { return close(start, p) }
            p += 1
        }
        return nil
    }

    /// Ends ``string()`` at the stop byte `p`: a closing quote, or `nil` for anything else.
    @inlinable @inline(always)
    mutating func close(_ start: UnsafeRawPointer, _ p: UnsafeRawPointer) -> JSONString? {
        guard p < end, p.load(as: UInt8.self) == UInt8(ascii: "\"") else { return nil }
        cursor = p + 1
        return JSONString(bytes: UnsafeRawBufferPointer(start: start, count: p - start), hasEscapes: false)
    }

    /// Reads a run of ASCII digits at `start` (wrapping; callers bound the count), eight per
    /// word load; a run of eight or more continues word by word.
    @inlinable @inline(always)
    func digits(from start: UnsafeRawPointer, into value: inout UInt64) -> (end: UnsafeRawPointer, count: Int) {
        var p = start
        while end - p >= 8 {
            let w = word(p)
            let n = SWAR.digitRun(w)
            if n == 0 { return (p, p - start) }
            value = value &* SWAR.power(n) &+ SWAR.digitsValue(w, count: n)
            p += n
            // A run shorter than eight, or eight followed by a non-digit (the common eight-digit
            // fraction), ends here without another word load.
            if n < 8 || p == end || p.load(as: UInt8.self) &- UInt8(ascii: "0") >= 10 { return (p, p - start) }
        }
        while p < end {
            let d = p.load(as: UInt8.self) &- UInt8(ascii: "0")
            guard d < 10 else { break }
            value = value &* 10 &+ UInt64(d)
            p += 1
        }
        return (p, p - start)
    }

    /// The digits of a short plain number at `start` (``SWAR/shortNumber(_:)``: `ddd` up to 15
    /// digits or `ddd.ddd` within 16 bytes) with the pointer after them; `nil` for other shapes
    /// and within the last 17 bytes of the message (the callers' digit loops read those).
    @inlinable @inline(always)
    func shortNumber(at start: UnsafeRawPointer) -> (mantissa: UInt64, scale: Int, intDigits: Int, end: UnsafeRawPointer)? {
        guard end - start >= 17, let short = SWAR.shortNumber(start) else { return nil }
        return (short.mantissa, short.scale, short.intDigits, start + short.length)
    }

    /// The length of the run of ASCII digits at `start` (no conversion).
    @inlinable @inline(always)
    func digitCount(from start: UnsafeRawPointer) -> Int {
        var p = start
        while end - p >= 8 {
            let n = SWAR.digitRun(word(p))
            p += n
            if n < 8 { return p - start }
        }
        while p < end, p.load(as: UInt8.self) &- UInt8(ascii: "0") < 10 { p += 1 }
        return p - start
    }

    /// Skips an unquoted JSON integer (`-12`, no leading zero) the adapter does not need; same
    /// grammar and 18-digit bound as ``integer()`` (a longer number goes to the general path,
    /// which decides whether it is an error).
    @inlinable @inline(always)
    public mutating func skipInteger() -> Bool {
        guard cursor < end else { return false }
        let start = cursor.load(as: UInt8.self) == UInt8(ascii: "-") ? cursor + 1 : cursor
        let count = digitCount(from: start)
        guard count > 0, count <= 18, count == 1 || start.load(as: UInt8.self) != UInt8(ascii: "0") else { return false }
        cursor = start + count
        return true
    }

    /// Skips an unquoted plain number (`-87412.4`, `30400`; no exponent, no leading zero) the
    /// adapter does not need, without converting it: any length, as the general path's
    /// `skipValue()` accepts it.
    @inlinable @inline(always)
    public mutating func skipNumber() -> Bool {
        guard cursor < end else { return false }
        let start = cursor.load(as: UInt8.self) == UInt8(ascii: "-") ? cursor + 1 : cursor
        let intDigits = digitCount(from: start)
        guard intDigits > 0, intDigits == 1 || start.load(as: UInt8.self) != UInt8(ascii: "0") else { return false }
        var p = start + intDigits
        if p < end, p.load(as: UInt8.self) == UInt8(ascii: ".") {
            let fraction = digitCount(from: p + 1)
            guard fraction > 0 else { return false }
            p += 1 &+ fraction
        }
        cursor = p
        return true
    }

    /// Skips a plain string's contents through its closing quote (see ``string()``).
    @inlinable @inline(always)
    public mutating func skipString() -> Bool { string() != nil }

    /// Reads an unquoted JSON integer (`-12`, 1–18 digits, no leading zero). The byte after it
    /// is checked by the next literal.
    @inlinable @inline(always)
    public mutating func integer() -> Int64? {
        guard cursor < end else { return nil }
        let negative = cursor.load(as: UInt8.self) == UInt8(ascii: "-")
        let start = negative ? cursor + 1 : cursor
        // Up to 15 digits in one straight-line pass (a fraction: the loop below reads the integer part).
        if let short = shortNumber(at: start), short.scale == 0 {
            guard short.intDigits == 1 || start.load(as: UInt8.self) != UInt8(ascii: "0") else { return nil }
            cursor = short.end
            return negative ? -Int64(short.mantissa) : Int64(short.mantissa)
        }
        var value: UInt64 = 0
        let (after, count) = digits(from: start, into: &value)
        guard count > 0, count <= 18, count == 1 || start.load(as: UInt8.self) != UInt8(ascii: "0") else { return nil }
        cursor = after
        return negative ? -Int64(value) : Int64(value)
    }

    /// Reads a quoted integer's digits through the closing quote (`"1630048897897"`: the opening
    /// quote was part of the literal), 1–18 digits.
    @inlinable @inline(always)
    public mutating func quotedInteger() -> Int64? {
        if let short = shortNumber(at: cursor), short.scale == 0, short.end.load(as: UInt8.self) == UInt8(ascii: "\"") {
            cursor = short.end + 1
            return Int64(short.mantissa)
        }
        var value: UInt64 = 0
        let (after, count) = digits(from: cursor, into: &value)
        guard count > 0, count <= 18, after < end, after.load(as: UInt8.self) == UInt8(ascii: "\"") else { return nil }
        cursor = after + 1
        return Int64(value)
    }

    /// Reads a quoted trade id through the closing quote (`"995098700"`, `"6fb77fdb-0663-…"`: the
    /// opening quote was part of the literal) as the same ``TradeID`` that `TradeID(utf8:)` makes
    /// of its text. A numbered id's digits are read eight per word here (`TradeID(utf8:)` tests
    /// them byte by byte, ~100 instructions for nine digits); anything else is a plain string
    /// (see ``string()``). `nil` for an empty id too: whether a venue may send one is the general
    /// path's decision.
    @inlinable @inline(always)
    public mutating func quotedTradeID() -> TradeID? {
        var value: UInt64 = 0
        let (after, count) = digits(from: cursor, into: &value)
        if count > 0, count <= 18, after < end, after.load(as: UInt8.self) == UInt8(ascii: "\""),
           count == 1 || cursor.load(as: UInt8.self) != UInt8(ascii: "0") {
            cursor = after + 1
            return TradeID(Int64(value))
        }
        guard let text = string(), !text.isEmpty else { return nil }
        return TradeID(utf8: text.bytes)
    }

    /// Reads a plain decimal (`-87412.4`, `0.5`; ≤ 18 digits, no exponent, no leading zero) and
    /// keeps the venue's digits and scale. Unquoted; the byte after it is checked by the next literal.
    @inlinable @inline(always)
    public mutating func decimal() -> FixedDecimal? {
        guard cursor < end else { return nil }
        let negative = cursor.load(as: UInt8.self) == UInt8(ascii: "-")
        let start = negative ? cursor + 1 : cursor
        // `ddd` or `ddd.ddd` within 16 bytes (prices and sizes as venues send them): one pass.
        if let short = shortNumber(at: start) {
            guard short.intDigits == 1 || start.load(as: UInt8.self) != UInt8(ascii: "0") else { return nil }
            cursor = short.end
            return FixedDecimal(mantissa: negative ? -Int64(short.mantissa) : Int64(short.mantissa), scale: UInt8(short.scale))
        }
        var mantissa: UInt64 = 0
        let (afterInt, intDigits) = digits(from: start, into: &mantissa)
        guard intDigits > 0, intDigits == 1 || start.load(as: UInt8.self) != UInt8(ascii: "0") else { return nil }
        var p = afterInt
        var scale = 0
        if p < end, p.load(as: UInt8.self) == UInt8(ascii: ".") {
            let (afterFraction, fractionDigits) = digits(from: p + 1, into: &mantissa)
            guard fractionDigits > 0 else { return nil }
            p = afterFraction
            scale = fractionDigits
        }
        guard intDigits &+ scale <= 18 else { return nil }
        cursor = p
        return FixedDecimal(mantissa: negative ? -Int64(mantissa) : Int64(mantissa), scale: UInt8(scale))
    }

    /// Reads a quoted plain decimal's text through the closing quote (`"0.35280000"`: the opening
    /// quote was part of the literal). Same digits rule as ``decimal()``; leading zeros such as
    /// `"00.5"` are left to the general path.
    @inlinable @inline(always)
    public mutating func quotedDecimal() -> FixedDecimal? {
        guard let value = decimal(), cursor < end, cursor.load(as: UInt8.self) == UInt8(ascii: "\"") else { return nil }
        cursor += 1
        return value
    }

    /// Reads `true` or `false`.
    @inlinable @inline(always)
    public mutating func bool() -> Bool? {
        if literal("true") { return true }
        if literal("false") { return false }
        return nil
    }
}
