import MarketModel
import VenueKit

/// Every rate limit the order multiplexer enforces, as GCRA cells (``GCRACell``) keyed by
/// ``ThrottleKey``. A request usually counts against several limits at once (Binance: the
/// per-connection message rate and the per-account `ORDERS` count), so it is **acquired
/// atomically**: it goes only if every cell conforms, and then every cell is charged — a
/// request that fails one limit never burns budget in the others.
///
/// Adaptive: the venue's own view (``apply(_:to:now:)``: used/limit, `retryAfter`) tightens
/// cells, and a rate-limit rejection blocks them (``block(_:until:)``); nothing here ever
/// loosens past the configured limits.
public struct OrderThrottle: Sendable {
    /// The cells.
    public private(set) var cells: [ThrottleKey: GCRACell] = [:]

    /// An empty throttle (demands on unregistered keys are unconstrained).
    public init() {}

    /// Adds (or replaces) the cell for `key`.
    public mutating func register(_ key: ThrottleKey, cell: GCRACell) {
        cells[key] = cell
    }

    /// The earliest time at or after `now` when every demand conforms together; cancels
    /// (`usesReserve`) may use the reserve.
    public func earliestTime(for demands: [ThrottleDemand], usesReserve: Bool, now: Nanoseconds) -> Nanoseconds {
        var earliest = now
        for demand in demands {
            guard let cell = cells[demand.key] else { continue }
            earliest = max(earliest, cell.earliestTime(weight: demand.weight, usesReserve: usesReserve, now: now))
        }
        return earliest
    }

    /// All or none: charges every demand and returns `true` if they all conform at `now`,
    /// otherwise changes nothing and returns `false`.
    public mutating func tryAcquire(_ demands: [ThrottleDemand], usesReserve: Bool, now: Nanoseconds) -> Bool {
        guard earliestTime(for: demands, usesReserve: usesReserve, now: now) <= now else { return false }
        for demand in demands {
            cells[demand.key]?.charge(weight: demand.weight, now: now)
        }
        return true
    }

    /// Holds every cell in `keys` until `time` (HTTP 429 / 418, a `rateLimited` rejection).
    public mutating func block(_ keys: some Sequence<ThrottleKey>, until time: Nanoseconds) {
        for key in keys { cells[key]?.block(until: time) }
    }

    /// Applies the venue's rate-limit feedback to the cells in `keys` (the caller matched the
    /// feedback's name to them): `used`/`limit` tighten each cell to the venue's remaining
    /// count, a smaller `limit` than configured is adopted when the feedback names one limit,
    /// and `retryAfter` blocks them.
    public mutating func apply(_ feedback: RateLimitFeedback, to keys: [ThrottleKey], now: Nanoseconds) {
        for key in keys {
            guard var cell = cells[key] else { continue }
            if feedback.name != nil, let limit = feedback.limit { cell.adopt(capacity: limit, now: now) }
            if let used = feedback.used, let limit = feedback.limit {
                cell.tighten(remaining: limit - used, now: now)
            }
            if let retryAfter = feedback.retryAfter { cell.block(until: now + max(0, retryAfter)) }
            cells[key] = cell
        }
    }

    /// Forgets the usage of `keys` (per-connection limits after a reconnect).
    public mutating func resetUsage(of keys: some Sequence<ThrottleKey>) {
        for key in keys { cells[key]?.resetUsage() }
    }
}
