import MarketModel
import NIOCore

/// The sans-IO fan-out: subscribers, their filters and queues, routing, request handling and the
/// slow-consumer policy. ``FanoutHub`` runs one on an event loop and performs its actions;
/// tests drive it with explicit calls.
///
/// Each routed event is encoded once (without `seq`) into one shared line; every subscriber
/// queue that takes it holds the same bytes, and `seq` is spliced in when the line is written.
public struct FanoutCore: Sendable {
    struct Subscriber: Sendable {
        var filters: [SubscriptionFilter] = []
        var queue: SubscriberQueue
        /// A `.write` action is outstanding.
        var isScheduled = false
    }

    /// Which subscribers get events of one stream; cached because events of a stream come by
    /// the thousand while subscriptions change rarely.
    struct RouteKey: Hashable {
        var venue: VenueID
        var channel: MarketModel.Channel?
        var symbol: Symbol?
    }

    /// The bounds.
    public let configuration: FanoutConfiguration
    /// What subscriptions and orders are validated against.
    public var catalog: Catalog
    /// Whether `order.place` / `order.cancel` go to an order handler (else `unsupported`).
    public var isOrderEntryEnabled = false
    /// Set by ``shutdown(reason:into:)``: no new subscribers, every queue finishing.
    public private(set) var isShuttingDown = false
    /// Cumulative counters (metrics).
    public private(set) var totals = FanoutStatistics.Totals()

    var books: any BookSnapshotProvider
    var subscribers: [SubscriberID: Subscriber] = [:]
    var streams: [RouteKey: StatusEvent] = [:]
    private var nextID: UInt64 = 1
    private var routes: [RouteKey: [SubscriberID]] = [:]
    var encoder = NDJSONEncoder()
    private var lineScratch: [UInt8] = []
    private var snapshotScratch: [UInt8] = []

    /// A hub with no subscribers. `books` answers snapshot requests (default: a ``BookCache``
    /// fed by the published events).
    public init(configuration: FanoutConfiguration = FanoutConfiguration(), catalog: Catalog,
                books: any BookSnapshotProvider = BookCache()) {
        self.configuration = configuration
        self.catalog = catalog
        self.books = books
    }

    // MARK: - Subscribers

    /// Number of connected subscribers.
    public var subscriberCount: Int { subscribers.count }

    /// Registers a new connection, or returns `nil` when at the connection limit or shutting down.
    public mutating func connect() -> SubscriberID? {
        guard !isShuttingDown, subscribers.count < configuration.maxSubscribers else {
            totals.subscribersRefused &+= 1
            return nil
        }
        totals.subscribersAccepted &+= 1
        let id = SubscriberID(rawValue: nextID)
        nextID += 1
        subscribers[id] = Subscriber(queue: SubscriberQueue(configuration: configuration.queue))
        return id
    }

    /// Forgets a connection (closed by either side); its queue is freed.
    public mutating func disconnect(_ id: SubscriberID) {
        guard let gone = subscribers.removeValue(forKey: id) else { return }
        totals.departedConflatedUpdates &+= UInt64(gone.queue.statistics.conflatedUpdates)
        totals.departedLagEpisodes &+= UInt64(gone.queue.statistics.lagEpisodes)
        if gone.queue.statistics.overflowed { totals.overflowDisconnects &+= 1 }
        routes.removeAll(keepingCapacity: true)
    }

    /// The filters `id` holds, in subscription order.
    public func filters(of id: SubscriberID) -> [SubscriptionFilter] { subscribers[id]?.filters ?? [] }

    /// The queue of `id` (counters, state), for status pages and tests.
    public func queue(of id: SubscriberID) -> SubscriberQueue? { subscribers[id]?.queue }

    /// Bytes queued for `id` (0 if unknown), without copying its queue.
    public func queuedBytes(of id: SubscriberID) -> Int {
        guard let index = subscribers.index(forKey: id) else { return 0 }
        return subscribers.values[index].queue.queuedBytes
    }

    /// Every connected subscriber.
    public var subscriberIDs: [SubscriberID] { subscribers.keys.sorted() }

    // MARK: - Events

    /// Routes one event to every matching subscriber. `order` events are not routed here: they
    /// belong to one connection (``deliver(_:to:into:)``).
    public mutating func publish(_ event: MarketEvent, into actions: inout [FanoutAction]) {
        totals.eventsPublished &+= 1
        books.observe(event)
        if case .status(let status) = event { remember(status) }
        if case .order = event { return }
        let key = RouteKey(venue: event.venue, channel: event.channel, symbol: event.symbol)
        let targets = route(key)
        guard !targets.isEmpty else { return }
        let line = encodeShared(event)
        var book: (key: BookKey, isSnapshot: Bool)?
        if case .book(let update) = event { book = (BookKey(update), update.isSnapshot) }
        for id in targets {
            guard let index = subscribers.index(forKey: id) else { continue }
            let outcome = subscribers.values[index].queue.push(line, book: book)
            if outcome != .ignored { schedule(index, id, &actions) }
            if outcome == .overflowed { actions.append(.disconnect(id)) }
        }
    }

    /// Queues an order update for the connection that placed the order (dropped if it is gone:
    /// the order ledger, not the socket, is the record).
    public mutating func deliver(_ update: OrderUpdate, to id: SubscriberID, into actions: inout [FanoutAction]) {
        guard let index = subscribers.index(forKey: id) else { return }
        var bytes: [UInt8] = []
        encoder.encode(update, into: &bytes)
        let outcome = subscribers.values[index].queue.push(EncodedLine(bytes))
        if outcome != .ignored { schedule(index, id, &actions) }
        if outcome == .overflowed { actions.append(.disconnect(id)) }
    }

    /// Encodes `event` once for every subscriber. The scratch buffer is reused whenever the
    /// previous line has already been written everywhere (no allocation in steady state).
    private mutating func encodeShared(_ event: MarketEvent) -> EncodedLine {
        lineScratch.removeAll(keepingCapacity: true)
        encoder.encode(event, into: &lineScratch)
        return EncodedLine(lineScratch)
    }

    private mutating func route(_ key: RouteKey) -> [SubscriberID] {
        if let cached = routes[key] { return cached }
        var targets: [SubscriberID] = []
        for (id, subscriber) in subscribers
        where subscriber.filters.contains(where: { $0.matches(venue: key.venue, channel: key.channel, symbol: key.symbol) }) {
            targets.append(id)
        }
        targets.sort()
        if routes.count >= 4096 { routes.removeAll(keepingCapacity: true) }
        routes[key] = targets
        return targets
    }

    /// Subscriptions changed: recompute routes on demand.
    mutating func invalidateRoutes() {
        routes.removeAll(keepingCapacity: true)
    }

    private mutating func remember(_ status: StatusEvent) {
        let key = RouteKey(venue: status.venue, channel: status.channel, symbol: status.symbol)
        guard streams[key] != nil || streams.count < configuration.maxTrackedStreams else { return }
        streams[key] = status
    }

    mutating func schedule(_ index: Dictionary<SubscriberID, Subscriber>.Index, _ id: SubscriberID, _ actions: inout [FanoutAction]) {
        guard !subscribers.values[index].isScheduled else { return }
        subscribers.values[index].isScheduled = true
        actions.append(.write(id))
    }

    // MARK: - Writing

    /// Acknowledges a `.write` action: later pushes schedule a new one. Call before draining.
    public mutating func beginWrite(_ id: SubscriberID) {
        guard let index = subscribers.index(forKey: id) else { return }
        subscribers.values[index].isScheduled = false
    }

    /// Moves up to about `maxBytes` of `id`'s queued lines into `buffer` (see
    /// ``SubscriberQueue/drain(into:maxBytes:books:scratch:)``); `.finished` means close the
    /// connection once `buffer` is flushed. An unknown subscriber is `.finished`.
    public mutating func drain(_ id: SubscriberID, into buffer: inout ByteBuffer, maxBytes: Int) -> SubscriberQueue.DrainOutcome {
        guard let index = subscribers.index(forKey: id) else { return .finished }
        return subscribers.values[index].queue.drain(into: &buffer, maxBytes: maxBytes, books: books, scratch: &snapshotScratch)
    }

    // MARK: - Shutdown

    /// Graceful end: no new subscribers; every queue gets `{"type":"status","venue":"*","state":"disconnected","reason":reason}`
    /// after what it already holds, and drains to `.finished`.
    public mutating func shutdown(reason: String, into actions: inout [FanoutAction]) {
        isShuttingDown = true
        let line = SubscriberQueue.notice(.disconnected, reason)
        for id in subscribers.keys.sorted() {
            guard let index = subscribers.index(forKey: id) else { continue }
            subscribers.values[index].queue.finish(with: line)
            schedule(index, id, &actions)
        }
    }
}
