import MarketModel

extension JSONScanner {
    // MARK: - Numbers

    /// Reads a JSON number and returns its raw text (validated against RFC 8259 §6).
    @inlinable
    public mutating func readNumber() throws(VenueParseError) -> JSONNumber {
        skipWhitespace()
        atContainerStart = false
        let start = cursor
        if cursor < end, at(cursor) == UInt8(ascii: "-") { cursor &+= 1 }
        guard cursor < end else { throw fail("expected a number") }
        let first = at(cursor)
        if first == UInt8(ascii: "0") {
            cursor &+= 1
        } else if first &- UInt8(ascii: "1") < 9 {
            cursor &+= 1
            while cursor < end, at(cursor) &- UInt8(ascii: "0") < 10 { cursor &+= 1 }
        } else {
            throw fail("expected a number")
        }
        var isInteger = true
        if cursor < end, at(cursor) == UInt8(ascii: ".") {
            isInteger = false
            cursor &+= 1
            guard cursor < end, at(cursor) &- UInt8(ascii: "0") < 10 else { throw fail("expected a digit after '.'") }
            while cursor < end, at(cursor) &- UInt8(ascii: "0") < 10 { cursor &+= 1 }
        }
        if cursor < end, at(cursor) | 0x20 == UInt8(ascii: "e") {
            isInteger = false
            cursor &+= 1
            if cursor < end, at(cursor) == UInt8(ascii: "+") || at(cursor) == UInt8(ascii: "-") { cursor &+= 1 }
            guard cursor < end, at(cursor) &- UInt8(ascii: "0") < 10 else { throw fail("expected a digit in exponent") }
            while cursor < end, at(cursor) &- UInt8(ascii: "0") < 10 { cursor &+= 1 }
        }
        // A number must be followed by a delimiter, not e.g. `12abc` or `01`.
        if cursor < end {
            let c = at(cursor)
            guard c == UInt8(ascii: ",") || c == UInt8(ascii: "}") || c == UInt8(ascii: "]") || c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 else {
                throw fail("expected a delimiter after number")
            }
        }
        return JSONNumber(bytes: slice(start, cursor), offset: start, isInteger: isInteger)
    }

    /// Reads an exact decimal from a JSON number (`0.5`, `1e-8`) or a JSON string holding one
    /// (`"0.35170000"`), keeping the venue's digits and scale.
    @inlinable
    public mutating func readDecimal() throws(VenueParseError) -> FixedDecimal {
        skipWhitespace()
        guard cursor < end else { throw fail("expected a decimal number or string") }
        if at(cursor) == UInt8(ascii: "\"") {
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
        // Locals, so the loops keep the pointer and bound in registers.
        let p = base
        let end = self.end
        var i = cursor &+ 1
        var negative = false
        if i < end, p.load(fromByteOffset: i, as: UInt8.self) == UInt8(ascii: "-") {
            negative = true
            i &+= 1
        }
        // Integer digits, then fraction digits: ≤ 18 digits in total cannot overflow.
        let intStart = i
        var mantissa: UInt64 = 0
        while i < end {
            let d = p.load(fromByteOffset: i, as: UInt8.self) &- UInt8(ascii: "0")
            guard d < 10 else { break }
            mantissa = mantissa &* 10 &+ UInt64(d)
            i &+= 1
        }
        let intDigits = i &- intStart
        guard intDigits > 0, i < end else { return nil }
        var scale = 0
        if p.load(fromByteOffset: i, as: UInt8.self) == UInt8(ascii: ".") {
            i &+= 1
            let fracStart = i
            while i < end {
                let d = p.load(fromByteOffset: i, as: UInt8.self) &- UInt8(ascii: "0")
                guard d < 10 else { break }
                mantissa = mantissa &* 10 &+ UInt64(d)
                i &+= 1
            }
            scale = i &- fracStart
            guard scale > 0, i < end else { return nil }
        }
        guard p.load(fromByteOffset: i, as: UInt8.self) == UInt8(ascii: "\""), intDigits &+ scale <= 18 else { return nil }
        cursor = i &+ 1
        atContainerStart = false
        let signed = negative ? -Int64(mantissa) : Int64(mantissa)
        return FixedDecimal(mantissa: signed, scale: UInt8(scale))
    }

    /// Like ``readDecimal()`` but returns `nil` for `null` and for an empty string `""` (OKX and
    /// Bybit send `""` for absent values).
    @inlinable
    public mutating func readOptionalDecimal() throws(VenueParseError) -> FixedDecimal? {
        skipWhitespace()
        guard cursor < end else { throw fail("expected a decimal, null or \"\"") }
        if try consumeNull() { return nil }
        if cursor + 1 < end, at(cursor) == UInt8(ascii: "\""), at(cursor + 1) == UInt8(ascii: "\"") {
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
        if at(cursor) == UInt8(ascii: "\"") {
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
        if at(cursor) == UInt8(ascii: "-") {
            negative = true
            cursor &+= 1
        }
        var value: UInt64 = 0
        let digitsStart = cursor
        while cursor < end {
            let d = at(cursor) &- UInt8(ascii: "0")
            guard d < 10 else { break }
            value = value &* 10 &+ UInt64(d)
            cursor &+= 1
        }
        if cursor &- digitsStart > 18 {
            // Might have wrapped: let the checked general path decide.
            cursor = start
            return try readNumber().int64()
        }
        let digits = cursor &- digitsStart
        let leadingZero = digits > 1 && at(digitsStart) == UInt8(ascii: "0")
        let delimited = cursor == end || JSONScanner.isDelimiter(at(cursor))
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

    /// Reads an identifier given as a string or an integer number (`"trade_id":"403691824"`,
    /// `"t":12345`) and returns its text. ≤ 15 bytes stay inline in the `String` (no allocation).
    @inlinable
    public mutating func readIdentifier() throws(VenueParseError) -> String {
        skipWhitespace()
        guard cursor < end else { throw fail("expected a string or integer identifier") }
        if at(cursor) == UInt8(ascii: "\"") {
            atContainerStart = false
            return try scanString().string
        }
        let n = try readNumber()
        guard n.isInteger else { throw VenueParseError.invalidValue("identifier", "expected a string or integer", at: n.offset) }
        return String(decoding: n.bytes, as: UTF8.self)
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
        for i in 0 ..< n where at(cursor + i) != p[i] { return false }
        let after = cursor + n
        if after < end {
            let c = at(after)
            guard c == UInt8(ascii: ",") || c == UInt8(ascii: "}") || c == UInt8(ascii: "]") || c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 else {
                return false
            }
        }
        cursor = after
        return true
    }

}
