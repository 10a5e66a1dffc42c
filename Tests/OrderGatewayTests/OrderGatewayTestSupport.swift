import Fanout
import Foundation
import MarketModel
import NIOCore
import NIOPosix
import OrderGateway
import Orders
import Replay
import Sessions
import Transport
import VenueKit
import Venues
#if canImport(Glibc)
import Glibc
#endif

struct GatewayTestTimeout: Error, CustomStringConvertible {
    var description: String
}

/// A simulated venue, the local socket and an order gateway between them.
struct OrderRig: Sendable {
    let simulator: SimulatedVenueServer
    let hub: FanoutHub
    let server: FanoutServer
    let gateway: OrderGateway
    let directory: String
    let venue: VenueID
    var socketPath: String { directory + "/mm.sock" }

    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("fixtures").path

    /// Starts everything for `venue` trading `symbol`; `markLive` feeds the stale-data guard a live book and trades.
    static func start(venue name: String, symbol symbolText: String, markLive: Bool = true,
                      extraVenues: [(String, String)] = [], credentials explicitCredentials: VenueCredentials? = nil,
                      log: (@Sendable (String, Bool) -> Void)? = nil) async throws -> OrderRig {
        let venue = VenueID(rawValue: name)
        let symbol = try Symbol(symbolText)
        let group = MultiThreadedEventLoopGroup.singleton
        var simulatorConfiguration = SimulatorConfiguration(venues: [name])
        simulatorConfiguration.sessionEnd = .stayOpen
        let simulator = try SimulatedVenueServer(fixturesDirectory: fixtures, configuration: simulatorConfiguration, eventLoop: group.next())
        _ = try await simulator.start()

        var catalog: [VenueID: Catalog.Venue] = [venue: Catalog.Venue(channels: [.trades, .book], symbols: [symbol])]
        var venueConfigurations = [VenueOrderConfiguration(
            venue: venue, spec: nil, frameBuilder: nil,
            instruments: [symbol: InstrumentRules(tickSize: Price(tick(name)) ?? .zero, lotSize: Size(lot(name)) ?? .zero,
                                                  minSize: Size(lot(name)) ?? .zero)])]
        for (extraName, extraSymbol) in extraVenues {
            let extra = try Symbol(extraSymbol)
            catalog[VenueID(rawValue: extraName)] = Catalog.Venue(channels: [.trades], symbols: [extra])
            venueConfigurations.append(VenueOrderConfiguration(venue: VenueID(rawValue: extraName), spec: nil, frameBuilder: nil,
                                                               instruments: [extra: InstrumentRules(tickSize: Price("0.01") ?? .zero, lotSize: Size("0.001") ?? .zero, minSize: Size("0.001") ?? .zero)]))
        }
        let hub = FanoutHub(catalog: Catalog(catalog), eventLoop: group.next())
        let directory = NSTemporaryDirectory() + "mmx-orders-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let server = FanoutServer(path: directory + "/mm.sock", hub: hub)
        try await server.start()

        let routerType = try requireRouter(venue)
        let credentials = explicitCredentials ?? (name == "kraken"
            ? VenueCredentials(apiKey: "mmx-test-key", secret: "bW14LXRlc3Qtc2VjcmV0", passphrase: "mmx-test-ws-token")
            : VenueCredentials(apiKey: "mmx-test-key", secret: "mmx-test-secret", passphrase: "mmx-test-passphrase"))
        let endpoint = OrderVenueEndpoint(
            venue: venue, url: simulator.orderWebSocketURL(for: name),
            updatesURL: routerType.orderSpec.updatesURL == nil ? nil : simulator.orderWebSocketURL(for: name, role: .updates),
            credentials: credentials,
            adapterConfiguration: VenueAdapterConfiguration(symbols: [symbol], options: name == "bybit" ? ["category": "linear"] : [:]),
            restBaseURL: simulator.restURL(for: name))
        let configuration = OrderGatewayConfiguration(
            multiplexer: OrderMultiplexerConfiguration(venues: venueConfigurations), endpoints: [venue: endpoint],
            backoff: ReconnectBackoffConfiguration(base: Interval.milliseconds(50), cap: Interval.milliseconds(500)))
        let gateway = OrderGateway(configuration: configuration, routerTypes: [venue: routerType], eventLoop: group.next(),
                                   log: log ?? { message, isError in if isError { print("gateway: \(message)") } })
        hub.installOrderHandler(gateway)
        if markLive {
            gateway.marketStatus([StatusEvent(venue: venue, symbol: symbol, channel: .book, state: .live),
                                  StatusEvent(venue: venue, symbol: symbol, channel: .trades, state: .live)])
        }
        gateway.start()
        return OrderRig(simulator: simulator, hub: hub, server: server, gateway: gateway, directory: directory, venue: venue)
    }

    static func tick(_ venue: String) -> String {
        ["okx": "0.1", "kraken": "0.1", "deribit": "0.5", "bitfinex": "1"][venue] ?? "0.01"
    }

    static func lot(_ venue: String) -> String {
        venue == "deribit" ? "10" : "0.001"
    }

    /// Waits (bounded) until the venue's order connection has logged in.
    /// Polls until the venue's order connection is up. The limit is generous and the check runs
    /// once more after it: `swift test` runs the CPU-bound suites in parallel on two cores, which
    /// has starved this poll for over 20 s at the start of a run (the login itself takes ms).
    func waitUntilUp(timeout: Double = 90) async throws {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            let expired = Date() >= deadline  // read first: the last check starts after the deadline
            let statuses = try await gateway.snapshot().get()
            if statuses.first(where: { $0.venue == venue })?.isUp == true { return }
            if expired { break }
            try await Task.sleep(nanoseconds: 10_000_000)
        }
        throw GatewayTestTimeout(description: "\(venue)'s order connection did not log in within \(timeout) s")
    }

    func stop() async {
        gateway.stop()
        await server.shutdown(drainFor: .milliseconds(200))
        await simulator.stop()
        try? FileManager.default.removeItem(atPath: directory)
    }
}

/// The router type of `venue`, or a thrown error naming it.
func requireRouter(_ venue: VenueID) throws -> any OrderRouting.Type {
    guard let type = OrderRouterRegistry.routerType(for: venue) else {
        throw GatewayTestTimeout(description: "no order router for \(venue)")
    }
    return type
}

/// A blocking line client of the local socket with a reader thread.
final class OrderClient: @unchecked Sendable {
    private let fd: Int32
    private let lock = NSLock()
    private var received: [String] = []
    private var thread: Thread?

    private init(fd: Int32) { self.fd = fd }

    static func connect(_ path: String) async throws -> OrderClient {
        let client = OrderClient(fd: try UnixSocket.connect(to: path))
        let thread = Thread { client.readLoop() }
        client.thread = thread
        thread.start()
        return client
    }

    private func readLoop() {
        var pending: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count <= 0 { return }
            pending.append(contentsOf: chunk[..<count])
            while let newline = pending.firstIndex(of: 0x0A) {
                let line = String(decoding: pending[..<newline], as: UTF8.self)
                pending.removeFirst(newline + 1)
                lock.withLock { received.append(line) }
            }
        }
    }

    /// Every line received so far.
    var lines: [String] { lock.withLock { received } }

    func send(_ text: String) throws {
        try writeLine(text, to: fd)
    }

    /// Waits (bounded) for the first line matching `predicate`; checked once more at the limit
    /// (a poll starved by parallel CPU-bound suites must not fail a line that did arrive).
    func waitFor(timeout: Double = 60, _ predicate: @escaping (String) -> Bool) async throws -> String {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            if let line = lines.first(where: predicate) { return line }
            if Date() >= deadline { break }
            try await Task.sleep(nanoseconds: 5_000_000)
        }
        throw GatewayTestTimeout(description: "no matching line within \(timeout) s; last lines:\n" + lines.suffix(8).joined(separator: "\n"))
    }

    /// Waits (bounded) until `condition` holds; checked once more at the limit.
    func waitUntil(timeout: Double = 60, _ condition: @escaping () -> Bool) async throws {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            if condition() { return }
            if Date() >= deadline { break }
            try await Task.sleep(nanoseconds: 5_000_000)
        }
        throw GatewayTestTimeout(description: "condition not met within \(timeout) s; last lines:\n" + lines.suffix(8).joined(separator: "\n"))
    }

    func close() {
        shutdown(fd, Int32(SHUT_RDWR))
        Glibc.close(fd)
    }
}

/// Writes `text` and a newline to `fd` in full (retrying short writes and EINTR): the test
/// socket clients' one way to send a request line.
func writeLine(_ text: String, to fd: Int32) throws {
    let bytes = Array((text + "\n").utf8)
    var offset = 0
    while offset < bytes.count {
        let n = bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        if n < 0 {
            if errno == EINTR { continue }
            throw GatewayTestTimeout(description: "write failed: errno \(errno)")
        }
        offset += n
    }
}
