import MarketModel
import VenueKit

/// The ledger entry of one order: the local identity, the venue identity, and the life-cycle
/// state the subscriber was last told. Read-only outside the module (status pages, tests).
public struct OrderRecord: Sendable, Hashable {
    /// Local identity (subscriber, client order id).
    public internal(set) var key: OrderKey
    /// The venue.
    public internal(set) var venue: VenueID
    /// The validated order as sent, including its generated venue client order id.
    public internal(set) var order: VenueOrder
    /// The state last reported to the subscriber.
    public internal(set) var state: OrderState
    /// The venue's order id once known.
    public internal(set) var venueOrderID: String?
    /// Cumulative filled size (never decreases).
    public internal(set) var filledSize: Size?
    /// Average fill price, as last reported.
    public internal(set) var averagePrice: Price?
    /// The reason given with the last state change.
    public internal(set) var reason: String?
    /// When the order was accepted into the queue.
    public internal(set) var submittedAt: Nanoseconds
    /// It is expired instead of sent at or after this time.
    public internal(set) var queueDeadline: Nanoseconds
    /// When it reached its terminal state.
    public internal(set) var finishedAt: Nanoseconds?
    /// Place frames sent: 1 for an order that went out, 2+ only after rate-limit rejections
    /// (the venue did not take it; docs/orders.md). Never incremented for `unknown` orders.
    public internal(set) var placeFramesSent = 0

    /// A pending cancel.
    var cancel = RequestProgress.idle
    /// A pending status query.
    var status = RequestProgress.idle
    /// When the venue first confirmed the order (accepted or a fill): the start of its age for a
    /// venue that charges young orders' cancels more (``VenueKit/CancelPenalty``).
    var acknowledgedAt: Nanoseconds?
    /// Status queries answered with an error on the current connection.
    var statusAttempts = 0

    init(key: OrderKey, venue: VenueID, order: VenueOrder, submittedAt: Nanoseconds, queueDeadline: Nanoseconds) {
        self.key = key
        self.venue = venue
        self.order = order
        self.state = .queued
        self.submittedAt = submittedAt
        self.queueDeadline = queueDeadline
    }

    /// Whether the order is still working (not terminal).
    public var isOpen: Bool { !state.isTerminal }

    /// Whether the venue has, had or may have the order (it was sent and is not terminal).
    var isAtVenue: Bool {
        switch state {
        case .sent, .accepted, .partiallyFilled, .unknown: return true
        default: return false
        }
    }
}
