import MarketModel

/// Chooses which of a venue's market-data URLs (``VenueKit/VenueSpec/marketDataURLs``: primary
/// first, failovers after) the next connect goes to, with deliberately simple health:
///
/// - `failoverThreshold` consecutive failures on the current endpoint move to the next one
///   (wrapping around); a non-retryable failure (bad certificate, 404) moves at once;
/// - data arriving on a connection clears the current endpoint's failure count;
/// - after a connection on a failover endpoint has been healthy for `returnToPrimaryAfter`,
///   ``shouldReturnToPrimary(endpoint:connectedAt:now:)`` says so; the lifecycle then rotates back
///   make-before-break, and only a successful cut-over makes the primary current again.
public struct EndpointSelector: Sendable, Hashable {
    /// The candidate URLs, primary first.
    public let urls: [String]
    /// Consecutive failures that trigger a failover.
    public let failoverThreshold: Int
    /// How long a failover endpoint must serve well before we try the primary again.
    public let returnToPrimaryAfter: Nanoseconds
    /// Index of the endpoint the next connect uses.
    public private(set) var current = 0
    /// Consecutive failures on ``current``.
    public private(set) var consecutiveFailures = 0
    /// Non-retryable failures in a row, across endpoints; when it reaches `urls.count` every
    /// endpoint refused us for good.
    public private(set) var consecutiveFatalFailures = 0

    /// A selector over `urls` (at least one is expected; an empty list yields `""`).
    public init(urls: [String], failoverThreshold: Int = 3, returnToPrimaryAfter: Nanoseconds = Interval.minutes(10)) {
        self.urls = urls.isEmpty ? [""] : urls
        self.failoverThreshold = max(1, failoverThreshold)
        self.returnToPrimaryAfter = max(0, returnToPrimaryAfter)
    }

    /// The URL of endpoint `index` (wrapped into range).
    public func url(at index: Int) -> String { urls[((index % urls.count) + urls.count) % urls.count] }

    /// The URL the next connect uses.
    public var currentURL: String { url(at: current) }

    /// Whether every endpoint has failed non-retryably since the last success.
    public var isExhausted: Bool { consecutiveFatalFailures >= urls.count }

    /// Records a failed connect or an early drop on `endpoint`; returns `true` when it moved
    /// ``current`` to the next endpoint. Failures of an endpoint that is not current (a failed
    /// return-to-primary probe) do not count against the current one.
    @discardableResult
    public mutating func recordFailure(endpoint: Int, isRetryable: Bool = true) -> Bool {
        guard endpoint == current else { return false }
        consecutiveFatalFailures = isRetryable ? 0 : consecutiveFatalFailures + 1
        consecutiveFailures += 1
        if !isRetryable || consecutiveFailures >= failoverThreshold {
            guard urls.count > 1 else {
                consecutiveFailures = 0
                return false
            }
            current = (current + 1) % urls.count
            consecutiveFailures = 0
            return true
        }
        return false
    }

    /// Records that `endpoint` delivered data: its failure counts clear.
    public mutating func recordSuccess(endpoint: Int) {
        guard endpoint == current else { return }
        consecutiveFailures = 0
        consecutiveFatalFailures = 0
    }

    /// Whether a connection on `endpoint`, up since `connectedAt`, should move back to the primary.
    public func shouldReturnToPrimary(endpoint: Int, connectedAt: Nanoseconds, now: Nanoseconds) -> Bool {
        endpoint != 0 && urls.count > 1 && now - connectedAt >= returnToPrimaryAfter
    }

    /// When ``shouldReturnToPrimary(endpoint:connectedAt:now:)`` becomes true, `nil` if never.
    public func returnToPrimaryTime(endpoint: Int, connectedAt: Nanoseconds) -> Nanoseconds? {
        endpoint != 0 && urls.count > 1 ? connectedAt + returnToPrimaryAfter : nil
    }

    /// Makes `endpoint` current with a clean record (a completed cut-over to it).
    public mutating func adopt(endpoint: Int) {
        current = ((endpoint % urls.count) + urls.count) % urls.count
        consecutiveFailures = 0
        consecutiveFatalFailures = 0
    }
}
