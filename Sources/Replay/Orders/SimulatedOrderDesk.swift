/// One venue's order entry on the server's event loop: the shared `SimulatedExchange`, the open
/// order connections (each with its dialect), and the order faults. Loop-bound like `VenueRuntime`
/// (only touched on the server's event loop), hence `@unchecked Sendable`.
final class SimulatedOrderDesk: @unchecked Sendable {
    /// What the handler must do after a message.
    struct Outcome {
        /// Frames for the sending connection (empty when a fault swallowed them).
        var replies: [String] = []
        /// Drop TCP now, before any reply (`orders-drop`).
        var dropsConnection = false
        /// Close TCP after the replies (Deribit 10028).
        var closesConnection = false
        /// Restart every order connection of the venue after the replies (`orders-restart`).
        var restartsVenue = false
    }

    let venue: String
    var exchange: SimulatedExchange
    private let clock: any ReplayClock
    private let epochMilliseconds: @Sendable () -> Int64
    private let steps: [OrderFaultPlan.Step]
    private var chaos: OrderChaosSchedule?
    /// Open order connections, oldest first.
    private(set) var connections: [SimulatorConnectionHandler] = []
    private var nextConnectionID = 0
    /// `orders-drop` faults injected through the API, waiting for the next place request.
    private var armedDrops = 0
    /// Every order fault that fired, with the place-request count it fired at (tests, logs).
    private(set) var firedFaults: [(order: Int, fault: SimulatedOrderFault)] = []
    /// Place requests to swallow before the exchange sees them (each drops its connection):
    /// `SimulatedVenueServer.loseNextOrder(venue:)`.
    private var armedLosses = 0
    /// Place requests swallowed so far.
    private(set) var lostOrders = 0
    /// The last REST nonce per venue and API key (Kraken and Bitfinex refuse one that does not grow).
    private var restNonces: [String: Int64] = [:]

    init(venue: String, configuration: SimulatorConfiguration, clock: any ReplayClock) {
        self.venue = venue
        exchange = configuration.orders.makeExchange(venue: venue)
        self.clock = clock
        epochMilliseconds = configuration.orders.epochMilliseconds
        steps = configuration.faults.orders.steps.filter { $0.venue == nil || $0.venue == venue }
        chaos = configuration.faults.orders.chaos.map { OrderChaosSchedule(configuration: $0, venue: venue) }
    }

    /// The clocks now.
    func now() -> SimulatedOrderClock {
        SimulatedOrderClock(monotonicNanoseconds: clock.now(), epochMilliseconds: epochMilliseconds())
    }

    /// A new connection's id (its dialect's `connId`).
    func attach(_ connection: SimulatorConnectionHandler) -> Int {
        nextConnectionID += 1
        connections.append(connection)
        return nextConnectionID
    }

    func detach(_ connection: SimulatorConnectionHandler) {
        connections.removeAll { $0 === connection }
    }

    /// Runs one client message through `dialect` and the exchange; applies order faults; sends
    /// the resulting updates to every subscribed connection except `sender` (whose updates follow
    /// its replies, which the handler writes first).
    func receive(_ message: [UInt8], dialect: inout any SimulatedOrderDialect, from sender: SimulatorConnectionHandler) -> Outcome {
        let now = now()
        if armedLosses > 0 {
            // Try the message on copies: when it is a place request, neither the exchange nor the
            // dialect keeps anything of it, and the connection drops as if the frame died in transit.
            var trialExchange = exchange
            var trialDialect = dialect
            _ = trialDialect.handle(message, exchange: &trialExchange, now: now)
            if trialExchange.counters.placeRequests > exchange.counters.placeRequests {
                armedLosses -= 1
                lostOrders += 1
                return Outcome(dropsConnection: true)
            }
        }
        let before = exchange.counters.placeRequests
        let result = dialect.handle(message, exchange: &exchange, now: now)
        var outcome = Outcome(replies: result.replies, closesConnection: result.closesConnection)
        var faults: [SimulatedOrderFault] = []
        for count in stride(from: before + 1, through: exchange.counters.placeRequests, by: 1) {
            if armedDrops > 0 {
                armedDrops -= 1
                faults.append(.dropInFlight)
            }
            faults += steps.filter { $0.atOrder == count }.map(\.fault)
            if let fault = chaos?.nextFault() { faults.append(fault) }
            for fault in faults where !firedFaults.contains(where: { $0.order == count && $0.fault == fault }) { firedFaults.append((count, fault)) }
        }
        let events = exchange.takeEvents()
        if faults.contains(.dropInFlight) {
            // The client's network path fails: every order connection of the venue drops before
            // anything more is written, including a separate updates connection (Bybit's
            // `/v5/private`), which would otherwise report the order the ack of which was lost.
            outcome = Outcome(dropsConnection: true)
            for connection in connections where connection !== sender {
                connection.drop(reason: "order fault: TCP dropped with an order in flight on another connection of the venue")
            }
        } else {
            for event in events { outcome.replies += dialect.render(event, now: now) }
            broadcast(events, now: now, except: sender)
        }
        for fault in faults where fault != .restart { apply(fault, now: now) }
        outcome.restartsVenue = faults.contains(.restart)
        return outcome
    }

    /// Sends `events` to every connection but `excluded` (their dialects decide what to render).
    func broadcast(_ events: [SimulatedOrderEvent], now: SimulatedOrderClock, except excluded: SimulatorConnectionHandler?) {
        guard !events.isEmpty else { return }
        for connection in connections where connection !== excluded {
            connection.renderOrderEvents(events, now: now)
        }
    }

    /// A fault from the API: a drop waits for the next place request; a storm or restart acts now.
    func inject(_ fault: SimulatedOrderFault) {
        if fault == .dropInFlight {
            armedDrops += 1
        } else {
            firedFaults.append((exchange.counters.placeRequests, fault))
            apply(fault, now: now())
        }
    }

    private func apply(_ fault: SimulatedOrderFault, now: SimulatedOrderClock) {
        switch fault {
        case .dropInFlight:
            break
        case .rateLimitStorm(let milliseconds):
            exchange.stormUntil = now.monotonicNanoseconds &+ UInt64(milliseconds) &* 1_000_000
        case .restart:
            restartAll()
        }
    }

    /// Swallows the next place request (any connection) and drops its connection.
    func loseNextOrder() { armedLosses += 1 }

    /// Answers a REST order-status request from the exchange.
    func answerStatusREST(_ request: SimulatedOrderStatusREST.Request) -> SimulatedOrderStatusREST.Answer {
        SimulatedOrderStatusREST.answer(venue: venue, request, exchange: &exchange, nonces: &restNonces, now: now())
    }

    /// `orders-restart`: every order connection of the venue closes; the exchange stays.
    func restartAll() {
        for connection in connections { connection.restartOrderConnection() }
    }

    /// Moves a reference price and sends the fills it causes.
    func setReferencePrice(_ price: SimulatedDecimal, symbol: String) {
        let now = now()
        exchange.setReferencePrice(price, for: symbol, now: now)
        broadcast(exchange.takeEvents(), now: now, except: nil)
    }
}
