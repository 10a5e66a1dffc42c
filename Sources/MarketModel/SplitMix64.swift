/// A small, fast, seedable random number generator (Steele, Lea & Flood's SplitMix64, the
/// seeding generator of `java.util.SplittableRandom`).
///
/// Shared by every module and test that needs reproducible randomness (session jitter, NATS
/// reconnect jitter, seeded tests). Sessions never reads system randomness: jitter comes from a
/// generator injected at construction, so a simulation with a fixed seed replays bit for bit (STYLE habit 2 extends
/// to randomness). Any `RandomNumberGenerator & Sendable` can be injected instead; this one is
/// the default because it is tiny, has no shared state and passes BigCrush.
public struct SplitMix64: RandomNumberGenerator, Sendable, Hashable {
    /// The generator's whole state.
    public private(set) var state: UInt64

    /// A generator whose output is fully determined by `seed`.
    public init(seed: UInt64) {
        self.state = seed
    }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        // Constants from the reference implementation (Vigna, prng.di.unimi.it/splitmix64.c).
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A seed for the `index`-th child of `seed`, so every connection of a pool gets its own
    /// independent but reproducible stream.
    public static func derivedSeed(_ seed: UInt64, index: Int) -> UInt64 {
        var mixer = SplitMix64(seed: seed ^ (UInt64(truncatingIfNeeded: index) &* 0xD1B5_4A32_D192_ED03))
        return mixer.next()
    }
}
