import MarketModel

/// Tunables of ``ReconnectBackoff``. Defaults follow common practice for market-data feeds:
/// first retry within 1 s, never wait more than 60 s of our own accord, and forget past failures
/// only after a connection has survived 60 s (a venue that accepts and drops at once must not
/// reset the backoff every time).
public struct ReconnectBackoffConfiguration: Sendable, Hashable {
    /// `base` of the AWS "full jitter" formula: the ceiling of the first retry.
    public var base: Nanoseconds
    /// `cap` of the formula: the largest delay we choose ourselves.
    public var cap: Nanoseconds
    /// How long a connection must stay up before the attempt counter resets to 0.
    public var stablePeriod: Nanoseconds
    /// Delay imposed by HTTP 429 without a `Retry-After` (Binance: "back off" — 429 repeated
    /// leads to a 418 ban, so the default is generous).
    public var rateLimitedDelay: Nanoseconds
    /// Delay imposed by HTTP 418 without a `Retry-After`: Binance IP bans last 2 min … 3 days
    /// (BN-API), so at least the shortest ban.
    public var bannedDelay: Nanoseconds
    /// Minimum delays imposed by WebSocket close codes: 1008 (policy violation — Binance's
    /// "Too many requests" [POLY]) and 1013 (try again later, IANA registry of RFC 6455 §11.7).
    public var closeCodeDelays: [UInt16: Nanoseconds]
    /// Upper bound on any server-imposed delay (Binance's longest ban is 3 days), so a
    /// corrupted `Retry-After` cannot park a connection forever.
    public var maxImposedDelay: Nanoseconds

    /// Memberwise initializer with the defaults described on each property.
    public init(base: Nanoseconds = Interval.seconds(1), cap: Nanoseconds = Interval.seconds(60),
                stablePeriod: Nanoseconds = Interval.seconds(60), rateLimitedDelay: Nanoseconds = Interval.seconds(60),
                bannedDelay: Nanoseconds = Interval.minutes(2),
                closeCodeDelays: [UInt16: Nanoseconds] = [1008: Interval.seconds(10), 1013: Interval.seconds(5)],
                maxImposedDelay: Nanoseconds = Interval.hours(72)) {
        self.base = max(1, base)
        self.cap = max(self.base, cap)
        self.stablePeriod = max(0, stablePeriod)
        self.rateLimitedDelay = rateLimitedDelay
        self.bannedDelay = bannedDelay
        self.closeCodeDelays = closeCodeDelays
        self.maxImposedDelay = maxImposedDelay
    }

    /// The minimum delay the server imposed with `failure`, or `nil` when it imposed none.
    /// An explicit `retryAfter` wins; otherwise HTTP 418/429 and known close codes map to the
    /// defaults above. Always clamped to ``maxImposedDelay``.
    public func imposedDelay(for failure: TransportFailure) -> Nanoseconds? {
        var delay: Nanoseconds?
        if let retryAfter = failure.retryAfter {
            delay = retryAfter
        } else if failure.httpStatus == 418 {
            delay = bannedDelay
        } else if failure.httpStatus == 429 {
            delay = rateLimitedDelay
        } else if let code = failure.closeCode, let byCode = closeCodeDelays[code] {
            delay = byCode
        }
        return delay.map { min(max(0, $0), maxImposedDelay) }
    }
}
