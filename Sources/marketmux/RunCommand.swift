import ArgumentParser
import Configuration
import Fanout
import Foundation
import Logging
import MarketModel
import NATS
import NIOCore
import NIOPosix
import Operations
import OrderGateway
import Orders
import SessionPool
import Transport
import Sessions
import VenueKit
import Venues

/// `marketmux run --config marketmux.yaml`: the production daemon (SPEC §2, §3). One session pool
/// per configured venue against the venue's real endpoints (or the file's overrides), the local
/// subscriber socket, the operator HTTP endpoint, logs on stderr; SIGINT/SIGTERM stop it
/// gracefully (close handshakes, subscribers drained, socket file removed).
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the multiplexer against real venues, as configured in a YAML file.",
        discussion: """
        The file (SPEC §3; see marketmux.example.yaml) lists the venues with their symbols and channels, the \
        local socket, the HTTP endpoint for /metrics, /status and the status page, and per venue the names of \
        the environment variables holding order-entry secrets. Any unknown key, bad value, unknown venue, channel \
        or symbol, or unset secret variable stops start-up with 'file:line: key: message'.
        """
    )

    @Option(help: "Configuration file (YAML).") var config: String = "marketmux.yaml"
    @Option(help: "Log level, overriding the file's log_level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: String?
    @Flag(help: "Check the file (and that every order-entry secret variable is set), print a summary and exit.")
    var check = false

    func run() async throws {
        let configuration: MarketMuxConfiguration
        do {
            configuration = try MarketMuxConfiguration.load(path: config)
        } catch {
            exitWithError(error.description)
        }
        // Secrets are read once, here, and only handed to order entry; a missing one stops start-up
        // with the line of its `*_env` key.
        var orderEntries: [OrderEntrySetup] = []
        let environment = ProcessInfo.processInfo.environment
        for entry in configuration.orderEntries {
            do {
                orderEntries.append(OrderEntrySetup(configuration: entry, credentials: try entry.resolveCredentials(environment: environment)))
            } catch {
                exitWithError(error.description)
            }
        }
        // NATS (SPEC §7): credentials from the environment, like order entry's.
        var natsConfigurations: (client: NATSClientConfiguration, publisher: NATSPublisherConfiguration)?
        if let nats = configuration.nats {
            do {
                natsConfigurations = (try nats.clientConfiguration(environment: environment),
                                      try nats.publisherConfiguration(shardVenues: configuration.shardVenues))
            } catch {
                exitWithError(error.description)
            }
        }
        let venues = configuration.activeVenues
        let level = logLevel.map(OperationsSetup.logLevel) ?? configuration.logLevel
        if check {
            let streams = venues.reduce(0) { $0 + $1.symbols.count * $1.channels.count }
            print("\(config): OK: \(venues.count) venues (\(venues.map(\.id.rawValue).joined(separator: ", "))"
                  + (configuration.shardVenues == nil ? "" : ", this shard's") + "), "
                  + "\(streams) streams, socket \(configuration.socketPath), http \(configuration.http?.description ?? "off"), "
                  + "order entry: \(orderEntries.isEmpty ? "none" : orderEntries.map(\.configuration.venue.rawValue).joined(separator: ", ")), "
                  + (configuration.nats?.description ?? "nats: off"))
            return
        }
        OperationsSetup.bootstrapLogging(level: level)
        let logger = Logger(label: "marketmux")
        let group = MultiThreadedEventLoopGroup(numberOfThreads: max(2, System.coreCount))

        // 1. Fan-out on the local socket, validated against exactly what is configured.
        var catalog = Catalog()
        for venue in venues { catalog.add(venue: venue.id, channels: Set(venue.channels), symbols: Set(venue.symbols)) }
        var fanoutConfiguration = FanoutConfiguration()
        if let limit = configuration.maxSubscribers { fanoutConfiguration.maxSubscribers = limit }
        let hub = FanoutHub(configuration: fanoutConfiguration, catalog: catalog, eventLoop: group.next())
        let server = FanoutServer(path: configuration.socketPath, hub: hub)
        do {
            try await server.start()
        } catch {
            exitWithError("cannot serve the local socket: \(error)")
        }

        // 1b. NATS: every event and status of this shard published (docs/scaling.md).
        var natsLink: (connection: NATSConnection, publisher: NATSPublisher)?
        if let natsConfigurations, let settings = configuration.nats {
            let natsLogger = Logger(label: "marketmux.nats")
            let connection = NATSConnection(configuration: natsConfigurations.client, eventLoop: group.next())
            let publisher = NATSPublisher(connection: connection, configuration: natsConfigurations.publisher)
            connection.onStateChange { [weak connection] state in   // on the connection's loop
                let reason = connection?.lastErrorOnLoop.map { "\($0)" } ?? ""
                natsLogger.log(level: state == .reconnecting ? .warning : .info, "nats \(state)",
                               metadata: ["server": "\(connection?.statisticsOnLoop.currentServer ?? "-")", "reason": "\(reason)"])
            }
            publisher.onLoss { lost in
                // Reported to consumers on <prefix>.status.<venue>; books re-snapshot on the next venue resync.
                natsLogger.warning("nats: events lost", metadata: ["venues": "\(lost.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" })"])
            }
            publisher.start()
            connection.start()
            natsLink = (connection, publisher)
            logger.info("nats: publishing", metadata: ["nats": "\(settings)"])
        }

        // 2. One pool per venue.
        let sink = RunSink(hub: hub, nats: natsLink?.publisher, logger: Logger(label: "marketmux.pool"))
        var pools: [any ManagedPool] = []
        for venue in venues {
            guard let adapter = VenueRegistry.adapterType(for: venue.id) else { continue }  // validated by the parser
            pools.append(makeManagedPool(adapter, configuration: Self.sessionConfiguration(venue), eventLoop: group.next(), sink: sink))
        }

        // 3. Operator endpoints.
        var operations: OperationsService?
        if let http = configuration.http {
            let service = OperationsService(host: http.host, port: http.port, sources: pools, hub: hub, nats: natsLink?.publisher,
                                            eventLoop: group.next(),
                                            logger: Logger(label: "marketmux.operations"))
            do {
                try await service.start()
            } catch {
                await server.shutdown(drainFor: .zero)
                exitWithError("cannot serve HTTP on \(http): \(error)")
            }
            operations = service
            logger.info("operator endpoint http://\(http)/ (/metrics, /status)")
        }

        // 4. Order entry (issues #6, #7): rules fetched, gateway installed on the hub before the pools
        // start, so the stale-data guard sees every status from the first one.
        let gateway = await connectOrderEntry(orderEntries, venues: venues, hub: hub, eventLoop: group.next(), logger: logger)
        sink.orderGateway = gateway
        gateway?.start()

        // 4b. NATS order intake (SPEC §7): the same gateway behind <prefix>.orders.<venue>.
        var intake: NATSOrderIntake?
        if let natsLink, let settings = configuration.nats, settings.servesOrderIntake, let gateway {
            let made = NATSOrderIntake(publisher: natsLink.publisher, gateway: gateway, catalog: catalog)
            do {
                let served = try await made.start().get()
                intake = made
                logger.info("nats: order intake on \(settings.subjectPrefix).orders.<venue>", metadata: ["venues": "\(served.map(\.rawValue))"])
            } catch {
                logger.error("nats: cannot serve order intake: \(error)")
            }
        } else if configuration.nats?.servesOrderIntake == true {
            logger.notice("nats: order intake off: no venue has an orders: section")
        }

        for pool in pools { pool.start() }
        logger.info("running", metadata: ["config": "\(config)", "venues": "\(venues.map(\.id.rawValue))",
                                          "socket": "\(configuration.socketPath)"])

        // 5. Until SIGINT / SIGTERM.
        let stop = StopSignal()
        while !stop.isRaised { try? await Task.sleep(nanoseconds: 200_000_000) }
        logger.notice("stopping: closing venue connections, draining subscribers, removing \(configuration.socketPath)")
        for pool in pools { pool.stop(reason: "shutting down") }
        intake?.stop()
        gateway?.stop()
        try? await Task.sleep(nanoseconds: 500_000_000)
        await operations?.shutdown()
        await server.shutdown(drainFor: .seconds(2))
        if let natsLink {
            natsLink.publisher.stop()
            _ = try? await natsLink.connection.close().get()
        }
        try? await group.shutdownGracefully()
        logger.info("stopped")
    }

    /// The pool configuration of one configured venue (URL overrides, stale windows, limits).
    static func sessionConfiguration(_ venue: VenueConfiguration) -> VenueSessionConfiguration {
        var pool = PoolConfiguration(lifecycle: ConnectionLifecycleConfiguration(staleAfterOverrides: venue.staleAfter))
        pool.maxSubscriptionsPerConnection = venue.maxSubscriptionsPerConnection
        return VenueSessionConfiguration(symbols: venue.symbols, channels: venue.channels, bookDepth: venue.bookDepth,
                                         options: venue.options, marketDataURLs: venue.marketDataURLs, restBaseURL: venue.restURL,
                                         clientOptions: WebSocketClientOptions(), pool: pool)
    }

    /// Order entry for `entries` (each venue's `orders:` section with its resolved secrets) through
    /// ``OrderGateway/OrderEntryAssembly``: rules not in the file are fetched from each venue's REST
    /// API, Kraken's WebSocket token too when no `passphrase_env` holds one; venues that fail are
    /// logged and answer `unsupported` with the reason. `nil` when no venue has an `orders:` section.
    func connectOrderEntry(_ entries: [OrderEntrySetup], venues: [VenueConfiguration], hub: FanoutHub,
                           eventLoop: any EventLoop, logger: Logger) async -> OrderGateway? {
        guard !entries.isEmpty else { return nil }
        let settings = entries.map { entry -> OrderEntryVenueSettings in
            let venue = venues.first { $0.id == entry.configuration.venue }
            return OrderEntryVenueSettings(venue: entry.configuration.venue, orderURL: entry.configuration.url, restBaseURL: venue?.restURL,
                                           credentials: entry.credentials, symbols: venue?.symbols ?? [], options: venue?.options ?? [:],
                                           explicitRules: entry.configuration.instruments,
                                           // No book subscribed, no live book to wait for: trades' status still guards.
                                           staleDataGuard: StaleDataGuardConfiguration(
                                               isEnabled: entry.configuration.staleDataGuard,
                                               requiresLiveBook: venue?.channels.contains(.book) ?? false))
        }
        let ordersLogger = Logger(label: "marketmux.orders")
        let startMilliseconds = UInt64(Date().timeIntervalSince1970 * 1000)
        let options = OrderEntryAssembly.Options(
            clientOrderIDSeed: startMilliseconds,  // grows across restarts, so venue client order ids are never reused
            nonce: { UInt64(Date().timeIntervalSince1970 * 1000) })
        do {
            let outcome = try await OrderEntryAssembly.assemble(settings, hub: hub, options: options, eventLoop: eventLoop) { message, isError in
                ordersLogger.log(level: isError ? .warning : .info, "\(message)")
            }.get()
            logger.info("order entry", metadata: ["venues": "\(outcome.rules.keys.sorted().map(\.rawValue))",
                                                  "refused": "\(outcome.refused.keys.sorted().map(\.rawValue))"])
            return outcome.gateway
        } catch {
            // assemble() only fails if the event loop is shutting down: every venue failure is an outcome.
            logger.error("order entry not started: \(error)")
            return nil
        }
    }
}

/// One venue's order entry as configured, with its secrets (never logged: ``VenueKit/VenueCredentials``
/// redacts itself, and only the configuration, which holds variable names, is ever printed).
struct OrderEntrySetup: Sendable {
    let configuration: OrderEntryConfiguration
    let credentials: VenueCredentials
}

/// A pool as `run` drives it.
protocol ManagedPool: VenueStatusSource {
    func start()
    func stop(reason: String)
}

extension VenueSessionPool: ManagedPool {}

func makeManagedPool<Adapter: VenueAdapter>(_ type: Adapter.Type, configuration: VenueSessionConfiguration, eventLoop: any EventLoop,
                                            sink: any VenueSessionSink) -> any ManagedPool {
    VenueSessionPool<Adapter>(configuration: configuration, eventLoop: eventLoop, sink: sink)
}

/// Forwards pool output to the fan-out and pool log lines to swift-log (connection events at
/// info, failures at warning: every one of them is retried).
final class RunSink: VenueSessionSink, @unchecked Sendable {
    // @unchecked: immutable after init but for the lock-guarded gateway; FanoutHub and Logger are thread-safe.
    private let hub: FanoutHub
    private let nats: NATSPublisher?
    private let logger: Logger
    private let lock = NSLock()
    private var gatewayStorage: OrderGateway?
    /// Fed every status (the order gateway's stale-data guard); set once before the pools start.
    var orderGateway: OrderGateway? {
        get { lock.withLock { gatewayStorage } }
        set { lock.withLock { gatewayStorage = newValue } }
    }

    init(hub: FanoutHub, nats: NATSPublisher? = nil, logger: Logger) {
        self.hub = hub
        self.nats = nats
        self.logger = logger
    }

    func publish(_ events: [MarketEvent]) {
        hub.publish(contentsOf: events)
        nats?.publish(events)
        let statuses = events.compactMap { event -> StatusEvent? in if case .status(let status) = event { status } else { nil } }
        if !statuses.isEmpty { orderGateway?.marketStatus(statuses) }
        for status in statuses {
            guard status.state != .live else { continue }
            logger.info("stream \(status.state.rawValue)", metadata: [
                "venue": "\(status.venue)", "symbol": "\(status.symbol?.rawValue ?? "*")",
                "channel": "\(status.channel?.rawValue ?? "*")", "reason": "\(status.reason)",
            ])
        }
    }

    func log(venue: VenueID, _ message: String, isError: Bool) {
        logger.log(level: isError ? .warning : .info, "\(message)", metadata: ["venue": "\(venue)"])
    }
}
