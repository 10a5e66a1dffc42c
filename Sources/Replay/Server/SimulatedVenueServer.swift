import Foundation
import NIOCore
import NIOPosix

/// A loopback venue that replays recorded sessions (docs/simulator.md): one port serves every
/// venue by path (`ws://127.0.0.1:PORT/<venue-id>`, REST snapshots under
/// `http://127.0.0.1:PORT/<venue-id>/…`), optionally over TLS, and injects the faults of its
/// `FaultPlan`. All connections share one event loop, so its state needs no locks.
///
/// ```swift
/// let server = try SimulatedVenueServer(library: FixtureLibrary(directory: "fixtures"),
///                                       configuration: SimulatorConfiguration(speed: .max))
/// let port = try await server.start()
/// // connect to server.webSocketURL(for: "binance") …
/// await server.stop()
/// ```
public final class SimulatedVenueServer: @unchecked Sendable {
    /// The configuration.
    public let configuration: SimulatorConfiguration
    /// The venues served, in id order, with what they replay.
    public let profiles: [VenueProfile]
    /// The loop every connection runs on.
    public let eventLoop: any EventLoop

    // Orders hook: internal (not private) so SimulatedVenueServer+Orders.swift can reach the order desks.
    let core: SimulatorCore
    private let ownedGroup: MultiThreadedEventLoopGroup?
    private let lock = NSLock()
    private var channel: (any Channel)?
    private var boundPort = 0

    /// A server for the scenarios of `library` that `configuration` selects. `clock` drives replay
    /// timing and chaos (tests pass a `ManualReplayClock`); `eventLoop` defaults to a private
    /// one-thread group; `observer` hears every `SimulatorEvent`, on the event loop.
    public init(library: FixtureLibrary, configuration: SimulatorConfiguration, clock: any ReplayClock = SystemReplayClock(),
                eventLoop: (any EventLoop)? = nil, observer: (@Sendable (SimulatorEvent) -> Void)? = nil) throws(ReplayError) {
        let profiles = VenueProfile.profiles(from: library, configuration: configuration)
        guard !profiles.isEmpty else {
            throw .fixtures("no scenario to replay under '\(library.directory)' for the selected venues and scenarios")
        }
        if let wanted = configuration.venues {
            let missing = wanted.filter { id in !profiles.contains { $0.id == id } }
            guard missing.isEmpty else { throw .fixtures("no fixtures for venue(s) \(missing.joined(separator: ", ")) under '\(library.directory)'") }
        }
        let tlsContext = try configuration.tls.map { files throws(ReplayError) in
            try TLSServerContext(certificatePath: files.certificatePath, privateKeyPath: files.privateKeyPath)
        }
        self.configuration = configuration
        self.profiles = profiles
        if let eventLoop {
            self.eventLoop = eventLoop
            ownedGroup = nil
        } else {
            let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
            ownedGroup = group
            self.eventLoop = group.next()
        }
        core = SimulatorCore(profiles: profiles, configuration: configuration, clock: clock, eventLoop: self.eventLoop,
                             tlsContext: tlsContext, observer: observer)
    }

    /// Loads `fixturesDirectory` and makes a server for it.
    public convenience init(fixturesDirectory: String, configuration: SimulatorConfiguration, clock: any ReplayClock = SystemReplayClock(),
                            eventLoop: (any EventLoop)? = nil, observer: (@Sendable (SimulatorEvent) -> Void)? = nil) throws {
        try self.init(library: FixtureLibrary(directory: fixturesDirectory), configuration: configuration, clock: clock,
                      eventLoop: eventLoop, observer: observer)
    }

    /// Venue ids served.
    public var venues: [String] { profiles.map(\.id) }

    /// The bound port (0 before `start()`).
    public var port: Int { lock.withLock { boundPort } }

    /// Whether connections use TLS (`wss://`, `https://`).
    public var isSecure: Bool { configuration.tls != nil }

    /// `ws://127.0.0.1:PORT/<venue>` (or `wss://`).
    public func webSocketURL(for venue: String) -> String {
        "\(isSecure ? "wss" : "ws")://\(hostForURLs):\(port)/\(venue)"
    }

    /// `http://127.0.0.1:PORT/<venue>` (or `https://`): the REST base URL; recorded paths go after it.
    public func restURL(for venue: String) -> String {
        "\(isSecure ? "https" : "http")://\(hostForURLs):\(port)/\(venue)"
    }

    private var hostForURLs: String { configuration.host.contains(":") ? "[\(configuration.host)]" : configuration.host }

    /// Binds the listening socket and starts chaos (if configured); returns the port.
    @discardableResult
    public func start() async throws -> Int {
        if port != 0 { return port }
        let core = self.core
        let bootstrap = ServerBootstrap(group: eventLoop, childGroup: eventLoop)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(ChannelOptions.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { child in
                child.eventLoop.makeCompletedFuture {
                    let tls = try core.tlsContext.map { try TLSServerEngine(context: $0) }
                    try child.pipeline.syncOperations.addHandler(SimulatorConnectionHandler(core: core, tls: tls))
                }
            }
        let channel: any Channel
        do {
            channel = try await bootstrap.bind(host: configuration.host, port: configuration.port).get()
        } catch {
            throw ReplayError.bind("cannot listen on \(configuration.host):\(configuration.port): \(error)")
        }
        let port = channel.localAddress?.port ?? configuration.port
        lock.withLock {
            self.channel = channel
            boundPort = port
        }
        try await eventLoop.submit { core.start() }.get()
        return port
    }

    /// Starts (if needed) and runs until `stop()`: the service form for the CLI.
    public func run() async throws {
        try await start()
        let channel = lock.withLock { self.channel }
        try await channel?.closeFuture.get()
    }

    /// Injects `fault` into `venue` now: into its newest replaying connection, or armed for the
    /// next connection (handshake faults always are).
    public func inject(_ fault: Fault, venue: String) async {
        let core = self.core
        try? await eventLoop.submit { core.inject(fault, venue: venue) }.get()
    }

    /// Closes the listener and every connection, and shuts down the private event loop.
    public func stop() async {
        let channel = lock.withLock { () -> (any Channel)? in
            defer { self.channel = nil }
            return self.channel
        }
        let core = self.core
        try? await eventLoop.submit { core.stop() }.get()
        try? await channel?.close()
        try? await ownedGroup?.shutdownGracefully()
    }
}
