import MarketModel

/// What an adapter appends while it parses one message: its per-connection sequence number, its
/// trades in a plain `[Trade]`, and every other output in the order the adapter produced it.
///
/// Consumers handle a message in that order: the connection sequence number (Coinbase
/// `sequence_num`, Bitfinex SEQ_ALL: it numbers the message as a whole, so it is checked before
/// anything the message carries), then the other outputs (acknowledgements, books, errors), then
/// the trades in the venue's order. A message carries one channel, so no consumer sees a
/// difference in meaning from the order the adapter appended in.
///
/// Why trades apart: a trade is the only output of most messages, and one wrapped in
/// ``VenueOutput`` (an enum of 177 bytes with reference-counted cases) was copied three times
/// and switched over on its way from the adapter to the consumer: appended as an enum, copied
/// out of it, and destroyed through the enum's outlined value witnesses. Kept as a `Trade` it
/// is copied once into the array and read in place: about 145 instructions less per trade
/// (benchmarks/FEED.md, session 10). The sequence number is a field for the same reason: it came
/// with every Coinbase and Bitfinex message.
public struct VenueOutputs: Sendable {
    /// The message's per-connection sequence number (``VenueOutput/connectionSequence(_:)``).
    public var connectionSequence: Int64?
    /// The message's trades, in the venue's order.
    public var trades: [Trade] = []
    /// Every output other than a trade, in the adapter's order.
    public var others: [VenueOutput] = []

    /// Empty outputs.
    public init() {}

    /// Empty outputs with room for `capacity` trades and `capacity` other outputs, so that a
    /// reused value never reallocates on the hot path.
    public init(capacity: Int) {
        trades.reserveCapacity(capacity)
        others.reserveCapacity(capacity)
    }

    /// Appends `output`: a trade to ``trades``, the message's connection sequence number to
    /// ``connectionSequence``, anything else (a second sequence number included, which no venue
    /// sends) to ``others``. `consuming`: the output moves into ``others`` (a borrowed one was
    /// copied there, which retained a book's level arrays once more per message); adapters append
    /// trades with ``append(_:)-(Trade)``, which skips the case tests.
    @inlinable @inline(__always)
    public mutating func append(_ output: consuming VenueOutput) {
        if case .trade(let trade) = output {
            trades.append(trade)
        } else if case .connectionSequence(let number) = output, connectionSequence == nil {
            connectionSequence = number
        } else {
            others.append(output)
        }
    }

    /// Outputs holding `outputs`, appended in order (tests, cold paths).
    public init(_ outputs: [VenueOutput]) {
        append(contentsOf: outputs)
    }

    /// Appends one trade.
    @inlinable @inline(__always)
    public mutating func append(_ trade: consuming Trade) {
        trades.append(trade)
    }

    /// Appends each of `outputs` in order (see ``append(_:)-(VenueOutput)``).
    public mutating func append(contentsOf outputs: [VenueOutput]) {
        for output in outputs { append(output) }
    }

    /// How many outputs there are, trades included.
    @inlinable public var count: Int { trades.count &+ others.count &+ (connectionSequence == nil ? 0 : 1) }

    /// `true` when nothing was appended.
    @inlinable public var isEmpty: Bool { trades.isEmpty && others.isEmpty && connectionSequence == nil }

    /// Removes everything; `keepingCapacity` keeps both arrays' storage for the next message.
    @inlinable
    public mutating func removeAll(keepingCapacity: Bool = false) {
        connectionSequence = nil
        guard keepingCapacity else {
            trades = []
            others = []
            return
        }
        // Trade by trade: for a message's usual one or two, `removeLast` destroys each inline,
        // where `removeAll` goes through the runtime's generic array destroy (~60 instructions).
        while !trades.isEmpty { trades.removeLast() }
        if !others.isEmpty { others.removeAll(keepingCapacity: true) }
    }

    /// A point to roll back to (``rollBack(to:)``): how many trades and other outputs there were,
    /// and whether the sequence number was set.
    public struct Mark: Sendable, Equatable {
        /// ``VenueOutputs/trades``' count at the mark.
        public let trades: Int
        /// ``VenueOutputs/others``' count at the mark.
        public let others: Int
        /// Whether ``VenueOutputs/connectionSequence`` was set at the mark.
        public let hasSequence: Bool

        /// A mark at these counts.
        @inlinable
        public init(trades: Int, others: Int, hasSequence: Bool) {
            self.trades = trades
            self.others = others
            self.hasSequence = hasSequence
        }
    }

    /// The current end, for a later ``rollBack(to:)``.
    @inlinable public var mark: Mark { Mark(trades: trades.count, others: others.count, hasSequence: connectionSequence != nil) }

    /// Removes what was appended after `mark` (a message, or a fast path, that gave up part-way).
    @inlinable
    public mutating func rollBack(to mark: Mark) {
        if trades.count > mark.trades { trades.removeSubrange(mark.trades...) }
        if others.count > mark.others { others.removeSubrange(mark.others...) }
        if !mark.hasSequence { connectionSequence = nil }
    }

    /// Every output as one array, in the order consumers handle them: the sequence number,
    /// ``others``, then ``trades`` as ``VenueOutput/trade(_:)``. For tests and cold paths.
    public var all: [VenueOutput] {
        var result: [VenueOutput] = []
        result.reserveCapacity(count)
        if let connectionSequence { result.append(.connectionSequence(connectionSequence)) }
        result.append(contentsOf: others)
        for trade in trades { result.append(.trade(trade)) }
        return result
    }

    /// Runs `body`, which appends one message's outputs; if it throws, what it appended is
    /// removed before the error propagates, so a failed message never leaves half its events
    /// behind (the rule of ``VenueAdapter/parse(_:context:into:)``).
    @inlinable @inline(__always)
    public mutating func appendingAllOrNothing(_ body: (inout VenueOutputs) throws(VenueParseError) -> Void) throws(VenueParseError) {
        let start = mark
        do throws(VenueParseError) {
            try body(&self)
        } catch {
            rollBack(to: start)
            throw error
        }
    }

    /// Runs a layout lane that appends trades as it reads them: if the lane gives up part-way
    /// (returns `false`), what it appended is removed, so the general path starts from clean
    /// outputs and a message is never half-published.
    @inlinable @inline(__always)
    public mutating func appendingLane(_ lane: (inout VenueOutputs) -> Bool) -> Bool {
        let start = mark
        if lane(&self) { return true }
        rollBack(to: start)
        return false
    }
}
