import MarketModel
import VenueKit

/// What a ``FeedPipeline`` call produced: normalized events for the fan-out and actions for the
/// session layer, in the order they happened.
///
/// The caller owns one `FeedOutput` per connection and calls ``removeAll()`` after handling it;
/// the arrays keep their capacity, so the steady-state receive path allocates nothing here.
public struct FeedOutput: Sendable {
    /// Normalized events (trades, book snapshots/deltas, bbo, ticker, funding, liquidations,
    /// order updates and `status` lines), in order.
    public var events: [MarketEvent] = []
    /// What the session layer must do (send a frame, fetch a REST snapshot, reconnect, log).
    public var actions: [FeedAction] = []

    /// An empty output.
    public init() {}

    /// Forgets the contents, keeping the capacity.
    public mutating func removeAll() {
        events.removeAll(keepingCapacity: true)
        actions.removeAll(keepingCapacity: true)
    }

    /// `true` when nothing was produced.
    public var isEmpty: Bool { events.isEmpty && actions.isEmpty }
}
