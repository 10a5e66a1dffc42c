extension FixedDecimal {
    /// Parses ASCII decimal text straight from bytes: a JSON number (`-0.5`, `1.7023900800000002`,
    /// `1e-8`, `2.5E-7`) or the contents of a JSON string (`"0.35170000"`, without the quotes).
    ///
    /// Grammar: `-? digits ('.' digits)? ([eE] [+-]? digits)?`. Leading zeros are accepted (some
    /// venues pad), a leading `+` or a bare `.5` is not. The digits and scale are kept as sent;
    /// an exponent moves the scale (`2.5E-7` → mantissa 25, scale 8). Trailing fractional zeros
    /// that would overflow are dropped (exact); any other overflow is an error.
    @inlinable
    public static func parse(_ bytes: UnsafeRawBufferPointer) throws(FixedDecimalError) -> FixedDecimal {
        let count = bytes.count
        guard count > 0 else { throw .empty }
        var i = 0
        var negative = false
        if bytes[0] == UInt8(ascii: "-") {
            negative = true
            i = 1
        }
        // Fast path: integer digits, optional fraction, ≤ 18 digits in total (cannot overflow).
        let intStart = i
        var mantissa: UInt64 = 0
        while i < count {
            let d = bytes[i] &- UInt8(ascii: "0")
            guard d < 10 else { break }
            mantissa = mantissa &* 10 &+ UInt64(d)
            i &+= 1
        }
        let intDigits = i &- intStart
        var scale = 0
        if intDigits > 0, i < count, bytes[i] == UInt8(ascii: ".") {
            i &+= 1
            let fracStart = i
            while i < count {
                let d = bytes[i] &- UInt8(ascii: "0")
                guard d < 10 else { break }
                mantissa = mantissa &* 10 &+ UInt64(d)
                i &+= 1
            }
            scale = i &- fracStart
        }
        if i == count, intDigits > 0, scale > 0 || bytes[count &- 1] != UInt8(ascii: "."), intDigits &+ scale <= 18 {
            let signed = negative ? -Int64(mantissa) : Int64(mantissa)
            return FixedDecimal(mantissa: signed, scale: UInt8(scale))
        }
        return try parseSlow(bytes)
    }

    /// General path: exponents, long inputs, error reporting.
    @usableFromInline
    static func parseSlow(_ bytes: UnsafeRawBufferPointer) throws(FixedDecimalError) -> FixedDecimal {
        let count = bytes.count
        var i = 0
        var negative = false
        if bytes[0] == UInt8(ascii: "-") {
            negative = true
            i = 1
        }
        var mantissa: UInt64 = 0
        var scale = 0
        // Zeros seen but not yet multiplied in; applied when a non-zero digit follows, so that
        // trailing fractional zeros that do not fit can be dropped exactly.
        var pendingZeros = 0
        var pendingZerosAreFraction = 0
        let limit = UInt64(Int64.max)

        func push(_ d: UInt64) throws(FixedDecimalError) {
            // Apply pending zeros first.
            while pendingZeros > 0 {
                let (m, o) = mantissa.multipliedReportingOverflow(by: 10)
                guard !o, m <= limit else { throw .overflow }
                mantissa = m
                pendingZeros -= 1
            }
            scale += pendingZerosAreFraction
            pendingZerosAreFraction = 0
            let (m, o) = mantissa.multipliedReportingOverflow(by: 10)
            guard !o else { throw .overflow }
            let (s, o2) = m.addingReportingOverflow(d)
            guard !o2, s <= limit else { throw .overflow }
            mantissa = s
        }

        // Integer part.
        let intStart = i
        while i < count, bytes[i] &- UInt8(ascii: "0") < 10 {
            let d = UInt64(bytes[i] &- UInt8(ascii: "0"))
            if d == 0 {
                if mantissa != 0 || pendingZeros > 0 { pendingZeros += 1 }
            } else {
                try push(d)
            }
            i += 1
        }
        guard i > intStart else {
            throw i < count ? .invalidCharacter(offset: i) : .missingDigits(offset: i)
        }
        // Integer zeros are significant: apply them now.
        if pendingZeros > 0 {
            while pendingZeros > 0 {
                let (m, o) = mantissa.multipliedReportingOverflow(by: 10)
                guard !o, m <= limit else { throw .overflow }
                mantissa = m
                pendingZeros -= 1
            }
        }
        // Fraction.
        if i < count, bytes[i] == UInt8(ascii: ".") {
            i += 1
            let fracStart = i
            while i < count, bytes[i] &- UInt8(ascii: "0") < 10 {
                let d = UInt64(bytes[i] &- UInt8(ascii: "0"))
                if d == 0 {
                    pendingZeros += 1
                    pendingZerosAreFraction += 1
                } else {
                    try push(d)
                    scale += 1
                }
                i += 1
            }
            guard i > fracStart else { throw .missingDigits(offset: i) }
            // Keep trailing zeros (the venue's scale) when they fit; drop them otherwise.
            while pendingZeros > 0 {
                let (m, o) = mantissa.multipliedReportingOverflow(by: 10)
                if o || m > limit || scale >= Int(maxScale) { break }
                mantissa = m
                scale += 1
                pendingZeros -= 1
            }
            pendingZeros = 0
            pendingZerosAreFraction = 0
        }
        // Exponent.
        var exponent = 0
        if i < count, bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E") {
            i += 1
            var expNegative = false
            if i < count, bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") {
                expNegative = bytes[i] == UInt8(ascii: "-")
                i += 1
            }
            let expStart = i
            while i < count, bytes[i] &- UInt8(ascii: "0") < 10 {
                if exponent < 10_000 { exponent = exponent * 10 + Int(bytes[i] &- UInt8(ascii: "0")) }
                i += 1
            }
            guard i > expStart else {
                throw i < count ? .invalidCharacter(offset: i) : .missingDigits(offset: i)
            }
            if expNegative { exponent = -exponent }
        }
        guard i == count else { throw .invalidCharacter(offset: i) }

        var finalScale = scale - exponent
        if finalScale < 0 {
            if mantissa != 0 {
                for _ in 0 ..< -finalScale {
                    let (m, o) = mantissa.multipliedReportingOverflow(by: 10)
                    guard !o, m <= limit else { throw .overflow }
                    mantissa = m
                }
            }
            finalScale = 0
        }
        while finalScale > Int(maxScale) {
            guard mantissa % 10 == 0 else { throw .scaleTooLarge }
            mantissa /= 10
            finalScale -= 1
        }
        let signed = negative ? -Int64(mantissa) : Int64(mantissa)
        return FixedDecimal(mantissa: signed, scale: UInt8(finalScale))
    }

    /// Parses decimal text (see ``parse(_:)``), throwing on malformed input.
    public init(parsing text: String) throws(FixedDecimalError) {
        var copy = text
        let result = copy.withUTF8 { utf8 in
            Result<FixedDecimal, FixedDecimalError> { () throws(FixedDecimalError) -> FixedDecimal in
                try FixedDecimal.parse(UnsafeRawBufferPointer(utf8))
            }
        }
        self = try result.get()
    }

    /// Parses decimal text (see ``parse(_:)``), or returns `nil` on malformed input.
    public init?(_ text: String) {
        guard let value = try? FixedDecimal(parsing: text) else { return nil }
        self = value
    }
}
