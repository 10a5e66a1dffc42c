import Testing
import MarketModel
import VenueKit
@testable import Orders

/// A seeded randomized simulation of the multiplexer against a fake venue that accepts,
/// rejects, rate-limits, fills and cancels orders, and a connection that drops with requests in
/// flight (each either reaching the venue or not). Every action the core returns is checked as
/// it happens, and the end state after a calm drain.
@Suite("Randomized simulation")
struct SimulationTests {
    static let limits = [
        OrderRateLimit(name: "orders/10s", scope: .account, capacity: 50, interval: Interval.seconds(10), appliesTo: [.place]),
        OrderRateLimit(name: "requests/1s", scope: .connection, capacity: 10, interval: Interval.seconds(1)),
    ]
    static let weights: [OrderRequestKind: Int] = [.status: 2, .cancelAll: 3]

    @Test("every accepted order ends exactly once; nothing sent twice or beyond a limit (seeded)", arguments: [1, 7, 42] as [UInt64])
    func simulate(seed: UInt64) {
        var world = World(seed: seed)
        world.run(steps: 40_000)
        world.drain()
        world.checkEnd()
        #expect(world.violations == [])
        // The run must have exercised what it claims to.
        #expect(world.accepted.count > 2000)
        #expect(world.counters["drop", default: 0] > 100)
        #expect(world.counters["unknown", default: 0] > 50)
        #expect(world.counters["notReceived", default: 0] > 5)
        #expect(world.counters["rateLimitedPlace", default: 0] > 50)
        #expect(world.counters["filled", default: 0] > 200)
        #expect(world.counters["canceled", default: 0] > 200)
        #expect(world.counters["expired", default: 0] > 0)
    }
}

/// The simulated world: clock, fake venue, connection, subscribers and the checks.
struct World {
    struct Resting {
        var symbol: Symbol
        var lots: Int64
        var filledLots: Int64 = 0
        var state: OrderState = .accepted
        var venueOrderID: String
    }

    var random: TestRandom
    var mux: OrderMultiplexer
    var now: Nanoseconds = 0
    var wake: Nanoseconds?
    var isConnected = false
    var downUntil: Nanoseconds = 0
    var epoch = 0

    // Fake venue.
    var resting: [String: Resting] = [:]
    var inFlight = FIFOQueue<(requestID: String, request: OutboundOrderRequest)>()
    var deliveredUpdates: [VenueOrderState] = []
    var nextVenueOrderID = 1
    var calm = false

    // Subscribers: index 3 uses cancel-on-disconnect and is replaced when it leaves.
    var subscribers = (1...4).map { OrderSubscriber(rawValue: UInt64($0)) }
    var nextSubscriber: UInt64 = 5
    var idCounter = 0

    // Observations.
    var accepted: Set<OrderKey> = []
    /// `accepted` in acceptance order (cheap random choice).
    var acceptedList: [OrderKey] = []
    /// Venue ids that may still rest at the venue (terminal ones are dropped lazily).
    var openIDs: [String] = []
    var updates: [OrderKey: [OrderUpdate]] = [:]
    var keyOfVenueID: [String: OrderKey] = [:]
    var placeSends: [String: Int] = [:]
    var rateLimitedPlaces: [String: Int] = [:]
    var wentUnknown: Set<String> = []
    var sends: [(time: Nanoseconds, epoch: Int, kind: OrderRequestKind)] = []
    var counters: [String: Int] = [:]
    var violations: [String] = []

    init(seed: UInt64) {
        random = TestRandom(seed: seed)
        mux = makeMultiplexer(spec: testSpec(limits: SimulationTests.limits, weights: SimulationTests.weights),
                              maxQueueAge: Interval.seconds(5), maxQueued: 200)
        mux.setCancelOnDisconnect(true, for: subscribers[3])
        connect()
    }

    // MARK: Driving

    mutating func run(steps: Int) {
        for _ in 0..<steps {
            if !isConnected && now >= downUntil { connect() }
            let roll = Int.random(in: 0..<1000, using: &random)
            switch roll {
            case 0..<120: submitPlace()
            case 120..<180: submitCancel()
            case 180..<450: advance(by: Int64.random(in: 0...Interval.milliseconds(200), using: &random))
            case 450..<750: processOne()
            case 750..<850: fillOne()
            case 850..<870: redeliverUpdate()
            case 870..<890: sendFeedback()
            case 890..<905: drop()
            case 905..<910: killSwitch()
            case 910..<915: subscriberLeaves()
            default: advance(by: Int64.random(in: 0...Interval.milliseconds(20), using: &random))
            }
        }
    }

    /// Calm phase: connection up, every request answered, every resting order ended by the venue.
    mutating func drain() {
        calm = true
        if !isConnected { connect() }
        for round in 0..<2 {
            for _ in 0..<100_000 {
                if let next = inFlight.first {
                    _ = inFlight.popFirst()
                    process(next)
                } else if let wake {
                    advance(to: wake)
                } else {
                    break
                }
            }
            if round == 0 {
                // The venue ends whatever still rests (expiry at the end of the session).
                for id in resting.keys.sorted() where resting[id].map({ !$0.state.isTerminal }) == true {
                    resting[id]?.state = .canceled
                    if let order = resting[id] { deliver(view(id, order)) }
                }
            }
        }
    }

    mutating func checkEnd() {
        for key in accepted.sorted(by: { $0.description < $1.description }) {
            let states = (updates[key] ?? []).map(\.state)
            let terminals = states.filter(\.isTerminal)
            if terminals.count != 1 || states.last?.isTerminal != true {
                violations.append("\(key): expected exactly one terminal update, got \(states.map(\.rawValue))")
            }
            if let last = terminals.first { counters[last.rawValue, default: 0] += 1 }
        }
        if !mux.openOrders.isEmpty { violations.append("\(mux.openOrders.count) orders still open after the drain") }
        for (id, count) in placeSends where count > 1 + (rateLimitedPlaces[id] ?? 0) {
            violations.append("\(id) placed \(count) times with \(rateLimitedPlaces[id] ?? 0) rate-limit refusals")
        }
        // Account limit across connections; connection limit within each connection.
        let places = sends.filter { $0.kind == .place }.map { (time: $0.time, weight: 1) }
        if maxUnitsInAnyWindow(places, interval: Interval.seconds(10)) > 50 { violations.append("orders/10s exceeded") }
        let byEpoch = Dictionary(grouping: sends, by: \.epoch)
        for (epoch, epochSends) in byEpoch {
            let units = epochSends.map { (time: $0.time, weight: SimulationTests.weights[$0.kind] ?? 1) }
            if maxUnitsInAnyWindow(units, interval: Interval.seconds(1)) > 10 { violations.append("requests/1s exceeded in connection \(epoch)") }
        }
    }

    // MARK: Inputs

    mutating func submitPlace() {
        let subscriber = subscribers[Int.random(in: 0..<subscribers.count, using: &random)]
        idCounter += 1
        var id = "c\(idCounter)"
        if random.chance(3), let reused = acceptedList.randomElement(using: &random), reused.subscriber == subscriber {
            id = reused.clientOrderID
        }
        let symbol = random.chance(50) ? btc : eth
        let lots = Int64.random(in: 1...10, using: &random)
        let offTick = random.chance(3)
        let price = symbol == btc ? (offTick ? "100.05" : "100.0") : "10.00"
        let size = symbol == btc ? FixedDecimal(mantissa: lots, scale: 3) : FixedDecimal(mantissa: lots, scale: 2)
        let request = OrderRequest.place(OrderPlacement(requestID: "r", venue: .binance, symbol: symbol, side: random.chance(50) ? .buy : .sell,
                                                         type: .limit, price: dec(price), size: size, clientOrderID: id))
        let wasKnown = mux.order(subscriber: subscriber, clientOrderID: id) != nil
        let actions = mux.submit(request, from: subscriber, now: now)
        let key = OrderKey(subscriber: subscriber, clientOrderID: id)
        if actions.replies == [.accepted] {
            if wasKnown { violations.append("duplicate id \(key) accepted") }
            accepted.insert(key)
            acceptedList.append(key)
            if let venueID = mux.order(key)?.order.venueClientOrderID { keyOfVenueID[venueID] = key }
        } else if !wasKnown && !offTick && actions.rejection?.code != .queueFull {
            violations.append("valid order refused: \(String(describing: actions.rejection))")
        }
        observe(actions)
    }

    mutating func submitCancel() {
        guard let key = acceptedList.randomElement(using: &random) else { return }
        let symbol = mux.order(key)?.order.symbol ?? btc
        observe(mux.submit(.cancel(OrderCancellation(requestID: "x", venue: .binance, symbol: symbol, clientOrderID: key.clientOrderID)),
                           from: key.subscriber, now: now))
    }

    mutating func advance(by span: Nanoseconds) { advance(to: now + span) }

    /// Moves the clock, firing every wake-up on the way.
    mutating func advance(to target: Nanoseconds) {
        while let next = wake, next <= target {
            wake = nil
            now = max(now, next)
            observe(mux.onTick(now: now))
        }
        now = max(now, target)
    }

    mutating func processOne() {
        guard isConnected, let next = inFlight.popFirst() else { return }
        process(next)
    }

    /// The venue handles one request and answers it.
    mutating func process(_ entry: (requestID: String, request: OutboundOrderRequest)) {
        let response = venueHandle(entry.request)
        if case .rejected(_, true, _) = response, case .place(let order) = entry.request {
            rateLimitedPlaces[order.venueClientOrderID, default: 0] += 1
            counters["rateLimitedPlace", default: 0] += 1
        }
        observe(mux.onVenueEvent(.response(requestID: entry.requestID, response), venue: .binance, now: now))
    }

    /// The venue's effect and answer for one request.
    mutating func venueHandle(_ request: OutboundOrderRequest) -> OrderResponse {
        let rateLimited = !calm && random.chance(4)
        if rateLimited { return .rejected(reason: "429", rateLimited: true, retryAfter: Int64.random(in: 0...Interval.milliseconds(500), using: &random)) }
        switch request {
        case .place(let order):
            if !calm && random.chance(8) { return .rejected(reason: "insufficient balance", rateLimited: false, retryAfter: nil) }
            return .accepted(view(order.venueClientOrderID, take(order)))
        case .cancel(let id, _):
            guard let order = resting[id], !order.state.isTerminal else { return .notFound(reason: "unknown order") }
            resting[id]?.state = .canceled
            return .accepted(resting[id].map { view(id, $0) })
        case .cancelAll(let symbol):
            for id in resting.keys.sorted() where resting[id].map({ !$0.state.isTerminal && (symbol == nil || $0.symbol == symbol) }) == true {
                resting[id]?.state = .canceled
            }
            return .accepted(nil)
        case .status(let id, _):
            guard let order = resting[id] else { return .notFound(reason: "order does not exist") }
            return .accepted(view(id, order))
        }
    }

    /// The venue books a place it received.
    mutating func take(_ order: VenueOrder) -> Resting {
        if resting[order.venueClientOrderID] != nil { violations.append("venue received \(order.venueClientOrderID) twice") }
        let lots = order.size.mantissa
        let booked = Resting(symbol: order.symbol, lots: lots, venueOrderID: "V\(nextVenueOrderID)")
        nextVenueOrderID += 1
        resting[order.venueClientOrderID] = booked
        openIDs.append(order.venueClientOrderID)
        return booked
    }

    func view(_ id: String, _ order: Resting) -> VenueOrderState {
        let scale: UInt8 = order.symbol == btc ? 3 : 2
        return VenueOrderState(venueClientOrderID: id, venueOrderID: order.venueOrderID, state: order.state,
                               filledSize: FixedDecimal(mantissa: order.filledLots, scale: scale),
                               averagePrice: order.filledLots > 0 ? dec("100.0") : nil)
    }

    mutating func fillOne() {
        while !openIDs.isEmpty {
            let index = Int.random(in: 0..<openIDs.count, using: &random)
            let id = openIDs[index]
            guard var order = resting[id], !order.state.isTerminal else {
                openIDs.swapAt(index, openIDs.count - 1)
                openIDs.removeLast()
                continue
            }
            order.filledLots = min(order.lots, order.filledLots + Int64.random(in: 1...order.lots, using: &random))
            order.state = order.filledLots == order.lots ? .filled : .partiallyFilled
            resting[id] = order
            deliver(view(id, order))
            return
        }
    }

    /// An execution report reaches the multiplexer only while connected (otherwise it is lost
    /// and reconciliation must find the change).
    mutating func deliver(_ state: VenueOrderState) {
        guard isConnected else { return }
        deliveredUpdates.append(state)
        observe(mux.onVenueEvent(.update(state), venue: .binance, now: now))
    }

    mutating func redeliverUpdate() {
        guard isConnected, let old = deliveredUpdates.randomElement(using: &random) else { return }
        observe(mux.onVenueEvent(.update(old), venue: .binance, now: now))
    }

    mutating func sendFeedback() {
        guard isConnected else { return }
        let feedback = RateLimitFeedback(name: "orders/10s", used: Int.random(in: 0...50, using: &random), limit: 50)
        observe(mux.onVenueEvent(.rateLimit(feedback), venue: .binance, now: now))
    }

    /// The connection drops: each request in flight reached the venue or did not.
    mutating func drop() {
        guard isConnected else { return }
        counters["drop", default: 0] += 1
        while let entry = inFlight.popFirst() {
            guard random.chance(50) else { continue }
            switch entry.request {
            case .place(let order): _ = take(order)
            default: _ = venueHandle(entry.request)
            }
        }
        isConnected = false
        downUntil = now + Int64.random(in: 0...Interval.seconds(2), using: &random)
        observe(mux.onConnectionDown(venue: .binance, now: now))
    }

    mutating func connect() {
        isConnected = true
        epoch += 1
        observe(mux.onConnectionUp(venue: .binance, now: now))
    }

    mutating func killSwitch() {
        let symbol: Symbol? = random.chance(50) ? nil : btc
        observe(mux.killSwitch(venue: .binance, symbol: symbol, now: now))
    }

    mutating func subscriberLeaves() {
        observe(mux.onSubscriberGone(subscribers[3], now: now))
        subscribers[3] = OrderSubscriber(rawValue: nextSubscriber)
        nextSubscriber += 1
        mux.setCancelOnDisconnect(true, for: subscribers[3])
    }

    // MARK: Checks on every action

    mutating func observe(_ actions: [OrderAction]) {
        for action in actions {
            switch action {
            case .send(_, let requestID, let request, _):
                if !isConnected { violations.append("sent \(describe(request)) while disconnected") }
                sends.append((now, epoch, request.kind))
                if case .place(let order) = request {
                    let id = order.venueClientOrderID
                    placeSends[id, default: 0] += 1
                    if wentUnknown.contains(id) { violations.append("\(id) resent after its outcome became unknown") }
                    if let key = keyOfVenueID[id], let record = mux.order(key), now >= record.queueDeadline {
                        violations.append("\(id) sent at \(now), after its queue deadline \(record.queueDeadline)")
                    }
                }
                inFlight.append((requestID, request))
            case .update(let subscriber, let update):
                let key = OrderKey(subscriber: subscriber, clientOrderID: update.clientOrderID)
                var history = updates[key] ?? []
                if history.contains(where: { $0.state.isTerminal }) {
                    violations.append("\(key) updated to \(update.state.rawValue) after a terminal state")
                }
                if let previous = history.last {
                    let backwards = OrderMultiplexer.rank(update.state) < OrderMultiplexer.rank(previous.state)
                    let requeued = previous.state == .sent && update.state == .queued
                    if backwards && !requeued {
                        violations.append("\(key) went from \(previous.state.rawValue) to \(update.state.rawValue)")
                    }
                    if let before = previous.filledSize, let after = update.filledSize, after < before {
                        violations.append("\(key) filled size shrank")
                    }
                }
                if update.state == .unknown, let id = mux.order(key)?.order.venueClientOrderID {
                    wentUnknown.insert(id)
                    counters["unknown", default: 0] += 1
                }
                if update.state == .rejected, update.reason?.hasPrefix("not received by venue") == true {
                    counters["notReceived", default: 0] += 1
                    // The status answer is only believable if the venue really never got it.
                    if let id = mux.order(key)?.order.venueClientOrderID, resting[id] != nil {
                        violations.append("\(key) concluded 'not received' but the venue has it")
                    }
                }
                history.append(update)
                updates[key] = history
            case .scheduleWakeUp(let at):
                wake = at
            case .queryStatus(_, let key, _, _):
                violations.append("out-of-band status query for \(key) from a venue with a WebSocket status query")
            case .reply, .diagnostic, .sendControl:
                break
            }
        }
    }
}
