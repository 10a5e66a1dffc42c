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
            cursor = skipDigits(from: cursor &+ 1)
        } else {
            throw fail("expected a number")
        }
        var isInteger = true
        if cursor < end, at(cursor) == UInt8(ascii: ".") {
            isInteger = false
            cursor &+= 1
            guard cursor < end, at(cursor) &- UInt8(ascii: "0") < 10 else { throw fail("expected a digit after '.'") }
            cursor = skipDigits(from: cursor)
        }
        if cursor < end, at(cursor) | 0x20 == UInt8(ascii: "e") {
            isInteger = false
            cursor &+= 1
            if cursor < end, at(cursor) == UInt8(ascii: "+") || at(cursor) == UInt8(ascii: "-") { cursor &+= 1 }
            guard cursor < end, at(cursor) &- UInt8(ascii: "0") < 10 else { throw fail("expected a digit in exponent") }
            cursor = skipDigits(from: cursor)
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
    @inlinable @inline(always)
    public mutating func readDecimal() throws(VenueParseError) -> FixedDecimal {
        if cursor < end {
            if at(cursor) == UInt8(ascii: "\"") {
                if let fast = fastQuotedDecimal() { return fast }
            } else if let fast = fastPlainDecimal() {
                return fast
            }
        }
        return try readDecimalSlow()
    }

    /// ``readDecimal()`` with whitespace, exponents, long numbers and errors.
    @usableFromInline
    mutating func readDecimalSlow() throws(VenueParseError) -> FixedDecimal {
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
        if let fast = fastPlainDecimal() { return fast }
        let n = try readNumber()
        return try n.decimal()
    }

    /// One pass over an unquoted plain JSON decimal (`-87412.4`, `0.5`, ≤ 18 digits) followed by a
    /// delimiter: what ``readNumber()`` and `FixedDecimal.parse` together accept for such text,
    /// in one SWAR pass. Returns `nil` (consuming nothing) for anything else (exponents, leading
    /// zeros, long numbers, malformed text), which the general path then handles or reports.
    @inlinable @inline(always)
    mutating func fastPlainDecimal() -> FixedDecimal? {
        var i = cursor
        var negative = false
        if at(i) == UInt8(ascii: "-") {
            negative = true
            i &+= 1
        }
        guard i < end else { return nil }
        // `ddd.ddd` within 16 bytes (prices and sizes as venues send them): one pass, no loops.
        // Its own code rather than `shortNumber`'s: the compiler schedules this one better for
        // the fraction shape (measured: Kraken's levels ~15 instructions less each).
        if let short = shortFraction(at: i), at(i) != UInt8(ascii: "0") || short.intDigits == 1,
           JSONScanner.isDelimiter(at(short.end)) {
            cursor = short.end
            atContainerStart = false
            return FixedDecimal(mantissa: negative ? -Int64(short.mantissa) : Int64(short.mantissa), scale: UInt8(short.scale))
        }
        // `ddd` up to 15 digits (BitMEX's sizes and integer prices): one pass, no loops.
        if let short = shortNumber(at: i), short.scale == 0, at(i) != UInt8(ascii: "0") || short.intDigits == 1,
           JSONScanner.isDelimiter(at(short.end)) {
            cursor = short.end
            atContainerStart = false
            return FixedDecimal(mantissa: negative ? -Int64(short.mantissa) : Int64(short.mantissa), scale: 0)
        }
        let intStart = i
        var mantissa: UInt64 = 0
        let (afterInt, intDigits) = digits(from: i, into: &mantissa)
        guard intDigits > 0, intDigits == 1 || at(intStart) != UInt8(ascii: "0") else { return nil }
        i = afterInt
        var scale = 0
        if i < end, at(i) == UInt8(ascii: ".") {
            let (afterFraction, fractionDigits) = digits(from: i &+ 1, into: &mantissa)
            guard fractionDigits > 0 else { return nil }
            i = afterFraction
            scale = fractionDigits
        }
        guard intDigits &+ scale <= 18, i == end || JSONScanner.isDelimiter(at(i)) else { return nil }
        cursor = i
        atContainerStart = false
        let signed = negative ? -Int64(mantissa) : Int64(mantissa)
        return FixedDecimal(mantissa: signed, scale: UInt8(scale))
    }

    /// One pass over a quoted plain decimal (`"-123.4500"`, ≤ 18 digits, scale ≤ 18): parses
    /// while looking for the closing quote. Returns `nil` (consuming nothing) for anything else,
    /// which the general path then handles or reports.
    @inlinable @inline(always)
    mutating func fastQuotedDecimal() -> FixedDecimal? {
        var i = cursor &+ 1
        var negative = false
        if i < end, at(i) == UInt8(ascii: "-") {
            negative = true
            i &+= 1
        }
        // `ddd.ddd` within 16 bytes (prices and sizes as venues send them): one pass, no loops.
        if let short = shortFraction(at: i), at(short.end) == UInt8(ascii: "\"") {
            cursor = short.end &+ 1
            atContainerStart = false
            return FixedDecimal(mantissa: negative ? -Int64(short.mantissa) : Int64(short.mantissa), scale: UInt8(short.scale))
        }
        // `ddd` up to 15 digits: one pass, no loops.
        if let short = shortNumber(at: i), short.scale == 0, at(short.end) == UInt8(ascii: "\"") {
            cursor = short.end &+ 1
            atContainerStart = false
            return FixedDecimal(mantissa: negative ? -Int64(short.mantissa) : Int64(short.mantissa), scale: UInt8(short.scale))
        }
        // Integer digits, then fraction digits (eight per step): ≤ 18 digits in total cannot
        // overflow, and longer text is left to the general path.
        var mantissa: UInt64 = 0
        let (afterInt, intDigits) = digits(from: i, into: &mantissa)
        i = afterInt
        guard intDigits > 0, i < end else { return nil }
        var scale = 0
        if at(i) == UInt8(ascii: ".") {
            let (afterFraction, fractionDigits) = digits(from: i &+ 1, into: &mantissa)
            i = afterFraction
            scale = fractionDigits
            guard scale > 0, i < end else { return nil }
        }
        guard at(i) == UInt8(ascii: "\""), intDigits &+ scale <= 18 else { return nil }
        cursor = i &+ 1
        atContainerStart = false
        let signed = negative ? -Int64(mantissa) : Int64(mantissa)
        return FixedDecimal(mantissa: signed, scale: UInt8(scale))
    }

    /// The digits of `ddd.ddd` at `i`: 1...7 integer digits, `.`, 1...8 fraction digits, all
    /// within 16 bytes, with at least one more byte before `end` (so the returned `end` is a
    /// readable offset). Two word loads and two SWAR conversions instead of a loop per digit
    /// run. `nil` for any other shape (no point, longer runs, the end of the buffer near), which
    /// the callers' general code then reads. The caller checks what follows (`end`) and the
    /// leading-zero rule of plain numbers.
    @inlinable @inline(always)
    func shortFraction(at i: Int) -> (mantissa: UInt64, scale: Int, intDigits: Int, end: Int)? {
        guard i &+ 17 <= end else { return nil }
        let w = word(i)
        let intDigits = SWAR.digitRun(w)
        // The byte after the integer digits must be the point (intDigits ≤ 7 keeps it in `w`).
        guard intDigits > 0, intDigits < 8,
              UInt8(truncatingIfNeeded: w &>> UInt64(truncatingIfNeeded: intDigits &* 8)) == UInt8(ascii: ".") else { return nil }
        let fractionStart = i &+ intDigits &+ 1
        let f = word(fractionStart)  // fractionStart + 8 ≤ i + 16
        let fractionDigits = SWAR.digitRun(f)
        guard fractionDigits > 0 else { return nil }
        let after = fractionStart &+ fractionDigits  // ≤ i + 16 < end: readable
        // Eight fraction digits may continue: then the general loop takes the whole number.
        guard fractionDigits < 8 || at(after) &- UInt8(ascii: "0") >= 10 else { return nil }
        let mantissa = SWAR.digitsValue(w, count: intDigits) &* SWAR.power(fractionDigits) &+ SWAR.digitsValue(f, count: fractionDigits)
        return (mantissa, fractionDigits, intDigits, after)
    }

    /// The digits of a short plain number at `i` (``SWAR/shortNumber(_:)``: `ddd` up to 15
    /// digits or `ddd.ddd` within 16 bytes) with its end offset, which is readable; `nil` for
    /// other shapes and within the last 17 bytes of the buffer (the callers' loops read those).
    /// The caller checks what follows (`end`) and the leading-zero rule of plain numbers.
    @inlinable @inline(always)
    func shortNumber(at i: Int) -> (mantissa: UInt64, scale: Int, intDigits: Int, end: Int)? {
        guard i &+ 17 <= end, let short = SWAR.shortNumber(base + i) else { return nil }
        return (short.mantissa, short.scale, short.intDigits, i &+ short.length)
    }

    /// Like ``readDecimal()`` but returns `nil` for `null` and for an empty string `""` (OKX and
    /// Bybit send `""` for absent values).
    @inlinable @inline(always)
    public mutating func readOptionalDecimal() throws(VenueParseError) -> FixedDecimal? {
        if cursor < end {
            let c = at(cursor)
            if c == UInt8(ascii: "\"") {
                if let fast = fastQuotedDecimal() { return fast }
            } else if c != UInt8(ascii: "n"), let fast = fastPlainDecimal() {
                return fast
            }
        }
        return try readOptionalDecimalSlow()
    }

    /// ``readOptionalDecimal()`` with `null`, `""`, whitespace and errors.
    @usableFromInline
    mutating func readOptionalDecimalSlow() throws(VenueParseError) -> FixedDecimal? {
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
    @inlinable @inline(always)
    public mutating func readInt64() throws(VenueParseError) -> Int64 {
        if let fast = fastInt64() { return fast }
        return try readInt64Slow()
    }

    /// A compact integer number (`-12`, ≤ 18 digits, no leading zero, then a delimiter) or a
    /// quoted one (`"123"`, ≤ 18 digits); `nil` (consuming nothing) for anything else.
    @inlinable @inline(always)
    mutating func fastInt64() -> Int64? {
        guard cursor < end else { return nil }
        var value: UInt64 = 0
        if at(cursor) == UInt8(ascii: "\"") {
            // Up to 15 digits in one straight-line pass, longer ones digit run by digit run.
            if let short = shortNumber(at: cursor &+ 1), short.scale == 0, at(short.end) == UInt8(ascii: "\"") {
                cursor = short.end &+ 1
                atContainerStart = false
                return Int64(short.mantissa)
            }
            let (after, count) = digits(from: cursor &+ 1, into: &value)
            guard count > 0, count <= 18, after < end, at(after) == UInt8(ascii: "\"") else { return nil }
            cursor = after &+ 1
            atContainerStart = false
            return Int64(value)
        }
        let negative = at(cursor) == UInt8(ascii: "-")
        let digitsStart = negative ? cursor &+ 1 : cursor
        if let short = shortNumber(at: digitsStart), short.scale == 0, short.intDigits == 1 || at(digitsStart) != UInt8(ascii: "0"),
           JSONScanner.isDelimiter(at(short.end)) {
            cursor = short.end
            atContainerStart = false
            return negative ? -Int64(short.mantissa) : Int64(short.mantissa)
        }
        let (after, count) = digits(from: digitsStart, into: &value)
        guard count > 0, count <= 18, count == 1 || at(digitsStart) != UInt8(ascii: "0"),
              after == end || JSONScanner.isDelimiter(at(after)) else { return nil }
        cursor = after
        atContainerStart = false
        return negative ? -Int64(value) : Int64(value)
    }

    /// ``readInt64()`` with whitespace, escapes, overflow and errors.
    @usableFromInline
    mutating func readInt64Slow() throws(VenueParseError) -> Int64 {
        skipWhitespace()
        guard cursor < end else { throw fail("expected an integer") }
        if at(cursor) == UInt8(ascii: "\"") {
            // Fast path: `"digits"` (OKX's times and ids), ≤ 18 digits.
            var value: UInt64 = 0
            let (after, count) = digits(from: cursor &+ 1, into: &value)
            if count > 0, count <= 18, after < end, at(after) == UInt8(ascii: "\"") {
                cursor = after &+ 1
                atContainerStart = false
                return Int64(value)
            }
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
        let (after, digits) = self.digits(from: cursor, into: &value)
        cursor = after
        if digits > 18 {
            // Might have wrapped: let the checked general path decide.
            cursor = start
            return try readNumber().int64()
        }
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
    @inlinable @inline(always)
    static func isDelimiter(_ c: UInt8) -> Bool {
        c == UInt8(ascii: ",") || c == UInt8(ascii: "}") || c == UInt8(ascii: "]") || c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09
    }

    /// The offset after the run of ASCII digits starting at `start` (eight bytes per step).
    @inlinable @inline(always)
    func skipDigits(from start: Int) -> Int {
        var i = start
        while i &+ 8 <= end {
            let n = SWAR.digitRun(word(i))
            i &+= n
            if n < 8 { return i }
        }
        while i < end, at(i) &- UInt8(ascii: "0") < 10 { i &+= 1 }
        return i
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
    @inlinable @inline(always)
    public mutating func readBool() throws(VenueParseError) -> Bool {
        // Fast path: one 4-byte compare (`true`, `fals`+`e`) and the delimiter check.
        if cursor &+ 5 <= end {
            let w = base.loadUnaligned(fromByteOffset: cursor, as: UInt32.self).littleEndian
            if w == 0x6575_7274, JSONScanner.isDelimiter(at(cursor &+ 4)) {  // "true"
                cursor &+= 4
                atContainerStart = false
                return true
            }
            if w == 0x736C_6166, at(cursor &+ 4) == UInt8(ascii: "e"), cursor &+ 5 == end || JSONScanner.isDelimiter(at(cursor &+ 5)) {  // "fals"
                cursor &+= 5
                atContainerStart = false
                return false
            }
        }
        return try readBoolSlow()
    }

    /// ``readBool()`` with whitespace, the end of the buffer and errors.
    @usableFromInline
    mutating func readBoolSlow() throws(VenueParseError) -> Bool {
        skipWhitespace()
        atContainerStart = false
        // Fast path: one 4-byte compare (`true`, `fals`+`e`) and the delimiter check.
        if cursor &+ 5 <= end {
            let w = base.loadUnaligned(fromByteOffset: cursor, as: UInt32.self).littleEndian
            if w == 0x6575_7274, JSONScanner.isDelimiter(at(cursor &+ 4)) {  // "true"
                cursor &+= 4
                return true
            }
            if w == 0x736C_6166, at(cursor &+ 4) == UInt8(ascii: "e"), cursor &+ 5 == end || JSONScanner.isDelimiter(at(cursor &+ 5)) {  // "fals"
                cursor &+= 5
                return false
            }
        }
        if matchLiteral("true") { return true }
        if matchLiteral("false") { return false }
        throw fail("expected true or false")
    }

    /// Consumes `null` if it is next and returns `true`; otherwise consumes nothing.
    @inlinable @inline(always)
    public mutating func consumeNull() throws(VenueParseError) -> Bool {
        // Fast path: the next byte starts a value other than `null`.
        if cursor < end, at(cursor) > 0x20, at(cursor) != UInt8(ascii: "n") { return false }
        return try consumeNullSlow()
    }

    /// ``consumeNull()`` with whitespace.
    @usableFromInline
    mutating func consumeNullSlow() throws(VenueParseError) -> Bool {
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
