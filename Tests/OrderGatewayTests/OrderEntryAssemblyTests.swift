import Fanout
import Foundation
import MarketModel
import NIOCore
import NIOPosix
@testable import OrderGateway
import Orders
import Replay
import Sessions
import Testing
import VenueKit
import Venues
#if canImport(Glibc)
import Glibc
#endif

/// Order entry built exactly as `marketmux run` builds it (``OrderEntryAssembly``), against the
/// simulator over loopback: trading rules fetched from the simulated venues' public instrument
/// endpoints (nothing hard-coded here), Kraken's WebSocket token fetched with a signed REST call,
/// then orders placed, filled and canceled through the local socket.
@Suite(.serialized) struct OrderEntryAssemblyTests {
    /// A simulator, a hub on a socket, and the assembled gateway; `bybit` is pointed at a REST base
    /// that does not exist so its rules cannot be loaded.
    struct Rig {
        let simulator: SimulatedVenueServer
        let server: FanoutServer
        let outcome: OrderEntryAssembly.Outcome
        let directory: String
        var socketPath: String { directory + "/mm.sock" }

        static let traded: [(venue: String, symbol: String)] = [("binance", "BTC-USDT"), ("okx", "BTC-USDT"), ("kraken", "BTC-USD"), ("bybit", "BTC-USDT-PERP")]

        static func start(observer: (@Sendable (SimulatorEvent) -> Void)? = nil) async throws -> Rig {
            let group = MultiThreadedEventLoopGroup.singleton
            var simulatorConfiguration = SimulatorConfiguration(venues: ["binance", "okx", "kraken"])
            simulatorConfiguration.sessionEnd = .stayOpen
            let simulator = try SimulatedVenueServer(fixturesDirectory: OrderRig.fixtures, configuration: simulatorConfiguration, eventLoop: group.next(),
                                                     observer: observer)
            _ = try await simulator.start()
            var catalog: [VenueID: Catalog.Venue] = [:]
            var settings: [OrderEntryVenueSettings] = []
            for (name, symbolText) in traded {
                let venue = VenueID(rawValue: name), symbol = try Symbol(symbolText)
                catalog[venue] = Catalog.Venue(channels: [.trades, .book], symbols: [symbol])
                settings.append(OrderEntryVenueSettings(
                    venue: venue, orderURL: simulator.orderWebSocketURL(for: name),
                    updatesURL: name == "bybit" ? simulator.orderWebSocketURL(for: name, role: .updates) : nil,
                    restBaseURL: simulator.restURL(for: name == "bybit" ? "no-such-venue" : name),
                    // Kraken gets no token: the assembly must fetch it with the signed REST call.
                    credentials: name == "kraken" ? VenueCredentials(apiKey: "mmx-test-key", secret: "bW14LXRlc3Qtc2VjcmV0")
                        : VenueCredentials(apiKey: "mmx-test-key", secret: "mmx-test-secret", passphrase: "mmx-test-passphrase"),
                    symbols: [symbol], options: name == "bybit" ? ["category": "linear"] : [:]))
            }
            let hub = FanoutHub(catalog: Catalog(catalog), eventLoop: group.next())
            let directory = NSTemporaryDirectory() + "mmx-assembly-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let server = FanoutServer(path: directory + "/mm.sock", hub: hub)
            try await server.start()
            let options = OrderEntryAssembly.Options(
                backoff: ReconnectBackoffConfiguration(base: Interval.milliseconds(50), cap: Interval.milliseconds(500)),
                retry: RESTRetryPolicy(attempts: 2, firstDelay: Interval.milliseconds(1), timeout: Interval.seconds(5)),
                nonce: { UInt64(Date().timeIntervalSince1970 * 1000) })
            let outcome = try await OrderEntryAssembly.assemble(settings, hub: hub, options: options, eventLoop: group.next()) { message, isError in
                if isError { print("assembly: \(message)") }
            }.get()
            for (name, symbolText) in traded {
                let symbol = try Symbol(symbolText), venue = VenueID(rawValue: name)
                outcome.gateway.marketStatus([StatusEvent(venue: venue, symbol: symbol, channel: .book, state: .live),
                                              StatusEvent(venue: venue, symbol: symbol, channel: .trades, state: .live)])
            }
            outcome.gateway.start()
            return Rig(simulator: simulator, server: server, outcome: outcome, directory: directory)
        }

        /// Polls until `venue`'s order connection is up (generous limit, checked once more after it:
        /// parallel CPU-bound suites can starve the poll for many seconds on two cores).
        func waitUntilUp(_ venue: String, timeout: Double = 90) async throws {
            let deadline = Date().addingTimeInterval(timeout)
            while true {
                let expired = Date() >= deadline  // read first: the last check starts after the deadline
                if try await outcome.gateway.snapshot().get().first(where: { $0.venue.rawValue == venue })?.isUp == true { return }
                if expired { break }
                try await Task.sleep(nanoseconds: 10_000_000)
            }
            throw GatewayTestTimeout(description: "\(venue)'s order connection did not log in within \(timeout) s")
        }

        func stop() async {
            outcome.gateway.stop()
            await server.shutdown(drainFor: .milliseconds(200))
            await simulator.stop()
            try? FileManager.default.removeItem(atPath: directory)
        }
    }

    @Test("rules fetched over HTTP, Kraken token fetched, place/fill/cancel on Binance, OKX and Kraken; Bybit refused with its reason")
    func placeFillAndCancelWithFetchedRules() async throws {
        let rig = try await Rig.start()
        defer { Task { await rig.stop() } }
        // The rules are the simulated exchanges' own, read from their REST replies.
        for (name, symbolText) in Rig.traded where name != "bybit" {
            let published = try #require(SimulatedInstrumentRules.published[name])
            let rules = try #require(rig.outcome.rules[VenueID(rawValue: name)]?[try Symbol(symbolText)])
            #expect(rules.tickSize == FixedDecimal(published.tickSize)! && rules.lotSize == FixedDecimal(published.lotSize)!
                    && rules.minSize == FixedDecimal(published.minSize)!, "\(name): \(rules)")
            // Kraken's AssetPairs publishes no maximum.
            #expect(rules.maxSize == (name == "kraken" ? nil : FixedDecimal(published.maxSize)!), "\(name): \(rules)")
        }
        let bybitReason = try #require(rig.outcome.refused[.bybit])
        #expect(bybitReason.contains("bybit") && bybitReason.contains("404"), "\(bybitReason)")
        #expect(rig.outcome.refused.count == 1)

        let client = try await OrderClient.connect(rig.socketPath)
        defer { client.close() }
        for (index, row) in [("binance", "BTC-USDT", "40000.00", "60000.00"), ("okx", "BTC-USDT", "40000.0", "60000.0"),
                             ("kraken", "BTC-USD", "40000.0", "60000.0")].enumerated() {
            let (venue, symbol, restPrice, crossPrice) = row
            try await rig.waitUntilUp(venue)
            try client.send(#"{"op":"order.place","id":"f\#(index)","venue":"\#(venue)","symbol":"\#(symbol)","side":"buy","type":"limit","price":"\#(crossPrice)","size":"0.001","client_order_id":"fill-\#(venue)"}"#)
            _ = try await client.waitFor { $0.contains(#""client_order_id":"fill-\#(venue)""#) && $0.contains(#""state":"filled""#) }
            try client.send(#"{"op":"order.place","id":"r\#(index)","venue":"\#(venue)","symbol":"\#(symbol)","side":"buy","type":"limit","price":"\#(restPrice)","size":"0.001","client_order_id":"rest-\#(venue)"}"#)
            _ = try await client.waitFor { $0.contains(#""client_order_id":"rest-\#(venue)""#) && $0.contains(#""state":"accepted""#) }
            try client.send(#"{"op":"order.cancel","id":"c\#(index)","venue":"\#(venue)","symbol":"\#(symbol)","client_order_id":"rest-\#(venue)"}"#)
            _ = try await client.waitFor { $0.contains(#""client_order_id":"rest-\#(venue)""#) && $0.contains(#""state":"canceled""#) }
            let exchange = try #require(await rig.simulator.orderExchange(for: venue))
            #expect(exchange.ledger.count == 2, "orders held by the simulated \(venue): \(exchange.ledger.count)")
        }

        try client.send(#"{"op":"order.place","id":"b1","venue":"bybit","symbol":"BTC-USDT-PERP","side":"buy","type":"limit","price":"40000.00","size":"0.001","client_order_id":"by-1"}"#)
        let refusal = try await client.waitFor { $0.contains(#""type":"error""#) && $0.contains(#""id":"b1""#) }
        #expect(refusal.contains(#""code":"unsupported""#) && refusal.contains("no order entry in this run"), "\(refusal)")
    }

    @Test("Kraken's token is fetched again for every reconnect (a token must be used within 15 minutes)")
    func krakenTokenRefreshedOnReconnect() async throws {
        let tokenRequests = Counter()
        let rig = try await Rig.start(observer: { event in
            if case .restServed("kraken", "/0/private/GetWebSocketsToken", 200) = event { tokenRequests.increment() }
        })
        defer { Task { await rig.stop() } }
        try await rig.waitUntilUp("kraken")
        #expect(tokenRequests.value == 1, "one token for the first connect")
        // The venue's order gateway restarts (close 1012): the link reconnects with a fresh token.
        await rig.simulator.injectOrderFault(.restart, venue: "kraken")
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            let link = try await rig.outcome.gateway.snapshot().get().first { $0.venue.rawValue == "kraken" }
            if let link, link.connects >= 2, link.isUp { break }
            try await Task.sleep(nanoseconds: 10_000_000)
        }
        let link = try #require(try await rig.outcome.gateway.snapshot().get().first { $0.venue.rawValue == "kraken" })
        #expect(link.connects >= 2 && link.isUp, "\(link)")
        #expect(tokenRequests.value == link.connects, "a token per connect: \(tokenRequests.value) for \(link.connects) connects")
        // Orders flow on the new connection (frames carry the refreshed token).
        let client = try await OrderClient.connect(rig.socketPath)
        defer { client.close() }
        try client.send(#"{"op":"order.place","id":"k1","venue":"kraken","symbol":"BTC-USD","side":"buy","type":"limit","price":"60000.0","size":"0.001","client_order_id":"after-restart"}"#)
        _ = try await client.waitFor { $0.contains(#""client_order_id":"after-restart""#) && $0.contains(#""state":"filled""#) }
    }

    @Test("a price off the fetched tick is refused before any venue round-trip")
    func offTickRefusedLocally() async throws {
        let rig = try await Rig.start()
        defer { Task { await rig.stop() } }
        try await rig.waitUntilUp("binance")
        let client = try await OrderClient.connect(rig.socketPath)
        defer { client.close() }
        try client.send(#"{"op":"order.place","id":"t1","venue":"binance","symbol":"BTC-USDT","side":"buy","type":"limit","price":"40000.005","size":"0.001","client_order_id":"tick-1"}"#)
        let error = try await client.waitFor { $0.contains(#""type":"error""#) && $0.contains(#""id":"t1""#) }
        #expect(error.contains(#""code":"invalid_field""#) && error.contains("not a multiple of the tick size 0.01"), "\(error)")
        let exchange = try #require(await rig.simulator.orderExchange(for: "binance"))
        #expect(exchange.counters.placeRequests == 0 && exchange.ledger.isEmpty)
        let counters = try await rig.outcome.gateway.eventLoop.submit { rig.outcome.gateway.counters }.get()
        #expect(counters.framesSent == 0)
    }

    @Test("the Kraken token request is signed as documented (known answer)")
    func krakenTokenSignature() throws {
        // Expected value computed independently with Python's hmac/hashlib/base64 for this secret and nonce.
        let request = try KrakenTokenFetcher.signedRequest(
            credentials: VenueCredentials(apiKey: "mmx-test-key", secret: "kQH5HW/8p1uGOVjbgWA7FunAmGO8lsSUXNsu3eow76sz84Q18fWxnyRzBHCd3pd5nE9qa99HAZtuZuj6F1huXg=="),
            restBaseURL: "http://127.0.0.1:9/kraken", nonce: 1_616_492_376_594)
        #expect(request.url == "http://127.0.0.1:9/kraken/0/private/GetWebSocketsToken")
        #expect(request.body == "nonce=1616492376594")
        #expect(request.headers.first { $0.name == "API-Key" }?.value == "mmx-test-key")
        #expect(request.headers.first { $0.name == "API-Sign" }?.value == "+mRDmY9Ks0Moc1zjv/BjfvYa98buO0x1yHChZR5onlfAzAUbfIYlLggUZzdQ0RsmXm4Sh+Q8iAIZdo2wSeHeiA==")
    }
}

/// A thread-safe count (simulator observers run on its event loop).
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func increment() { lock.withLock { count += 1 } }
    var value: Int { lock.withLock { count } }
}
