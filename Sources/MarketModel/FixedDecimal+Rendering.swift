extension FixedDecimal: CustomStringConvertible {
    /// Plain decimal text with the venue's scale, e.g. `"0.35170000"`, `"-12.5"`, `"7"`.
    public var description: String {
        var scratch: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0)
        return withUnsafeMutableBytes(of: &scratch) { raw -> String in
            guard let p = raw.baseAddress else { return "" }
            let n = writeText(to: p)
            return String(decoding: UnsafeBufferPointer(start: p.assumingMemoryBound(to: UInt8.self), count: n), as: UTF8.self)
        }
    }

    /// Appends the plain decimal text (the wire form, SPEC §5) to `buffer`.
    ///
    /// The venue's digits are kept as given, trailing zeros included (`"50000.10"` stays
    /// `"50000.10"`); exponent input is rendered positionally (`1e-8` → `"0.00000001"`).
    /// The text is assembled on the stack (``writeText(to:)``) and appended in one call.
    @inlinable
    public func write(into buffer: inout [UInt8]) {
        FixedDecimal.appendRendered(to: &buffer) { writeText(to: $0) }
    }

    /// Appends the magnitude's digits with no point and no leading zeros: the Kraken v2 book
    /// checksum form ("remove `.`, strip leading zeros": `"0.00100000"` → `"100000"`).
    /// Zero renders as `"0"`. Sign is not written (book levels are positive).
    @inlinable
    public func writeKrakenChecksumDigits(into buffer: inout [UInt8]) {
        FixedDecimal.writeUnsigned(mantissa.magnitude, into: &buffer)
    }

    /// Appends the value as JavaScript's `Number.prototype.toString` would render it (ECMA-262
    /// Number::toString): shortest digits, positional for 1e-7 < |x| < 1e21, exponent form
    /// otherwise (`7e-7`, `6.6e-7`). Bitfinex computes its book checksum over this form
    /// (docs.bitfinex.com ws-websocket-checksum). Trailing fractional zeros are not JS output and
    /// are dropped.
    public func writeJavaScriptForm(into buffer: inout [UInt8]) {
        FixedDecimal.appendRendered(to: &buffer) { writeJavaScriptForm(to: $0) }
    }

    /// Appends the decimal digits of `value` (no sign, no padding).
    @inlinable
    public static func writeUnsigned(_ value: UInt64, into buffer: inout [UInt8]) {
        appendRendered(to: &buffer) { Digits.writeWide(value, to: $0) }  // 48 bytes of scratch: room for its word stores
    }

    /// Appends the decimal digits of a signed integer.
    @inlinable
    public static func writeSigned(_ value: Int64, into buffer: inout [UInt8]) {
        if value < 0 { buffer.append(UInt8(ascii: "-")) }
        writeUnsigned(value.magnitude, into: &buffer)
    }

    /// Runs `render` on ``maxTextLength`` bytes of stack and appends the bytes it reports written.
    @inlinable
    static func appendRendered(to buffer: inout [UInt8], _ render: (UnsafeMutableRawPointer) -> Int) {
        var scratch: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0)
        withUnsafeMutableBytes(of: &scratch) { raw in
            guard let base = raw.baseAddress else { return }
            let count = render(base)
            buffer.append(contentsOf: UnsafeRawBufferPointer(start: base, count: count))
        }
    }
}
