import MarketModel
import VenueKit

/// What the I/O shell must do for one pooled connection. Actions come in the order they must be
/// performed.
public enum ConnectionAction: Sendable, Hashable {
    /// Ask the venue's shared ``ConnectBudgetLimiter`` for an attempt; answer with
    /// ``ConnectionEvent/connectSlotGranted`` when granted (the ``PoolPlanner`` does this).
    case requestConnectSlot
    /// Withdraw an outstanding ``requestConnectSlot`` (the connection stopped while waiting).
    case cancelConnectSlotRequest
    /// Open a WebSocket to `url` (endpoint index `endpoint` of the venue's market-data URLs);
    /// report the result as ``ConnectionEvent/connected(generation:)`` or
    /// ``ConnectionEvent/connectFailed(generation:_:)``.
    case connect(generation: Int, url: String, endpoint: Int)
    /// The socket is open: build the adapter's ``VenueKit/VenueAdapter/sessionStartFrames()``
    /// and ``VenueKit/VenueAdapter/subscribeFrames(for:)`` for `subscriptions` and hand them to
    /// ``ConnectionLifecycle/enqueue(_:generation:lane:now:)`` (they are paced, not sent at once).
    case openSession(generation: Int, subscriptions: [Subscription])
    /// Build subscribe frames for `subscriptions` on the open socket and enqueue them.
    case subscribe(generation: Int, [Subscription])
    /// Build unsubscribe frames for `subscriptions` on the open socket and enqueue them.
    case unsubscribe(generation: Int, [Subscription])
    /// Write these frames now, in order (already paced by the ``OutboundRateLimiter``).
    case send(generation: Int, [OutboundFrame])
    /// From now on, data of `generation` feeds the pipeline and data of every older generation
    /// of this connection is dropped. Emitted when a connection opens normally and at the
    /// cut-over of a make-before-break rotation (the replacement has already built its own
    /// books from its own subscribe snapshot, so there is no gap).
    case promote(generation: Int)
    /// Close socket `generation` (dead peer, rotation done, connect timeout, stop).
    case close(generation: Int, reason: String)
    /// Publish a status change.
    case status(ConnectionStatus)
    /// Call ``ConnectionLifecycle/on(_:now:)`` with ``ConnectionEvent/tick`` at `at` (replaces
    /// any earlier request; a timer that fires early is harmless).
    case scheduleTimer(at: Nanoseconds)
}
