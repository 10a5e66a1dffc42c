/// Where an order's follow-up request (a cancel, a status query) stands; at most one of each is
/// queued or in flight per order, so a client repeating `order.cancel` sends one frame.
enum RequestProgress: Sendable, Hashable {
    /// None pending.
    case idle
    /// Waiting in its lane.
    case queued
    /// Sent, no answer yet.
    case inFlight
}
