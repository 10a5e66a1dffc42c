import MarketModel
import VenueKit

/// The order multiplexer's sans-IO core (ARCHITECTURE: `Orders`): validation, priority lanes,
/// per-connection and per-account throttles, queue TTL, the stale-data guard, the client order
/// id ledger, and unknown-outcome handling with reconciliation after a reconnect.
///
/// It performs no I/O and reads no clock: every entry point takes `now` (ns, monotonic within a
/// run) and returns the ``OrderAction``s the shell must perform, in order. The shell
/// (docs/orders.md) owns the sockets, one order connection per venue, and one timer:
///
/// - subscriber requests → ``submit(_:from:now:)``; a subscriber leaving → ``onSubscriberGone(_:now:)``
/// - the venue connection authenticated / lost → ``onConnectionUp(venue:now:)`` / ``onConnectionDown(venue:now:)``
/// - each parsed ``VenueKit/OrderVenueEvent`` → ``onVenueEvent(_:venue:now:)``
/// - market-data `status` events → ``onMarketStatus(_:)`` (feeds the stale-data guard)
/// - the timer asked for by ``OrderAction/scheduleWakeUp(at:)`` → ``onTick(now:)``
/// - an operator's kill switch → ``killSwitch(venue:symbol:now:)``
///
/// Guarantees (tested, including by a seeded randomized simulation): every accepted
/// `order.place` ends in exactly one terminal update; nothing is sent beyond any configured
/// limit in any window; an order whose outcome a disconnect hid becomes `unknown` and is
/// resolved by a status query, never resent; a place frame goes out again only after the
/// venue refused it for rate limits (it did not take it).
public struct OrderMultiplexer: Sendable {
    /// A finished order waiting to leave the ledger.
    struct Finished: Sendable {
        var key: OrderKey
        var at: Nanoseconds
    }

    /// The tunables.
    public let configuration: OrderMultiplexerConfiguration
    /// Every rate-limit cell (read-only: status pages and tests).
    public internal(set) var throttle = OrderThrottle()
    /// The stale-data guard's view of market data.
    public internal(set) var marketData = MarketDataGuard()

    var venues: [VenueID: VenueOrderConfiguration] = [:]
    var desks: [VenueID: VenueDesk] = [:]
    /// Venue ids with a desk, sorted: iteration order must not depend on hashing (replays).
    var deskOrder: [VenueID] = []
    var records: [OrderKey: OrderRecord] = [:]
    /// Ordinal of each record (submission order), for deterministic iteration.
    var ordinals: [OrderKey: UInt64] = [:]
    var nextOrdinal: UInt64 = 0
    var byVenueClientID: [VenueID: [String: OrderKey]] = [:]
    var byVenueOrderID: [VenueID: [String: OrderKey]] = [:]
    var finished = FIFOQueue<Finished>()
    var idGenerator: VenueClientOrderIDGenerator
    var nextRequestNumber: UInt64 = 1
    var cancelOnDisconnect: Set<OrderSubscriber> = []
    /// The wake-up last requested and not yet reached (requests are not repeated).
    var armedWakeUp: Nanoseconds?

    /// A multiplexer with every venue's connection down and nothing queued.
    public init(configuration: OrderMultiplexerConfiguration) {
        self.configuration = configuration
        self.idGenerator = VenueClientOrderIDGenerator(seed: configuration.clientOrderIDSeed,
                                                       prefix: configuration.clientOrderIDPrefix)
        for venue in configuration.venues {
            venues[venue.venue] = venue
            guard let spec = venue.spec, let builder = venue.frameBuilder else { continue }
            let desk = VenueDesk(configuration: venue, spec: spec, builder: builder)
            for limit in spec.limits {
                let key = VenueDesk.key(for: limit, configuration: venue)
                // Account cells are shared: the first venue naming the account registers them.
                guard throttle.cells[key] == nil else { continue }
                let maxWeight = limit.appliesTo.map { spec.maxWeight(of: $0) }.max() ?? 1
                throttle.register(key, cell: GCRACell(capacity: limit.capacity, interval: limit.interval,
                                                      policy: venue.throttlePolicy, maxWeight: maxWeight, decayInterval: limit.decayInterval))
            }
            desks[venue.venue] = desk
        }
        deskOrder = desks.keys.sorted()
    }

    /// The ledger entry of an order (open, or finished within the retention window).
    public func order(_ key: OrderKey) -> OrderRecord? { records[key] }

    /// The ledger entry of an order by subscriber and client order id.
    public func order(subscriber: OrderSubscriber, clientOrderID: String) -> OrderRecord? {
        records[OrderKey(subscriber: subscriber, clientOrderID: clientOrderID)]
    }

    /// New orders waiting on `venue` (the status page's "throttle queue").
    public func queuedOrderCount(venue: VenueID) -> Int { desks[venue]?.newLane.count ?? 0 }

    /// Requests sent on `venue`'s connection and not yet answered.
    public func inFlightCount(venue: VenueID) -> Int { desks[venue]?.pending.count ?? 0 }

    /// Whether `venue`'s order connection is up (as last told).
    public func isConnectionUp(venue: VenueID) -> Bool { desks[venue]?.isUp ?? false }

    /// Every order not yet terminal, in submission order.
    public var openOrders: [OrderRecord] {
        sortedKeys { $0.isOpen }.compactMap { records[$0] }
    }

    /// Keys of the records matching `predicate`, in submission order.
    func sortedKeys(where predicate: (OrderRecord) -> Bool) -> [OrderKey] {
        records.values.filter(predicate).map(\.key).sorted { (ordinals[$0] ?? 0) < (ordinals[$1] ?? 0) }
    }

    /// Tells the core whether `subscriber`'s open orders are canceled when it goes away
    /// (off unless asked; set it when the subscriber connects or in its first order request).
    public mutating func setCancelOnDisconnect(_ isEnabled: Bool, for subscriber: OrderSubscriber) {
        if isEnabled { cancelOnDisconnect.insert(subscriber) } else { cancelOnDisconnect.remove(subscriber) }
    }

    /// Feeds the stale-data guard with a market-data `status` event (SPEC §5). No actions:
    /// queued orders are not re-checked (the guard gates admission; the TTL bounds the wait).
    public mutating func onMarketStatus(_ status: StatusEvent) {
        marketData.record(status)
    }

    /// The timer fired: expires overdue orders, sends whatever the throttle now allows.
    public mutating func onTick(now: Nanoseconds) -> [OrderAction] {
        if let armed = armedWakeUp, armed <= now { armedWakeUp = nil }
        var actions: [OrderAction] = []
        finishCall(now: now, into: &actions)
        return actions
    }
}
