import MarketModel

/// Capped exponential backoff with **full jitter** for reconnects.
///
/// The delay before retry `n` (0-based, counting failures since the last stable connection) is
/// `random(0, min(cap, base · 2ⁿ))` — the "Full Jitter" variant of Marc Brooker's AWS
/// Architecture Blog post *Exponential Backoff and Jitter* (2015), which spreads a crowd of
/// clients that failed together evenly over the whole window instead of re-synchronising them.
/// A server-imposed delay (HTTP 429/418 `Retry-After`, Binance IP ban, close 1008/1013) is a
/// floor: the result is `max(jittered, imposed)`.
///
/// The attempt counter resets only after a connection stayed up for
/// ``ReconnectBackoffConfiguration/stablePeriod``: a venue that accepts and immediately drops
/// us keeps growing the delay (sans-IO; time and randomness are injected).
public struct ReconnectBackoff: Sendable, Hashable {
    /// The tunables.
    public let configuration: ReconnectBackoffConfiguration
    /// Failures since the last stable connection; the exponent of the next delay.
    public private(set) var attempt: Int = 0
    /// When the current connection opened, if one is open.
    public private(set) var connectedAt: Nanoseconds?

    /// A backoff with no failures recorded.
    public init(configuration: ReconnectBackoffConfiguration = ReconnectBackoffConfiguration()) {
        self.configuration = configuration
    }

    /// The jitter ceiling for `attempt`: `min(cap, base · 2^attempt)`, overflow-safe.
    public func ceiling(forAttempt attempt: Int) -> Nanoseconds {
        let base = configuration.base
        let cap = configuration.cap
        guard attempt > 0 else { return min(cap, base) }
        // base · 2^attempt > cap ⇔ attempt > log2(cap / base); shifting past that would overflow.
        if attempt >= 62 || base > (cap >> Int64(attempt)) { return cap }
        return min(cap, base << Int64(attempt))
    }

    /// Records that a connection opened at `now` (the stable-period clock starts).
    public mutating func recordConnected(now: Nanoseconds) {
        connectedAt = now
    }

    /// Whether the open connection has stayed up long enough to forget earlier failures.
    public func isStable(now: Nanoseconds) -> Bool {
        guard let connectedAt else { return false }
        return now - connectedAt >= configuration.stablePeriod
    }

    /// Records a failure at `now` (a refused connect or a dropped connection) and returns how
    /// long to wait before the next attempt: `max(random(0, ceiling(attempt)), imposed)`.
    /// If the connection that just ended had been stable, the attempt counter restarts at 0.
    public mutating func recordFailure(now: Nanoseconds, imposedDelay: Nanoseconds? = nil,
                                       using random: inout some RandomNumberGenerator) -> Nanoseconds {
        if isStable(now: now) { attempt = 0 }
        connectedAt = nil
        let ceiling = ceiling(forAttempt: attempt)
        let jittered = Int64.random(in: 0...ceiling, using: &random)
        // Saturate so a very long run of failures cannot overflow the counter.
        if attempt < Int.max { attempt += 1 }
        return max(jittered, imposedDelay ?? 0)
    }

    /// Records a failure caused by `failure`, taking the delay it imposes from the configuration.
    public mutating func recordFailure(_ failure: TransportFailure, now: Nanoseconds,
                                       using random: inout some RandomNumberGenerator) -> Nanoseconds {
        recordFailure(now: now, imposedDelay: configuration.imposedDelay(for: failure), using: &random)
    }

    /// Forgets all failures (an operator-requested restart).
    public mutating func reset() {
        attempt = 0
        connectedAt = nil
    }
}
