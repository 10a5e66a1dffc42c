import MarketModel
import VenueKit

/// The books of one venue connection, one ``BookSynchronizer`` per symbol, so that a resync of
/// one symbol never touches another.
public struct BookSet: Sendable {
    /// The venue's book rules.
    public let venue: VenueID
    /// The venue's `BookSpec`.
    public let spec: BookSpec
    /// Whether checksums are verified.
    public let verifiesChecksums: Bool
    /// Per-symbol synchronizers, created on first use.
    public private(set) var synchronizers: [Symbol: BookSynchronizer] = [:]
    var connectionSequence = ConnectionSequenceTracker()

    /// An empty set.
    public init(venue: VenueID, spec: BookSpec, verifiesChecksums: Bool = true) {
        self.venue = venue
        self.spec = spec
        self.verifiesChecksums = verifiesChecksums
    }

    /// Routes a message to its symbol's synchronizer.
    public mutating func handle(_ message: BookMessage, into actions: inout [BookAction]) {
        let symbol = message.update.symbol
        if synchronizers[symbol] == nil {
            synchronizers[symbol] = BookSynchronizer(configuration: .init(venue: venue, symbol: symbol, book: spec,
                                                                          verifiesChecksums: verifiesChecksums))
        }
        synchronizers[symbol]?.handle(message, into: &actions)
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
        for symbol in synchronizers.keys.sorted() {
            synchronizers[symbol]?.invalidate(reason: reason, into: &actions)
        }
    }

    /// Resyncs one symbol whose book the adapter found inconsistent (other symbols keep flowing).
    public mutating func invalidate(symbol: Symbol, reason: String, into actions: inout [BookAction]) {
        synchronizers[symbol]?.invalidate(reason: reason, into: &actions)
    }

    /// Forgets the per-connection counter (new connection).
    public mutating func resetConnectionSequence() {
        connectionSequence.reset()
    }

    /// The synchronizer (and so the book) of `symbol`, if any message for it was seen.
    public subscript(symbol: Symbol) -> BookSynchronizer? { synchronizers[symbol] }
}
