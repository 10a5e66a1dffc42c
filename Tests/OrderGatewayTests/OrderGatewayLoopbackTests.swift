import Fanout
import Foundation
import MarketModel
import NIOCore
import NIOPosix
import OrderGateway
import Orders
import Replay
import Testing
import VenueKit
import Venues

/// The order path end to end over loopback: a socket client → FanoutHub → OrderGateway (Orders
/// core + each venue's real OrderRouting, signed) → WebSocket → the simulated venue's order
/// dialect and exchange → acks and fills back to the client. Each venue's client side and the
/// simulator's server side were written independently from VENUES.md, so these tests are also
/// the check that both speak the same protocol.
@Suite(.serialized) struct OrderGatewayLoopbackTests {
    /// (venue, symbol, resting buy price, crossing buy price, size): the simulator's reference price is 50 000.
    static let venues: [(String, String, String, String, String)] = [
        ("binance", "BTC-USDT", "40000.00", "60000.00", "0.001"),
        ("okx", "BTC-USDT", "40000.0", "60000.0", "0.001"),
        ("bybit", "BTC-USDT-PERP", "40000.00", "60000.00", "0.001"),
        ("kraken", "BTC-USD", "40000.0", "60000.0", "0.001"),
        ("deribit", "BTC-USD-PERP", "40000.0", "60000.0", "10"),
        ("bitfinex", "BTC-USD", "40000", "60000", "0.001"),
    ]

    @Test("place, fill, rest and cancel on every WS-order venue", arguments: venues.map(\.0))
    func placeFillAndCancel(venue: String) async throws {
        let row = try #require(Self.venues.first { $0.0 == venue })
        let rig = try await OrderRig.start(venue: venue, symbol: row.1)
        defer { Task { await rig.stop() } }
        let client = try await OrderClient.connect(rig.socketPath)
        defer { client.close() }
        try await rig.waitUntilUp()

        try client.send(#"{"op":"order.place","id":"1","venue":"\#(venue)","symbol":"\#(row.1)","side":"buy","type":"limit","price":"\#(row.3)","size":"\#(row.4)","tif":"gtc","client_order_id":"fill-1"}"#)
        let filled = try await client.waitFor { $0.contains(#""client_order_id":"fill-1""#) && $0.contains(#""state":"filled""#) }
        #expect(client.lines.contains { $0.hasPrefix(#"{"type":"ack","id":"1""#) })
        #expect(filled.contains(#""filled_size":"#))

        try client.send(#"{"op":"order.place","id":"2","venue":"\#(venue)","symbol":"\#(row.1)","side":"buy","type":"limit","price":"\#(row.2)","size":"\#(row.4)","client_order_id":"rest-1"}"#)
        _ = try await client.waitFor { $0.contains(#""client_order_id":"rest-1""#) && $0.contains(#""state":"accepted""#) }
        try client.send(#"{"op":"order.cancel","id":"3","venue":"\#(venue)","symbol":"\#(row.1)","client_order_id":"rest-1"}"#)
        _ = try await client.waitFor { $0.contains(#""client_order_id":"rest-1""#) && $0.contains(#""state":"canceled""#) }

        // Exactly one terminal state per order, and the venue holds each order once.
        let terminal = client.lines.filter { line in
            line.contains(#""type":"order""#)
                && ["filled", "canceled", "rejected", "expired"].contains { state in line.contains(#""state":"\#(state)""#) }
        }
        #expect(terminal.count == 2, "terminal updates: \(terminal)")
        let exchange = try #require(await rig.simulator.orderExchange(for: venue))
        #expect(exchange.ledger.count == 2 && exchange.counters.duplicates == 0, "orders held by the simulated \(venue): \(exchange.ledger.count)")
    }

    @Test("order.cancel_all cancels the connection's own resting orders; all_clients (the CLI's cancel-all) everyone's")
    func cancelAllOwnThenEveryone() async throws {
        let rig = try await OrderRig.start(venue: "binance", symbol: "BTC-USDT")
        defer { Task { await rig.stop() } }
        let alice = try await OrderClient.connect(rig.socketPath)
        defer { alice.close() }
        let bob = try await OrderClient.connect(rig.socketPath)
        defer { bob.close() }
        try await rig.waitUntilUp()
        for (client, id) in [(alice, "a1"), (alice, "a2"), (bob, "b1")] {
            try client.send(#"{"op":"order.place","id":"p-\#(id)","venue":"binance","symbol":"BTC-USDT","side":"buy","type":"limit","price":"40000.00","size":"0.001","client_order_id":"\#(id)"}"#)
            _ = try await client.waitFor { $0.contains(#""client_order_id":"\#(id)""#) && $0.contains(#""state":"accepted""#) }
        }
        try alice.send(#"{"op":"order.cancel_all","id":"ca","venue":"binance","symbol":"BTC-USDT"}"#)
        _ = try await alice.waitFor { $0.hasPrefix(#"{"type":"ack","id":"ca""#) }
        for id in ["a1", "a2"] { _ = try await alice.waitFor { $0.contains(#""client_order_id":"\#(id)""#) && $0.contains(#""state":"canceled""#) } }
        let exchange = try #require(await rig.simulator.orderExchange(for: "binance"))
        #expect(exchange.ledger.first { $0.clientOrderID.isEmpty == false && !$0.status.isTerminal } != nil, "bob's order is still open")

        // A third connection (what `marketmux order cancel-all` does): the kill switch.
        let operatorClient = try await OrderClient.connect(rig.socketPath)
        defer { operatorClient.close() }
        try operatorClient.send(#"{"op":"order.cancel_all","id":"kill","venue":"binance","all_clients":true}"#)
        _ = try await operatorClient.waitFor { $0.hasPrefix(#"{"type":"ack","id":"kill""#) }
        _ = try await bob.waitFor { $0.contains(#""client_order_id":"b1""#) && $0.contains(#""state":"canceled""#) }
        let after = try #require(await rig.simulator.orderExchange(for: "binance"))
        #expect(after.ledger.allSatisfy { $0.status.isTerminal }, "nothing left open at the venue")
    }

    @Test("order.options cancel_on_disconnect: the connection's open orders are canceled when it closes, nobody else's")
    func cancelOnDisconnect() async throws {
        let rig = try await OrderRig.start(venue: "binance", symbol: "BTC-USDT")
        defer { Task { await rig.stop() } }
        let careful = try await OrderClient.connect(rig.socketPath)
        let other = try await OrderClient.connect(rig.socketPath)
        defer { other.close() }
        try await rig.waitUntilUp()
        try careful.send(#"{"op":"order.options","id":"o","cancel_on_disconnect":true}"#)
        _ = try await careful.waitFor { $0.hasPrefix(#"{"type":"ack","id":"o""#) }
        for (client, id) in [(careful, "c1"), (other, "k1")] {
            try client.send(#"{"op":"order.place","id":"p-\#(id)","venue":"binance","symbol":"BTC-USDT","side":"buy","type":"limit","price":"40000.00","size":"0.001","client_order_id":"\#(id)"}"#)
            _ = try await client.waitFor { $0.contains(#""client_order_id":"\#(id)""#) && $0.contains(#""state":"accepted""#) }
        }
        careful.close()
        // The venue sees the cancel of c1 only; k1 (the other connection's) stays open.
        let deadline = Date().addingTimeInterval(20)
        var states: [String: String] = [:]
        while Date() < deadline {
            let exchange = try #require(await rig.simulator.orderExchange(for: "binance"))
            states = Dictionary(exchange.ledger.map { ($0.clientOrderID, "\($0.status)") }, uniquingKeysWith: { $1 })
            if exchange.ledger.contains(where: { $0.status == .canceled }) { break }
            try await Task.sleep(nanoseconds: 10_000_000)
        }
        let exchange = try #require(await rig.simulator.orderExchange(for: "binance"))
        #expect(exchange.ledger.filter { $0.status == .canceled }.count == 1, "\(states)")
        #expect(exchange.ledger.filter { !$0.status.isTerminal }.count == 1, "\(states)")
    }

    @Test func staleMarketDataRefusesNewOrdersWithTheReason() async throws {
        let rig = try await OrderRig.start(venue: "binance", symbol: "BTC-USDT", markLive: false)
        defer { Task { await rig.stop() } }
        let client = try await OrderClient.connect(rig.socketPath)
        defer { client.close() }
        try client.send(#"{"op":"order.place","id":"9","venue":"binance","symbol":"BTC-USDT","side":"buy","type":"limit","price":"40000.00","size":"0.001","client_order_id":"s-1"}"#)
        let error = try await client.waitFor { $0.contains(#""type":"error""#) }
        #expect(error.contains(#""code":"stale_market_data""#) && error.contains("book"))
    }

    @Test func aVenueWithoutWebSocketOrderEntryIsUnsupported() async throws {
        let rig = try await OrderRig.start(venue: "binance", symbol: "BTC-USDT", extraVenues: [("coinbase", "BTC-USD")])
        defer { Task { await rig.stop() } }
        let client = try await OrderClient.connect(rig.socketPath)
        defer { client.close() }
        try client.send(#"{"op":"order.place","id":"7","venue":"coinbase","symbol":"BTC-USD","side":"buy","type":"limit","price":"40000.00","size":"0.001","client_order_id":"u-1"}"#)
        let error = try await client.waitFor { $0.contains(#""type":"error""#) }
        #expect(error.contains(#""code":"unsupported""#))
    }

    @Test func aCancelQueuedBehindABurstOvertakesItAndNothingIsRateLimited() async throws {
        let rig = try await OrderRig.start(venue: "binance", symbol: "BTC-USDT")
        defer { Task { await rig.stop() } }
        let client = try await OrderClient.connect(rig.socketPath)
        defer { client.close() }
        try await rig.waitUntilUp()
        // One resting order to cancel, then 120 new orders, then the cancel.
        try client.send(#"{"op":"order.place","id":"r","venue":"binance","symbol":"BTC-USDT","side":"buy","type":"limit","price":"30000.00","size":"0.001","client_order_id":"victim"}"#)
        _ = try await client.waitFor { $0.contains(#""client_order_id":"victim""#) && $0.contains(#""state":"accepted""#) }
        var burst = ""
        for i in 0..<120 {
            burst += #"{"op":"order.place","id":"b\#(i)","venue":"binance","symbol":"BTC-USDT","side":"buy","type":"limit","price":"40000.00","size":"0.001","client_order_id":"burst-\#(i)"}"# + "\n"
        }
        burst += #"{"op":"order.cancel","id":"c","venue":"binance","symbol":"BTC-USDT","client_order_id":"victim"}"#
        try client.send(burst)
        _ = try await client.waitFor { $0.contains(#""client_order_id":"victim""#) && $0.contains(#""state":"canceled""#) }
        let lines = client.lines
        let canceledAt = try #require(lines.firstIndex { $0.contains(#""client_order_id":"victim""#) && $0.contains(#""state":"canceled""#) })
        let burstAccepted = lines[..<canceledAt].filter { $0.contains(#""client_order_id":"burst-"#) && $0.contains(#""state":"accepted""#) }.count
        #expect(burstAccepted < 120, "the cancel waited for the whole burst")
        // Every burst order ends accepted (resting) or expired by its queue TTL — never rate-limited by the venue.
        try await client.waitUntil(timeout: 60) {
            client.lines.filter { $0.contains(#""client_order_id":"burst-"#) && ($0.contains(#""state":"accepted""#) || $0.contains(#""state":"expired""#)) }.count >= 120
        }
        let exchange = try #require(await rig.simulator.orderExchange(for: "binance"))
        #expect(exchange.counters.rateLimited == 0)
        #expect(!client.lines.contains { $0.contains("rate limit") || $0.contains("-1015") })
    }
}
