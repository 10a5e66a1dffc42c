import MarketModel

extension JSONScanner {
    // MARK: - Strings

    /// Scans a string starting at the current `"` (already checked by the caller), validating
    /// escapes, control characters and UTF-8, and returns a view of its contents.
    @inlinable
    mutating func scanString() throws(VenueParseError) -> JSONString {
        let open = cursor
        cursor &+= 1
        let start = cursor
        var hasEscapes = false
        var nonASCII = false
        while true {
            // 8 bytes at a time while none of them is '"', '\\', a control byte or non-ASCII
            // (SWAR "has zero byte" tests; false positives just fall through to the byte loop).
            while cursor &+ 8 <= end {
                let w = bytes.loadUnaligned(fromByteOffset: cursor, as: UInt64.self)
                let lows: UInt64 = 0x0101_0101_0101_0101
                let highs: UInt64 = 0x8080_8080_8080_8080
                let quote = w ^ (lows &* 0x22)
                let slash = w ^ (lows &* 0x5C)
                let special = ((quote &- lows) & ~quote) | ((slash &- lows) & ~slash) | (w &- (lows &* 0x20)) | w
                if special & highs != 0 { break }
                cursor &+= 8
            }
            guard cursor < end else { break }
            let c = bytes[cursor]
            if c == UInt8(ascii: "\"") {
                let content = UnsafeRawBufferPointer(rebasing: bytes[start ..< cursor])
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
        let c = bytes[cursor]
        switch c {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"),
             UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
            cursor &+= 1
        case UInt8(ascii: "u"):
            cursor &+= 1
            let unit = try scanHex4()
            if unit >= 0xD800 && unit < 0xDC00 {
                guard cursor + 1 < end, bytes[cursor] == UInt8(ascii: "\\"), bytes[cursor + 1] == UInt8(ascii: "u") else {
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
            guard cursor < end, let h = JSONScanner.hexValue(bytes[cursor]) else { throw fail("expected 4 hex digits after '\\u'") }
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
    @inlinable
    public mutating func readString() throws(VenueParseError) -> JSONString {
        skipWhitespace()
        guard cursor < end, bytes[cursor] == UInt8(ascii: "\"") else { throw fail("expected a string") }
        atContainerStart = false
        return try scanString()
    }

    /// Reads a string value, or returns `nil` after consuming `null`.
    @inlinable
    public mutating func readOptionalString() throws(VenueParseError) -> JSONString? {
        if try consumeNull() { return nil }
        return try readString()
    }

    // MARK: - Numbers

    /// Reads a JSON number and returns its raw text (validated against RFC 8259 §6).
    @inlinable
    public mutating func readNumber() throws(VenueParseError) -> JSONNumber {
        skipWhitespace()
        atContainerStart = false
        let start = cursor
        if cursor < end, bytes[cursor] == UInt8(ascii: "-") { cursor &+= 1 }
        guard cursor < end else { throw fail("expected a number") }
        let first = bytes[cursor]
        if first == UInt8(ascii: "0") {
            cursor &+= 1
        } else if first &- UInt8(ascii: "1") < 9 {
            cursor &+= 1
            while cursor < end, bytes[cursor] &- UInt8(ascii: "0") < 10 { cursor &+= 1 }
        } else {
            throw fail("expected a number")
        }
        var isInteger = true
        if cursor < end, bytes[cursor] == UInt8(ascii: ".") {
            isInteger = false
            cursor &+= 1
            guard cursor < end, bytes[cursor] &- UInt8(ascii: "0") < 10 else { throw fail("expected a digit after '.'") }
            while cursor < end, bytes[cursor] &- UInt8(ascii: "0") < 10 { cursor &+= 1 }
        }
        if cursor < end, bytes[cursor] | 0x20 == UInt8(ascii: "e") {
            isInteger = false
            cursor &+= 1
            if cursor < end, bytes[cursor] == UInt8(ascii: "+") || bytes[cursor] == UInt8(ascii: "-") { cursor &+= 1 }
            guard cursor < end, bytes[cursor] &- UInt8(ascii: "0") < 10 else { throw fail("expected a digit in exponent") }
            while cursor < end, bytes[cursor] &- UInt8(ascii: "0") < 10 { cursor &+= 1 }
        }
        // A number must be followed by a delimiter, not e.g. `12abc` or `01`.
        if cursor < end {
            let c = bytes[cursor]
            guard c == UInt8(ascii: ",") || c == UInt8(ascii: "}") || c == UInt8(ascii: "]") || c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 else {
                throw fail("expected a delimiter after number")
            }
        }
        return JSONNumber(bytes: UnsafeRawBufferPointer(rebasing: bytes[start ..< cursor]), offset: start, isInteger: isInteger)
    }

    /// Reads an exact decimal from a JSON number (`0.5`, `1e-8`) or a JSON string holding one
    /// (`"0.35170000"`), keeping the venue's digits and scale.
    @inlinable
    public mutating func readDecimal() throws(VenueParseError) -> FixedDecimal {
        skipWhitespace()
        guard cursor < end else { throw fail("expected a decimal number or string") }
        if bytes[cursor] == UInt8(ascii: "\"") {
            if let fast = fastQuotedDecimal() { return fast }
            let at = cursor
            atContainerStart = false
            let s = try scanString()
            guard !s.hasEscapes else { throw VenueParseError.invalidValue("decimal", "escaped characters in a decimal string", at: at) }
            do {
                return try FixedDecimal.parse(s.bytes)
            } catch {
                throw VenueParseError.invalidValue("decimal", error.description, at: at + 1)
            }
        }
        let n = try readNumber()
        return try n.decimal()
    }

    /// One pass over a quoted plain decimal (`"-123.4500"`, ≤ 18 digits, scale ≤ 18): parses
    /// while looking for the closing quote. Returns `nil` (consuming nothing) for anything else,
    /// which the general path then handles or reports.
    @inlinable
    mutating func fastQuotedDecimal() -> FixedDecimal? {
        var i = cursor &+ 1
        var negative = false
        if i < end, bytes[i] == UInt8(ascii: "-") {
            negative = true
            i &+= 1
        }
        let digitsStart = i
        var mantissa: UInt64 = 0
        var significant = 0
        var scale = 0
        var dotAt = -1
        while i < end {
            let c = bytes[i]
            let d = c &- UInt8(ascii: "0")
            if d < 10 {
                if significant == 18 { return nil }
                mantissa = mantissa &* 10 &+ UInt64(d)
                if mantissa != 0 { significant &+= 1 }
                if dotAt >= 0 { scale &+= 1 }
            } else if c == UInt8(ascii: ".") {
                guard dotAt < 0, i > digitsStart else { return nil }
                dotAt = i
            } else if c == UInt8(ascii: "\"") {
                guard i > digitsStart, dotAt != i &- 1, scale <= Int(FixedDecimal.maxScale) else { return nil }
                cursor = i &+ 1
                atContainerStart = false
                let signed = negative ? -Int64(mantissa) : Int64(mantissa)
                return FixedDecimal(mantissa: signed, scale: UInt8(scale))
            } else {
                return nil
            }
            i &+= 1
        }
        return nil
    }

    /// Like ``readDecimal()`` but returns `nil` for `null` and for an empty string `""` (OKX and
    /// Bybit send `""` for absent values).
    @inlinable
    public mutating func readOptionalDecimal() throws(VenueParseError) -> FixedDecimal? {
        skipWhitespace()
        guard cursor < end else { throw fail("expected a decimal, null or \"\"") }
        if try consumeNull() { return nil }
        if cursor + 1 < end, bytes[cursor] == UInt8(ascii: "\""), bytes[cursor + 1] == UInt8(ascii: "\"") {
            cursor &+= 2
            atContainerStart = false
            return nil
        }
        return try readDecimal()
    }

    /// Reads an integer from a JSON number (`1700000000000`) or a string holding one (`"123"`),
    /// exactly, without `Double`. Fractions, exponents and overflow are errors.
    @inlinable
    public mutating func readInt64() throws(VenueParseError) -> Int64 {
        skipWhitespace()
        guard cursor < end else { throw fail("expected an integer") }
        if bytes[cursor] == UInt8(ascii: "\"") {
            let at = cursor
            atContainerStart = false
            let s = try scanString()
            guard let v = JSONScanner.parseInt64(s.bytes) else {
                throw VenueParseError.invalidValue("integer", "expected an integer string", at: at + 1)
            }
            return v
        }
        // Fused scan + convert for the common case (plain integer number).
        atContainerStart = false
        let start = cursor
        var negative = false
        if bytes[cursor] == UInt8(ascii: "-") {
            negative = true
            cursor &+= 1
        }
        var value: UInt64 = 0
        let digitsStart = cursor
        while cursor < end {
            let d = bytes[cursor] &- UInt8(ascii: "0")
            guard d < 10 else { break }
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            let (sum, o2) = m.addingReportingOverflow(UInt64(d))
            if o1 || o2 {
                cursor = start
                return try readNumber().int64()
            }
            value = sum
            cursor &+= 1
        }
        let digits = cursor &- digitsStart
        let leadingZero = digits > 1 && bytes[digitsStart] == UInt8(ascii: "0")
        let delimited = cursor == end || JSONScanner.isDelimiter(bytes[cursor])
        guard digits > 0, !leadingZero, delimited, value <= UInt64(Int64.max) else {
            // Fractions, exponents, overflow or malformed text: let the general path report it.
            cursor = start
            return try readNumber().int64()
        }
        return negative ? -Int64(value) : Int64(value)
    }

    /// `true` for the bytes that may follow a number or literal: `,` `}` `]` and whitespace.
    @inlinable @inline(__always)
    static func isDelimiter(_ c: UInt8) -> Bool {
        c == UInt8(ascii: ",") || c == UInt8(ascii: "}") || c == UInt8(ascii: "]") || c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09
    }

    /// Parses an optionally negative decimal integer; `nil` on any other text or overflow.
    @inlinable
    public static func parseInt64(_ text: UnsafeRawBufferPointer) -> Int64? {
        var i = 0
        let n = text.count
        var negative = false
        if n > 0, text[0] == UInt8(ascii: "-") { negative = true; i = 1 }
        guard i < n else { return nil }
        var value: UInt64 = 0
        while i < n {
            let d = text[i] &- UInt8(ascii: "0")
            guard d < 10 else { return nil }
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            let (s, o2) = m.addingReportingOverflow(UInt64(d))
            guard !o1, !o2 else { return nil }
            value = s
            i &+= 1
        }
        if negative {
            guard value <= UInt64(Int64.max) + 1 else { return nil }
            return value == UInt64(Int64.max) + 1 ? Int64.min : -Int64(value)
        }
        guard value <= UInt64(Int64.max) else { return nil }
        return Int64(value)
    }

    // MARK: - Literals

    /// Reads `true` or `false`.
    @inlinable
    public mutating func readBool() throws(VenueParseError) -> Bool {
        skipWhitespace()
        atContainerStart = false
        if matchLiteral("true") { return true }
        if matchLiteral("false") { return false }
        throw fail("expected true or false")
    }

    /// Consumes `null` if it is next and returns `true`; otherwise consumes nothing.
    @inlinable
    public mutating func consumeNull() throws(VenueParseError) -> Bool {
        skipWhitespace()
        if matchLiteral("null") {
            atContainerStart = false
            return true
        }
        return false
    }

    /// Consumes `literal` if it is next, followed by a delimiter or the end.
    @inlinable
    mutating func matchLiteral(_ literal: StaticString) -> Bool {
        let n = literal.utf8CodeUnitCount
        guard cursor + n <= end else { return false }
        let p = literal.utf8Start
        for i in 0 ..< n where bytes[cursor + i] != p[i] { return false }
        let after = cursor + n
        if after < end {
            let c = bytes[after]
            guard c == UInt8(ascii: ",") || c == UInt8(ascii: "}") || c == UInt8(ascii: "]") || c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 else {
                return false
            }
        }
        cursor = after
        return true
    }

    // MARK: - Skipping

    /// Skips the next value of any type, validating it fully (iteratively, up to ``maxDepth``
    /// levels of nesting).
    public mutating func skipValue() throws(VenueParseError) {
        // Bit i of `kinds` is 1 when nesting level i is an object.
        var kinds: UInt64 = 0
        var depth = 0
        atContainerStart = false
        while true {
            // Read one value (or open a container).
            skipWhitespace()
            guard cursor < end else { throw fail("expected a value") }
            let c = bytes[cursor]
            switch c {
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                guard depth < JSONScanner.maxDepth else { throw fail("nesting deeper than \(JSONScanner.maxDepth)") }
                let isObject = c == UInt8(ascii: "{")
                cursor &+= 1
                if isObject { kinds |= 1 << UInt64(depth) } else { kinds &= ~(1 << UInt64(depth)) }
                depth += 1
                atContainerStart = true
                if isObject {
                    guard try nextKey() != nil else { depth -= 1; break }
                } else {
                    guard try nextElement() else { depth -= 1; break }
                }
                continue  // read the first member's value
            case UInt8(ascii: "\""):
                _ = try scanString()
            case UInt8(ascii: "t"), UInt8(ascii: "f"):
                _ = try readBool()
            case UInt8(ascii: "n"):
                guard try consumeNull() else { throw fail("expected null") }
            default:
                _ = try readNumber()
            }
            // After a value: advance within the enclosing containers, closing those that end.
            while depth > 0 {
                atContainerStart = false
                let isObject = kinds & (1 << UInt64(depth - 1)) != 0
                if isObject {
                    if try nextKey() != nil { break }
                } else {
                    if try nextElement() { break }
                }
                depth -= 1
            }
            if depth == 0 { atContainerStart = false; return }
        }
    }

    // MARK: - Book helpers

    /// Reads `[[price, size, ...], ...]` (Binance, OKX, Bybit, Deribit grouped books): the first
    /// two entries of each inner array, strings or numbers, extra entries skipped (OKX's order
    /// counts). Appends to `levels`, which the caller may reuse.
    @inlinable
    public mutating func readLevels(into levels: inout [BookLevel]) throws(VenueParseError) {
        try beginArray()
        while try nextElement() {
            try beginArray()
            guard try nextElement() else { throw fail("expected a price in level") }
            let price = try readDecimal()
            guard try nextElement() else { throw fail("expected a size in level") }
            let size = try readDecimal()
            while try nextElement() { try skipValue() }
            levels.append(BookLevel(price: price, size: size))
        }
    }
}
