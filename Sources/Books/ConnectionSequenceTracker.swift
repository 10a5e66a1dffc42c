/// Checks a per-connection message counter for contiguity (Coinbase Advanced Trade
/// `sequence_num`, Bitfinex SEQ_ALL). Feed it every `VenueOutput.connectionSequence(n)` of one
/// connection; on a gap, invalidate every book carried by that connection (`BookSet`).
public struct ConnectionSequenceTracker: Sendable {
    /// The last number seen, `nil` before the first (and after ``reset()``).
    public private(set) var last: Int64?

    /// A fresh tracker (the first number is accepted as is).
    public init() {}

    /// The verdict on one number.
    public enum Verdict: Sendable, Equatable {
        /// Contiguous (or the first number).
        case ok
        /// Numbers were skipped or repeated.
        case gap(expected: Int64, got: Int64)
    }

    /// Records `sequence` and says whether it follows the previous one.
    public mutating func observe(_ sequence: Int64) -> Verdict {
        defer { last = sequence }
        guard let last else { return .ok }
        return sequence == last &+ 1 ? .ok : .gap(expected: last &+ 1, got: sequence)
    }

    /// Forgets the counter (new connection).
    public mutating func reset() { last = nil }
}
