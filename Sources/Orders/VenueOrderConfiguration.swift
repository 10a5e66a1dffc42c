import MarketModel
import VenueKit

/// Everything the multiplexer needs to know about one venue's order entry.
public struct VenueOrderConfiguration: Sendable {
    /// The venue.
    public var venue: VenueID
    /// The venue's order-entry facts; `nil` for a venue without WebSocket order entry (Coinbase,
    /// BitMEX: VENUES.md §2.6, §7.6), whose orders are refused as `unsupported`.
    public var spec: OrderEntrySpec?
    /// Why this venue takes no orders in this run (its trading rules could not be loaded, …): the
    /// text of the `unsupported` answer; `nil` gives the generic "has no WebSocket order entry".
    public var unavailableReason: String?
    /// Builds the frames (``RoutingFrameBuilder`` in production); `nil` is treated like `spec == nil`.
    public var frameBuilder: (any OrderFrameBuilder)?
    /// The account the credentials belong to: account-scope limits are shared by every venue
    /// configuration naming the same account. Defaults to the venue id.
    public var account: String
    /// Trading rules per symbol; a symbol absent here is refused as `unknown_symbol`.
    public var instruments: [Symbol: InstrumentRules]
    /// Sides the venue (or this deployment) allows.
    public var supportedSides: Set<Side>
    /// Order types the router can express.
    public var supportedTypes: Set<OrderType>
    /// Times in force the router can express.
    public var supportedTimeInForce: Set<TimeInForce>
    /// The longest a new order may wait in the queue; one that waited longer is `expired`, never sent late.
    public var maxQueueAge: Nanoseconds
    /// The stale-data guard.
    public var staleDataGuard: StaleDataGuardConfiguration
    /// Burst and cancel reserve of every limit.
    public var throttlePolicy: ThrottlePolicy
    /// How long to hold the throttle after a rate-limit rejection that carries no `retryAfter`.
    public var defaultRetryAfter: Nanoseconds
    /// Maps the names routers put in ``VenueKit/RateLimitFeedback/name`` (Binance `"ORDERS 10 SECOND"`,
    /// Bybit `"order.create"`) to the ``VenueKit/OrderRateLimit/name`` they report on (`"orders/10s"`).
    /// Feedback whose name is neither a limit name nor a key here only honours its `retryAfter`.
    public var feedbackLimitNames: [String: String]

    /// Memberwise initializer with the usual defaults (both sides, limit + market, every time in
    /// force, 5 s queue TTL, guard on, 50 % burst with a 20 % cancel reserve, 1 s default back-off).
    public init(venue: VenueID, spec: OrderEntrySpec?, frameBuilder: (any OrderFrameBuilder)?,
                account: String? = nil, instruments: [Symbol: InstrumentRules],
                supportedSides: Set<Side> = Set(Side.allCases),
                supportedTypes: Set<OrderType> = Set(OrderType.allCases),
                supportedTimeInForce: Set<TimeInForce> = Set(TimeInForce.allCases),
                maxQueueAge: Nanoseconds = Interval.seconds(5),
                staleDataGuard: StaleDataGuardConfiguration = .on,
                throttlePolicy: ThrottlePolicy = ThrottlePolicy(),
                defaultRetryAfter: Nanoseconds = Interval.seconds(1), feedbackLimitNames: [String: String] = [:]) {
        self.venue = venue
        self.spec = spec
        self.frameBuilder = frameBuilder
        self.account = account ?? venue.rawValue
        self.instruments = instruments
        self.supportedSides = supportedSides
        self.supportedTypes = supportedTypes
        self.supportedTimeInForce = supportedTimeInForce
        self.maxQueueAge = maxQueueAge
        self.staleDataGuard = staleDataGuard
        self.throttlePolicy = throttlePolicy
        self.defaultRetryAfter = defaultRetryAfter
        self.feedbackLimitNames = feedbackLimitNames
    }
}
