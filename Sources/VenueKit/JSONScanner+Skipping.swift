import MarketModel

extension JSONScanner {
    // MARK: - Skipping

    /// Skips the next value of any type, validating it fully (iteratively, up to ``maxDepth``
    /// levels of nesting).
    @inlinable @inline(always)
    public mutating func skipValue() throws(VenueParseError) {
        // Fast path for the scalars venues send and adapters skip: strings, plain numbers, booleans.
        if cursor < end {
            let c = at(cursor)
            if c == UInt8(ascii: "\"") {
                atContainerStart = false
                _ = try scanString()
                return
            }
            if c == UInt8(ascii: "t") || c == UInt8(ascii: "f") {
                _ = try readBool()
                return
            }
            if fastSkipNumber() { return }
        }
        try skipValueSlow()
    }

    /// Skips a plain JSON number (`-12.5`: no exponent, no leading zero) followed by a delimiter;
    /// `false` (consuming nothing) for anything else.
    @inlinable @inline(always)
    mutating func fastSkipNumber() -> Bool {
        var i = cursor
        if at(i) == UInt8(ascii: "-") { i &+= 1 }
        guard i < end else { return false }
        let first = at(i)
        if first == UInt8(ascii: "0") {
            i &+= 1
        } else if first &- UInt8(ascii: "1") < 9 {
            i = skipDigits(from: i &+ 1)
        } else {
            return false
        }
        if i < end, at(i) == UInt8(ascii: ".") {
            let after = skipDigits(from: i &+ 1)
            guard after > i &+ 1 else { return false }
            i = after
        }
        guard i == end || JSONScanner.isDelimiter(at(i)) else { return false }
        cursor = i
        atContainerStart = false
        return true
    }

    /// ``skipValue()`` for everything: containers, literals, whitespace and errors.
    @usableFromInline
    mutating func skipValueSlow() throws(VenueParseError) {
        // Scalars (the usual case for skipped fields) need none of the nesting machinery.
        skipWhitespace()
        if cursor < end {
            let c = at(cursor)
            if c == UInt8(ascii: "\"") {
                atContainerStart = false
                _ = try scanString()
                return
            }
            if c == UInt8(ascii: "-") || c &- UInt8(ascii: "0") < 10 {
                _ = try readNumber()
                return
            }
        }
        // Bit i of `kinds` is 1 when nesting level i is an object.
        var kinds: UInt64 = 0
        var depth = 0
        atContainerStart = false
        while true {
            // Read one value (or open a container).
            skipWhitespace()
            guard cursor < end else { throw fail("expected a value") }
            let c = at(cursor)
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
        try LevelSink.collect { sink throws(VenueParseError) in
            while try nextElement() { sink.append(try readLevel(), into: &levels) }
            sink.flush(into: &levels)
        }
    }

    /// One `[price, size, ...]` element, the scanner at its `[`: the compact quoted form
    /// (`["price","size"]`, Binance, Bybit, OKX's first two) in one pass; anything else through
    /// ``readLevelGeneral()``.
    @usableFromInline
    mutating func readLevel() throws(VenueParseError) -> BookLevel {
        let levelStart = cursor
        if cursor &+ 1 < end, at(cursor) == UInt8(ascii: "["), at(cursor &+ 1) == UInt8(ascii: "\"") {
            cursor &+= 1
            if let price = fastQuotedDecimal(), cursor &+ 1 < end, at(cursor) == UInt8(ascii: ","),
               at(cursor &+ 1) == UInt8(ascii: "\"") {
                cursor &+= 1
                if let size = fastQuotedDecimal(), cursor < end {
                    if at(cursor) == UInt8(ascii: "]") {
                        cursor &+= 1
                        atContainerStart = false
                        return BookLevel(price: price, size: size)
                    }
                    if at(cursor) == UInt8(ascii: ",") {
                        // Extra entries (OKX's deprecated "0" and order count): validated, skipped;
                        // compact quoted ones inline, anything else by the general loop.
                        atContainerStart = false
                        // OKX's exact tail `,"0","<1–6 digits>"]` in two word compares: digits are
                        // valid string content, so this accepts what the loop below accepts for
                        // these bytes (~45 instructions less per OKX level).
                        if let after = okxLevelTail(at: cursor) {
                            cursor = after
                            return BookLevel(price: price, size: size)
                        }
                        while cursor &+ 1 < end, at(cursor) == UInt8(ascii: ","), at(cursor &+ 1) == UInt8(ascii: "\"") {
                            cursor &+= 1
                            // Plain ASCII (`"0"`, `"13"`) in one SWAR step; anything else validated in full.
                            if !skipCompactString() { _ = try scanString() }
                        }
                        // The level's `]` right after them (OKX's usual shape) inline; anything
                        // else (numbers, whitespace, errors) through the general loop.
                        if cursor < end, at(cursor) == UInt8(ascii: "]") {
                            cursor &+= 1
                        } else {
                            try skipRestOfContainer(isObject: false)
                        }
                        return BookLevel(price: price, size: size)
                    }
                }
            }
            cursor = levelStart
        }
        return try readLevelGeneral()
    }

    /// The offset just past `,"0","N"]` at `i` (N: 1–6 ASCII digits; OKX's deprecated entry
    /// and order count closing a level), or `nil` for any other bytes — including this shape
    /// within the last 16 bytes of the buffer, which the general loop then reads.
    @inlinable @inline(__always)
    func okxLevelTail(at i: Int) -> Int? {
        guard i &+ 14 <= end else { return nil }
        // `,"0","` little-endian in the low six bytes.
        let head: UInt64 = 0x22_2C_22_30_22_2C
        guard word(i) & 0xFFFF_FFFF_FFFF == head else { return nil }
        let w = word(i &+ 6)
        let n = SWAR.digitRun(w)
        // `"]` right after the digits (n ≤ 6 keeps both bytes in `w`).
        guard n > 0, n <= 6, (w &>> UInt64(truncatingIfNeeded: n &* 8)) & 0xFFFF == 0x5D_22 else { return nil }
        return i &+ 6 &+ n &+ 2
    }

    /// Any `[price, size, ...]` element (whitespace, numbers, exponents), with the errors for
    /// malformed ones.
    @usableFromInline @inline(never)
    mutating func readLevelGeneral() throws(VenueParseError) -> BookLevel {
        try beginArray()
        guard try nextElement() else { throw fail("expected a price in level") }
        let price = try readDecimal()
        guard try nextElement() else { throw fail("expected a size in level") }
        let size = try readDecimal()
        while try nextElement() { try skipValue() }
        return BookLevel(price: price, size: size)
    }
}
