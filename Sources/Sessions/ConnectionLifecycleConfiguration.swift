import MarketModel
import VenueKit

/// Tunables of a ``ConnectionLifecycle``; the venue facts themselves come from its
/// ``VenueKit/VenueSpec``.
public struct ConnectionLifecycleConfiguration: Sendable, Hashable {
    /// Reconnect backoff.
    public var backoff: ReconnectBackoffConfiguration
    /// Keep-alive and dead-peer tunables.
    public var keepAlive: KeepAliveConfiguration
    /// Outbound pacing; `nil` uses the spec's ``VenueKit/VenueSpec/maxOutboundMessagesPerSecond``.
    public var outbound: OutboundRateLimiterConfiguration?
    /// A handshake taking longer than this counts as a failed attempt.
    public var connectTimeout: Nanoseconds
    /// Data-idle window per connection; `nil`: twice the longest stale window of its subscriptions.
    public var dataIdleTimeout: Nanoseconds?
    /// Per-channel stale windows that override the spec's (configuration `stale_after`, SPEC §3).
    public var staleAfterOverrides: [Channel: Nanoseconds]
    /// How long before a forced lifetime (Binance 24 h [BN-STR]) the replacement is opened.
    public var rotationLead: Nanoseconds
    /// Extra random lead in `[0, rotationJitter]`, so connections opened together do not all
    /// rotate in the same minute.
    public var rotationJitter: Nanoseconds
    /// After the replacement is subscribed, how long to wait for every subscription's first data
    /// before cutting over anyway (sparse channels such as liquidations may stay silent).
    public var rotationSettleTimeout: Nanoseconds
    /// Consecutive failures on an endpoint before failing over to the next URL.
    public var failoverThreshold: Int
    /// How long a failover endpoint must serve before we rotate back to the primary.
    public var returnToPrimaryAfter: Nanoseconds

    /// Memberwise initializer with defaults.
    public init(backoff: ReconnectBackoffConfiguration = ReconnectBackoffConfiguration(),
                keepAlive: KeepAliveConfiguration = KeepAliveConfiguration(),
                outbound: OutboundRateLimiterConfiguration? = nil,
                connectTimeout: Nanoseconds = Interval.seconds(10), dataIdleTimeout: Nanoseconds? = nil,
                staleAfterOverrides: [Channel: Nanoseconds] = [:], rotationLead: Nanoseconds = Interval.minutes(10),
                rotationJitter: Nanoseconds = Interval.minutes(5), rotationSettleTimeout: Nanoseconds = Interval.seconds(30),
                failoverThreshold: Int = 3, returnToPrimaryAfter: Nanoseconds = Interval.minutes(10)) {
        self.backoff = backoff
        self.keepAlive = keepAlive
        self.outbound = outbound
        self.connectTimeout = max(1, connectTimeout)
        self.dataIdleTimeout = dataIdleTimeout
        self.staleAfterOverrides = staleAfterOverrides
        self.rotationLead = max(0, rotationLead)
        self.rotationJitter = max(0, rotationJitter)
        self.rotationSettleTimeout = max(1, rotationSettleTimeout)
        self.failoverThreshold = max(1, failoverThreshold)
        self.returnToPrimaryAfter = max(0, returnToPrimaryAfter)
    }
}
