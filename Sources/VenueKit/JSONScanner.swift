import MarketModel

/// A fast, validating, pull-style JSON reader over raw bytes, for venue messages on the hot path.
///
/// No DOM, no allocation, no Foundation: the adapter walks the message in order and reads the
/// fields it needs straight from the bytes; strings come back as ``JSONString`` views into the
/// buffer (valid only while the buffer is), numbers as raw text that converts exactly to
/// ``FixedDecimal`` or `Int64` (never through `Double`). Everything the adapter skips is still
/// validated (``skipValue()``), so malformed input always ends in a ``VenueParseError`` naming the
/// byte offset and what was expected — never a crash or garbage.
///
/// ```swift
/// var s = JSONScanner(bytes)
/// try s.beginObject()
/// while let key = try s.nextKey() {
///     if key == "p" { price = try s.readDecimal() }
///     else if key == "b" { try s.readLevels(into: &bids) }
///     else { try s.skipValue() }
/// }
/// try s.finish()
/// ```
///
/// Containers: ``beginObject()`` then ``nextKey()`` until it returns `nil` (which consumes the `}`);
/// ``beginArray()`` then ``nextElement()`` until it returns `false` (which consumes the `]`).
/// Offsets in errors are from the start of the buffer the first scanner was made over (also for
/// scanners returned by ``captureValue()``).
public struct JSONScanner {
    /// The whole message.
    public let bytes: UnsafeRawBufferPointer
    /// `bytes.baseAddress` (a valid dummy for an empty buffer, never read since `end == 0`):
    /// loads through a plain pointer avoid the buffer subscript's per-access nil check.
    @usableFromInline let base: UnsafeRawPointer
    /// The offset of the next unread byte.
    @usableFromInline var cursor: Int
    /// The offset of the next unread byte (from the start of ``bytes``).
    public var position: Int { cursor }
    /// One past the last byte this scanner may read.
    @usableFromInline let end: Int
    /// `true` right after `{` or `[`: the next member/element takes no leading comma.
    @usableFromInline var atContainerStart = false

    /// Nesting limit for ``skipValue()`` (deeper input is rejected as malformed).
    public static let maxDepth = 64

    /// Creates a scanner over a whole message.
    @inlinable
    public init(_ bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
        self.base = bytes.baseAddress ?? JSONScanner.emptyBase
        self.cursor = 0
        self.end = bytes.count
    }

    /// Creates a scanner over `at(range)` that reports offsets relative to `bytes`.
    @inlinable
    init(_ bytes: UnsafeRawBufferPointer, range: Range<Int>) {
        self.bytes = bytes
        self.base = bytes.baseAddress ?? JSONScanner.emptyBase
        self.cursor = range.lowerBound
        self.end = range.upperBound
    }

    // MARK: - Low level

    /// The byte at `i` (caller checks `i < end`).
    @inlinable @inline(always)
    func at(_ i: Int) -> UInt8 { base.loadUnaligned(fromByteOffset: i, as: UInt8.self) }

    /// The bytes `[from, to)` as a buffer (caller checks bounds).
    @inlinable @inline(always)
    func slice(_ from: Int, _ to: Int) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: base + from, count: to &- from)
    }

    /// Points at a static zero byte so that an empty buffer still has a base address.
    @usableFromInline
    static var emptyBase: UnsafeRawPointer {
        UnsafeRawPointer(bitPattern: 0x8) ?? UnsafeRawPointer(JSONScanner.sentinel)
    }

    /// A never-read allocation used only when `bitPattern:` cannot form a pointer.
    nonisolated(unsafe) static let sentinel = UnsafeMutableRawPointer.allocate(byteCount: 8, alignment: 8)

    /// Skips JSON whitespace (RFC 8259 §2: space, tab, LF, CR).
    @inlinable @inline(always)
    mutating func skipWhitespace() {
        // Venue JSON is usually compact: test the first byte before looping.
        guard cursor < end, at(cursor) <= 0x20 else { return }
        while cursor < end {
            let c = at(cursor)
            guard c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 else { return }
            cursor &+= 1
        }
    }

    /// An error at the current cursor.
    @usableFromInline
    func fail(_ expected: String) -> VenueParseError {
        if cursor >= end { return .malformed("\(expected), found end of input", at: cursor) }
        let c = at(cursor)
        let shown = c >= 0x20 && c < 0x7F ? "'\(Character(Unicode.Scalar(c)))'" : "byte 0x\(String(c, radix: 16))"
        return .malformed("\(expected), found \(shown)", at: cursor)
    }

    /// Consumes `c` after optional whitespace or throws naming `expected`.
    @inlinable @inline(always)
    mutating func expect(_ c: UInt8, _ expected: @autoclosure () -> String) throws(VenueParseError) {
        skipWhitespace()
        guard cursor < end, at(cursor) == c else { throw fail(expected()) }
        cursor &+= 1
    }

    // MARK: - Containers

    // Each public reader below is a small always-inlined fast path for compact venue JSON plus
    // an out-of-line `…Slow` function with the general, fully validating code and every error
    // (calls from adapters then cost a few compares, and the error code stays out of their loops).

    /// Consumes `{`.
    @inlinable @inline(always)
    public mutating func beginObject() throws(VenueParseError) {
        if cursor < end, at(cursor) == UInt8(ascii: "{") {
            cursor &+= 1
            atContainerStart = true
            return
        }
        try beginObjectSlow()
    }

    /// ``beginObject()`` with whitespace and errors.
    @usableFromInline
    mutating func beginObjectSlow() throws(VenueParseError) {
        try expect(UInt8(ascii: "{"), "expected '{'")
        atContainerStart = true
    }

    /// Consumes `[`.
    @inlinable @inline(always)
    public mutating func beginArray() throws(VenueParseError) {
        if cursor < end, at(cursor) == UInt8(ascii: "[") {
            cursor &+= 1
            atContainerStart = true
            return
        }
        try beginArraySlow()
    }

    /// ``beginArray()`` with whitespace and errors.
    @usableFromInline
    mutating func beginArraySlow() throws(VenueParseError) {
        try expect(UInt8(ascii: "["), "expected '['")
        atContainerStart = true
    }

    /// Moves to the next member of the current object and returns its key, with the scanner
    /// positioned at the member's value (which the caller must read or skip). Returns `nil` after
    /// consuming the object's closing `}`.
    @inlinable @inline(always)
    public mutating func nextKey() throws(VenueParseError) -> JSONString? {
        // Fast path: `}`, or a compact `,"key":` / `"key":` with a plain ASCII key.
        if cursor < end {
            let c = at(cursor)
            if c == UInt8(ascii: "}") {
                cursor &+= 1
                atContainerStart = false
                return nil
            }
            let quote = atContainerStart ? cursor : cursor &+ 1
            if atContainerStart || c == UInt8(ascii: ","), quote < end, at(quote) == UInt8(ascii: "\"") {
                var i = quote &+ 1
                while i &+ 8 <= end {
                    let n = SWAR.stringStop(word(i))
                    i &+= n
                    if n < 8 {
                        if at(i) == UInt8(ascii: "\""), i &+ 1 < end, at(i &+ 1) == UInt8(ascii: ":") {
                            cursor = i &+ 2
                            atContainerStart = false
                            return JSONString(bytes: slice(quote &+ 1, i), hasEscapes: false)
                        }
                        break
                    }
                }
            }
        }
        return try nextKeySlow()
    }

    /// ``nextKey()`` with whitespace, escapes and errors.
    @usableFromInline
    mutating func nextKeySlow() throws(VenueParseError) -> JSONString? {
        skipWhitespace()
        guard cursor < end else { throw fail(atContainerStart ? "expected '\"' or '}'" : "expected ',' or '}' after object member") }
        var c = at(cursor)
        if c == UInt8(ascii: "}") {
            cursor &+= 1
            atContainerStart = false
            return nil
        }
        if atContainerStart {
            atContainerStart = false
        } else {
            guard c == UInt8(ascii: ",") else { throw fail("expected ',' or '}' after object member") }
            cursor &+= 1
            skipWhitespace()
            guard cursor < end else { throw fail("expected '\"' to start an object key") }
            c = at(cursor)
        }
        guard c == UInt8(ascii: "\"") else { throw fail("expected '\"' to start an object key") }
        let key = try scanString()
        try expect(UInt8(ascii: ":"), "expected ':' after object key")
        return key
    }

    /// The fast path for reading members in the venue's documented order: if the next member of
    /// the current object has exactly the key `key`, written compactly (`,"key":`, or `"key":`
    /// right after `{`), consumes through the `:` and returns `true` with the scanner at the value;
    /// otherwise consumes nothing and returns `false`, and the member is read with ``nextKey()``
    /// as usual (which also handles whitespace, escapes and the end of the object).
    ///
    /// One fixed-size compare instead of scanning the key and an if-chain over it:
    /// ```swift
    /// inOrder: do {
    ///     guard s.nextKey(is: "p") else { break inOrder }
    ///     price = try s.readDecimal()
    ///     guard s.nextKey(is: "q") else { break inOrder }
    ///     size = try s.readDecimal()
    /// }
    /// while let key = try s.nextKey() { ... }   // the rest, in any order
    /// ```
    @inlinable @inline(always)
    public mutating func nextKey(is key: StaticString) -> Bool {
        let n = key.utf8CodeUnitCount
        // Keys of up to 4 bytes (5 right after `{`): the whole `,"key":` is one masked 8-byte
        // compare against a pattern built from the literal (a constant after inlining).
        if n <= 4, cursor &+ 8 <= end {
            let literal = UnsafeRawPointer(key.utf8Start)
            var bare: UInt64 = 0x22  // `"key":` without the comma
            for i in 0 ..< n {
                bare |= UInt64(literal.load(fromByteOffset: i, as: UInt8.self)) &<< UInt64(8 &* (i &+ 1))
            }
            bare |= (0x22 | 0x3A00) &<< UInt64(8 &* (n &+ 1))
            // After a value (the common case) the member is `,"key":`: one compare against a
            // constant, without reading the container-start flag; only a miss looks at the flag
            // (the first member, `"key":` right after `{`).
            let w = word(cursor)
            let length = n &+ 4
            let mask: UInt64 = length == 8 ? ~0 : (1 &<< UInt64(8 &* length)) &- 1
            if w & mask == bare &<< 8 | 0x2C, !atContainerStart {
                cursor &+= length
                return true
            }
            let bareMask: UInt64 = (1 &<< UInt64(8 &* (n &+ 3))) &- 1
            guard atContainerStart, w & bareMask == bare else { return false }
            cursor &+= n &+ 3
            atContainerStart = false
            return true
        }
        let quote = atContainerStart ? cursor : cursor &+ 1
        let after = quote &+ n &+ 3  // "key":
        guard after <= end else { return false }
        if !atContainerStart, at(cursor) != UInt8(ascii: ",") { return false }
        guard at(quote) == UInt8(ascii: "\""), at(quote &+ n &+ 1) == UInt8(ascii: "\""), at(quote &+ n &+ 2) == UInt8(ascii: ":"),
              JSONString.rawEqual(slice(quote &+ 1, quote &+ 1 &+ n), key.utf8Start, n) else { return false }
        cursor = after
        atContainerStart = false
        return true
    }

    /// Moves to the next element of the current array: returns `true` with the scanner at the
    /// element (which the caller must read or skip), or `false` after consuming the closing `]`.
    @inlinable @inline(always)
    public mutating func nextElement() throws(VenueParseError) -> Bool {
        // Fast path: `]`, or the start of an element right after `[` or `,` (no whitespace).
        if cursor &+ 1 < end {
            let c = at(cursor)
            if c == UInt8(ascii: "]") {
                cursor &+= 1
                atContainerStart = false
                return false
            }
            if atContainerStart {
                if c > 0x20 {
                    atContainerStart = false
                    return true
                }
            } else if c == UInt8(ascii: ",") {
                let d = at(cursor &+ 1)
                if d > 0x20, d != UInt8(ascii: "]") {
                    cursor &+= 1
                    return true
                }
            }
        }
        return try nextElementSlow()
    }

    /// ``nextElement()`` with whitespace and errors.
    @usableFromInline
    mutating func nextElementSlow() throws(VenueParseError) -> Bool {
        skipWhitespace()
        guard cursor < end else { throw fail(atContainerStart ? "expected a value or ']'" : "expected ',' or ']' after array element") }
        let c = at(cursor)
        if c == UInt8(ascii: "]") {
            cursor &+= 1
            atContainerStart = false
            return false
        }
        if atContainerStart {
            atContainerStart = false
        } else {
            guard c == UInt8(ascii: ",") else { throw fail("expected ',' or ']' after array element") }
            cursor &+= 1
            skipWhitespace()
            guard cursor < end, at(cursor) != UInt8(ascii: "]") else { throw fail("expected a value after ','") }
        }
        return true
    }

    /// Within the current object, skips members until `key` and returns `true` positioned at its
    /// value; returns `false` after consuming `}` if the key is absent. Keys before it are skipped
    /// (validated), so use it for the few fields you need in venue order.
    @inlinable
    public mutating func seek(key: StaticString) throws(VenueParseError) -> Bool {
        while let k = try nextKey() {
            if k == key { return true }
            try skipValue()
        }
        return false
    }

    /// Reads through the rest of the current object or array (validating) and its closing bracket.
    /// Call when you have what you need from a container you entered.
    public mutating func skipRestOfContainer(isObject: Bool) throws(VenueParseError) {
        if isObject {
            while try nextKey() != nil { try skipValue() }
        } else {
            while try nextElement() { try skipValue() }
        }
    }

    /// Verifies that nothing but whitespace follows the value(s) read. Call at the end of `parse`.
    @inlinable
    public mutating func finish() throws(VenueParseError) {
        skipWhitespace()
        guard cursor == end else { throw fail("expected end of input") }
    }

    /// What the next value is, without consuming it.
    @inlinable @inline(always)
    public mutating func peekKind() throws(VenueParseError) -> JSONValueKind {
        if cursor < end {
            switch at(cursor) {
            case UInt8(ascii: "{"): return .object
            case UInt8(ascii: "["): return .array
            case UInt8(ascii: "\""): return .string
            case UInt8(ascii: "-"), UInt8(ascii: "0") ... UInt8(ascii: "9"): return .number
            default: break
            }
        }
        return try peekKindSlow()
    }

    /// ``peekKind()`` with whitespace, literals and errors.
    @usableFromInline
    mutating func peekKindSlow() throws(VenueParseError) -> JSONValueKind {
        skipWhitespace()
        guard cursor < end else { throw fail("expected a value") }
        switch at(cursor) {
        case UInt8(ascii: "{"): return .object
        case UInt8(ascii: "["): return .array
        case UInt8(ascii: "\""): return .string
        case UInt8(ascii: "t"), UInt8(ascii: "f"): return .bool
        case UInt8(ascii: "n"): return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0") ... UInt8(ascii: "9"): return .number
        default: throw fail("expected a value")
        }
    }

    /// Skips (and validates) the next value and returns a scanner over exactly its bytes, to be
    /// read later — e.g. Binance's combined-stream `data` when `stream` comes after it.
    public mutating func captureValue() throws(VenueParseError) -> JSONScanner {
        skipWhitespace()
        let start = cursor
        try skipValue()
        return JSONScanner(bytes, range: start ..< cursor)
    }

    /// The raw bytes of the next value (validated), e.g. to echo an `id` verbatim.
    public mutating func readRawValue() throws(VenueParseError) -> UnsafeRawBufferPointer {
        skipWhitespace()
        let start = cursor
        try skipValue()
        return slice(start, cursor)
    }
}

/// The JSON value types (RFC 8259 §3).
public enum JSONValueKind: Sendable, Equatable {
    /// `{...}`.
    case object
    /// `[...]`.
    case array
    /// `"..."`.
    case string
    /// `-1.5e3`.
    case number
    /// `true` / `false`.
    case bool
    /// `null`.
    case null
}
