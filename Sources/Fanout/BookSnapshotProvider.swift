import MarketModel

/// Where the hub gets the current state of a book, so that a new book subscriber (and one that
/// fell behind and had its book updates conflated) first gets a `"snapshot":true` line and then
/// deltas.
///
/// The hub calls it only on its event loop. ``observe(_:)`` sees every event before it is routed,
/// so a provider that builds its books from the event stream (``BookCache``, the default) is
/// always exactly as far as the lines already handed to subscribers. A provider backed by the
/// pipeline's own books may ignore ``observe(_:)``, but must then answer with the state that
/// matches the last book event published to the hub.
public protocol BookSnapshotProvider: Sendable {
    /// Sees every published event, in order, before it is routed.
    mutating func observe(_ event: MarketEvent)
    /// The whole current book of `key` as a snapshot (best levels first), or `nil` if unknown or
    /// not trustworthy right now (e.g. while it resyncs).
    func snapshot(of key: BookKey) -> BookUpdate?
    /// Every book that ``snapshot(of:)`` can answer for.
    var bookKeys: [BookKey] { get }
}

extension BookSnapshotProvider {
    /// Default: the provider keeps its books elsewhere.
    public mutating func observe(_ event: MarketEvent) {}
}
