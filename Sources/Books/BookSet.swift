import MarketModel
import VenueKit

/// The books of one venue connection, one ``BookSynchronizer`` per symbol, so that a resync of
/// one symbol never touches another.
///
/// The synchronizers are in VenueKit's `SymbolSlots`, which remembers the slot of the last symbol
/// handled: consecutive messages of one symbol (the usual case) are routed with one `Symbol`
/// comparison, no hashing, and each synchronizer is mutated in place (a `Dictionary` `_modify` of
/// an optional value measured 3 heap allocations per message).
public struct BookSet: Sendable {
    /// The venue's book rules.
    public let venue: VenueID
    /// The venue's `BookSpec`.
    public let spec: BookSpec
    /// Whether checksums are verified.
    public let verifiesChecksums: Bool
    /// Per-symbol synchronizers in creation order, created on first use.
    var books = SymbolSlots<BookSynchronizer>()
    var connectionSequence = ConnectionSequenceTracker()

    /// An empty set.
    public init(venue: VenueID, spec: BookSpec, verifiesChecksums: Bool = true) {
        self.venue = venue
        self.spec = spec
        self.verifiesChecksums = verifiesChecksums
    }

    /// Per-symbol synchronizers, created on first use (a copy; for inspection and tests).
    public var synchronizers: [Symbol: BookSynchronizer] {
        var all: [Symbol: BookSynchronizer] = [:]
        for (slot, symbol) in books.symbols.enumerated() { all[symbol] = books[slot] }
        return all
    }

    /// Routes a message to its symbol's synchronizer.
    public mutating func handle(_ message: BookMessage, into actions: inout [BookAction]) {
        let slot = self.slot(for: message.update.symbol)
        books[slot].handle(message, into: &actions)
    }

    /// The slot of `symbol`'s synchronizer, creating it on first use.
    @inline(__always)
    mutating func slot(for symbol: Symbol) -> Int {
        let (venue, spec, verifiesChecksums) = (venue, spec, verifiesChecksums)
        return books.slot(for: symbol) {
            BookSynchronizer(configuration: .init(venue: venue, symbol: symbol, book: spec, verifiesChecksums: verifiesChecksums))
        }
    }

    /// Feeds a per-connection sequence number (`VenueOutput.connectionSequence`); on a gap every
    /// book of the connection is resynced.
    public mutating func observeConnectionSequence(_ sequence: Int64, into actions: inout [BookAction]) {
        if case .gap(let expected, let got) = connectionSequence.observe(sequence) {
            invalidateAll(reason: "gap: expected \(expected) got \(got)", into: &actions)
        }
    }

    /// Resyncs every book (connection-level gap, reconnect).
    public mutating func invalidateAll(reason: String, into actions: inout [BookAction]) {
        for (slot, _) in books.symbols.enumerated().sorted(by: { $0.element < $1.element }) {
            books[slot].invalidate(reason: reason, into: &actions)
        }
    }

    /// Resyncs one symbol whose book the adapter found inconsistent (other symbols keep flowing).
    public mutating func invalidate(symbol: Symbol, reason: String, into actions: inout [BookAction]) {
        guard let slot = books.slot(of: symbol) else { return }
        books[slot].invalidate(reason: reason, into: &actions)
    }

    /// Drops `symbol`'s book (its subscription went away); a later message starts a fresh one.
    public mutating func remove(symbol: Symbol) {
        books.remove(symbol)
    }

    /// Forgets the per-connection counter (new connection).
    public mutating func resetConnectionSequence() {
        connectionSequence.reset()
    }

    /// The synchronizer (and so the book) of `symbol`, if any message for it was seen.
    public subscript(symbol: Symbol) -> BookSynchronizer? { books.slot(of: symbol).map { books[$0] } }
}
