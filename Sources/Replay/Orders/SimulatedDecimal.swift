/// An exact decimal with 8 fractional digits (STYLE habit 3: never `Double` for prices and
/// sizes), enough for every venue's tick and lot sizes. Parsed from the venue's text (`"0.00847000"`,
/// `0.001`, `"2800"`), rendered in each venue's style: Binance pads to 8 digits, the others trim.
public struct SimulatedDecimal: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// 10^8: one unit is 0.00000001.
    public static let scale: Int64 = 100_000_000

    /// The value times 10^8.
    public var units: Int64

    /// A value from raw units.
    public init(units: Int64) { self.units = units }

    /// Zero.
    public static let zero = SimulatedDecimal(units: 0)

    /// Parses `-123.456`, `0.00847000`, `2800` (no exponent, at most 8 significant fractional
    /// digits; trailing zeros past 8 are fine); `nil` otherwise.
    public init?(parsing text: String) {
        var utf8 = Substring(text).utf8[...]
        var isNegative = false
        if utf8.first == UInt8(ascii: "-") {
            isNegative = true
            utf8 = utf8.dropFirst()
        }
        var whole: Int64 = 0
        var fraction: Int64 = 0
        var fractionDigits = 0
        var sawDigit = false
        var sawPoint = false
        for byte in utf8 {
            if byte == UInt8(ascii: ".") {
                guard !sawPoint else { return nil }
                sawPoint = true
                continue
            }
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            sawDigit = true
            let digit = Int64(byte - UInt8(ascii: "0"))
            if sawPoint {
                if fractionDigits < 8 {
                    fraction = fraction * 10 + digit
                    fractionDigits += 1
                } else if digit != 0 {
                    return nil
                }
            } else {
                let (times10, overflow1) = whole.multipliedReportingOverflow(by: 10)
                let (sum, overflow2) = times10.addingReportingOverflow(digit)
                guard !overflow1, !overflow2, sum <= Int64.max / Self.scale else { return nil }
                whole = sum
            }
        }
        guard sawDigit else { return nil }
        while fractionDigits < 8 {
            fraction *= 10
            fractionDigits += 1
        }
        units = (whole * Self.scale + fraction) * (isNegative ? -1 : 1)
    }

    /// Whether the value is above zero.
    public var isPositive: Bool { units > 0 }

    /// Fixed-point text with exactly `fractionDigits` digits (≤ 8): Binance's `"0.00847000"`.
    public func fixed(_ fractionDigits: Int) -> String {
        let magnitude = units.magnitude
        let whole = magnitude / UInt64(Self.scale)
        var fraction = magnitude % UInt64(Self.scale)
        for _ in 0..<(8 - fractionDigits) { fraction /= 10 }
        var text = (units < 0 ? "-" : "") + String(whole)
        if fractionDigits > 0 {
            let digits = String(fraction)
            text += "." + String(repeating: "0", count: fractionDigits - digits.count) + digits
        }
        return text
    }

    /// Shortest exact text: `"0.2"`, `"2800"` (OKX, Bybit strings; Kraken and Bitfinex numbers).
    public var description: String {
        var text = fixed(8)
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text
    }

    /// Shortest exact text that always has a fraction: `"10.0"`, `"0.001"` (Deribit's numbers).
    public var withFraction: String {
        let text = description
        return text.contains(".") ? text : text + ".0"
    }

    /// `self × other`, rounded toward zero to 8 digits (a fill's quote amount).
    public func multiplied(by other: SimulatedDecimal) -> SimulatedDecimal {
        let product = units.multipliedFullWidth(by: other.units)
        let (quotient, _) = Self.scale.dividingFullWidth(product)
        return SimulatedDecimal(units: quotient)
    }

    /// `self ÷ other` to 8 digits (an average price); zero when dividing by zero.
    public func divided(by other: SimulatedDecimal) -> SimulatedDecimal {
        guard other.units != 0 else { return .zero }
        let wide = units.multipliedFullWidth(by: Self.scale)
        let (quotient, _) = other.units.dividingFullWidth(wide)
        return SimulatedDecimal(units: quotient)
    }

    /// Exact sum, difference and order of two amounts in the same units.
    public static func + (lhs: SimulatedDecimal, rhs: SimulatedDecimal) -> SimulatedDecimal { SimulatedDecimal(units: lhs.units &+ rhs.units) }
    public static func - (lhs: SimulatedDecimal, rhs: SimulatedDecimal) -> SimulatedDecimal { SimulatedDecimal(units: lhs.units &- rhs.units) }
    public static func < (lhs: SimulatedDecimal, rhs: SimulatedDecimal) -> Bool { lhs.units < rhs.units }
}
