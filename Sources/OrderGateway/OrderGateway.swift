import Dispatch
import Fanout
import MarketModel
import NIOCore
import Orders
import VenueKit
#if canImport(Glibc)
import Glibc
#endif

/// The order multiplexer's I/O shell (ARCHITECTURE: subscribers → Orders → Venues → Sessions →
/// venue → Orders → subscriber). It takes `order.place` / `order.cancel` from its front ends —
/// the local socket (``Fanout/OrderHandler``) and NATS request-reply (``NATSOrderIntake``), both
/// through ``submit(_:from:replies:)`` with their own ``Fanout/OrderReplySink`` — drives the
/// sans-IO ``Orders/OrderMultiplexer`` on one event loop,
/// keeps one authenticated ``OrderLink`` per venue, and routes acks, fills and cancels back to
/// the client that placed the order.
///
/// The core reads its time from here: wall-clock nanoseconds, because venue signatures and
/// `timestamp` fields need epoch time and the throttle tolerates the rare NTP slew.
public final class OrderGateway: OrderHandler, OrderLinkDelegate, StatusReconcilerDelegate, @unchecked Sendable {
    /// The loop that owns the core, the links and the timer.
    public let eventLoop: any EventLoop
    private var core: OrderMultiplexer
    private var links: [VenueID: any AnyOrderLink] = [:]
    /// REST status queriers of the venues whose WebSocket has no status query.
    private var reconcilers: [VenueID: any AnyStatusReconciler] = [:]
    private var correlators: [VenueID: ReplyCorrelator] = [:]
    /// Where each subscriber's order updates go (any of its reply sinks reaches it).
    private var routes: [OrderSubscriber: any OrderReplySink] = [:]
    /// Requests waiting for the core's accept/reject.
    private var pendingReplies: [OrderSubscriber: [String: any OrderReplySink]] = [:]
    /// Who placed each open order, by venue and client order id, so `marketmux order cancel` from
    /// another connection can cancel it on the owner's behalf.
    private var owners: [OwnerKey: OrderSubscriber] = [:]
    /// Connections that asked to cancel someone else's order and follow its updates.
    private var watchers: [WatchKey: [Watcher]] = [:]
    private var pendingPlacements: [WatchKey: OwnerKey] = [:]
    private var nextRelayID = 1
    private var timer: Scheduled<Void>?
    private var timerDeadline: Int64?
    private let log: @Sendable (String, Bool) -> Void
    /// Set by ``stop()``: the order connections then close because we asked, which the log
    /// reports as information rather than as errors.
    private var isStopping = false
    /// Counters for status pages (read on the loop, or via ``snapshot()``).
    public private(set) var counters = OrderGatewayCounters()

    /// A gateway for `configuration`'s venues; `routerTypes` supplies the router of each venue
    /// (``Venues/OrderRouterRegistry/routerType(for:)``). `log(message, isError)` gets operator lines
    /// (never secrets: frames are not logged).
    public init(configuration: OrderGatewayConfiguration, routerTypes: [VenueID: any OrderRouting.Type],
                eventLoop: any EventLoop, log: @escaping @Sendable (String, Bool) -> Void) {
        self.eventLoop = eventLoop
        self.log = log
        var multiplexer = configuration.multiplexer
        var linkFactories: [(OrderGateway) -> any AnyOrderLink] = []
        var reconcilerFactories: [(OrderGateway) -> any AnyStatusReconciler] = []
        for index in multiplexer.venues.indices {
            let venue = multiplexer.venues[index].venue
            guard let routerType = routerTypes[venue], let endpoint = configuration.endpoints[venue] else {
                multiplexer.venues[index].spec = nil  // refused as `unsupported` by the core
                multiplexer.venues[index].frameBuilder = nil
                continue
            }
            // The router's published limits, unless the configuration brings its own (a higher
            // account tier, or a test that scales the venue's limits and the simulator's together).
            multiplexer.venues[index].spec = multiplexer.venues[index].spec ?? routerType.orderSpec
            // One credentials box per venue: the link's logins, the core's frames and the REST
            // queries all read it, so a token refreshed on reconnect reaches every one of them.
            let credentials = SharedCredentials(endpoint.credentials)
            multiplexer.venues[index].frameBuilder = Self.frameBuilder(routerType, endpoint: endpoint, credentials: credentials)
            linkFactories.append { gateway in
                Self.makeLink(routerType, endpoint: endpoint, credentials: credentials, configuration: configuration, gateway: gateway)
            }
            if let restType = routerType as? any RESTStatusQuerying.Type {
                reconcilerFactories.append { gateway in
                    gateway.makeReconciler(restType, endpoint: endpoint, credentials: credentials, configuration: configuration)
                }
            }
        }
        core = OrderMultiplexer(configuration: multiplexer)
        for factory in linkFactories {
            let link = factory(self)
            links[link.venue] = link
        }
        for factory in reconcilerFactories {
            let reconciler = factory(self)
            reconcilers[reconciler.venue] = reconciler
        }
    }

    private static func frameBuilder<Router: OrderRouting>(_ type: Router.Type, endpoint: OrderVenueEndpoint,
                                                           credentials: SharedCredentials) -> any OrderFrameBuilder {
        RoutingFrameBuilder(router: Router(configuration: endpoint.adapterConfiguration), source: credentials)
    }

    private static func makeLink<Router: OrderRouting>(_ type: Router.Type, endpoint: OrderVenueEndpoint, credentials: SharedCredentials,
                                                      configuration: OrderGatewayConfiguration,
                                                      gateway: OrderGateway) -> any AnyOrderLink {
        OrderLink<Router>(endpoint: endpoint, credentials: credentials, configuration: configuration, eventLoop: gateway.eventLoop,
                          delegate: gateway)
    }

    /// The venues with an order connection.
    public var venues: [VenueID] { links.keys.sorted() }

    /// Connects every venue's order connection.
    public func start() {
        eventLoop.execute { [self] in
            for venue in links.keys.sorted() { links[venue]?.start() }
        }
    }

    /// Closes every order connection and every REST status query on the wire (open orders stay
    /// at the venues).
    public func stop() {
        eventLoop.execute { [self] in
            isStopping = true
            for link in links.values { link.stop() }
            for reconciler in reconcilers.values { reconciler.stop() }
            timer?.cancel()
        }
    }

    // MARK: Inputs

    /// ``Fanout/OrderHandler``: a parsed request from a socket client (any thread).
    public func handle(_ request: OrderRequest, replies: OrderReplies) {
        submit(request, from: OrderSubscriber(rawValue: replies.subscriber.rawValue), replies: replies)
    }

    /// A parsed, catalog-checked request from any front end (any thread). `client` names the
    /// requester for the whole multiplexer (client order ids are unique per client, fairness is
    /// per client): socket connections use their ``Fanout/SubscriberID``, NATS clients ids from
    /// ``NATSOrderIntake/firstClientID`` up, so the two never collide. `replies` gets exactly one
    /// accept or reject for this request; the client's order updates go to its latest sink.
    public func submit(_ request: OrderRequest, from client: OrderSubscriber, replies: any OrderReplySink) {
        eventLoop.execute { [self] in
            let subscriber = client
            routes[subscriber] = replies
            counters.requests += 1
            switch request {
            case .place(let placement):
                if let id = placement.clientOrderID {
                    pendingPlacements[WatchKey(subscriber: subscriber, requestID: placement.requestID)] =
                        OwnerKey(venue: placement.venue, clientOrderID: id)
                }
            case .cancel(let cancellation):
                // Someone else's open order: cancel it on the owner's behalf (the local socket is
                // trusted, 0660) under a relay request id, and let this connection follow it.
                let owner = owners[OwnerKey(venue: cancellation.venue, clientOrderID: cancellation.clientOrderID)]
                if core.order(subscriber: subscriber, clientOrderID: cancellation.clientOrderID) == nil,
                   let owner, owner != subscriber {
                    var relayed = cancellation
                    relayed.requestID = "relay-\(nextRelayID)"
                    nextRelayID += 1
                    pendingReplies[owner, default: [:]][relayed.requestID] = replies
                    watchers[WatchKey(subscriber: owner, requestID: cancellation.clientOrderID), default: []]
                        .append(Watcher(subscriber: subscriber, sink: replies))
                    perform(core.submit(.cancel(relayed), from: owner, now: Self.wallClockNow()))
                    return
                }
            case .cancelAll:
                break  // the requester's own orders (or, with all_clients, the kill switch): the core decides
            }
            pendingReplies[subscriber, default: [:]][request.requestID] = replies
            perform(core.submit(request, from: subscriber, now: Self.wallClockNow()))
        }
    }

    /// A socket client left: its pending replies are dropped and, when it asked for it, its
    /// open orders are canceled.
    public func subscriberDisconnected(_ id: SubscriberID) {
        clientGone(OrderSubscriber(rawValue: id.rawValue))
    }

    /// `order.options` `cancel_on_disconnect` for a socket client.
    public func setCancelOnDisconnect(_ isEnabled: Bool, for id: SubscriberID) {
        let subscriber = OrderSubscriber(rawValue: id.rawValue)
        eventLoop.execute { [self] in core.setCancelOnDisconnect(isEnabled, for: subscriber) }
    }

    /// A client of any front end left for good (see ``subscriberDisconnected(_:)``).
    public func clientGone(_ subscriber: OrderSubscriber) {
        eventLoop.execute { [self] in
            pendingReplies[subscriber] = nil
            perform(core.onSubscriberGone(subscriber, now: Self.wallClockNow()))
            routes[subscriber] = nil
            for key in watchers.keys { watchers[key]?.removeAll { $0.subscriber == subscriber } }
        }
    }

    /// Market-data `status` events for the stale-data guard (call with every status the pools publish).
    public func marketStatus(_ statuses: [StatusEvent]) {
        guard !statuses.isEmpty else { return }
        eventLoop.execute { [self] in
            for status in statuses { core.onMarketStatus(status) }
        }
    }

    /// The kill switch: cancel every open order on `venue` (of `symbol`, or all), ahead of any
    /// queued new order.
    public func killSwitch(venue: VenueID, symbol: Symbol?) {
        eventLoop.execute { [self] in
            perform(core.killSwitch(venue: venue, symbol: symbol, now: Self.wallClockNow()))
        }
    }

    /// Per-venue connection state and queue depths, read on the loop.
    public func snapshot() -> EventLoopFuture<[OrderVenueStatus]> {
        eventLoop.submit { [self] in
            core.configuration.venues.map(\.venue).map { venue in
                OrderVenueStatus(venue: venue, hasOrderEntry: links[venue] != nil, isUp: links[venue]?.isUp ?? false,
                                 connects: links[venue]?.connects ?? 0, queued: core.queuedOrderCount(venue: venue),
                                 inFlight: core.inFlightCount(venue: venue))
            }
        }
    }

    // MARK: Link events (on the loop)

    func linkUp(_ venue: VenueID) {
        log("\(venue): order connection up", false)
        perform(core.onConnectionUp(venue: venue, now: Self.wallClockNow()))
    }

    func linkDown(_ venue: VenueID, reason: String) {
        correlators[venue]?.removeAll()
        log("\(venue): order connection down: \(reason)", !isStopping)
        perform(core.onConnectionDown(venue: venue, now: Self.wallClockNow()))
    }

    func link(_ venue: VenueID, received events: [OrderVenueEvent]) {
        let now = Self.wallClockNow()
        for var event in events {
            // Venues that echo no request id name something else (Bitfinex: the cid).
            if case .response(let key, let response) = event, links[venue]?.echoesRequestIDs == false,
               let requestID = correlators[venue]?.resolve(key: key) {
                event = .response(requestID: requestID, response)
            }
            counters.venueEvents += 1
            perform(core.onVenueEvent(event, venue: venue, now: now))
        }
    }

    func link(_ venue: VenueID, log message: String, isError: Bool) {
        log("\(venue): \(message)", isError)
    }

    // MARK: REST status answers (on the loop)

    private func makeReconciler<Router: RESTStatusQuerying>(_ type: Router.Type, endpoint: OrderVenueEndpoint, credentials: SharedCredentials,
                                                             configuration: OrderGatewayConfiguration) -> any AnyStatusReconciler {
        RESTStatusReconciler(venue: endpoint.venue, router: Router(configuration: endpoint.adapterConfiguration), credentials: credentials,
                             baseURL: endpoint.restBaseURL ?? Router.orderRESTBaseURL, eventLoop: eventLoop,
                             caFile: configuration.clientOptions.caFile, timeout: configuration.statusQueryTimeout,
                             maxInFlight: configuration.maxStatusQueriesInFlight, clock: { Self.wallClockNow() }, delegate: self)
    }

    func statusAnswered(_ venue: VenueID, order: OrderKey, response: OrderResponse, fromVenue: Bool) {
        switch (response, fromVenue) {
        case (.accepted, _), (.notFound, _): counters.reconciledByREST += 1
        case (.rejected, true): counters.statusQueriesRefused += 1
        case (.rejected, false): counters.statusQueryFailures += 1
        }
        perform(core.onStatusAnswer(response, for: order, now: Self.wallClockNow()))
    }

    func statusLog(_ venue: VenueID, _ message: String, isError: Bool) {
        log("\(venue): \(message)", isError)
    }

    // MARK: Actions

    private func perform(_ actions: [OrderAction]) {
        for action in actions {
            switch action {
            case .send(let venue, let requestID, let request, let frame):
                guard let link = links[venue] else { continue }
                let venueClientOrderID: String?
                switch request {
                case .place(let order): venueClientOrderID = order.venueClientOrderID
                case .cancel(let id, _), .status(let id, _): venueClientOrderID = id
                case .cancelAll: venueClientOrderID = nil
                }
                if let key = link.replyCorrelationKey(kind: request.kind, venueClientOrderID: venueClientOrderID) {
                    correlators[venue, default: ReplyCorrelator()].expect(key: key, requestID: requestID)
                }
                if link.send(frame) {
                    counters.framesSent += 1
                } else {
                    // The core only sends on a connection it was told is up; a link that dropped in
                    // between reports `linkDown` next, which turns this request's order `unknown`.
                    log("\(venue): order connection not up; request \(requestID) not written", true)
                }
            case .sendControl(let venue, let frame):
                _ = links[venue]?.send(frame)
            case .reply(let subscriber, let requestID, let result):
                guard let replies = pendingReplies[subscriber]?.removeValue(forKey: requestID) else { continue }
                let placed = pendingPlacements.removeValue(forKey: WatchKey(subscriber: subscriber, requestID: requestID))
                switch result {
                case .accepted:
                    if let placed { owners[placed] = subscriber }
                    replies.accept()
                case .rejected(let rejection):
                    counters.rejections += 1
                    replies.reject(code: FanoutErrorCode(rawValue: rejection.code.rawValue) ?? .invalidField,
                                   message: rejection.message)
                }
            case .update(let subscriber, let update):
                counters.updates += 1
                routes[subscriber]?.update(update)
                let watchKey = WatchKey(subscriber: subscriber, requestID: update.clientOrderID)
                for watcher in watchers[watchKey] ?? [] where watcher.subscriber != subscriber {
                    watcher.sink.update(update)
                }
                if update.state.isTerminal {
                    watchers[watchKey] = nil
                    let ownerKey = OwnerKey(venue: update.venue, clientOrderID: update.clientOrderID)
                    if owners[ownerKey] == subscriber { owners[ownerKey] = nil }
                }
            case .scheduleWakeUp(let at):
                schedule(at: at)
            case .queryStatus(let venue, let order, let venueClientOrderID, let symbol):
                // The venue has no WebSocket status query (OKX, Bybit, Kraken, Bitfinex): ask its
                // REST API; the answer comes back through statusAnswered → core.onStatusAnswer.
                if let reconciler = reconcilers[venue] {
                    counters.statusQueries += 1
                    reconciler.query(order, venueClientOrderID: venueClientOrderID, symbol: symbol)
                } else {
                    // A router with neither a WebSocket nor a REST status query: the order keeps its
                    // state (`unknown` after a drop) until the venue's update stream mentions it.
                    counters.unreconciled += 1
                    log("\(venue): order \(order.clientOrderID) (\(venueClientOrderID)) needs a status query this venue's "
                        + "router cannot make; it stays as it is until the venue reports it", true)
                }
            case .diagnostic(let diagnostic):
                counters.diagnostics += 1
                log("orders: \(diagnostic)", true)
            }
        }
    }

    /// The core's one timer: a new request **replaces** the armed one, later or earlier
    /// (docs/orders.md). Keeping an earlier timer instead loses the later wake-up: the core
    /// remembers it as armed and does not ask again when the earlier one fires, so queued
    /// requests would wait for the next venue message (the issue #6 soak stalled 30 s on this).
    private func schedule(at deadline: Int64) {
        if timerDeadline == deadline, timer != nil { return }
        timer?.cancel()
        timerDeadline = deadline
        let delay = max(0, deadline - Self.wallClockNow())
        timer = eventLoop.scheduleTask(in: .nanoseconds(delay)) { [self] in
            timer = nil
            timerDeadline = nil
            perform(core.onTick(now: Self.wallClockNow()))
        }
    }

    static func wallClockNow() -> Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Int64(spec.tv_sec) * 1_000_000_000 + Int64(spec.tv_nsec)
    }
}

/// An order by venue and the client's id.
struct OwnerKey: Hashable {
    var venue: VenueID
    var clientOrderID: String
}

/// A client following someone else's order it asked to cancel, and its reply path.
struct Watcher {
    var subscriber: OrderSubscriber
    var sink: any OrderReplySink
}

/// A subscriber and an id (a request id, or a client order id for watchers).
struct WatchKey: Hashable {
    var subscriber: OrderSubscriber
    var requestID: String
}

/// One venue's order entry as a status page shows it.
public struct OrderVenueStatus: Sendable, Hashable {
    /// The venue.
    public var venue: VenueID
    /// Whether the venue has WebSocket order entry here.
    public var hasOrderEntry: Bool
    /// Whether its order connection is logged in.
    public var isUp: Bool
    /// Connections opened (first plus reconnects).
    public var connects: Int
    /// New orders waiting in the throttle queue.
    public var queued: Int
    /// Requests sent and not yet answered.
    public var inFlight: Int
}

/// Totals since start.
public struct OrderGatewayCounters: Sendable, Hashable {
    /// Requests taken from clients.
    public var requests = 0
    /// Frames written to venues.
    public var framesSent = 0
    /// Requests refused before reaching a venue.
    public var rejections = 0
    /// Order updates delivered to clients.
    public var updates = 0
    /// Venue messages handled.
    public var venueEvents = 0
    /// Anomalies logged.
    public var diagnostics = 0
    /// Orders whose reconciliation needed a status query their venue's router cannot make
    /// (neither WebSocket nor REST); 0 for every venue with order entry today.
    public var unreconciled = 0
    /// REST status queries started (one per `queryStatus`, follow-up steps not counted).
    public var statusQueries = 0
    /// REST status queries the venue answered with the order's state or "not found".
    public var reconciledByREST = 0
    /// REST status queries the venue refused (auth, rate limit, other errors).
    public var statusQueriesRefused = 0
    /// REST status queries that failed without an answer (transport error, timeout, unreadable reply).
    public var statusQueryFailures = 0
}
