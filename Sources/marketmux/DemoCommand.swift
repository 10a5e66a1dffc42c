import ArgumentParser
import Fanout
import FeedPipeline
import Foundation
import MarketModel
import NATS
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
    @Option(help: ArgumentHelp("Also publish every event and status to this NATS server (comma-separated for a cluster) and take orders there (docs/scaling.md).",
                               valueName: "URL"))
    var nats: String?
    @Option(help: "Subject prefix on NATS: <prefix>.md.<venue>.<channel>.<symbol>, <prefix>.status.<venue>, <prefix>.orders.<venue>.")
    var natsPrefix: String = "marketmux"

    func run() async throws {
        guard FileManager.default.fileExists(atPath: fixtures) else {
            exitWithError("no fixtures directory at '\(fixtures)'; run from the repository root or pass --fixtures DIR.")
        }
        guard let replaySpeed = ReplaySpeed(argument: speed) else {
            exitWithError("--speed must be a positive number or 'max', got '\(speed)'.")
        }
        var natsClientConfiguration: NATSClientConfiguration?
        var natsPublisherConfiguration: NATSPublisherConfiguration?
        if let nats {
            do {
                natsClientConfiguration = try NATSClientConfiguration(urls: nats.split(separator: ",").map(String.init), name: "marketmux-demo")
                natsPublisherConfiguration = try NATSPublisherConfiguration(subjectPrefix: natsPrefix)
            } catch {
                exitWithError("--nats / --nats-prefix: \(error.message).")
            }
        }
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        let display = DemoDisplay(isInteractive: !plain && isatty(STDOUT_FILENO) == 1)

        // 1. The simulated venues.
        var faults = FaultPlan.none
        var chaosSeed: UInt64?
        if chaos {
            let chosen = seed ?? UInt64.random(in: 1...UInt64.max)
            chaosSeed = chosen
            // A silence lasts until the connection ends (60 s of venue time), so it can outlast the
            // stream's stale window, as the fault is meant to show; the default 4 s never does.
            faults = FaultPlan(steps: [], chaos: ChaosConfiguration(seed: chosen, silenceMilliseconds: 60_000))
        }
        var simulatorConfiguration = SimulatorConfiguration(speed: replaySpeed, faults: faults)
        // Most fault recordings carry only books: alternate them with recordings that carry trades,
        // so every venue's trades keep coming between its faults.
        simulatorConfiguration.segmentOrder = .tradesInterleaved
        if chaos {
            // With --chaos a recorded session ends by going quiet with the socket open (a half-open
            // feed) instead of closing: every venue's streams go `stale`, the data-idle guard drops the
            // connection, and the next one replays the next session — the guard users most need to see.
            simulatorConfiguration.sessionEnd = .stayOpen
        }
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
            // The simulated venue ends every recorded session (1001, or with --chaos a stall) and
            // replays the next one on reconnect: reconnect quickly here (production keeps 1 s base,
            // 60 s cap, 60 s stable period). Recordings last about a second at --speed 10, so a
            // connection that served one for 1 s counts as stable; a longer period never resets the
            // backoff and every later reconnect waits near the cap.
            let backoff = ReconnectBackoffConfiguration(base: Interval.milliseconds(200), cap: Interval.seconds(3),
                                                        stablePeriod: Interval.seconds(1))
            // Stale windows are venue time: at --speed N the recordings play N times faster, so the
            // windows shrink N times too, and a connection with no data for twice the shortest one is
            // dropped (a half-open socket goes stale, then reconnects, within the demo's minute).
            var staleAfter: [MarketModel.Channel: Int64] = [:]
            var dataIdle: Int64?
            var connectBudget: ConnectBudget?
            if case .factor(let factor) = replaySpeed, factor > 1 {
                // Connect budgets are venue time too: recordings N times shorter mean N times more
                // reconnects, which would spend Bitfinex's 20 per minute in seconds.
                connectBudget = plan.type.spec.connectBudget.map {
                    ConnectBudget(attempts: $0.attempts, window: Int64(Double($0.window) / factor))
                }
                for channel in plan.channels {
                    var window = max(Interval.seconds(1), Int64(Double(plan.type.spec.staleAfter(for: channel)) / factor))
                    // With --chaos every recorded session ends in a stall: cap the windows at 1 s so each
                    // venue's stall → stale → data-idle reconnect cycle (≈ 2.5 s) fits several times
                    // inside the screen's 10 s (Kraken's 60 s book window would otherwise still be 6 s
                    // at --speed 10), and the recordings with trades come round every few seconds.
                    if chaos { window = min(window, Interval.seconds(1)) }
                    staleAfter[channel] = window
                }
                dataIdle = staleAfter.values.min().map { 2 * $0 }
            }
            if chaos && dataIdle == nil {
                dataIdle = plan.channels.map { plan.type.spec.staleAfter(for: $0) }.min().map { 2 * $0 }
            }
            let configuration = VenueSessionConfiguration(
                symbols: plan.symbols, channels: plan.channels, options: plan.options,
                marketDataURLs: [simulator.webSocketURL(for: venue)], restBaseURL: simulator.restURL(for: venue),
                clientOptions: options,
                pool: PoolConfiguration(lifecycle: ConnectionLifecycleConfiguration(
                    backoff: backoff, dataIdleTimeout: dataIdle, staleAfterOverrides: staleAfter), connectBudget: connectBudget))
            pools.append(makeDemoPool(plan.type, configuration: configuration, eventLoop: group.next(), sink: sink))
        }
        display.banner("MarketMux demo: \(pools.count) venues simulated on 127.0.0.1:\(simulator.port), speed \(speed)"
            + (chaosSeed.map { ", chaos seed \($0)" } ?? "") + "; subscribers: marketmux tail --socket \(socket)")
        // 4b. Order entry against the simulated venues' order endpoints.
        var orderClientOptions = WebSocketClientOptions()
        orderClientOptions.closeTimeoutNanoseconds = 1_000_000_000
        let gateway = await DemoOrders.makeGateway(
            simulator: simulator, venues: plans.map { (id: $0.type.spec.id, symbols: $0.symbols, options: $0.options) },
            hub: hub, eventLoop: group.next(), clientOptions: orderClientOptions,
            log: { message, isError in display.log(message, isError: isError) })
        if let gateway {
            sink.orderGateway = gateway
            gateway.start()
            display.banner("order entry: \(gateway.venues.map(\.rawValue).joined(separator: ", ")) "
                + "(marketmux order place --venue V --symbol S --side buy --price P --size Q)")
        }
        // 4c. NATS (SPEC §7): every event and status published, orders taken by request-reply.
        var natsLink: (connection: NATSConnection, publisher: NATSPublisher, intake: NATSOrderIntake?)?
        if let natsClientConfiguration, let natsPublisherConfiguration {
            let connection = NATSConnection(configuration: natsClientConfiguration, eventLoop: group.next())
            let publisher = NATSPublisher(connection: connection, configuration: natsPublisherConfiguration)
            let prefix = natsPrefix
            connection.onStateChange { state in display.log("nats: \(state)", isError: state == .reconnecting) }
            publisher.onLoss { lost in
                display.log("nats: events lost (reported on \(prefix).status.<venue>): "
                    + lost.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "), isError: true)
            }
            publisher.start()
            connection.start()
            sink.natsPublisher = publisher
            var intake: NATSOrderIntake?
            var intakeText = "no order intake (no venue has order entry)"
            if let gateway {
                let made = NATSOrderIntake(publisher: publisher, gateway: gateway, catalog: Catalog(catalogVenues))
                let served = (try? await made.start().get()) ?? []
                intake = made
                intakeText = "orders by request-reply on \(natsPrefix).orders.<venue> (\(served.map(\.rawValue).joined(separator: ", "))), "
                    + "updates on \(natsPrefix).orders.updates.<client>"
            }
            natsLink = (connection, publisher, intake)
            display.banner("NATS \(nats ?? ""): events on \(natsPrefix).md.<venue>.<channel>.<symbol>, status on \(natsPrefix).status.<venue>; "
                + intakeText)
        }
        for pool in pools { pool.start() }

        let operations = await OperationsSetup.startForDemo(port: httpPort, logLevel: logLevel, sources: pools.map(\.statusSource),
                                                            hub: hub, nats: natsLink?.publisher, eventLoop: group.next(),
                                                            announce: display.banner)

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
        natsLink?.intake?.stop()
        try? await Task.sleep(nanoseconds: 300_000_000)
        if let natsLink {
            natsLink.publisher.stop()
            _ = try? await natsLink.connection.close().get()
        }
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
    /// Also gets every event (set once before the pools start).
    var natsPublisher: NATSPublisher? {
        get { lock.withLock { natsStorage } }
        set { lock.withLock { natsStorage = newValue } }
    }
    private var natsStorage: NATSPublisher?

    init(hub: FanoutHub, display: DemoDisplay) {
        self.hub = hub
        self.display = display
    }

    func publish(_ events: [MarketEvent]) {
        hub.publish(contentsOf: events)
        natsPublisher?.publish(events)
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
