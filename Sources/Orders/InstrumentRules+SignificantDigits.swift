import MarketModel
import VenueKit

extension InstrumentRules {
    /// `nil` when `price` has at most ``priceSignificantDigits`` significant digits (or no such
    /// rule applies), else what is wrong. Bitfinex counts digits instead of using a tick: 12345
    /// and 0.00012345 are valid, 12345.6 is not (the venue would silently truncate it to 12345,
    /// a different order than the one asked for).
    public func check(significantDigitsOf price: Price) -> String? {
        guard let limit = priceSignificantDigits, limit > 0 else { return nil }
        let digits = price.significantDigitCount
        guard digits <= limit else {
            return "price \(price) has \(digits) significant digits; the venue takes at most \(limit)"
        }
        return nil
    }
}

extension FixedDecimal {
    /// Significant digits of the value: those of its mantissa without trailing zeros (trailing
    /// zeros of an integer part are not significant either: 60000 has 1). Zero has none.
    var significantDigitCount: Int {
        var mantissa = self.mantissa.magnitude
        guard mantissa != 0 else { return 0 }
        while mantissa % 10 == 0 { mantissa /= 10 }
        var count = 0
        while mantissa != 0 {
            count += 1
            mantissa /= 10
        }
        return count
    }
}
