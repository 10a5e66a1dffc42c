import MarketModel

extension FixedDecimal {
    /// `true` when `self` is an integer multiple of `step`, computed exactly on the mantissas
    /// (both brought to the larger scale in `Int128`; |mantissa| < 2^63 and 10^18 < 2^60, so the
    /// products fit). A non-positive `step` imposes no grid.
    func isExactMultiple(of step: FixedDecimal) -> Bool {
        guard step.mantissa > 0 else { return true }
        let target = Int(Swift.max(scale, step.scale))
        let value = Int128(mantissa) * Self.powerOfTen(target - Int(scale))
        let unit = Int128(step.mantissa) * Self.powerOfTen(target - Int(step.scale))
        return value % unit == 0
    }

    /// 10^exponent for exponent in 0...18 (`FixedDecimal.power128` is internal to MarketModel).
    private static func powerOfTen(_ exponent: Int) -> Int128 {
        var result: Int128 = 1
        for _ in 0..<exponent { result *= 10 }
        return result
    }
}
