import MarketModel

extension JSONScanner {
    // MARK: - Strings

    /// Where the plain run of string contents starting at `start` stops — the first quote,
    /// backslash, control or non-ASCII byte — found eight bytes per step (``SWAR/stringStop(_:)``).
    /// `isFound` is `false` when fewer than eight bytes were left before a stop: `stop` is then
    /// where the word steps ended, for the caller to finish byte by byte (or give up).
    @inlinable @inline(always)
    func plainRunStop(from start: Int) -> (stop: Int, isFound: Bool) {
        var i = start
        while i &+ 8 <= end {
            let n = SWAR.stringStop(word(i))
            i &+= n
            if n < 8 { return (i, true) }
        }
        return (i, false)
    }

    /// Scans a string starting at the current `"` (already checked by the caller), validating
    /// escapes, control characters and UTF-8, and returns a view of its contents.
    ///
    /// Plain ASCII contents (keys, symbols, ids, decimals) are found eight bytes per step
    /// (``SWAR/stringStop(_:)``), the last few bytes of the buffer one at a time; anything
    /// else — an escape, a control character, a non-ASCII byte, a missing quote — continues in
    /// ``scanStringSlow(open:from:)``.
    @inlinable @inline(always)
    mutating func scanString() throws(VenueParseError) -> JSONString {
        let open = cursor
        let start = cursor &+ 1
        let run = plainRunStop(from: start)
        var i = run.stop
        if run.isFound {
            guard at(i) == UInt8(ascii: "\"") else { return try scanStringSlow(open: open, from: i) }
            cursor = i &+ 1
            return JSONString(bytes: slice(start, i), hasEscapes: false)
        }
        // The last few bytes of the buffer (a message's final string, e.g. a trailing
        // timestamp): plain ASCII up to the quote, one byte at a time.
        while i < end {
            let c = at(i)
            if c == UInt8(ascii: "\"") {
                cursor = i &+ 1
                return JSONString(bytes: slice(start, i), hasEscapes: false)
            }
            guard c >= 0x20, c < 0x80, c != UInt8(ascii: "\\") else { break }
            i &+= 1
        }
        return try scanStringSlow(open: open, from: i)
    }

    /// The byte-at-a-time rest of ``scanString()``: `from` is the first byte not yet known to be
    /// plain ASCII content of the string opened at `open`.
    @usableFromInline
    mutating func scanStringSlow(open: Int, from: Int) throws(VenueParseError) -> JSONString {
        let start = open &+ 1
        cursor = from
        var hasEscapes = false
        var nonASCII = false
        while true {
            // Plain ASCII bytes are the common case: one range test each.
            while cursor < end {
                let c = at(cursor)
                guard c >= 0x20, c < 0x80, c != UInt8(ascii: "\""), c != UInt8(ascii: "\\") else { break }
                cursor &+= 1
            }
            guard cursor < end else { break }
            let c = at(cursor)
            if c == UInt8(ascii: "\"") {
                let content = slice(start, cursor)
                cursor &+= 1
                if nonASCII, !JSONScanner.isValidUTF8(content) {
                    throw VenueParseError.malformed("invalid UTF-8 in string", at: open)
                }
                return JSONString(bytes: content, hasEscapes: hasEscapes)
            }
            if c == UInt8(ascii: "\\") {
                hasEscapes = true
                try scanEscape()
                continue
            }
            if c < 0x20 { throw fail("unescaped control character in string") }
            if c >= 0x80 { nonASCII = true }
            cursor &+= 1
        }
        throw VenueParseError.malformed("unterminated string", at: open)
    }

    /// Validates one escape sequence at `\` (RFC 8259 §7), including surrogate pairing.
    @usableFromInline
    mutating func scanEscape() throws(VenueParseError) {
        cursor &+= 1
        guard cursor < end else { throw fail("expected an escape character after '\\'") }
        let c = at(cursor)
        switch c {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"),
             UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
            cursor &+= 1
        case UInt8(ascii: "u"):
            cursor &+= 1
            let unit = try scanHex4()
            if unit >= 0xD800 && unit < 0xDC00 {
                guard cursor + 1 < end, at(cursor) == UInt8(ascii: "\\"), at(cursor + 1) == UInt8(ascii: "u") else {
                    throw fail("expected '\\u' low surrogate after high surrogate")
                }
                cursor &+= 2
                let low = try scanHex4()
                guard low >= 0xDC00 && low < 0xE000 else { throw VenueParseError.malformed("invalid low surrogate", at: cursor - 4) }
            } else if unit >= 0xDC00 && unit < 0xE000 {
                throw VenueParseError.malformed("unpaired low surrogate", at: cursor - 4)
            }
        default:
            throw fail("invalid escape character")
        }
    }

    /// Reads four hex digits.
    @usableFromInline
    mutating func scanHex4() throws(VenueParseError) -> UInt32 {
        var value: UInt32 = 0
        for _ in 0 ..< 4 {
            guard cursor < end, let h = JSONScanner.hexValue(at(cursor)) else { throw fail("expected 4 hex digits after '\\u'") }
            value = value << 4 | UInt32(h)
            cursor &+= 1
        }
        return value
    }

    /// The value of a hex digit.
    @inlinable
    static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0") ... UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "a") ... UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A") ... UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
        default: return nil
        }
    }

    /// Strict UTF-8 validation (no overlongs, no surrogates, ≤ U+10FFFF).
    @usableFromInline
    static func isValidUTF8(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var i = 0
        let n = bytes.count
        while i < n {
            let b0 = bytes[i]
            if b0 < 0x80 { i += 1; continue }
            func cont(_ j: Int) -> Bool { j < n && bytes[j] & 0xC0 == 0x80 }
            if b0 >= 0xC2 && b0 <= 0xDF {
                guard cont(i + 1) else { return false }
                i += 2
            } else if b0 >= 0xE0 && b0 <= 0xEF {
                guard cont(i + 1), cont(i + 2) else { return false }
                let b1 = bytes[i + 1]
                if b0 == 0xE0 && b1 < 0xA0 { return false }
                if b0 == 0xED && b1 >= 0xA0 { return false }
                i += 3
            } else if b0 >= 0xF0 && b0 <= 0xF4 {
                guard cont(i + 1), cont(i + 2), cont(i + 3) else { return false }
                let b1 = bytes[i + 1]
                if b0 == 0xF0 && b1 < 0x90 { return false }
                if b0 == 0xF4 && b1 >= 0x90 { return false }
                i += 4
            } else {
                return false
            }
        }
        return true
    }

    /// Reads a string value.
    @inlinable @inline(always)
    public mutating func readString() throws(VenueParseError) -> JSONString {
        if cursor < end, at(cursor) == UInt8(ascii: "\"") {
            atContainerStart = false
            return try scanString()
        }
        return try readStringSlow()
    }

    /// ``readString()`` with whitespace and errors.
    @usableFromInline
    mutating func readStringSlow() throws(VenueParseError) -> JSONString {
        skipWhitespace()
        guard cursor < end, at(cursor) == UInt8(ascii: "\"") else { throw fail("expected a string") }
        atContainerStart = false
        return try scanString()
    }

    /// Reads a string value, or returns `nil` after consuming `null`.
    @inlinable
    public mutating func readOptionalString() throws(VenueParseError) -> JSONString? {
        if try consumeNull() { return nil }
        return try readString()
    }
}
