import MarketModel

/// MarketModel's ``MarketModel/SplitMix64`` with the draws the simulator makes, computed here so a
/// chaos run replays with `--seed` on every toolchain.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var generator: SplitMix64

    /// A generator seeded with `seed`.
    public init(seed: UInt64) { generator = SplitMix64(seed: seed) }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 { generator.next() }

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
