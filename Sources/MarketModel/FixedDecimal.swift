/// An exact fixed-point decimal: an `Int64` mantissa and a base-10 `scale` (value = mantissa × 10^-scale).
///
/// Prices and sizes in MarketMux are never binary floating point (SPEC §4). A `FixedDecimal` keeps
/// the venue's digits exactly as they were sent, including trailing zeros: `"0.35170000"` parses to
/// mantissa `35170000`, scale `8`, and renders back as `"0.35170000"`. That matters for venue
/// checksums, which are computed over the original text (Kraken v2 strips `.` and leading zeros of
/// the original strings; OKX joins the original strings; Bitfinex renders JavaScript's shortest
/// form), see `FixedDecimal+Rendering.swift`.
///
/// Equality, hashing and ordering are numeric and independent of the scale: `1.50 == 1.5`.
///
/// Limits: the magnitude of the mantissa is at most `Int64.max` (about 9.2e18, i.e. 18 full
/// significant digits) and `scale` is at most ``maxScale`` (18). Input that does not fit is a
/// parse error, never silently rounded. The one exact normalisation the parser performs is to
/// drop *trailing fractional zeros* that do not fit (they do not change the value).
public struct FixedDecimal: Sendable {
    /// The signed integer digits of the value, without the decimal point.
    public let mantissa: Int64
    /// How many of the mantissa's digits are behind the decimal point (0...``maxScale``).
    public let scale: UInt8

    /// The largest supported scale. 18 keeps every cross-scale comparison inside `Int128`.
    public static let maxScale: UInt8 = 18

    /// Creates a value from its parts. `scale` must be at most ``maxScale`` and `mantissa` must not
    /// be `Int64.min` (so that negation is always exact).
    @inlinable
    public init(mantissa: Int64, scale: UInt8 = 0) {
        precondition(scale <= FixedDecimal.maxScale, "FixedDecimal scale above 18")
        precondition(mantissa != Int64.min, "FixedDecimal mantissa Int64.min")
        self.mantissa = mantissa
        self.scale = scale
    }

    /// Creates an integral value (`integer` must not be `Int64.min`).
    @inlinable
    public init(_ integer: Int64) {
        self.init(mantissa: integer, scale: 0)
    }

    /// Zero with scale 0.
    public static let zero = FixedDecimal(mantissa: 0, scale: 0)

    /// `true` when the value is numerically zero (`"0"`, `"0.000"`, `"-0"`).
    @inlinable public var isZero: Bool { mantissa == 0 }

    /// `true` when the value is below zero.
    @inlinable public var isNegative: Bool { mantissa < 0 }

    /// The value with its sign flipped; digits and scale are kept.
    @inlinable public var negated: FixedDecimal { FixedDecimal(mantissa: -mantissa, scale: scale) }

    /// The absolute value; digits and scale are kept.
    @inlinable public var magnitude: FixedDecimal { mantissa < 0 ? negated : self }

    /// The same value with trailing fractional zeros removed (`1.500` → `1.5`, `2.0` → `2`).
    public var normalized: FixedDecimal {
        var m = mantissa
        var s = scale
        while s > 0 && m % 10 == 0 {
            m /= 10
            s -= 1
        }
        return FixedDecimal(mantissa: m, scale: s)
    }

    /// 10^exponent for `exponent` in 0...``maxScale`` (a constant table, no loop).
    @inlinable @inline(__always)
    public static func powerOfTen(_ exponent: UInt8) -> Int64 {
        Int64(bitPattern: Digits.powerOfTen(Int(exponent)))
    }

    /// The mantissa at the larger scale `target` (mantissa × 10^(target − scale)), or `nil` when
    /// that does not fit in `Int64`. `target` must be in `scale...maxScale`. Books use it to
    /// compare prices of mixed scales as plain integers.
    @inlinable @inline(__always)
    public func mantissa(atScale target: UInt8) -> Int64? {
        let (m, overflow) = mantissa.multipliedReportingOverflow(by: FixedDecimal.powerOfTen(target &- scale))
        return overflow ? nil : m
    }

    /// 10^exponent as `Int128` for exponent in 0...18.
    @inlinable
    static func power128(_ exponent: Int) -> Int128 {
        Int128(Int64(bitPattern: Digits.powerOfTen(exponent)))
    }
}

extension FixedDecimal: Equatable {
    /// Numeric equality: `1.50 == 1.5`.
    @inlinable
    public static func == (lhs: FixedDecimal, rhs: FixedDecimal) -> Bool {
        if lhs.scale == rhs.scale { return lhs.mantissa == rhs.mantissa }
        return compareSlow(lhs, rhs) == 0
    }
}

extension FixedDecimal: Hashable {
    /// Hashes the normalized value so that equal values of different scale hash alike.
    public func hash(into hasher: inout Hasher) {
        let n = normalized
        hasher.combine(n.mantissa)
        hasher.combine(n.scale)
    }
}

extension FixedDecimal: Comparable {
    /// Numeric ordering, independent of scale.
    @inlinable
    public static func < (lhs: FixedDecimal, rhs: FixedDecimal) -> Bool {
        if lhs.scale == rhs.scale { return lhs.mantissa < rhs.mantissa }
        return compareSlow(lhs, rhs) < 0
    }

    /// Three-way comparison: negative, zero or positive as `lhs` is below, equal to or above `rhs`.
    @inlinable
    public static func compare(_ lhs: FixedDecimal, _ rhs: FixedDecimal) -> Int {
        if lhs.scale == rhs.scale {
            return lhs.mantissa < rhs.mantissa ? -1 : (lhs.mantissa == rhs.mantissa ? 0 : 1)
        }
        return compareSlow(lhs, rhs)
    }

    /// Cross-scale comparison (venues that strip trailing zeros, e.g. OKX `8476.9` vs `8476.98`):
    /// the lower-scale mantissa is multiplied by 10^(scale difference) in `Int64` and compared
    /// with the other mantissa. Inlined: OKX books compare mixed scales on most searches, and the
    /// out-of-line call with its `Int128` fallback cost ~15 instructions per compare.
    ///
    /// No wide arithmetic is needed when the product overflows: then |low × 10^d| > `Int64.max`
    /// ≥ |other mantissa| (mantissas are never `Int64.min`), so the sign of the lower-scale value
    /// decides (it is not zero, or the product would be 0).
    @inlinable @inline(__always)
    static func compareSlow(_ lhs: FixedDecimal, _ rhs: FixedDecimal) -> Int {
        let leftIsLow = lhs.scale < rhs.scale
        let low = leftIsLow ? lhs.mantissa : rhs.mantissa
        let high = leftIsLow ? rhs.mantissa : lhs.mantissa
        let difference = leftIsLow ? rhs.scale &- lhs.scale : lhs.scale &- rhs.scale
        let (scaled, overflow) = low.multipliedReportingOverflow(by: Int64(bitPattern: Digits.powerOfTen(Int(difference))))
        // The low side's order relative to the high side.
        let c = overflow ? (low > 0 ? 1 : -1) : (scaled < high ? -1 : (scaled == high ? 0 : 1))
        return leftIsLow ? c : -c
    }
}

extension FixedDecimal {
    /// Exact sum, or `nil` if it does not fit (mantissa overflow).
    public func adding(_ other: FixedDecimal) -> FixedDecimal? {
        let target = Int(Swift.max(scale, other.scale))
        let a = Int128(mantissa) * FixedDecimal.power128(target - Int(scale))
        let b = Int128(other.mantissa) * FixedDecimal.power128(target - Int(other.scale))
        return FixedDecimal.make(a + b, scale: target)
    }

    /// Exact difference, or `nil` if it does not fit.
    public func subtracting(_ other: FixedDecimal) -> FixedDecimal? {
        adding(other.negated)
    }

    /// Exact product, or `nil` if the mantissa or the scale (sum of both scales, trailing zeros
    /// removed first) does not fit.
    public func multiplied(by other: FixedDecimal) -> FixedDecimal? {
        let a = normalized
        let b = other.normalized
        let product = Int128(a.mantissa) * Int128(b.mantissa)
        return FixedDecimal.make(product, scale: Int(a.scale) + Int(b.scale))
    }

    /// Builds a value from a wide mantissa, stripping trailing zeros when needed to fit.
    static func make(_ wide: Int128, scale: Int) -> FixedDecimal? {
        var m = wide
        var s = scale
        while s > Int(maxScale) || m > Int128(Int64.max) || m < -Int128(Int64.max) {
            guard s > 0, m % 10 == 0 else { return nil }
            m /= 10
            s -= 1
        }
        return FixedDecimal(mantissa: Int64(m), scale: UInt8(s))
    }
}

/// A price: an exact decimal as the venue sent it.
public typealias Price = FixedDecimal
/// A size / quantity / amount: an exact decimal as the venue sent it.
public typealias Size = FixedDecimal
