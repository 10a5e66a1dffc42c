import Foundation
import MarketModel
import NIOCore
import NIOPosix
import Replay
import SessionPool
import Sessions
import Testing
import Transport
import VenueKit
import Venues

// Shared machinery of the per-fault integration tests: a recording sink, a generated Binance
// recording whose trades and book states are known in advance, and a runner that starts the
// simulated venue and one real `VenueSessionPool` against it over loopback.
//
// Determinism: every fault is a scripted `FaultPlan.Step` counted in replayed frames, and every
// wait is a bounded poll for an outcome; the assertions look only at what was published (order
// of statuses, trade ids, book contents), never at how long anything took. Timers that must fire
// (stale, data idle, handshake timeout) are configured in hundreds of milliseconds with margins
// of several times that to the replay's own pacing.

/// Records what a pool publishes, thread-safely.
final class RecordingSink: VenueSessionSink, @unchecked Sendable {
    private let lock = NSLock()
    private var events: [MarketEvent] = []
    private var logs: [String] = []
    private var isFrozen = false
    private var freezeCondition: (@Sendable (RecordingSink) -> Bool)?

    func publish(_ events: [MarketEvent]) {
        let condition: (@Sendable (RecordingSink) -> Bool)? = lock.withLock {
            guard !isFrozen else { return nil }
            self.events += events
            return freezeCondition
        }
        // Checked on the publishing thread right after each batch, so the record ends at the
        // event that met the condition, however late the test's own polling notices (a loaded CI
        // machine polled seconds late, and the record then held the recording's end going stale).
        if let condition, condition(self) { freeze() }
    }

    /// Freezes the record as soon as a published batch makes `condition` true.
    func freeze(when condition: @escaping @Sendable (RecordingSink) -> Bool) { lock.withLock { freezeCondition = condition } }
    func log(venue: VenueID, _ message: String, isError: Bool) { lock.withLock { if !isFrozen { logs.append(message) } } }
    /// Ignores everything published from now on (the shutdown's own `disconnected` lines).
    func freeze() { lock.withLock { isFrozen = true } }

    var snapshot: [MarketEvent] { lock.withLock { events } }
    var logLines: [String] { lock.withLock { logs } }

    /// Status events of one subscription, in publication order.
    func statuses(_ symbol: String, _ channel: MarketModel.Channel) -> [StatusEvent] {
        snapshot.compactMap {
            if case .status(let s) = $0, s.symbol?.description == symbol, s.channel == channel { return s }
            return nil
        }
    }

    func states(_ symbol: String, _ channel: MarketModel.Channel) -> [StreamState] { statuses(symbol, channel).map(\.state) }

    /// Connection-wide status lines (no symbol): parse errors, venue errors.
    var connectionStatuses: [StatusEvent] {
        snapshot.compactMap { if case .status(let s) = $0, s.symbol == nil { return s } else { return nil } }
    }

    func trades(_ symbol: String) -> [Trade] {
        snapshot.compactMap { if case .trade(let t) = $0, t.symbol.description == symbol { return t } else { return nil } }
    }

    func tradeIDs(_ symbol: String) -> [Int] { trades(symbol).compactMap { $0.tradeID.number.map { Int($0) } } }

    func books(_ symbol: String) -> [BookUpdate] {
        snapshot.compactMap { if case .book(let b) = $0, b.symbol.description == symbol { return b } else { return nil } }
    }

    /// Whether `state` was published for the subscription after its first `live`.
    func reached(_ state: StreamState, after first: StreamState = .live, _ symbol: String, _ channel: MarketModel.Channel) -> Bool {
        let states = states(symbol, channel)
        guard let index = states.firstIndex(of: first) else { return false }
        return states[(index + 1)...].contains(state)
    }
}

/// What a subscriber rebuilds from published book lines (snapshot replaces, delta sets/deletes).
struct SubscriberBook: Equatable, CustomStringConvertible {
    var bids: [String: String] = [:]
    var asks: [String: String] = [:]
    /// Published states in which the best bid was at or above the best ask.
    var crossedStates = 0

    mutating func apply(_ update: BookUpdate) {
        if update.isSnapshot { bids = [:]; asks = [:] }
        for level in update.bids { Self.set(&bids, level) }
        for level in update.asks { Self.set(&asks, level) }
        if let bid = bids.keys.compactMap({ Double($0) }).max(), let ask = asks.keys.compactMap({ Double($0) }).min(),
           bid >= ask {
            crossedStates += 1
        }
    }

    private static func set(_ side: inout [String: String], _ level: BookLevel) {
        let price = Self.canonical("\(level.price)")
        if Double("\(level.size)") == 0 { side[price] = nil } else { side[price] = Self.canonical("\(level.size)") }
    }

    /// `100.10000000` and `100.1` are the same level.
    static func canonical(_ text: String) -> String {
        guard text.contains(".") else { return text }
        var trimmed = Substring(text)
        while trimmed.hasSuffix("0") { trimmed = trimmed.dropLast() }
        if trimmed.hasSuffix(".") { trimmed = trimmed.dropLast() }
        return String(trimmed)
    }

    static func from(_ updates: [BookUpdate]) -> SubscriberBook {
        var book = SubscriberBook()
        for update in updates { book.apply(update) }
        return book
    }

    var description: String {
        "bids \(bids.sorted { Double($0.key)! > Double($1.key)! }.prefix(3)) asks \(asks.sorted { Double($0.key)! < Double($1.key)! }.prefix(3))"
    }

    static func == (lhs: SubscriberBook, rhs: SubscriberBook) -> Bool { lhs.bids == rhs.bids && lhs.asks == rhs.asks }
}

/// A generated Binance spot recording: per step, for each symbol, one `aggTrade` (ids counting
/// up from the symbol's base) and one `depthUpdate` (update ids counting up by one, changing two
/// levels of a 10 × 10 book). Each recorded connection replays a range of steps, with two REST
/// snapshots: one two steps in (bootstrap) and one at `resyncStep` (for a resync after a gap).
/// Because everything is computed, a test knows which trade ids and which book any step implies.
struct SyntheticBinance {
    struct Market {
        let symbol: String
        let venueName: String
        let stream: String
        let tradeBase: Int
        let sequenceBase: Int
        let midTicks: Int   // price in hundredths
    }

    static let markets = [
        Market(symbol: "BTC-USDT", venueName: "BTCUSDT", stream: "btcusdt", tradeBase: 1_000_000, sequenceBase: 5_000_000, midTicks: 10_000_00),
        Market(symbol: "ETH-USDT", venueName: "ETHUSDT", stream: "ethusdt", tradeBase: 2_000_000, sequenceBase: 7_000_000, midTicks: 3_000_00),
    ]
    static let symbols = markets.map(\.symbol)

    /// Recorded milliseconds between steps.
    var stepMilliseconds = 10

    static func tradeID(_ market: Market, step: Int) -> Int { market.tradeBase + step }
    static func sequence(_ market: Market, step: Int) -> Int { market.sequenceBase + step }

    static func price(_ ticks: Int) -> String { String(format: "%d.%02d000000", ticks / 100, ticks % 100) }

    /// The two levels step `step` changes: (bid ticks, bid size), (ask ticks, ask size); size "0" deletes.
    static func changes(_ market: Market, step: Int) -> (bid: (Int, String), ask: (Int, String)) {
        let bidLevel = step % 10, askLevel = (step + 3) % 10
        let bidSize = step % 5 == 4 && bidLevel == 9 ? "0.00000000" : String(format: "%d.%03d00000", step % 7 + 1, step % 1000)
        let askSize = String(format: "%d.%03d00000", step % 5 + 1, (step * 7) % 1000)
        return ((market.midTicks - 1 - bidLevel, bidSize), (market.midTicks + 1 + askLevel, askSize))
    }

    /// The book after steps `0...step` (canonical decimal strings).
    static func book(_ market: Market, through step: Int) -> SubscriberBook {
        var book = SubscriberBook()
        for level in 0..<10 {
            book.bids[SubscriberBook.canonical(price(market.midTicks - 1 - level))] = "\(level + 1)"
            book.asks[SubscriberBook.canonical(price(market.midTicks + 1 + level))] = "\(level + 2)"
        }
        if step >= 0 {
            for i in 0...step {
                let change = changes(market, step: i)
                let bidPrice = SubscriberBook.canonical(price(change.bid.0)), askPrice = SubscriberBook.canonical(price(change.ask.0))
                book.bids[bidPrice] = Double(change.bid.1) == 0 ? nil : SubscriberBook.canonical(change.bid.1)
                book.asks[askPrice] = SubscriberBook.canonical(change.ask.1)
            }
        }
        return book
    }

    static func snapshotBody(_ market: Market, through step: Int) -> String {
        let book = book(market, through: step)
        func levels(_ side: [String: String], descending: Bool) -> String {
            side.sorted { descending ? Double($0.key)! > Double($1.key)! : Double($0.key)! < Double($1.key)! }
                .map { "[\"\($0.key)\",\"\($0.value)\"]" }.joined(separator: ",")
        }
        return "{\"lastUpdateId\":\(sequence(market, step: step)),\"bids\":[\(levels(book.bids, descending: true))],\"asks\":[\(levels(book.asks, descending: false))]}"
    }

    /// One recorded connection per range of steps; `resyncStep(range)` picks the second snapshot.
    func session(connections: [Range<Int>], resyncStep: (Range<Int>) -> Int = { $0.lowerBound + $0.count / 2 }) throws -> FixtureSession {
        var lines: [String] = []
        func line(_ t: Int, _ body: String) { lines.append("{\"t\":\(t),\(body)}") }
        func quoted(_ text: String) -> String {
            "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
        }
        line(0, "\"ev\":\"config\",\"symbols\":[\"BTC-USDT\",\"ETH-USDT\"],\"channels\":[\"trades\",\"book\"]")
        var t = 0
        for (index, range) in connections.enumerated() {
            let conn = index + 1
            line(t, "\"ev\":\"connect\",\"conn\":\(conn),\"url\":\"wss://stream.binance.com:9443/stream\"")
            let streams = Self.markets.flatMap { ["\"\($0.stream)@aggTrade\"", "\"\($0.stream)@depth@100ms\""] }.joined(separator: ",")
            line(t + 1, "\"ev\":\"send\",\"conn\":\(conn),\"text\":" + quoted("{\"method\":\"SUBSCRIBE\",\"params\":[\(streams)],\"id\":1}"))
            line(t + 5, "\"ev\":\"recv\",\"conn\":\(conn),\"text\":" + quoted("{\"result\":null,\"id\":1}"))
            for market in Self.markets {
                for step in [range.lowerBound + 1, resyncStep(range)] {
                    line(t + 6, "\"ev\":\"rest\",\"method\":\"GET\",\"url\":\"https://api.binance.com/api/v3/depth?symbol=\(market.venueName)&limit=1000\",\"status\":200,\"body\":" + quoted(Self.snapshotBody(market, through: step)))
                }
            }
            t += 10
            for step in range {
                for market in Self.markets {
                    let id = Self.tradeID(market, step: step)
                    let trade = "{\"stream\":\"\(market.stream)@aggTrade\",\"data\":{\"e\":\"aggTrade\",\"E\":\(1_767_225_600_000 + t),\"s\":\"\(market.venueName)\",\"a\":\(id),\"p\":\"\(Self.price(market.midTicks))\",\"q\":\"0.00100000\",\"f\":\(id * 2),\"l\":\(id * 2),\"T\":\(1_767_225_600_000 + t),\"m\":\(step % 2 == 0),\"M\":true}}"
                    let change = Self.changes(market, step: step)
                    let seq = Self.sequence(market, step: step)
                    let depth = "{\"stream\":\"\(market.stream)@depth@100ms\",\"data\":{\"e\":\"depthUpdate\",\"E\":\(1_767_225_600_000 + t),\"s\":\"\(market.venueName)\",\"U\":\(seq),\"u\":\(seq),\"b\":[[\"\(Self.price(change.bid.0))\",\"\(change.bid.1)\"]],\"a\":[[\"\(Self.price(change.ask.0))\",\"\(change.ask.1)\"]]}}"
                    line(t, "\"ev\":\"recv\",\"conn\":\(conn),\"text\":" + quoted(depth))
                    // The trade after the delta: a test that saw a step's trade has seen its book change.
                    line(t, "\"ev\":\"recv\",\"conn\":\(conn),\"text\":" + quoted(trade))
                }
                t += stepMilliseconds
            }
            t += 100
        }
        return try FixtureSession(text: lines.joined(separator: "\n") + "\n", file: "synthetic/session.jsonl")
    }

    /// A library with the generated scenario `synthetic` (plus the recorded `server-shutdown`
    /// scenario of the real fixtures, as the source of Binance's `serverShutdown` notice).
    /// `resyncStep` picks the step of each connection's second (resync) snapshot.
    func library(connections: [Range<Int>], resyncStep: ((Range<Int>) -> Int)? = nil) throws -> FixtureLibrary {
        let recorded = try resyncStep.map { try self.session(connections: connections, resyncStep: $0) } ?? self.session(connections: connections)
        var scenarios = [FixtureScenario(venue: "binance", name: "synthetic", directory: "", session: recorded)]
        if let notice = try FixtureLibrary(directory: FaultHarness.fixtures).scenario(venue: "binance", name: "server-shutdown") {
            scenarios.append(notice)
        }
        return FixtureLibrary(directory: "", scenarios: scenarios)
    }
}

/// Starts a simulated venue and one pool against it, runs until `condition` holds (bounded), then
/// stops both and returns what the pool published.
enum FaultHarness {
    static var testsDirectory: URL { URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent() }
    static var fixtures: String { testsDirectory.deletingLastPathComponent().appendingPathComponent("fixtures").path }
    static var certificates: String { testsDirectory.appendingPathComponent("TransportTests/Certificates").path }

    /// Fast reconnects: the tests wait for outcomes, not for production backoff.
    static let backoff = ReconnectBackoffConfiguration(base: Interval.milliseconds(1), cap: Interval.milliseconds(50),
                                                       stablePeriod: Interval.milliseconds(200))

    /// Polls `condition` every 10 ms for at most `seconds` (a bound, not a pace).
    static func eventually(_ seconds: Double = 30, _ condition: () -> Bool) async -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition() { return true }
            try? await Task.sleep(nanoseconds: 10_000_000)
        }
        return condition()
    }

    struct Run {
        let sink: RecordingSink
        let simulatorEvents: [SimulatorEvent]
        let reached: Bool
    }

    final class EventLog: @unchecked Sendable {
        private let lock = NSLock()
        private var events: [SimulatorEvent] = []
        func append(_ event: SimulatorEvent) { lock.withLock { events.append(event) } }
        var all: [SimulatorEvent] { lock.withLock { events } }
    }

    static func run<Adapter: VenueAdapter>(
        _ adapter: Adapter.Type, library: FixtureLibrary, simulator configuration: SimulatorConfiguration,
        symbols: [String], channels: [MarketModel.Channel],
        lifecycle: ConnectionLifecycleConfiguration = ConnectionLifecycleConfiguration(backoff: FaultHarness.backoff),
        clientOptions: WebSocketClientOptions = WebSocketClientOptions(),
        timeout: Double = 30, injectWhenLive fault: Fault? = nil,
        until condition: @escaping @Sendable (RecordingSink) -> Bool
    ) async throws -> Run {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        let log = EventLog()
        let simulator = try SimulatedVenueServer(library: library, configuration: configuration, eventLoop: group.next(),
                                                 observer: { log.append($0) })
        _ = try await simulator.start()
        let venue = Adapter.spec.id.rawValue
        let sink = RecordingSink()
        var options = clientOptions
        if configuration.tls != nil && options.caFile == nil { options.caFile = certificates + "/ca.pem" }
        let pool = VenueSessionPool<Adapter>(
            configuration: VenueSessionConfiguration(
                symbols: try symbols.map { try Symbol($0) }, channels: channels,
                marketDataURLs: [simulator.webSocketURL(for: venue)], restBaseURL: simulator.restURL(for: venue),
                clientOptions: options, pool: PoolConfiguration(lifecycle: lifecycle)),
            eventLoop: group.next(), sink: sink)
        sink.freeze(when: condition)
        pool.start()
        if let fault {
            // Inject once every subscription is live (books included), so the fault always lands
            // on a live stream however long the REST bootstrap took.
            let live = await eventually(timeout) {
                symbols.allSatisfy { symbol in channels.allSatisfy { sink.states(symbol, $0).contains(.live) } }
            }
            #expect(live, "never live before the fault: \(sink.logLines.suffix(6))")
            await simulator.inject(fault, venue: venue)
        }
        let reached = await eventually(timeout) { condition(sink) }
        sink.freeze()
        pool.stop()
        try? await Task.sleep(nanoseconds: 50_000_000)
        await simulator.stop()
        try await group.shutdownGracefully()
        return Run(sink: sink, simulatorEvents: log.all, reached: reached)
    }

    /// A Binance run over the generated recording (two symbols × trades + book).
    static func runSynthetic(connections: [Range<Int>], resyncStep: ((Range<Int>) -> Int)? = nil,
                             faults: [String] = [], injectWhenLive fault: Fault? = nil,
                             speed: ReplaySpeed = .factor(2),
                             tls: Bool = false,
                             lifecycle: ConnectionLifecycleConfiguration = ConnectionLifecycleConfiguration(backoff: FaultHarness.backoff),
                             clientOptions: WebSocketClientOptions = WebSocketClientOptions(),
                             until condition: @escaping @Sendable (RecordingSink) -> Bool) async throws -> Run {
        var configuration = SimulatorConfiguration(speed: speed, scenarios: .named(["synthetic"]), venues: ["binance"], sessionEnd: .stayOpen)
        configuration.faults = FaultPlan(steps: try faults.map { try FaultPlan.Step(parsing: $0) })
        if tls { configuration.tls = (certificates + "/server.pem", certificates + "/server-key.pem") }
        return try await run(Binance.self, library: try SyntheticBinance().library(connections: connections, resyncStep: resyncStep), simulator: configuration,
                             symbols: SyntheticBinance.symbols, channels: [.trades, .book], lifecycle: lifecycle,
                             clientOptions: clientOptions, injectWhenLive: fault, until: condition)
    }

    /// The published statuses of every synthetic subscription, for failure messages.
    static func describe(_ sink: RecordingSink) -> String {
        var text = ""
        for symbol in SyntheticBinance.symbols {
            for channel in [MarketModel.Channel.trades, .book] {
                text += "\(symbol) \(channel.rawValue): " + sink.statuses(symbol, channel).map { "\($0.state.rawValue)(\($0.reason))" }.joined(separator: " → ") + "\n"
            }
        }
        return text + "log: " + sink.logLines.suffix(12).joined(separator: " | ")
    }
}

/// Trade-id checks over the generated recording.
enum TradeChecks {
    /// Ids `ids` split into maximal runs of consecutive numbers.
    static func runs(_ ids: [Int]) -> [ClosedRange<Int>] {
        var result: [ClosedRange<Int>] = []
        for id in ids {
            if let last = result.last, id == last.upperBound + 1 {
                result[result.count - 1] = last.lowerBound...id
            } else {
                result.append(id...id)
            }
        }
        return result
    }

    static func duplicates(_ ids: [Int]) -> [Int] {
        var seen = Set<Int>(), dup: [Int] = []
        for id in ids where !seen.insert(id).inserted { dup.append(id) }
        return dup
    }
}
