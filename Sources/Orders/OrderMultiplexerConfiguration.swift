import MarketModel

/// The tunables of ``OrderMultiplexer``.
public struct OrderMultiplexerConfiguration: Sendable {
    /// One entry per venue served (order entry or not: a venue listed without a spec answers `unsupported`).
    public var venues: [VenueOrderConfiguration]
    /// How long a finished order's client order id stays reserved (duplicates refused) and its
    /// venue id stays mapped (late venue messages recognised and ignored).
    public var idRetention: Nanoseconds
    /// Bound on one subscriber's queued (not yet sent) new orders per venue.
    public var maxQueuedOrdersPerSubscriber: Int
    /// First value of the venue client order id counter. Inject something that grows across
    /// restarts (the start time in ms) so ids are never reused; tests inject a constant.
    public var clientOrderIDSeed: UInt64
    /// Letters and digits put in front of alphanumeric venue client order ids (`"mm"`).
    public var clientOrderIDPrefix: String
    /// Which orders are queried after a reconnect.
    public var reconcileScope: ReconcileScope
    /// Status queries per order per connection before the order is left `unknown` with a diagnostic.
    public var maxStatusAttempts: Int

    /// Memberwise initializer.
    public init(venues: [VenueOrderConfiguration], idRetention: Nanoseconds = Interval.hours(1),
                maxQueuedOrdersPerSubscriber: Int = 1000, clientOrderIDSeed: UInt64 = 1,
                clientOrderIDPrefix: String = "mm", reconcileScope: ReconcileScope = .allOpen,
                maxStatusAttempts: Int = 3) {
        self.venues = venues
        self.idRetention = idRetention
        self.maxQueuedOrdersPerSubscriber = max(1, maxQueuedOrdersPerSubscriber)
        self.clientOrderIDSeed = max(1, clientOrderIDSeed)
        self.clientOrderIDPrefix = clientOrderIDPrefix
        self.reconcileScope = reconcileScope
        self.maxStatusAttempts = max(1, maxStatusAttempts)
    }
}
