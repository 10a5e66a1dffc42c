import MarketModel

/// One rate limit enforced with the Generic Cell Rate Algorithm (ITU-T I.371, virtual
/// scheduling): a single "theoretical arrival time" (`tat`), integer nanoseconds, no timers.
///
/// Parameters for a limit of `capacity` units per `interval` and a burst of `B` units: the
/// emission interval is `T = ⌈interval / (capacity − B + 1)⌉` and a request of weight `w` conforms
/// at `now` iff `max(tat, now) + w·T − now ≤ D`, where `D = B·T` for cancels and `(B − R)·T` for
/// everything else (`R` = the cancel reserve). Choosing `T` that way bounds what any window can
/// hold: for requests at `s₁ ≤ … ≤ sₙ` inside `[t, t + interval)`, `s₁ + Σw·T ≤ tat ≤ sₙ + B·T`,
/// so `Σw < B + interval/T ≤ capacity + 1`, i.e. **never more than `capacity` units in any window
/// of length `interval`**, whether the venue counts in fixed or sliding windows. (The plain token
/// bucket with burst = capacity would allow up to 2·capacity − 1 in one venue window.)
///
/// A venue counter that decays by one unit every `d` ns up to a threshold `capacity` (Kraken) is
/// that GCRA exactly with `T = d`: the debt `tat − now` is the counter in units of `T`, and it
/// never exceeds `B ≤ capacity`. Its sustained rate is the venue's decay rate, not the window
/// bound's `(capacity − B + 1)/interval`, which would be half of it.
public struct GCRACell: Sendable, Hashable {
    /// Units allowed per ``interval`` (may be lowered by venue feedback, never raised).
    public private(set) var capacity: Int
    /// The limit's window, ns.
    public let interval: Nanoseconds
    /// How the burst and reserve are derived.
    public let policy: ThrottlePolicy
    /// The heaviest request this limit is expected to see (the burst is at least this plus the reserve).
    public let maxWeight: Int
    /// Set for a decaying-counter limit: ns per unit of decay, used as `T` (see the type's documentation).
    public let decayInterval: Nanoseconds?
    /// `B`: units that may go back to back after an idle period.
    public private(set) var burst: Int
    /// `R`: units of the burst only cancels may use.
    public private(set) var reserve: Int
    /// `T`: ns of "debt" one unit costs.
    public private(set) var emissionInterval: Nanoseconds
    /// Theoretical arrival time; `nil` until the first charge (an idle cell).
    public private(set) var tat: Nanoseconds?
    /// Nothing conforms before this time (a 429/418 or `retryAfter` from the venue).
    public private(set) var blockedUntil: Nanoseconds?

    /// A cell for `capacity` units per `interval`; `capacity` and `interval` are clamped to ≥ 1.
    /// `decayInterval` makes it a decaying counter of threshold `capacity` (`interval` then unused).
    public init(capacity: Int, interval: Nanoseconds, policy: ThrottlePolicy = ThrottlePolicy(), maxWeight: Int = 1,
                decayInterval: Nanoseconds? = nil) {
        self.capacity = max(1, capacity)
        self.interval = max(1, interval)
        self.policy = policy
        self.maxWeight = max(1, maxWeight)
        self.decayInterval = decayInterval.map { max(1, $0) }
        (burst, reserve, emissionInterval) = Self.parameters(capacity: self.capacity, interval: self.interval,
                                                             policy: policy, maxWeight: self.maxWeight, decayInterval: self.decayInterval)
    }

    /// `(B, R, T)` for a capacity; see the type's documentation.
    static func parameters(capacity: Int, interval: Nanoseconds, policy: ThrottlePolicy,
                           maxWeight: Int, decayInterval: Nanoseconds? = nil) -> (burst: Int, reserve: Int, emission: Nanoseconds) {
        var burst = max(1, (capacity * policy.burstPercent + 99) / 100)
        // A reserve needs a burst of at least 2 (one unit for new orders, one kept back).
        var reserve = 0
        if policy.cancelReservePercent > 0, burst >= 2 {
            reserve = min(burst - 1, max(1, (burst * policy.cancelReservePercent + 99) / 100))
        }
        // New orders must fit at all: raise the burst (within capacity) to cover their weight.
        if burst - reserve < maxWeight { burst = min(capacity, maxWeight + reserve) }
        if let decayInterval { return (burst, reserve, decayInterval) }
        let windows = Int64(capacity - burst + 1)
        let emission = (interval + windows - 1) / windows
        return (burst, reserve, emission)
    }

    /// The debt allowed after a request of this lane.
    private func allowance(usesReserve: Bool) -> Nanoseconds {
        Int64(usesReserve ? burst : burst - reserve) * emissionInterval
    }

    /// The earliest time at or after `now` when `weight` units conform.
    public func earliestTime(weight: Int, usesReserve: Bool, now: Nanoseconds) -> Nanoseconds {
        let cost = Int64(max(1, weight)) * emissionInterval
        let allowance = allowance(usesReserve: usesReserve)
        var earliest = now
        if let tat {
            // A request heavier than the allowance could never conform: let it go once the cell is
            // empty instead of dead-locking (it then overshoots by at most its own excess weight).
            earliest = cost <= allowance ? max(now, tat + cost - allowance) : max(now, tat)
        }
        if let blockedUntil { earliest = max(earliest, blockedUntil) }
        return earliest
    }

    /// Accounts for `weight` units sent at `now` (call only when ``earliestTime(weight:usesReserve:now:)`` ≤ `now`).
    public mutating func charge(weight: Int, now: Nanoseconds) {
        tat = max(tat ?? now, now) + Int64(max(1, weight)) * emissionInterval
    }

    /// Whole units a cancel could send right now.
    public func availableUnits(now: Nanoseconds) -> Int {
        if let blockedUntil, blockedUntil > now { return 0 }
        let debt = max(0, (tat ?? now) - now)
        return Int(max(0, Int64(burst) * emissionInterval - debt) / emissionInterval)
    }

    /// The venue says only `remaining` units are left in its current window (used/limit feedback):
    /// raise the debt so that at most that many can go now. Never loosens.
    public mutating func tighten(remaining: Int, now: Nanoseconds) {
        let keep = min(burst, max(0, remaining))
        let floor = now + Int64(burst - keep) * emissionInterval
        tat = max(tat ?? floor, floor)
    }

    /// The venue reports a smaller capacity than configured (its `exchangeInfo` is authoritative):
    /// adopt it, keeping the current debt in units. Larger reports are ignored (never loosen past
    /// the documented limit).
    public mutating func adopt(capacity newCapacity: Int, now: Nanoseconds) {
        guard newCapacity >= 1, newCapacity < capacity else { return }
        let debt = max(0, (tat ?? now) - now)
        let debtUnits = (debt + emissionInterval - 1) / emissionInterval
        capacity = newCapacity
        (burst, reserve, emissionInterval) = Self.parameters(capacity: capacity, interval: interval,
                                                             policy: policy, maxWeight: maxWeight, decayInterval: decayInterval)
        if tat != nil { tat = now + debtUnits * emissionInterval }
    }

    /// Holds everything until `time`; never shortens an existing block.
    public mutating func block(until time: Nanoseconds) {
        blockedUntil = max(blockedUntil ?? time, time)
    }

    /// Forgets all usage (a fresh connection gets a fresh per-connection budget); a block stays.
    public mutating func resetUsage() {
        tat = nil
    }
}
