import MarketModel

// Building blocks for venues' book-level fast paths: each one either recognizes the compact form
// venues actually send and consumes it, or consumes nothing and returns `nil`/`false`, so the
// caller can fall back to its general, fully validating loop (which then reads the same bytes
// again and reports any error with its usual message). A fast path built from them therefore
// accepts exactly what the general path accepts for that shape, and nothing else.

extension JSONScanner {
    /// Consumes `literal` if the bytes at the cursor are exactly it (e.g. `{"price":` or
    /// `,"qty":`) and returns `true`; otherwise consumes nothing and returns `false`.
    ///
    /// Why: one or two 8-byte compares against words built from the literal (constants once
    /// inlined) instead of reading a key and comparing it (byte by byte within the last 8 bytes
    /// of the buffer). Does not change the container-start state: callers use it for
    /// punctuation they then account for themselves.
    @inlinable @inline(always)
    public mutating func consume(_ literal: StaticString) -> Bool {
        let n = literal.utf8CodeUnitCount
        let p = UnsafeRawPointer(literal.utf8Start)
        guard n > 0 else { return false }
        guard cursor &+ ((n &+ 7) & ~7) <= end else {
            // The last bytes of the buffer (a message's last level and its closing brackets):
            // byte by byte, so the fast path still ends there.
            guard cursor &+ n <= end else { return false }
            for j in 0 ..< n where at(cursor &+ j) != p.load(fromByteOffset: j, as: UInt8.self) { return false }
            cursor &+= n
            return true
        }
        var k = 0
        while k < n {
            let take = Swift.min(8, n &- k)
            var pattern: UInt64 = 0
            for j in 0 ..< take {
                pattern |= UInt64(p.load(fromByteOffset: k &+ j, as: UInt8.self)) &<< UInt64(8 &* j)
            }
            let mask: UInt64 = take == 8 ? ~0 : (1 &<< UInt64(8 &* take)) &- 1
            guard word(cursor &+ k) & mask == pattern else { return false }
            k &+= 8
        }
        cursor &+= n
        return true
    }

    /// A decimal written compactly, as a plain JSON number (`45283.5`, followed by a delimiter)
    /// or a quoted one (`"68900.00"`), ≤ 18 digits, no exponent: the same value ``readDecimal()``
    /// returns for that text. `nil`, consuming nothing, for anything else.
    @inlinable @inline(always)
    public mutating func readCompactDecimal() -> FixedDecimal? {
        guard cursor < end else { return nil }
        return at(cursor) == UInt8(ascii: "\"") ? fastQuotedDecimal() : fastPlainDecimal()
    }

    /// Reads a string value made only of printable ASCII without escapes
    /// (`"2026-04-07T14:30:00.123456Z"`), the scanner at its opening quote, and returns its
    /// contents; otherwise consumes nothing and returns `nil` (the general path then validates
    /// escapes, UTF-8 and control characters).
    @inlinable @inline(always)
    public mutating func readCompactString() -> JSONString? {
        guard cursor < end, at(cursor) == UInt8(ascii: "\"") else { return nil }
        let start = cursor &+ 1
        let (i, isFound) = plainRunStop(from: start)
        // The first byte that is not plain content must be the closing quote.
        guard isFound, at(i) == UInt8(ascii: "\"") else { return nil }
        cursor = i &+ 1
        atContainerStart = false
        return JSONString(bytes: slice(start, i), hasEscapes: false)
    }

    /// ``readCompactString()`` without the result: `true` if a compact string was skipped.
    @inlinable @inline(always)
    public mutating func skipCompactString() -> Bool {
        readCompactString() != nil
    }

    /// Consumes a string value whose raw contents are byte for byte those of `previous` (a string
    /// this scanner read before without escapes, e.g. the previous level's time) and returns
    /// `true`; otherwise consumes nothing and returns `false`.
    ///
    /// Why: rows of one message usually repeat the same time text; identical raw bytes are as
    /// valid as the string they repeat (JSON string validity depends on the bytes alone), so a
    /// word-wise compare replaces the scan.
    @inlinable @inline(always)
    public mutating func consumeString(sameAs previous: JSONString) -> Bool {
        let n = previous.bytes.count
        guard !previous.hasEscapes, let other = previous.bytes.baseAddress, cursor &+ n &+ 2 <= end,
              at(cursor) == UInt8(ascii: "\""), at(cursor &+ 1 &+ n) == UInt8(ascii: "\"") else { return false }
        let start = cursor &+ 1
        var i = 0
        while i &+ 8 <= n {
            guard word(start &+ i) == other.loadUnaligned(fromByteOffset: i, as: UInt64.self).littleEndian else { return false }
            i &+= 8
        }
        while i < n {
            guard at(start &+ i) == other.load(fromByteOffset: i, as: UInt8.self) else { return false }
            i &+= 1
        }
        cursor = start &+ n &+ 1
        atContainerStart = false
        return true
    }

    /// Consumes the next `count` bytes if they repeat, byte for byte, the `count` bytes at offset
    /// `start` (an earlier stretch of this buffer that a fast path read and validated, at least
    /// 8 bytes) and returns `true`; otherwise consumes nothing and returns `false`.
    ///
    /// Why: the rows of one message repeat whole stretches of member text — keys and values, e.g.
    /// BitMEX's `{"symbol":"XBTUSD","id":` and `,"timestamp":"…","transactTime":"…"}`. Identical
    /// bytes are as valid as the stretch they repeat and read as the same values, so one compare
    /// per word (the last one overlapping) replaces reading each key and value again.
    @inlinable @inline(always)
    public mutating func consumeRepeat(ofBytesAt start: Int, count n: Int) -> Bool {
        guard n >= 8, cursor &+ n <= end else { return false }
        var i = 0
        while i &+ 8 < n {
            guard word(cursor &+ i) == word(start &+ i) else { return false }
            i &+= 8
        }
        guard word(cursor &+ n &- 8) == word(start &+ n &- 8) else { return false }
        cursor &+= n
        atContainerStart = false
        return true
    }

    /// Runs `body` on this scanner; if it returns `nil`, puts the scanner back where it was
    /// (cursor and container state), so a failed fast path leaves no trace.
    @inlinable @inline(always)
    public mutating func attempt<T>(_ body: (inout JSONScanner) -> T?) -> T? {
        let savedCursor = cursor, savedStart = atContainerStart
        if let value = body(&self) { return value }
        cursor = savedCursor
        atContainerStart = savedStart
        return nil
    }
}
