import MarketModel

/// A JSON string's contents as a view into the message (no quotes, escapes not yet decoded).
/// Valid only while the message buffer is; copy out with ``string`` when you need to keep it.
public struct JSONString {
    /// The raw bytes between the quotes.
    public let bytes: UnsafeRawBufferPointer
    /// Whether the raw bytes contain `\` escapes (then ``string`` decodes them).
    public let hasEscapes: Bool

    /// Wraps raw string contents.
    @inlinable
    public init(bytes: UnsafeRawBufferPointer, hasEscapes: Bool) {
        self.bytes = bytes
        self.hasEscapes = hasEscapes
    }

    /// Number of raw bytes.
    @inlinable public var count: Int { bytes.count }

    /// `true` for `""`.
    @inlinable public var isEmpty: Bool { bytes.isEmpty }

    /// Raw byte comparison with a literal (keys and enum values are plain ASCII in venue JSON; a
    /// string with escapes is compared after decoding). Length and first byte are checked inline
    /// so that an if-chain over keys costs one or two compares per miss.
    @inlinable @inline(always)
    public static func == (lhs: JSONString, rhs: StaticString) -> Bool {
        let n = rhs.utf8CodeUnitCount
        guard lhs.bytes.count == n else { return lhs.hasEscapes && lhs.string == rhs.description }
        if n == 0 { return true }
        guard let first = lhs.bytes.baseAddress?.load(as: UInt8.self), first == rhs.utf8Start.pointee else { return lhs.hasEscapes && lhs.string == rhs.description }
        if lhs.hasEscapes { return lhs.string == rhs.description }
        return n == 1 || JSONString.rawEqual(lhs.bytes, rhs.utf8Start, n)
    }

    /// Negated ``==(_:_:)``.
    @inlinable
    public static func != (lhs: JSONString, rhs: StaticString) -> Bool { !(lhs == rhs) }

    /// Raw byte comparison with a `String` (e.g. a cached venue symbol).
    @inlinable
    public func equals(_ other: String) -> Bool {
        if hasEscapes { return string == other }
        var other = other
        return other.withUTF8 { utf8 in
            guard utf8.count == bytes.count else { return false }
            guard let base = utf8.baseAddress else { return true }
            return JSONString.rawEqual(bytes, base, utf8.count)
        }
    }

    /// Raw byte comparison with bytes (e.g. a cached key).
    @inlinable
    public func equals(_ other: [UInt8]) -> Bool {
        guard !hasEscapes else { return string == String(decoding: other, as: UTF8.self) }
        return other.withUnsafeBufferPointer { buffer in
            guard buffer.count == bytes.count else { return false }
            guard let base = buffer.baseAddress else { return true }
            return JSONString.rawEqual(bytes, base, buffer.count)
        }
    }

    /// `true` when both raw contents are the same bytes (escapes not decoded): e.g. to reuse
    /// what was parsed from an equal text earlier in the message.
    @inlinable
    public func hasSameBytes(as other: JSONString) -> Bool {
        guard bytes.count == other.bytes.count else { return false }
        guard let base = other.bytes.baseAddress else { return true }
        return JSONString.rawEqual(bytes, base.assumingMemoryBound(to: UInt8.self), bytes.count)
    }

    /// `true` when the raw contents start with `prefix`.
    @inlinable
    public func hasPrefix(_ prefix: StaticString) -> Bool {
        let n = prefix.utf8CodeUnitCount
        guard bytes.count >= n else { return false }
        if n == 0 { return true }
        return JSONString.rawEqual(bytes, prefix.utf8Start, n)
    }

    /// Up to 16 raw bytes and their count in two words (see ``packed``).
    public struct Packed: Equatable, Sendable {
        /// The bytes, gathered by overlapping loads (see ``packed``).
        public var low: UInt64, high: UInt64
        /// The number of bytes.
        public var count: Int

        /// Wraps gathered words.
        @inlinable
        public init(low: UInt64, high: UInt64, count: Int) {
            self.low = low
            self.high = high
            self.count = count
        }
    }

    /// The raw contents as two words when they are at most 16 bytes without escapes, else `nil`:
    /// equal packed values mean equal contents (the loads overlap but cover every byte, the same
    /// way for equal counts), so a short name is compared with two word compares and no loop.
    /// Reads only the string's own bytes. Always inlined: the symbol lookup on every trade calls
    /// it, and as a call it cost ~25 instructions (the compiler left it out of line).
    @inlinable @inline(__always)
    public var packed: Packed? {
        let n = bytes.count
        guard n <= 16, !hasEscapes else { return nil }
        guard n > 0, let p = bytes.baseAddress else { return Packed(low: 0, high: 0, count: 0) }
        if n >= 8 {
            return Packed(low: p.loadUnaligned(as: UInt64.self), high: p.loadUnaligned(fromByteOffset: n &- 8, as: UInt64.self), count: n)
        }
        if n >= 4 {
            return Packed(low: UInt64(p.loadUnaligned(as: UInt32.self)), high: UInt64(p.loadUnaligned(fromByteOffset: n &- 4, as: UInt32.self)), count: n)
        }
        let first = UInt64(p.load(as: UInt8.self)), middle = UInt64(p.load(fromByteOffset: n &>> 1, as: UInt8.self))
        return Packed(low: first | middle &<< 8, high: UInt64(p.load(fromByteOffset: n &- 1, as: UInt8.self)), count: n)
    }

    /// Compares the first `n` bytes of `a` with `b` (8 bytes at a time). `a` holds ≥ `n` bytes.
    @inlinable @inline(always)
    static func rawEqual(_ a: UnsafeRawBufferPointer, _ b: UnsafePointer<UInt8>, _ n: Int) -> Bool {
        guard n > 0, let pa = a.baseAddress else { return n == 0 }
        let pb = UnsafeRawPointer(b)
        var i = 0
        while i &+ 8 <= n {
            if pa.loadUnaligned(fromByteOffset: i, as: UInt64.self) != pb.loadUnaligned(fromByteOffset: i, as: UInt64.self) { return false }
            i &+= 8
        }
        while i < n {
            if pa.loadUnaligned(fromByteOffset: i, as: UInt8.self) != pb.loadUnaligned(fromByteOffset: i, as: UInt8.self) { return false }
            i &+= 1
        }
        return true
    }

    /// The decoded text (escapes resolved). Allocation-free for ≤ 15 UTF-8 bytes without escapes.
    public var string: String {
        guard !hasEscapes else { return JSONString.unescape(bytes) }
        let count = bytes.count
        guard count <= 15, let source = bytes.baseAddress else { return String(decoding: bytes, as: UTF8.self) }
        // Built in place as a small string: ASCII (ids, symbols) skips the UTF-8 validation pass;
        // anything else is validated and repaired exactly as `String(decoding:as:)` does.
        return String(unsafeUninitializedCapacity: count) { buffer in
            guard let target = buffer.baseAddress else { return 0 }
            UnsafeMutableRawPointer(target).copyMemory(from: source, byteCount: count)
            return count
        }
    }

    /// Exact decimal from the contents (`"0.35170000"`).
    @inlinable
    public func decimal() throws(VenueParseError) -> FixedDecimal {
        do {
            return try FixedDecimal.parse(bytes)
        } catch {
            throw VenueParseError.invalidValue("decimal", error.description)
        }
    }

    /// Exact integer from the contents (`"1652459199958"`).
    @inlinable
    public func int64() throws(VenueParseError) -> Int64 {
        guard let v = JSONScanner.parseInt64(bytes) else { throw VenueParseError.invalidValue("integer", "expected an integer string") }
        return v
    }

    /// Decodes RFC 8259 §7 escapes; the scanner has already validated them.
    static func unescape(_ raw: UnsafeRawBufferPointer) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(raw.count)
        var i = 0
        func hex4(_ at: Int) -> UInt32 {
            var v: UInt32 = 0
            for k in 0 ..< 4 where at + k < raw.count { v = v << 4 | UInt32(JSONScanner.hexValue(raw[at + k]) ?? 0) }
            return v
        }
        while i < raw.count {
            let c = raw[i]
            guard c == UInt8(ascii: "\\"), i + 1 < raw.count else {
                out.append(c)
                i += 1
                continue
            }
            let e = raw[i + 1]
            i += 2
            switch e {
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = hex4(i)
                i += 4
                if scalar >= 0xD800 && scalar < 0xDC00 && i + 5 < raw.count + 1 {
                    let low = hex4(i + 2)
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    i += 6
                }
                let s = Unicode.Scalar(scalar) ?? "\u{FFFD}"
                out.append(contentsOf: Array(String(Character(s)).utf8))
            default: out.append(e)  // \" \\ \/
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// A JSON number's raw text (validated grammar), converted exactly on request.
public struct JSONNumber {
    /// The raw text, e.g. `-1.5e-7`.
    public let bytes: UnsafeRawBufferPointer
    /// Offset of the text in the message, for error messages.
    public let offset: Int
    /// `true` when the text has no fraction and no exponent.
    public let isInteger: Bool

    /// Wraps number text.
    @inlinable
    public init(bytes: UnsafeRawBufferPointer, offset: Int, isInteger: Bool) {
        self.bytes = bytes
        self.offset = offset
        self.isInteger = isInteger
    }

    /// Exact decimal (keeps the digits and scale).
    @inlinable
    public func decimal() throws(VenueParseError) -> FixedDecimal {
        do {
            return try FixedDecimal.parse(bytes)
        } catch {
            throw VenueParseError.invalidValue("decimal", error.description, at: offset)
        }
    }

    /// Exact integer; fractions, exponents and overflow are errors.
    @inlinable
    public func int64() throws(VenueParseError) -> Int64 {
        guard isInteger, let v = JSONScanner.parseInt64(bytes) else {
            throw VenueParseError.invalidValue("integer", "expected an integer that fits in 64 bits", at: offset)
        }
        return v
    }
}
