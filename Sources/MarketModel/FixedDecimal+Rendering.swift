extension FixedDecimal: CustomStringConvertible {
    /// Plain decimal text with the venue's scale, e.g. `"0.35170000"`, `"-12.5"`, `"7"`.
    public var description: String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(24)
        write(into: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends the plain decimal text (the wire form, SPEC §5) to `buffer`.
    ///
    /// The venue's digits are kept as given, trailing zeros included (`"50000.10"` stays
    /// `"50000.10"`); exponent input is rendered positionally (`1e-8` → `"0.00000001"`).
    /// The text is assembled on the stack and appended in one call.
    @inlinable
    public func write(into buffer: inout [UInt8]) {
        // 48 bytes: sign + "0." + up to 18 zeros + 19 digits fits in 40.
        var scratch: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0)
        let magnitude = mantissa.magnitude
        let s = Int(scale)
        withUnsafeMutableBytes(of: &scratch) { raw in
            var pos = 48
            var n = magnitude
            var written = 0
            // Digits right to left, inserting the point after `scale` digits.
            repeat {
                pos &-= 1
                raw[pos] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: n % 10)
                n /= 10
                written &+= 1
                if written == s {
                    pos &-= 1
                    raw[pos] = UInt8(ascii: ".")
                }
            } while n != 0 || written < s
            if written == s {
                // Value below 1: "0." prefix (the point was already written).
                pos &-= 1
                raw[pos] = UInt8(ascii: "0")
            }
            if mantissa < 0 {
                pos &-= 1
                raw[pos] = UInt8(ascii: "-")
            }
            buffer.append(contentsOf: UnsafeRawBufferPointer(rebasing: raw[pos...]))
        }
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
        let n = normalized
        if n.mantissa == 0 {
            buffer.append(UInt8(ascii: "0"))
            return
        }
        if n.mantissa < 0 { buffer.append(UInt8(ascii: "-")) }
        var digitBytes: [UInt8] = []
        digitBytes.reserveCapacity(20)
        FixedDecimal.writeUnsigned(n.mantissa.magnitude, into: &digitBytes)
        let k = digitBytes.count
        let point = k - Int(n.scale)  // ECMA-262's n: value = digits × 10^(point-k)
        if k <= point && point <= 21 {
            buffer.append(contentsOf: digitBytes)
            for _ in 0 ..< (point - k) { buffer.append(UInt8(ascii: "0")) }
        } else if 0 < point && point <= 21 {
            buffer.append(contentsOf: digitBytes[0 ..< point])
            buffer.append(UInt8(ascii: "."))
            buffer.append(contentsOf: digitBytes[point...])
        } else if -6 < point && point <= 0 {
            buffer.append(UInt8(ascii: "0"))
            buffer.append(UInt8(ascii: "."))
            for _ in 0 ..< -point { buffer.append(UInt8(ascii: "0")) }
            buffer.append(contentsOf: digitBytes)
        } else {
            buffer.append(digitBytes[0])
            if k > 1 {
                buffer.append(UInt8(ascii: "."))
                buffer.append(contentsOf: digitBytes[1...])
            }
            buffer.append(UInt8(ascii: "e"))
            let e = point - 1
            buffer.append(e < 0 ? UInt8(ascii: "-") : UInt8(ascii: "+"))
            FixedDecimal.writeUnsigned(UInt64(e.magnitude), into: &buffer)
        }
    }

    /// Appends the decimal digits of `value` (no sign, no padding).
    @inlinable
    public static func writeUnsigned(_ value: UInt64, into buffer: inout [UInt8]) {
        var scratch: (UInt64, UInt64, UInt64) = (0, 0, 0)
        withUnsafeMutableBytes(of: &scratch) { raw in
            var n = value
            var count = 0
            repeat {
                raw[23 - count] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: n % 10)
                n /= 10
                count &+= 1
            } while n != 0
            buffer.append(contentsOf: UnsafeRawBufferPointer(rebasing: raw[(24 - count)...]))
        }
    }

    /// Appends the decimal digits of a signed integer.
    @inlinable
    public static func writeSigned(_ value: Int64, into buffer: inout [UInt8]) {
        if value < 0 { buffer.append(UInt8(ascii: "-")) }
        writeUnsigned(value.magnitude, into: &buffer)
    }
}
