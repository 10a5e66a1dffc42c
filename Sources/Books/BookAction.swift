import MarketModel

/// What a `BookSynchronizer` asks the pipeline to do after a message.
public enum BookAction: Sendable, Hashable {
    /// Fan this normalized book event out (a snapshot, then deltas).
    case publish(BookUpdate)
    /// Fan this status out (`resyncing` with a reason, then `live`).
    case status(StatusEvent)
    /// REST-bootstrapped venues (Binance): fetch a snapshot with the adapter's
    /// `snapshotRequest(for:)` and feed the parsed body back into the synchronizer.
    case fetchSnapshot(Symbol)
    /// Snapshot-on-subscribe venues: unsubscribe and resubscribe this symbol's book channel to
    /// receive a fresh snapshot.
    case resubscribe(Symbol)
}
