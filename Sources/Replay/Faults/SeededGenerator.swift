/// SplitMix64 (Steele, Lea & Flood 2014): a tiny, fast generator whose whole sequence follows from
/// its seed, so a chaos run can be replayed with `--seed`.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: UInt64

    /// A generator seeded with `seed`.
    public init(seed: UInt64) { state = seed }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A value in `range`, computed here (not by the standard library, whose algorithm may change
    /// between releases) so a seed gives the same run on every toolchain.
    public mutating func value(in range: ClosedRange<Int64>) -> Int64 {
        let span = UInt64(bitPattern: range.upperBound &- range.lowerBound) &+ 1
        if span == 0 { return Int64(bitPattern: next()) }
        return range.lowerBound &+ Int64(bitPattern: next() % span)
    }

    /// An index in `0..<count` (count > 0).
    public mutating func index(below count: Int) -> Int {
        Int(next() % UInt64(count))
    }
}
