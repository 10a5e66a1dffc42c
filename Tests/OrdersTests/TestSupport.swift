import Testing
import MarketModel
import VenueKit
@testable import Orders

/// A manual monotonic clock: tests advance it explicitly (STYLE habit 2).
struct ManualClock {
    var now: Nanoseconds = 0

    mutating func advance(by span: Nanoseconds) { now += span }
    mutating func advance(to time: Nanoseconds) { now = max(now, time) }
}

/// A seedable generator (SplitMix64) so randomized tests replay exactly.
struct TestRandom: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// `true` with probability `percent` / 100.
    mutating func chance(_ percent: Int) -> Bool { Int.random(in: 0..<100, using: &self) < percent }
}

func dec(_ text: String) -> FixedDecimal { FixedDecimal(text)! }

let btc = Symbol(unchecked: "BTC-USDT", kind: .spot)
let eth = Symbol(unchecked: "ETH-USDT", kind: .spot)
let alice = OrderSubscriber(rawValue: 1)
let bob = OrderSubscriber(rawValue: 2)
let carol = OrderSubscriber(rawValue: 3)

/// BTC-USDT: tick 0.1, lot 0.001, min 0.001, max 100; ETH-USDT: tick 0.01, lot 0.01, min 0.01.
let testInstruments: [Symbol: InstrumentRules] = [
    btc: InstrumentRules(tickSize: dec("0.1"), lotSize: dec("0.001"), minSize: dec("0.001"), maxSize: dec("100")),
    eth: InstrumentRules(tickSize: dec("0.01"), lotSize: dec("0.01"), minSize: dec("0.01")),
]

/// Readable text for a request, so tests can assert on frames without any venue.
func describe(_ request: OutboundOrderRequest) -> String {
    switch request {
    case .place(let order):
        return "place \(order.venueClientOrderID) \(order.symbol) \(order.side) \(order.type.rawValue) \(order.size)@\(order.price.map(\.description) ?? "mkt")"
    case .cancel(let id, let symbol): return "cancel \(id) \(symbol)"
    case .cancelAll(let symbol): return "cancelAll \(symbol.map(\.rawValue) ?? "*")"
    case .status(let id, let symbol): return "status \(id) \(symbol)"
    }
}

/// The fake router: a frame is the request id and the readable request.
let fakeBuilder = ClosureFrameBuilder { request, requestID, _ in
    OutboundMessage(text: "\(requestID) \(describe(request))")
}

/// An order-entry spec with the given limits (default: 10 per second per connection).
func testSpec(limits: [OrderRateLimit] = [OrderRateLimit(name: "orders/1s", scope: .connection, capacity: 10, interval: Interval.seconds(1))],
              weights: [OrderRequestKind: Int] = [:], format: ClientOrderIDFormat = .alphanumeric(maxLength: 36),
              supportsCancelAll: Bool = true) -> OrderEntrySpec {
    OrderEntrySpec(venue: .binance, url: "wss://orders.test/ws", limits: limits, weights: weights,
                   keepAlive: .serverPings(interval: Interval.seconds(20), pongWithin: Interval.minutes(1)),
                   clientOrderIDFormat: format, supportsCancelAll: supportsCancelAll)
}

/// A multiplexer serving `binance` (order entry per `spec`) and `coinbase` (no WS order entry).
func makeMultiplexer(spec: OrderEntrySpec = testSpec(), builder: any OrderFrameBuilder = fakeBuilder,
                     guard staleGuard: StaleDataGuardConfiguration = .off, maxQueueAge: Nanoseconds = Interval.seconds(5),
                     policy: ThrottlePolicy = ThrottlePolicy(), types: Set<OrderType> = Set(OrderType.allCases),
                     timeInForce: Set<TimeInForce> = Set(TimeInForce.allCases), sides: Set<Side> = Set(Side.allCases),
                     retention: Nanoseconds = Interval.hours(1), reconcile: ReconcileScope = .allOpen,
                     maxQueued: Int = 1000) -> OrderMultiplexer {
    let binance = VenueOrderConfiguration(venue: .binance, spec: spec, frameBuilder: builder, instruments: testInstruments,
                                          supportedSides: sides, supportedTypes: types, supportedTimeInForce: timeInForce,
                                          maxQueueAge: maxQueueAge, staleDataGuard: staleGuard, throttlePolicy: policy)
    let coinbase = VenueOrderConfiguration(venue: .coinbase, spec: nil, frameBuilder: nil, instruments: testInstruments)
    return OrderMultiplexer(configuration: OrderMultiplexerConfiguration(
        venues: [binance, coinbase], idRetention: retention, maxQueuedOrdersPerSubscriber: maxQueued,
        clientOrderIDSeed: 1, clientOrderIDPrefix: "mm", reconcileScope: reconcile))
}

/// An `order.place` request.
func place(_ id: String?, symbol: Symbol = btc, side: Side = .buy, type: OrderType = .limit, price: String? = "100.0",
           size: String = "0.010", tif: TimeInForce = .gtc, venue: VenueID = .binance) -> OrderRequest {
    .place(OrderPlacement(requestID: "req-\(id ?? "auto")", venue: venue, symbol: symbol, side: side, type: type,
                          price: price.map(dec), size: dec(size), timeInForce: tif, clientOrderID: id))
}

/// An `order.cancel` request.
func cancel(_ id: String, symbol: Symbol = btc, venue: VenueID = .binance) -> OrderRequest {
    .cancel(OrderCancellation(requestID: "cancel-\(id)", venue: venue, symbol: symbol, clientOrderID: id))
}

func live(_ symbol: Symbol, _ channel: Channel = .book, _ state: StreamState = .live, venue: VenueID = .binance) -> StatusEvent {
    StatusEvent(venue: venue, symbol: symbol, channel: channel, state: state)
}

extension Array where Element == OrderAction {
    /// Every send, as `(requestID, request)`.
    var sends: [(requestID: String, request: OutboundOrderRequest)] {
        compactMap { if case .send(_, let id, let request, _) = $0 { (id, request) } else { nil } }
    }

    /// Every send, readable.
    var sent: [String] { sends.map { describe($0.request) } }

    /// Every order update.
    var updates: [OrderUpdate] {
        compactMap { if case .update(_, let update) = $0 { update } else { nil } }
    }

    /// `clientOrderID state` of every update.
    var states: [String] { updates.map { "\($0.clientOrderID) \($0.state.rawValue)" } }

    /// Every reply.
    var replies: [OrderReplyResult] {
        compactMap { if case .reply(_, _, let result) = $0 { result } else { nil } }
    }

    /// The rejection of the (single) refused request.
    var rejection: OrderRejection? {
        replies.compactMap { if case .rejected(let rejection) = $0 { rejection } else { nil } }.first
    }

    /// The last wake-up requested.
    var wakeUp: Nanoseconds? {
        compactMap { if case .scheduleWakeUp(let at) = $0 { at } else { nil } }.last
    }

    /// Every diagnostic message.
    var diagnostics: [String] {
        compactMap { if case .diagnostic(let diagnostic) = $0 { diagnostic.message } else { nil } }
    }
}

/// Drives a multiplexer with a manual clock, following its wake-up requests, and logs every
/// action with its time.
struct Harness {
    var mux: OrderMultiplexer
    var clock = ManualClock()
    var log: [(time: Nanoseconds, action: OrderAction)] = []
    var wakeUp: Nanoseconds?

    init(_ mux: OrderMultiplexer) { self.mux = mux }

    @discardableResult
    mutating func record(_ actions: [OrderAction]) -> [OrderAction] {
        for action in actions {
            log.append((clock.now, action))
            if case .scheduleWakeUp(let at) = action { wakeUp = at }
        }
        return actions
    }

    @discardableResult
    mutating func submit(_ request: OrderRequest, from subscriber: OrderSubscriber = alice) -> [OrderAction] {
        record(mux.submit(request, from: subscriber, now: clock.now))
    }

    @discardableResult
    mutating func up() -> [OrderAction] { record(mux.onConnectionUp(venue: .binance, now: clock.now)) }

    @discardableResult
    mutating func down() -> [OrderAction] { record(mux.onConnectionDown(venue: .binance, now: clock.now)) }

    @discardableResult
    mutating func event(_ event: OrderVenueEvent) -> [OrderAction] {
        record(mux.onVenueEvent(event, venue: .binance, now: clock.now))
    }

    @discardableResult
    mutating func respond(_ requestID: String, _ response: OrderResponse) -> [OrderAction] {
        event(.response(requestID: requestID, response))
    }

    @discardableResult
    mutating func tick() -> [OrderAction] { record(mux.onTick(now: clock.now)) }

    /// Follows wake-ups until none is pending or `limit` is reached; returns what happened.
    @discardableResult
    mutating func run(until limit: Nanoseconds) -> [OrderAction] {
        var actions: [OrderAction] = []
        while let wake = wakeUp, wake <= limit {
            wakeUp = nil
            clock.advance(to: wake)
            actions += tick()
        }
        clock.advance(to: limit)
        return actions
    }

    /// `(time, request)` of every send so far.
    var sendTimes: [(time: Nanoseconds, requestID: String, request: OutboundOrderRequest)] {
        log.compactMap { entry in
            if case .send(_, let id, let request, _) = entry.action { (entry.time, id, request) } else { nil }
        }
    }
}

/// The most units any window `(t − interval, t]` holds (equivalently any `[t, t + interval)`).
/// `sends` must be sorted by time.
func maxUnitsInAnyWindow(_ sends: [(time: Nanoseconds, weight: Int)], interval: Nanoseconds) -> Int {
    var best = 0
    var start = 0
    var sum = 0
    for send in sends {
        sum += send.weight
        while sends[start].time <= send.time - interval {
            sum -= sends[start].weight
            start += 1
        }
        best = max(best, sum)
    }
    return best
}
