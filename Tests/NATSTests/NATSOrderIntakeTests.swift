import Fanout
import Foundation
import MarketModel
import NIOCore
import NIOPosix
import OrderGateway
import Orders
import Replay
import SessionPool
import Sessions
import Testing
import VenueKit
import Venues
@testable import NATS

/// One MarketMux-like instance on NATS: the simulated Binance (market data and order entry), a
/// real session pool publishing its normalized events through ``NATSPublisher``, and a real
/// ``OrderGateway`` taking orders from ``NATSOrderIntake`` — against a real nats-server.
final class NATSOrderRig: @unchecked Sendable, VenueSessionSink {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("fixtures").path
    static let symbol = Symbol(unchecked: "BTC-USDT", kind: .spot)

    let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
    let server: NATSServerProcess
    let simulator: SimulatedVenueServer
    let gateway: OrderGateway
    let connection: NATSConnection
    let publisher: NATSPublisher
    let intake: NATSOrderIntake
    let catalog = Catalog([.binance: Catalog.Venue(channels: [.book], symbols: [NATSOrderRig.symbol])])
    private var pool: VenueSessionPool<Binance>?

    /// Everything but the market-data pool (``startMarketData()``); `markLive` feeds the stale-data guard by hand.
    init(prefix: String = "mm", markLive: Bool) async throws {
        server = NATSServerProcess(port: NATSServerProcess.freePort())
        try server.start()
        var simulatorConfiguration = SimulatorConfiguration(speed: .max, scenarios: .named(["book"]), venues: ["binance"])
        simulatorConfiguration.sessionEnd = .stayOpen
        simulator = try SimulatedVenueServer(library: try FixtureLibrary(directory: Self.fixtures),
                                             configuration: simulatorConfiguration, eventLoop: group.next())
        _ = try await simulator.start()

        let routerType = try #require(OrderRouterRegistry.routerType(for: .binance))
        let endpoint = OrderVenueEndpoint(
            venue: .binance, url: simulator.orderWebSocketURL(for: "binance"),
            updatesURL: routerType.orderSpec.updatesURL == nil ? nil : simulator.orderWebSocketURL(for: "binance", role: .updates),
            credentials: VenueCredentials(apiKey: "mmx-test-key", secret: "mmx-test-secret", passphrase: "mmx-test-passphrase"),
            adapterConfiguration: VenueAdapterConfiguration(symbols: [Self.symbol], options: [:]))
        let rules = InstrumentRules(tickSize: Price("0.01") ?? .zero, lotSize: Size("0.001") ?? .zero, minSize: Size("0.001") ?? .zero)
        let configuration = OrderGatewayConfiguration(
            multiplexer: OrderMultiplexerConfiguration(venues: [
                VenueOrderConfiguration(venue: .binance, spec: nil, frameBuilder: nil, instruments: [Self.symbol: rules])]),
            endpoints: [.binance: endpoint],
            backoff: ReconnectBackoffConfiguration(base: Interval.milliseconds(50), cap: Interval.milliseconds(500)))
        gateway = OrderGateway(configuration: configuration, routerTypes: [.binance: routerType], eventLoop: group.next(),
                               log: { message, isError in if isError { print("gateway: \(message)") } })
        if markLive {
            gateway.marketStatus([StatusEvent(venue: .binance, symbol: Self.symbol, channel: .book, state: .live)])
        }
        gateway.start()

        connection = NATSConnection(configuration: try clientConfiguration([server.url], name: "marketmux"), eventLoop: group.next())
        publisher = NATSPublisher(connection: connection, configuration: try NATSPublisherConfiguration(subjectPrefix: prefix))
        publisher.start()
        connection.start()
        try await connection.waitUntilConnected().get()
        intake = NATSOrderIntake(publisher: publisher, gateway: gateway, catalog: catalog)
        let served = try await intake.start().get()
        #expect(served == [.binance])
        try await connection.flush().get()   // the SUBs are in place
        try await waitUntilOrderEntryUp()
    }

    /// The session pool against the simulator: its events go to NATS, its statuses to the stale-data guard.
    func startMarketData() {
        let backoff = ReconnectBackoffConfiguration(base: Interval.milliseconds(50), cap: Interval.milliseconds(500),
                                                    stablePeriod: Interval.seconds(5))
        let pool = VenueSessionPool<Binance>(
            configuration: VenueSessionConfiguration(
                symbols: [Self.symbol], channels: [.book],
                marketDataURLs: [simulator.webSocketURL(for: "binance")], restBaseURL: simulator.restURL(for: "binance"),
                pool: PoolConfiguration(lifecycle: ConnectionLifecycleConfiguration(backoff: backoff))),
            eventLoop: group.next(), sink: self)
        self.pool = pool
        pool.start()
    }

    // VenueSessionSink: what DemoSink / RunSink do with pool output.
    func publish(_ events: [MarketEvent]) {
        publisher.publish(events)
        let statuses = events.compactMap { event -> StatusEvent? in
            if case .status(let status) = event { return status } else { return nil }
        }
        gateway.marketStatus(statuses)
    }

    func log(venue: VenueID, _ message: String, isError: Bool) {
        if isError { print("pool: \(message)") }
    }

    /// Polls until the order connection is up (generous limit, checked once more after it:
    /// parallel CPU-bound suites can starve the poll for many seconds on two cores).
    func waitUntilOrderEntryUp() async throws {
        let deadline = Date().addingTimeInterval(90)
        while true {
            let expired = Date() >= deadline  // read first: the last check starts after the deadline
            if try await gateway.snapshot().get().first?.isUp == true { return }
            if expired { break }
            try await Task.sleep(nanoseconds: 10_000_000)
        }
        throw TestFailure("binance's order connection did not log in within 90 s")
    }

    func stop() async {
        pool?.stop()
        intake.stop()
        gateway.stop()
        publisher.stop()
        _ = try? await connection.close().get()
        try? await Task.sleep(nanoseconds: 50_000_000)
        await simulator.stop()
        server.stop()
        try? await group.shutdownGracefully()
    }
}

@Suite("Order intake over NATS (request-reply into the order gateway)", .serialized,
       .enabled(if: natsServerTestsEnabled, "\(NATSServerProcess.skipMessage)"))
struct NATSOrderIntakeTests {
    static func place(_ id: String, client: String?, clientOrderID: String, price: String, venue: String = "binance") -> [UInt8] {
        let clientField = client.map { #","client":"\#($0)""# } ?? ""
        return Array(#"{"op":"order.place","id":"\#(id)"\#(clientField),"venue":"\#(venue)","symbol":"BTC-USDT","side":"buy","type":"limit","price":"\#(price)","size":"0.001","tif":"gtc","client_order_id":"\#(clientOrderID)"}"#.utf8)
    }

    static func isTerminal(_ payload: String) -> Bool {
        ["filled", "canceled", "rejected", "expired"].contains { payload.contains(#""state":"\#($0)""#) }
    }

    @Test("place, fill, rest and cancel over NATS: ack replies, updates on <prefix>.orders.updates.<client>, one terminal state each")
    func placeFillRestCancel() async throws {
        let rig = try await NATSOrderRig(markLive: true)
        let client = NATSConnection(configuration: try clientConfiguration([rig.server.url], name: "client"), eventLoop: rig.group.next())
        client.start()
        try await client.waitUntilConnected().get()
        let updates = try await collect(client, "mm.orders.updates.alice")
        try await client.flush().get()

        let ack = try await client.request(subject: "mm.orders.binance", payload: Self.place("1", client: "alice", clientOrderID: "f-1", price: "60000.00")).get()
        #expect(ack.payloadText == #"{"type":"ack","id":"1"}"#)
        try await waitFor("the fill", on: client.eventLoop) { updates.messages.contains { $0.payload.contains(#""client_order_id":"f-1""#) && $0.payload.contains(#""state":"filled""#) } }

        // The header names the client too.
        let rest = try await client.request(subject: "mm.orders.binance", payload: Self.place("2", client: nil, clientOrderID: "r-1", price: "40000.00"),
                                            headers: NATSHeaders([("MarketMux-Client", "alice")])).get()
        #expect(rest.payloadText == #"{"type":"ack","id":"2"}"#)
        try await waitFor("the resting order", on: client.eventLoop) { updates.messages.contains { $0.payload.contains(#""client_order_id":"r-1""#) && $0.payload.contains(#""state":"accepted""#) } }
        let cancel = try await client.request(subject: "mm.orders.binance", payload: Array(#"{"op":"order.cancel","id":"3","client":"alice","venue":"binance","symbol":"BTC-USDT","client_order_id":"r-1"}"#.utf8)).get()
        #expect(cancel.payloadText == #"{"type":"ack","id":"3"}"#)
        try await waitFor("the cancel", on: client.eventLoop) { updates.messages.contains { $0.payload.contains(#""client_order_id":"r-1""#) && $0.payload.contains(#""state":"canceled""#) } }

        // Same validation as the socket: a reused client order id of the same client is refused by the core.
        let duplicate = try await client.request(subject: "mm.orders.binance", payload: Self.place("4", client: "alice", clientOrderID: "f-1", price: "60000.00")).get()
        #expect(duplicate.payloadText.hasPrefix(#"{"type":"error","id":"4","code":"duplicate_client_order_id""#), "\(duplicate.payloadText)")
        // ... but client order ids are per client: bob may use "f-1" too (his own OrderSubscriber).
        let bobUpdates = try await collect(client, "mm.orders.updates.bob")
        try await client.flush().get()
        let bob = try await client.request(subject: "mm.orders.binance", payload: Self.place("5", client: "bob", clientOrderID: "f-1", price: "60000.00")).get()
        #expect(bob.payloadText == #"{"type":"ack","id":"5"}"#)
        try await waitFor("bob's fill", on: client.eventLoop) { bobUpdates.messages.contains { Self.isTerminal($0.payload) } }

        try await Task.sleep(nanoseconds: 200_000_000)   // nothing more may arrive
        let (alice, bobs) = try await client.eventLoop.submit { (updates.messages, bobUpdates.messages) }.get()
        #expect(alice.allSatisfy { !$0.payload.contains(#""seq""#) && $0.payload.hasPrefix(#"{"type":"order","#) })
        #expect(alice.filter { Self.isTerminal($0.payload) }.map(\.payload).map { $0.contains("f-1") ? "f-1" : "r-1" } == ["f-1", "r-1"],
                "alice's terminal updates: \(alice.map(\.payload))")
        #expect(bobs.filter { Self.isTerminal($0.payload) }.count == 1)
        let exchange = try #require(await rig.simulator.orderExchange(for: "binance"))
        #expect(exchange.ledger.count == 3 && exchange.counters.duplicates == 0)
        let counters = try await rig.intake.statistics().get()
        #expect(counters.clients == 2 && counters.submitted == 5 && counters.refused == 0)
        _ = try await client.close().get()
        await rig.stop()
    }

    @Test("bad requests get the socket's errors as replies, and never reach the gateway")
    func badRequests() async throws {
        let rig = try await NATSOrderRig(markLive: true)
        let client = NATSConnection(configuration: try clientConfiguration([rig.server.url], name: "client"), eventLoop: rig.group.next())
        client.start()
        try await client.waitUntilConnected().get()
        func reply(_ payload: String, subject: String = "mm.orders.binance") async throws -> String {
            try await client.request(subject: subject, payload: Array(payload.utf8)).get().payloadText
        }
        // Exactly the reply line the local socket would send (RequestParser's error), without the newline.
        func socketError(_ payload: String) -> String {
            do {
                _ = try RequestParser.parse(payload, catalog: rig.catalog, isOrderEntryEnabled: true)
                return "parsed"
            } catch {
                var bytes: [UInt8] = []
                NDJSONEncoder().encodeError(id: error.id, code: error.code.rawValue, message: error.message, into: &bytes)
                return String(decoding: bytes.dropLast(), as: UTF8.self)
            }
        }
        for bad in [
            #"{"op":"order.place","id":"1","#,
            #"{"op":"order.place","id":"2","client":"alice","venue":"binance","symbol":"BTC-USDT","side":"up","type":"limit","price":"1","size":"1"}"#,
            #"{"op":"order.place","id":"3","client":"alice","venue":"binance","symbol":"BTC-USDT","side":"buy","type":"limit","price":50000,"size":"1"}"#,
            #"{"op":"order.place","id":"4","client":"alice","venue":"binance","symbol":"DOGE-USDT","side":"buy","type":"limit","price":"1","size":"1"}"#,
            #"{"op":"order.cancel","id":"5","client":"alice","venue":"binance","symbol":"BTC-USDT"}"#,
        ] {
            let answer = try await reply(bad)
            #expect(answer == socketError(bad))
            #expect(answer.hasPrefix(#"{"type":"error""#))
        }
        #expect(try await reply(#"{"op":"subscribe","id":"6","venue":"*","channel":"*","symbol":"*"}"#)
            .hasPrefix(#"{"type":"error","id":"6","code":"unsupported","message":"only order.place and order.cancel are served on mm.orders.binance"#))
        #expect(try await reply(String(decoding: Self.place("7", client: nil, clientOrderID: "x", price: "40000.00"), as: UTF8.self))
            .hasPrefix(#"{"type":"error","id":"7","code":"missing_field","message":"missing field \"client\" (or a MarketMux-Client header)"#))
        #expect(try await reply(String(decoding: Self.place("8", client: "a.b", clientOrderID: "x", price: "40000.00"), as: UTF8.self))
            .hasPrefix(#"{"type":"error","id":"8","code":"invalid_field","message":"client name 'a.b' must be"#))
        // The venue of the payload must be the subject's (the shard that serves it).
        let okxPayload = String(decoding: Self.place("9", client: "alice", clientOrderID: "x", price: "40000.00"), as: UTF8.self)
            .replacingOccurrences(of: "binance", with: "okx")
        #expect(try await reply(okxPayload).contains(#""code":"unknown_venue""#))   // not in this catalog
        // No instance serves a venue outside the catalog: NATS says "no responders" at once.
        await #expect(throws: NATSError.self) { try await reply(okxPayload, subject: "mm.orders.okx") }
        let counters = try await rig.intake.statistics().get()
        #expect(counters.submitted == 0 && counters.refused == 9)
        let statuses = try await rig.gateway.snapshot().get()
        #expect(statuses.first?.inFlight == 0)
        _ = try await client.close().get()
        await rig.stop()
    }

    @Test("stale-data guard: with no live book the NATS order is refused with the reason, like on the socket")
    func staleMarketData() async throws {
        let rig = try await NATSOrderRig(markLive: false)
        let client = NATSConnection(configuration: try clientConfiguration([rig.server.url], name: "client"), eventLoop: rig.group.next())
        client.start()
        try await client.waitUntilConnected().get()
        let answer = try await client.request(subject: "mm.orders.binance", payload: Self.place("1", client: "alice", clientOrderID: "s-1", price: "40000.00")).get()
        #expect(answer.payloadText.hasPrefix(#"{"type":"error","id":"1","code":"stale_market_data""#), "\(answer.payloadText)")
        _ = try await client.close().get()
        await rig.stop()
    }
}

@Suite("Python NATS client (nats-py): market data and an order by request-reply", .serialized,
       .enabled(if: natsServerTestsEnabled, "\(NATSServerProcess.skipMessage)"),
       .enabled(if: pythonNATSAvailable || ProcessInfo.processInfo.environment["CI"] != nil,
                "python3 with nats-py not found (pip install nats-py)"))
struct NATSPythonOrderTests {
    @Test("scripts/nats-order.py: receives the simulated venue's events, places, fills, rests and cancels, sees every update")
    func pythonOrder() async throws {
        // The stale-data guard is fed by the real pool's statuses: orders pass only once the book is live.
        let rig = try await NATSOrderRig(markLive: false)
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("scripts/nats-order.py")
        let python = Process()
        python.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        python.arguments = ["python3", script.path, "--url", rig.server.url, "--prefix", "mm", "--client", "py-1",
                            "--venue", "binance", "--symbol", "BTC-USDT", "--price", "60000.00", "--rest-price", "40000.00",
                            "--size", "0.001", "--md-count", "3", "--timeout", "30"]
        let output = Pipe()
        python.standardOutput = output
        try python.run()
        defer { if python.isRunning { python.terminate() } }
        var buffer = Data()
        let deadline = Date().addingTimeInterval(60)
        while !String(decoding: buffer, as: UTF8.self).contains("READY\n") {
            guard Date() < deadline else { throw TestFailure("the Python client did not become ready") }
            let chunk = readChunk(output.fileHandleForReading)
            if chunk.isEmpty { throw TestFailure("the Python client exited early") }
            buffer.append(chunk)
        }
        rig.startMarketData()
        python.waitUntilExit()
        buffer.append(readToEnd(output.fileHandleForReading))
        let lines = String(decoding: buffer, as: UTF8.self).split(separator: "\n").map(String.init)
        #expect(python.terminationStatus == 0, "output:\n\(lines.joined(separator: "\n"))")
        // Market data: SPEC §5 JSON on SPEC §7 subjects.
        let md = lines.filter { $0.hasPrefix("MD mm.md.binance.book.BTC-USDT ") }
        #expect(md.count >= 3 && md.allSatisfy { $0.contains(#"{"type":"book","venue":"binance","symbol":"BTC-USDT""#) })
        // The order: ack, fill; the resting order: ack, accepted, cancel ack, canceled.
        #expect(lines.filter { $0.hasPrefix("REPLY ") }.map { String($0.dropFirst(6)) }
            == [#"{"type":"ack","id":"place-fill"}"#, #"{"type":"ack","id":"place-rest"}"#, #"{"type":"ack","id":"cancel-rest"}"#])
        let updates = lines.filter { $0.hasPrefix("UPDATE mm.orders.updates.py-1 ") }
        #expect(updates.contains { $0.contains(#""client_order_id":"py-1-fill""#) && $0.contains(#""state":"filled""#) })
        #expect(updates.contains { $0.contains(#""client_order_id":"py-1-rest""#) && $0.contains(#""state":"canceled""#) })
        #expect(updates.filter { NATSOrderIntakeTests.isTerminal($0) }.count == 2, "\(updates)")
        await rig.stop()
    }
}
