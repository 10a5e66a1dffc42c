import Testing
@testable import MarketModel

/// Mixed-scale comparison (`compareSlow`: Int64 scaling with the overflow shortcut) against an
/// `Int128` reference, at every scale pair and at the overflow boundaries.
@Suite("FixedDecimal mixed-scale compare")
struct FixedDecimalCompareTests {
    /// Reference: both sides at scale 18 in `Int128` (|m| < 2^63, 10^18 < 2^60: no overflow).
    static func reference(_ a: FixedDecimal, _ b: FixedDecimal) -> Int {
        let x = Int128(a.mantissa) * Int128(FixedDecimal.powerOfTen(18 - a.scale))
        let y = Int128(b.mantissa) * Int128(FixedDecimal.powerOfTen(18 - b.scale))
        return x < y ? -1 : (x == y ? 0 : 1)
    }

    /// Mantissas around where `m × 10^d` leaves `Int64` for each `d`, plus the extremes.
    static func mantissas(scaleDifference d: UInt8) -> [Int64] {
        let limit = Int64.max / FixedDecimal.powerOfTen(d)
        // Near the limit, computed without trapping; sums past Int64.max are left out.
        let near = [limit.subtractingReportingOverflow(1), (partialValue: limit, overflow: false), limit.addingReportingOverflow(1),
                    limit.multipliedReportingOverflow(by: 2)].filter { !$0.overflow }.map(\.partialValue)
        var values: [Int64] = [0, 1, 7, 10, 99, 100, Int64.max / 10, Int64.max - 1, Int64.max] + near
        values += values.map { -$0 }
        return values
    }

    @Test("every scale pair 0…18 agrees with the Int128 reference, both argument orders")
    func everyScalePair() {
        var checked = 0
        for low in UInt8(0) ... FixedDecimal.maxScale {
            for high in low ... FixedDecimal.maxScale {
                let d = high - low
                let ms = Self.mantissas(scaleDifference: d)
                for m1 in ms {
                    let a = FixedDecimal(mantissa: m1, scale: low)
                    // Partners: the same value at the higher scale when it fits (equal), and
                    // neighbours and extremes around it.
                    var partners = ms
                    if let same = a.mantissa(atScale: high) {
                        partners += [same, same == Int64.max ? same : same + 1, same == -Int64.max ? same : same - 1]
                        #expect(FixedDecimal.compare(a, FixedDecimal(mantissa: same, scale: high)) == 0)
                    }
                    for m2 in partners {
                        let b = FixedDecimal(mantissa: m2, scale: high)
                        let expected = Self.reference(a, b)
                        #expect(FixedDecimal.compare(a, b) == expected, "\(a) vs \(b)")
                        #expect(FixedDecimal.compare(b, a) == -expected, "\(b) vs \(a)")
                        #expect((a == b) == (expected == 0))
                        #expect((a < b) == (expected < 0))
                        #expect((b < a) == (expected > 0))
                        checked += 1
                    }
                }
            }
        }
        #expect(checked > 10_000)
    }

    @Test("trailing-zero forms are equal; one tick apart is ordered (OKX 8476.9 vs 8476.98)")
    func venueShapes() {
        let a = FixedDecimal(mantissa: 84769, scale: 1), b = FixedDecimal(mantissa: 847698, scale: 2)
        #expect(a < b && !(b < a) && FixedDecimal.compare(a, b) == -1)
        #expect(FixedDecimal(mantissa: 87415, scale: 0) == FixedDecimal(mantissa: 874150, scale: 1))
        #expect(FixedDecimal(mantissa: -5, scale: 0) < FixedDecimal(mantissa: -49, scale: 1))
    }

    @Test("mantissa(atScale:) scales exactly or reports overflow, at every difference")
    func mantissaAtScale() {
        for d in UInt8(0) ... FixedDecimal.maxScale {
            let p = FixedDecimal.powerOfTen(d)
            let limit = Int64.max / p
            #expect(FixedDecimal(mantissa: limit, scale: 0).mantissa(atScale: d) == limit * p)
            #expect(FixedDecimal(mantissa: -limit, scale: 0).mantissa(atScale: d) == -limit * p)
            if d > 0 {
                #expect(FixedDecimal(mantissa: limit + 1, scale: 0).mantissa(atScale: d) == nil)
                #expect(FixedDecimal(mantissa: -limit - 1, scale: 0).mantissa(atScale: d) == nil)
            }
            #expect(FixedDecimal(mantissa: 0, scale: 0).mantissa(atScale: d) == 0)
            #expect(FixedDecimal.powerOfTen(d) == (0 ..< d).reduce(Int64(1)) { acc, _ in acc * 10 })
        }
    }
}
