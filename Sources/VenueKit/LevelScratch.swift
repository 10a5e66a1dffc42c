import MarketModel

/// Storage for one side's book levels that an adapter reuses from one book message to the next.
///
/// An adapter fills a fresh `[BookLevel]` per message and hands it over inside a `BookUpdate`;
/// grown from empty that costs ~5 heap allocations per side and message. Instead:
/// ```swift
/// var bids = bidScratch.take()         // empty, with the previous message's storage
/// try s.readLevels(into: &bids)
/// bidScratch.keep(bids)                // shared with the output until the pipeline drops it
/// output.append(.book(BookMessage(update: BookUpdate(..., bids: bids, ...))))
/// ```
/// Value semantics are untouched: ``take(minimumCapacity:)`` reuses the storage only when nothing
/// else references it any more (the pipeline is done with the previous message — the usual case);
/// otherwise it returns a fresh array with room for the previous message's levels.
public struct LevelScratch: Sendable {
    @usableFromInline var storage: [BookLevel] = []

    /// Empty scratch (the first ``take(minimumCapacity:)`` allocates).
    @inlinable
    public init() {}

    /// An empty array for the next message's levels, reusing the last kept storage when it is
    /// no longer referenced elsewhere, with room for at least `minimumCapacity` levels.
    @inlinable
    public mutating func take(minimumCapacity: Int = 32) -> [BookLevel] {
        var levels = storage
        storage = []
        if !levels.isEmpty { levels.removeAll(keepingCapacity: true) }
        if levels.capacity < minimumCapacity { levels.reserveCapacity(minimumCapacity) }
        return levels
    }

    /// Remembers `levels` (now part of an update handed to the pipeline) so that the next
    /// ``take(minimumCapacity:)`` can reuse their storage.
    @inlinable
    public mutating func keep(_ levels: [BookLevel]) {
        storage = levels
    }
}

extension JSONScanner {
    /// Reads a level array (as ``readLevels(into:)``) into storage reused from `scratch`, and keeps
    /// the result there for the next message: the three steps of ``LevelScratch`` for one side, for
    /// venues that learn which side an array is from its key (Binance's `b` and `a`).
    @inlinable @inline(__always)
    public mutating func readLevels(reusing scratch: inout LevelScratch) throws(VenueParseError) -> [BookLevel] {
        var levels = scratch.take()
        try readLevels(into: &levels)
        scratch.keep(levels)
        return levels
    }
}
