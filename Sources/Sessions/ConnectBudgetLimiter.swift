import MarketModel
import VenueKit

/// The connection-attempt budget of one venue, shared by every connection the pool holds to it:
/// an exact sliding-window limiter over a venue's ``VenueKit/ConnectBudget`` (Binance 300
/// attempts per 5 min per IP [BN-STR]; OKX 3/s [OKX-CONN]; Bybit 500 per 5 min per domain
/// [BY-RL]; Bitfinex 20/min [BFX-PUB]).
///
/// It keeps the times of the last `attempts` grants (bounded by the budget itself) and grants a
/// new attempt at `now` only if the oldest of them is at least `window` old, so **no half-open
/// interval `[t, t + window)` ever contains more than `attempts` grants** — the invariant a
/// mass reconnect of 1,000 connections is tested against. A denial says when the next grant
/// can be, so the caller sets one timer instead of polling.
///
/// A venue that answers 429/418 has rate limited or banned the IP, not one socket:
/// ``suspend(until:)`` holds every attempt until the imposed time.
public struct ConnectBudgetLimiter: Sendable {
    /// The outcome of ``tryAcquire(now:)``.
    public enum Decision: Sendable, Hashable {
        /// The attempt may start now; it has been counted.
        case granted
        /// Not yet: the earliest time a grant is possible (nothing was counted).
        case notBefore(Nanoseconds)

        /// Whether the attempt was granted.
        public var isGranted: Bool { self == .granted }
    }

    /// The budget enforced.
    public let budget: ConnectBudget
    /// Times of the most recent grants, oldest first; at most `budget.attempts` of them.
    private var grants: BoundedQueue<Nanoseconds>
    /// Every attempt is held until this time (a 429/418 from the venue).
    public private(set) var suspendedUntil: Nanoseconds?

    /// A limiter for `budget`. A budget with fewer than 1 attempt or a non-positive window is
    /// treated as 1 attempt per window / no window, so the limiter can never dead-lock.
    public init(budget: ConnectBudget) {
        self.budget = ConnectBudget(attempts: max(1, budget.attempts), window: max(0, budget.window))
        self.grants = BoundedQueue(capacity: self.budget.attempts)
    }

    /// Grants an attempt at `now` and counts it, or says the earliest time one can be granted.
    /// `now` must not go backwards between calls (the shell passes a monotonic clock).
    public mutating func tryAcquire(now: Nanoseconds) -> Decision {
        switch earliestGrant(now: now) {
        case let earliest where earliest <= now:
            if grants.isFull { _ = grants.popFirst() }
            grants.append(now)
            return .granted
        case let earliest:
            return .notBefore(earliest)
        }
    }

    /// The earliest time at or after `now` when ``tryAcquire(now:)`` would grant.
    public func earliestGrant(now: Nanoseconds) -> Nanoseconds {
        var earliest = now
        if let suspendedUntil { earliest = max(earliest, suspendedUntil) }
        // Full log: the next grant must wait until the oldest leaves the window.
        if grants.isFull, let oldest = grants.first {
            earliest = max(earliest, oldest + budget.window)
        }
        return earliest
    }

    /// How many grants fall inside the window ending at `now` (for the status page).
    public func grantsInWindow(now: Nanoseconds) -> Int {
        grants.elements.reduce(0) { $0 + ($1 > now - budget.window ? 1 : 0) }
    }

    /// Holds every attempt until `time` (HTTP 429/418 applies to the IP, BN-API). Never
    /// shortens an existing suspension.
    public mutating func suspend(until time: Nanoseconds) {
        suspendedUntil = max(suspendedUntil ?? time, time)
    }
}
