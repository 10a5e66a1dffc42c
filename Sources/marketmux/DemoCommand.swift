import ArgumentParser
import Fanout
import FeedPipeline
import Foundation
import MarketModel
import NIOCore
import NIOPosix
import OrderGateway
import Operations
import Replay
import SessionPool
import Sessions
import Transport
import VenueKit
import Venues

/// `marketmux` / `marketmux demo`: simulated venues on loopback replaying `fixtures/`, the session
/// pool pointed at them, the local socket, and a live status screen (SPEC.md §2). No network, no config.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "The embedded demo: simulated venues replaying fixtures/, the pool, the local socket and a live status screen."
    )

    @Option(help: "Replay speed: 1 = real time, N = N times faster, max = as fast as possible.") var speed: String = "1"
    @Flag(help: "Make the simulated venues inject faults every few seconds (drops, silences, gaps, bad checksums, 429s, half-open sockets).")
    var chaos = false
    @Option(help: "Seed for --chaos (default: random, printed).") var seed: UInt64?
    @Option(help: "Local subscriber socket.") var socket: String = "./marketmux.sock"
    @Option(help: "Fixtures directory.") var fixtures: String = "fixtures"
    @Option(help: "Stop after this many seconds (default: run until Ctrl-C).") var duration: Double?
    @Flag(help: "Plain log lines even when stdout is a terminal.") var plain = false
    @Option(help: "Port of the status page, /metrics and /status on 127.0.0.1 (0: off).") var httpPort: Int = 9464
    @Option(help: "Level of the operator log lines on stderr: trace, debug, info, notice, warning, error, critical.")
    var logLevel: String = "info"

    func run() async throws {
        guard FileManager.default.fileExists(atPath: fixtures) else {
            exitWithError("no fixtures directory at '\(fixtures)'; run from the repository root or pass --fixtures DIR.")
        }
        guard let replaySpeed = ReplaySpeed(argument: speed) else {
            exitWithError("--speed must be a positive number or 'max', got '\(speed)'.")
        }
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        let display = DemoDisplay(isInteractive: !plain && isatty(STDOUT_FILENO) == 1)

        // 1. The simulated venues.
        var faults = FaultPlan.none
        var chaosSeed: UInt64?
        if chaos {
            let chosen = seed ?? UInt64.random(in: 1...UInt64.max)
            chaosSeed = chosen
            faults = FaultPlan(steps: [], chaos: ChaosConfiguration(seed: chosen))
        }
        let simulatorConfiguration = SimulatorConfiguration(speed: replaySpeed, faults: faults)
        let library: FixtureLibrary
        let simulator: SimulatedVenueServer
        do {
            library = try FixtureLibrary(directory: fixtures)
            simulator = try SimulatedVenueServer(library: library, configuration: simulatorConfiguration, eventLoop: group.next(),
                                                 observer: { event in display.simulatorEvent("\(event)") })
            _ = try await simulator.start()
        } catch {
            exitWithError("cannot start the simulated venues: \(error).")
        }

        // 2. What each venue serves, from its fixtures' config lines.
        var plans: [(type: any VenueAdapter.Type, symbols: [Symbol], channels: [MarketModel.Channel], options: [String: String])] = []
        for adapter in VenueRegistry.all where simulator.venues.contains(adapter.spec.id.rawValue) {
            var symbols: [Symbol] = [], channels: [MarketModel.Channel] = [], options: [String: String] = [:]
            for scenario in library.scenarios where scenario.venue == adapter.spec.id.rawValue {
                let config = scenario.session.config
                for name in config.symbols { if let symbol = try? Symbol(name), !symbols.contains(symbol) { symbols.append(symbol) } }
                for name in config.channels { if let channel = MarketModel.Channel(rawValue: name), !channels.contains(channel) { channels.append(channel) } }
                options.merge(config.options) { current, _ in current }
            }
            if !symbols.isEmpty && !channels.isEmpty { plans.append((adapter, symbols, channels, options)) }
        }

        // 3. Fan-out on the local socket.
        var catalogVenues: [VenueID: Catalog.Venue] = [:]
        for plan in plans { catalogVenues[plan.type.spec.id] = Catalog.Venue(channels: Set(plan.channels), symbols: Set(plan.symbols)) }
        let hub = FanoutHub(catalog: Catalog(catalogVenues), eventLoop: group.next())
        let server = FanoutServer(path: socket, hub: hub)
        do {
            try await server.start()
        } catch {
            exitWithError("cannot serve the local socket: \(error)")
        }

        // 4. The pools, pointed at the simulator.
        let sink = DemoSink(hub: hub, display: display)
        var pools: [any DemoPool] = []
        for plan in plans {
            let venue = plan.type.spec.id.rawValue
            var options = WebSocketClientOptions()
            options.closeTimeoutNanoseconds = 1_000_000_000
            // The simulated venue ends every recorded session with 1001 and replays the next one on
            // reconnect: reconnect quickly here (production keeps 1 s base, 60 s cap, 60 s stable period).
            let backoff = ReconnectBackoffConfiguration(base: Interval.milliseconds(200), cap: Interval.seconds(3),
                                                        stablePeriod: Interval.seconds(5))
            let configuration = VenueSessionConfiguration(
                symbols: plan.symbols, channels: plan.channels, options: plan.options,
                marketDataURLs: [simulator.webSocketURL(for: venue)], restBaseURL: simulator.restURL(for: venue),
                clientOptions: options,
                pool: PoolConfiguration(lifecycle: ConnectionLifecycleConfiguration(backoff: backoff)))
            pools.append(makeDemoPool(plan.type, configuration: configuration, eventLoop: group.next(), sink: sink))
        }
        display.banner("MarketMux demo: \(pools.count) venues simulated on 127.0.0.1:\(simulator.port), speed \(speed)"
            + (chaosSeed.map { ", chaos seed \($0)" } ?? "") + "; subscribers: marketmux tail --socket \(socket)")
        // 4b. Order entry against the simulated venues' order endpoints.
        var orderClientOptions = WebSocketClientOptions()
        orderClientOptions.closeTimeoutNanoseconds = 1_000_000_000
        let gateway = DemoOrders.makeGateway(
            simulator: simulator, venues: plans.map { (id: $0.type.spec.id, symbols: $0.symbols, options: $0.options) },
            eventLoop: group.next(), clientOptions: orderClientOptions,
            log: { message, isError in display.log(message, isError: isError) })
        if let gateway {
            sink.orderGateway = gateway
            hub.installOrderHandler(gateway)
            gateway.start()
            display.banner("order entry: \(gateway.venues.map(\.rawValue).joined(separator: ", ")) "
                + "(marketmux order place --venue V --symbol S --side buy --price P --size Q)")
        }
        for pool in pools { pool.start() }

        let operations = await OperationsSetup.startForDemo(port: httpPort, logLevel: logLevel, sources: pools.map(\.statusSource),
                                                            hub: hub, eventLoop: group.next(), announce: display.banner)

        // 5. Status until Ctrl-C / SIGTERM or --duration.
        let stop = StopSignal()
        let deadline = duration.map { Date().addingTimeInterval($0) }
        while !stop.isRaised {
            if let deadline, Date() >= deadline { break }
            try? await Task.sleep(nanoseconds: 500_000_000)
            var rows: [DemoRow] = []
            for pool in pools { rows.append(await pool.row()) }
            display.render(rows)
        }
        display.banner("stopping: closing venue connections, draining subscribers, removing \(socket)")
        for pool in pools { pool.stop() }
        gateway?.stop()
        try? await Task.sleep(nanoseconds: 300_000_000)
        await operations?.shutdown()
        await server.shutdown(drainFor: .milliseconds(500))
        await simulator.stop()
        try? await group.shutdownGracefully()
    }
}

/// Type-erased pool for the demo loop.
protocol DemoPool: Sendable {
    func start()
    func stop()
    func row() async -> DemoRow
    /// The pool, for the operator endpoints.
    var statusSource: any VenueStatusSource { get }
}

struct TypedDemoPool<Adapter: VenueAdapter>: DemoPool {
    let pool: VenueSessionPool<Adapter>
    let sink: DemoSink

    func start() { pool.start() }
    func stop() { pool.stop() }
    var statusSource: any VenueStatusSource { pool }
    func row() async -> DemoRow {
        let counters = (try? await pool.snapshotCounters().get()) ?? VenueSessionCounters()
        return DemoRow(venue: Adapter.spec.id, counters: counters, states: sink.states(of: Adapter.spec.id))
    }
}

func makeDemoPool<Adapter: VenueAdapter>(_ type: Adapter.Type, configuration: VenueSessionConfiguration, eventLoop: any EventLoop,
                                         sink: DemoSink) -> any DemoPool {
    TypedDemoPool(pool: VenueSessionPool<Adapter>(configuration: configuration, eventLoop: eventLoop, sink: sink), sink: sink)
}

/// Forwards pool output to the fan-out hub and keeps the latest status per venue for the screen.
final class DemoSink: VenueSessionSink, @unchecked Sendable {
    private let hub: FanoutHub
    private let display: DemoDisplay
    private let lock = NSLock()
    private var latest: [VenueID: [String: StatusEvent]] = [:]
    /// Fed every status (the order gateway's stale-data guard); set once before the pools start publishing orders.
    var orderGateway: OrderGateway? {
        get { lock.withLock { gatewayStorage } }
        set { lock.withLock { gatewayStorage = newValue } }
    }
    private var gatewayStorage: OrderGateway?

    init(hub: FanoutHub, display: DemoDisplay) {
        self.hub = hub
        self.display = display
    }

    func publish(_ events: [MarketEvent]) {
        hub.publish(contentsOf: events)
        var statuses: [StatusEvent] = []
        defer { if !statuses.isEmpty { orderGateway?.marketStatus(statuses) } }
        for event in events {
            guard case .status(let status) = event else { continue }
            statuses.append(status)
            let key = "\(status.symbol?.description ?? "*") \(status.channel?.rawValue ?? "*")"
            lock.withLock { latest[status.venue, default: [:]][key] = status }
            display.status(status)
        }
    }

    func log(venue: VenueID, _ message: String, isError: Bool) {
        display.log("\(venue): \(message)", isError: isError)
    }

    func states(of venue: VenueID) -> [String: StatusEvent] { lock.withLock { latest[venue] ?? [:] } }
}

/// Raised by SIGINT or SIGTERM (the dispatch sources keep watching for the process's lifetime).
final class StopSignal: @unchecked Sendable {
    private let sources: [any DispatchSourceSignal]
    private let flag = UncheckedFlag()

    init() {
        var sources: [any DispatchSourceSignal] = []
        let flag = self.flag
        for signalNumber in [SIGINT, SIGTERM] {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler { flag.raise() }
            source.resume()
            sources.append(source)
        }
        self.sources = sources
    }

    var isRaised: Bool { flag.isRaised }
}

/// A thread-safe boolean.
final class UncheckedFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    func raise() { lock.withLock { value = true } }
    var isRaised: Bool { lock.withLock { value } }
}
