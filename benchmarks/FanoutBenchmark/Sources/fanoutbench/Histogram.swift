/// HdrHistogram-style log-linear histogram of nanosecond values: exact below 128 ns, then 64
/// sub-buckets per power of two (≤ 1.6 % relative error). Values are recorded without locks by
/// one thread; histograms are merged at the end.
struct Histogram {
    static let subBits = 6
    private(set) var counts = [UInt64](repeating: 0, count: 64 * 64 + 128)
    private(set) var total: UInt64 = 0
    private(set) var maxValue: Int64 = 0
    private(set) var minValue: Int64 = .max
    private(set) var negatives: UInt64 = 0

    @inline(__always) mutating func record(_ value: Int64) {
        guard value >= 0 else { negatives += 1; return }
        let v = UInt64(value)
        let index: Int
        if v < 128 {
            index = Int(v)
        } else {
            let msb = 63 - v.leadingZeroBitCount
            let shift = msb - Self.subBits
            index = shift * 64 + Int(v >> UInt64(shift))
        }
        counts[index] += 1
        total += 1
        if value > maxValue { maxValue = value }
        if value < minValue { minValue = value }
    }

    mutating func merge(_ other: Histogram) {
        for i in counts.indices { counts[i] += other.counts[i] }
        total += other.total
        negatives += other.negatives
        maxValue = max(maxValue, other.maxValue)
        minValue = min(minValue, other.minValue)
    }

    /// Middle of bucket `index`.
    private static func value(at index: Int) -> Double {
        if index < 128 { return Double(index) }
        let shift = index / 64 - 1
        let mantissa = index - shift * 64
        let low = Double(mantissa << shift)
        return low + Double(1 << shift) / 2
    }

    /// The value at quantile `q` (0…1).
    func quantile(_ q: Double) -> Double {
        guard total > 0 else { return .nan }
        let rank = UInt64((q * Double(total)).rounded(.up))
        var seen: UInt64 = 0
        for (i, c) in counts.enumerated() where c > 0 {
            seen += c
            if seen >= max(rank, 1) { return Self.value(at: i) }
        }
        return Double(maxValue)
    }

    /// `p50 p90 p99 p999 max` in µs.
    func summary() -> String {
        func us(_ ns: Double) -> String { String(format1: ns / 1000, digits: 1) }
        return "n=\(total) p50=\(us(quantile(0.5))) p90=\(us(quantile(0.9))) p99=\(us(quantile(0.99))) "
            + "p999=\(us(quantile(0.999))) max=\(us(Double(maxValue))) us" + (negatives > 0 ? " (negative: \(negatives))" : "")
    }
}
