import Foundation
import NIOCore
import NIOPosix
@testable import Replay
import Testing
import Transport
import WebSocketWire

/// Orders over a real WebSocket to the simulated venue (our own client, 127.0.0.1): place, fill,
/// status, cancel; an order in flight when the connection drops; a restart; a rate-limit storm;
/// Bybit's split trade/private connections; TLS + permessage-deflate.
@Suite("Simulated venue orders over loopback", .serialized, .timeLimit(.minutes(2)))
struct OrderLoopbackTests {
    static func configuration(faults: OrderFaultPlan = .none) -> SimulatorConfiguration {
        var configuration = SimulatorConfiguration(speed: .max, scenarios: .named(["book"]), venues: ["binance"], sessionEnd: .stayOpen)
        configuration.orders = OrderSimulationConfiguration(referencePrices: ["BTCUSDT": SimulatedDecimal(parsing: "50000") ?? .zero],
                                                            epochMilliseconds: { OrderBench.now.epochMilliseconds })
        configuration.faults.orders = faults
        return configuration
    }

    static func place(_ id: String, clientID: String, price: String) -> String {
        OrderBench.binance(id, "order.place", [("symbol", "\"BTCUSDT\""), ("side", "\"BUY\""), ("type", "\"LIMIT\""), ("timeInForce", "\"GTC\""),
                                               ("price", "\"\(price)\""), ("quantity", "\"0.01\""), ("newClientOrderId", "\"\(clientID)\"")])
    }

    static func status(_ id: String, clientID: String) -> String {
        OrderBench.binance(id, "order.status", [("symbol", "\"BTCUSDT\""), ("origClientOrderId", "\"\(clientID)\"")])
    }

    /// Sends `text` and waits for the reply count to reach `count`.
    static func exchange(_ run: ClientRun, _ text: String, expecting count: Int) async throws -> [String] {
        try await run.opened.get().send(text: text)
        return try await run.client.messages(atLeast: count)
    }

    @Test("Binance: place (fills), place (rests), status, cancel, on one connection")
    func binanceRoundTrip() async throws {
        try await LoopbackTests.withServer(Self.configuration()) { server, group in
            #expect(server.orderWebSocketURL(for: "binance") == "ws://127.0.0.1:\(server.port)/binance/orders")
            let run = try ClientRun.connect(server.orderWebSocketURL(for: "binance"), group: group)
            var replies = try await Self.exchange(run, Self.place("1", clientID: "A", price: "50100"), expecting: 1)
            #expect(replies[0].contains(#""clientOrderId":"A""#) && replies[0].contains(#""status":"FILLED""#))
            replies = try await Self.exchange(run, Self.place("2", clientID: "B", price: "49000"), expecting: 2)
            #expect(replies[1].contains(#""status":"NEW""#))
            replies = try await Self.exchange(run, Self.status("3", clientID: "B"), expecting: 3)
            #expect(replies[2].hasPrefix(#"{"id":"3","status":200,"result":{"symbol":"BTCUSDT","orderId":1000002"#))
            replies = try await Self.exchange(run, OrderBench.binance("4", "order.cancel", [("symbol", "\"BTCUSDT\""), ("origClientOrderId", "\"B\"")]), expecting: 4)
            #expect(replies[3].contains(#""status":"CANCELED""#))
            try await run.opened.get().close()
            _ = try await run.closeInfo()
            let exchange = try #require(await server.orderExchange(for: "binance"))
            #expect(exchange.ledger.map(\.status) == [.filled, .canceled])
            #expect(exchange.counters.accepted == 2 && exchange.counters.canceled == 1 && exchange.counters.statusQueries == 1)
        }
    }

    @Test("an order in flight when TCP drops: accepted, no ack; after reconnecting, status finds it and a resend is a duplicate")
    func dropInFlight() async throws {
        try await LoopbackTests.withServer(Self.configuration(faults: OrderFaultPlan(steps: [try OrderFaultPlan.Step(parsing: "binance/orders-drop+1")]))) { server, group in
            let first = try ClientRun.connect(server.orderWebSocketURL(for: "binance"), group: group)
            try await first.opened.get().send(text: Self.place("1", clientID: "X", price: "49000"))
            let info = try await first.closeInfo()
            #expect(info.peerCode == .abnormalClosure)
            #expect(try await first.client.received().isEmpty, "the ack never left")
            let second = try ClientRun.connect(server.orderWebSocketURL(for: "binance"), group: group)
            var replies = try await Self.exchange(second, Self.status("2", clientID: "X"), expecting: 1)
            #expect(replies[0].contains(#""clientOrderId":"X""#) && replies[0].contains(#""status":"NEW""#))
            replies = try await Self.exchange(second, Self.place("3", clientID: "X", price: "49000"), expecting: 2)
            #expect(replies[1].contains(#""code":-2010"#))
            let exchange = try #require(await server.orderExchange(for: "binance"))
            #expect(exchange.ledger.count == 1 && exchange.counters.duplicates == 1)
            #expect(await server.firedOrderFaults(for: "binance").map(\.fault) == [.dropInFlight])
            try await second.opened.get().close()
            _ = try await second.closeInfo()
        }
    }

    @Test("restart: every order connection gets 1012, the exchange keeps its orders; a storm answers 429")
    func restartAndStorm() async throws {
        try await LoopbackTests.withServer(Self.configuration()) { server, group in
            let first = try ClientRun.connect(server.orderWebSocketURL(for: "binance"), group: group)
            _ = try await Self.exchange(first, Self.place("1", clientID: "R", price: "49000"), expecting: 1)
            await server.injectOrderFault(.restart, venue: "binance")
            let info = try await first.closeInfo()
            #expect(info.peerCode.rawValue == 1012)
            let second = try ClientRun.connect(server.orderWebSocketURL(for: "binance"), group: group)
            var replies = try await Self.exchange(second, Self.status("2", clientID: "R"), expecting: 1)
            #expect(replies[0].contains(#""status":"NEW""#))
            await server.injectOrderFault(.rateLimitStorm(durationMilliseconds: 60_000), venue: "binance")
            replies = try await Self.exchange(second, Self.place("3", clientID: "S", price: "49000"), expecting: 2)
            #expect(replies[1].contains(#""status":429"#) && replies[1].contains(#""code":-1015"#))
            #expect(try #require(await server.orderExchange(for: "binance")).ledger.count == 1)
            try await second.opened.get().close()
            _ = try await second.closeInfo()
        }
    }

    @Test("Bybit: order.create on /bybit/orders, the order topic on /bybit/orders-private; reference move fills it")
    func bybitSplitConnections() async throws {
        try await LoopbackTests.withServer(Self.configuration()) { server, group in
            let updates = try ClientRun.connect(server.orderWebSocketURL(for: "bybit", role: .updates), group: group)
            _ = try await Self.exchange(updates, OrderBench.bybitAuth("req_id"), expecting: 1)
            _ = try await Self.exchange(updates, #"{"req_id":"s","op":"subscribe","args":["order"]}"#, expecting: 2)
            let trade = try ClientRun.connect(server.orderWebSocketURL(for: "bybit"), group: group)
            _ = try await Self.exchange(trade, OrderBench.bybitAuth("reqId"), expecting: 1)
            let create = #"{"reqId":"c1","op":"order.create","args":[{"symbol":"BTCUSDT","side":"Buy","orderType":"Limit","qty":"0.2","price":"49000","category":"linear","orderLinkId":"L1"}]}"#
            let acks = try await Self.exchange(trade, create, expecting: 2)
            #expect(acks[1].hasPrefix(#"{"reqId":"c1","retCode":0,"retMsg":"OK","op":"order.create","data":{"orderId":"00000000-0000-4000-8000-000001000001","orderLinkId":"L1"}"#))
            var pushed = try await updates.client.messages(atLeast: 3)
            #expect(pushed[2].contains(#""topic":"order""#) && pushed[2].contains(#""orderStatus":"New""#))
            await server.setReferencePrice(SimulatedDecimal(parsing: "48000") ?? .zero, symbol: "BTCUSDT", venue: "bybit")
            pushed = try await updates.client.messages(atLeast: 4)
            #expect(pushed[3].contains(#""orderStatus":"Filled""#) && pushed[3].contains(#""avgPrice":"49000""#))
            #expect(try await trade.client.received().count == 2, "the trade connection gets acks only")
            for run in [trade, updates] {
                try await run.opened.get().close()
                _ = try await run.closeInfo()
            }
        }
    }

    @Test("OKX over TLS with permessage-deflate: login, subscribe, order, pushes")
    func okxOverTLS() async throws {
        var configuration = Self.configuration()
        configuration.tls = (TestPaths.certificate("server.pem"), TestPaths.certificate("server-key.pem"))
        try await LoopbackTests.withServer(configuration) { server, group in
            let context = try TLSContext(configuration: TLSConfiguration(serverName: "localhost", caFile: TestPaths.certificate("ca.pem"), trustsSystemStore: false))
            let run = try ClientRun.connect("wss://localhost:\(server.port)/okx/orders", options: ClientRun.plainOptions(compression: PerMessageDeflateOffer()),
                                            tlsContext: context, group: group)
            #expect(try await run.opened.get().negotiatedDeflate != nil)
            _ = try await Self.exchange(run, OrderBench.okxLogin(), expecting: 1)
            _ = try await Self.exchange(run, #"{"id":"s","op":"subscribe","args":[{"channel":"orders","instType":"ANY"}]}"#, expecting: 2)
            let order = #"{"id":"7","op":"order","args":[{"side":"sell","instId":"BTC-USDT","tdMode":"cash","ordType":"market","sz":"0.5","clOrdId":"M1"}]}"#
            let messages = try await Self.exchange(run, order, expecting: 5)
            #expect(messages[0] == #"{"event":"login","code":"0","msg":"","connId":"00000001"}"#)
            #expect(messages[2].hasPrefix(#"{"id":"7","op":"order","data":[{"clOrdId":"M1","ordId":"1000001""#))
            #expect(messages[3].contains(#""state":"live""#) && messages[4].contains(#""state":"filled""#))
            #expect(try await Self.exchange(run, "ping", expecting: 6).last == "pong")
            try await run.opened.get().close()
            _ = try await run.closeInfo()
        }
    }

    @Test("mini soak: 300 Binance orders under seeded drops, storms, restarts and real limits; each order is in the ledger exactly once")
    func miniSoak() async throws {
        let clock = ManualReplayClock()
        let chaos = OrderChaosConfiguration(seed: 11, perMille: 60, stormMilliseconds: 500...2_000)
        try await LoopbackTests.withServer(Self.configuration(faults: OrderFaultPlan(chaos: chaos)), clock: clock) { server, group in
            let url = server.orderWebSocketURL(for: "binance")
            var run = try ClientRun.connect(url, group: group)
            var consumed = 0
            var reconnects = 0
            var limited = 0
            /// The reply to `text`, or nil when the connection ended first (then a fresh one is open).
            func request(_ text: String) async throws -> String? {
                let client = run.client
                if try await !client.loop.submit({ client.didClose }).get() { try await run.opened.get().send(text: text) }
                let messages = try await run.client.messages(atLeast: consumed + 1)
                if messages.count > consumed {
                    consumed += 1
                    return messages[consumed - 1]
                }
                _ = try await run.closeInfo()
                reconnects += 1
                run = try ClientRun.connect(url, group: group)
                _ = try await run.opened.get()
                consumed = 0
                return nil
            }
            for index in 0..<300 {
                let clientID = "S\(index)"
                let price = index % 3 == 0 ? "50100" : "49000"
                var done = false
                while !done {
                    guard let reply = try await request(Self.place("p\(index)", clientID: clientID, price: price)) else {
                        // Unknown outcome: reconcile by client order id before sending it again.
                        var status: String?
                        while status == nil { status = try await request(Self.status("s\(index)", clientID: clientID)) }
                        if status?.contains(#""status":429"#) == true { clock.advance(by: 3_000_000_000); limited += 1; continue }
                        done = status?.contains(#""code":-2013"#) == false
                        continue
                    }
                    if reply.contains(#""status":429"#) {
                        limited += 1
                        clock.advance(by: 3_000_000_000)
                        continue
                    }
                    #expect(reply.contains(#""status":200"#), "\(reply)")
                    done = true
                }
            }
            let exchange = try #require(await server.orderExchange(for: "binance"))
            #expect(exchange.ledger.count == 300)
            #expect(Set(exchange.ledger.map(\.clientOrderID)).count == 300)
            #expect(exchange.counters.duplicates == 0, "a dropped order was reconciled, never sent twice")
            #expect(exchange.ledger.allSatisfy { $0.status == ($0.price == SimulatedDecimal(parsing: "50100") ? .filled : .new) })
            let fired = await server.firedOrderFaults(for: "binance").map(\.fault.kind)
            #expect(Set(fired) == Set(SimulatedOrderFault.Kind.allCases), "\(fired)")
            #expect(reconnects > 0 && limited > 0)
            try await run.opened.get().close()
            _ = try await run.closeInfo()
        }
    }

    @Test("unknown order venue: 404")
    func unknownVenue() async throws {
        try await LoopbackTests.withServer(Self.configuration()) { server, _ in
            let status = try await httpGet(port: server.port, target: "/coinbase/orders").status
            #expect(status == 404)
            #expect(server.orderVenues == ["binance", "bitfinex", "bybit", "deribit", "kraken", "okx"])
        }
    }
}
