import MarketModel

/// Collects parsed book levels in a small stack buffer and appends them to the message's level
/// array in blocks, for adapters' level loops.
///
/// Why: `Array.append` of one `BookLevel` is an out-of-line call plus a uniqueness check,
/// ~55 instructions per level (~1.1k per 20-level update); a store into the buffer is a few,
/// and one `append(contentsOf:)` per block or side pays the array's bookkeeping once.
/// ```swift
/// try LevelSink.collect { sink throws(VenueParseError) in
///     while try s.nextElement() { sink.append(try readOneLevel(&s), into: &levels) }
///     sink.flush(into: &levels)
/// }
/// ```
/// Levels not yet flushed when the body throws are dropped (the message is rejected anyway).
public struct LevelSink {
    /// How many levels the stack buffer holds before it is flushed.
    public static let capacity = 16

    @usableFromInline let buffer: UnsafeMutablePointer<BookLevel>
    @usableFromInline var count = 0

    @inlinable
    init(buffer: UnsafeMutablePointer<BookLevel>) {
        self.buffer = buffer
    }

    /// Runs `body` with a sink whose buffer lives on the stack for the duration of the call.
    /// `body` must ``flush(into:)`` before it returns.
    @inlinable @inline(always)
    public static func collect<R, E: Error>(_ body: (inout LevelSink) throws(E) -> R) throws(E) -> R {
        try withUnsafeTemporaryAllocation(of: BookLevel.self, capacity: LevelSink.capacity) { storage throws(E) -> R in
            // `BookLevel` is trivial: the buffer needs no deinitialization.
            var sink = LevelSink(buffer: storage.baseAddress.unsafelyUnwrapped)
            return try body(&sink)
        }
    }

    /// Adds `level` after the ones already collected; a full buffer is first appended to `levels`.
    @inlinable @inline(always)
    public mutating func append(_ level: BookLevel, into levels: inout [BookLevel]) {
        if count == LevelSink.capacity { flush(into: &levels) }
        (buffer + count).initialize(to: level)
        count &+= 1
    }

    /// Appends the collected levels to `levels`, in order, and empties the buffer.
    @inlinable
    public mutating func flush(into levels: inout [BookLevel]) {
        guard count > 0 else { return }
        levels.append(contentsOf: UnsafeBufferPointer(start: buffer, count: count))
        count = 0
    }
}
