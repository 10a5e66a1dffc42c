/// A fixed-bucket latency histogram in microseconds (Prometheus-style: the bounds never change,
/// so recording is a short scan and an increment, nothing allocates, and histograms of different
/// venues or scrapes add up bucket by bucket).
///
/// The pool records one observation per published batch: from the frame's `ts_recv` (taken right
/// after the socket read) to the hand-off of its normalized events to the fan-out.
public struct LatencyHistogram: Sendable, Hashable {
    /// Upper bounds (`le`) of the buckets, in µs; a last, implicit bucket is `+Inf`.
    public static let boundsMicroseconds: [Int64] = [
        10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 25_000, 50_000, 100_000, 250_000, 1_000_000,
    ]

    /// Observations per bucket (not cumulative); the last entry counts those above every bound.
    public private(set) var bucketCounts: [UInt64]
    /// Number of observations.
    public private(set) var count: UInt64 = 0
    /// Sum of every observation, ns (negative clock steps are recorded as 0).
    public private(set) var sumNanoseconds: Int64 = 0

    /// An empty histogram.
    public init() {
        bucketCounts = [UInt64](repeating: 0, count: Self.boundsMicroseconds.count + 1)
    }

    /// Records one latency.
    public mutating func record(nanoseconds: Int64) {
        let value = max(0, nanoseconds)
        var index = 0
        let bounds = Self.boundsMicroseconds
        // `value <= bound µs` ⇔ `value <= bound * 1000 ns`: compare in ns, no division.
        while index < bounds.count && value > bounds[index] &* 1000 { index += 1 }
        bucketCounts[index] &+= 1
        count &+= 1
        sumNanoseconds &+= value
    }

    /// Observations `<=` each bound, then the total (the `+Inf` bucket), as Prometheus wants them.
    public var cumulativeCounts: [UInt64] {
        var running: UInt64 = 0
        return bucketCounts.map { running &+= $0; return running }
    }

    /// The upper bound (µs) of the bucket holding quantile `q` (0…1); `nil` when empty or when it
    /// falls above every bound.
    public func upperBoundMicroseconds(forQuantile q: Double) -> Int64? {
        guard count > 0 else { return nil }
        let rank = max(1, UInt64((Double(count) * min(max(q, 0), 1)).rounded(.up)))
        var running: UInt64 = 0
        for (index, bucket) in bucketCounts.enumerated() {
            running &+= bucket
            if running >= rank { return index < Self.boundsMicroseconds.count ? Self.boundsMicroseconds[index] : nil }
        }
        return nil
    }

    /// Adds `other`'s observations.
    public mutating func merge(_ other: LatencyHistogram) {
        for index in bucketCounts.indices { bucketCounts[index] &+= other.bucketCounts[index] }
        count &+= other.count
        sumNanoseconds &+= other.sumNanoseconds
    }
}
