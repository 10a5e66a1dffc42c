import Fanout
import Foundation
import MarketModel
import NIOCore
import OrderGateway
import Orders
import Replay
import Testing
import VenueKit
import Venues

/// REST order-status reconciliation end to end over loopback (issue #6), for the four venues whose
/// order WebSocket has no status query. The simulated venue drops the order connection with an
/// order in flight (accepted by its exchange, never acknowledged), so the order becomes `unknown`;
/// after the reconnect the gateway asks the venue's REST API, signed by the real router and
/// verified by the simulator, which answers from its exchange's real state. An order the venue
/// never received (swallowed before its exchange saw it) must end `rejected` "not received by venue".
@Suite(.serialized) struct RESTReconciliationTests {
    /// The loopback tests' rows (venue, symbol, resting price, crossing price, size) of the four
    /// venues reconciled over REST.
    static let venues = OrderGatewayLoopbackTests.venues.filter { ["okx", "bybit", "kraken", "bitfinex"].contains($0.0) }

    @Test("unknown after a drop → REST status → filled / resting; never received → rejected", arguments: venues.map(\.0))
    func reconcileOverREST(venue: String) async throws {
        let row = try #require(Self.venues.first { $0.0 == venue })
        let rig = try await OrderRig.start(venue: venue, symbol: row.1)
        defer { Task { await rig.stop() } }
        let client = try await OrderClient.connect(rig.socketPath)
        defer { client.close() }
        try await rig.waitUntilUp()

        func place(_ id: String, _ requestID: String, price: String) throws {
            try client.send(#"{"op":"order.place","id":"\#(requestID)","venue":"\#(venue)","symbol":"\#(row.1)","side":"buy","type":"limit","price":"\#(price)","size":"\#(row.4)","tif":"gtc","client_order_id":"\#(id)"}"#)
        }
        func line(_ id: String, _ state: String) -> (String) -> Bool {
            { $0.contains(#""client_order_id":"\#(id)""#) && $0.contains(#""state":"\#(state)""#) }
        }

        // 1. A crossing order: the venue fills it, then the connection drops before the ack.
        await rig.simulator.injectOrderFault(.dropInFlight, venue: venue)
        try place("fill-d", "1", price: row.3)
        _ = try await client.waitFor(line("fill-d", "unknown"))
        let filled = try await client.waitFor(line("fill-d", "filled"))
        #expect(filled.contains(#""filled_size":"#))
        try await rig.waitUntilUp()

        // 2. A resting order: the venue books it, then the connection drops before the ack.
        await rig.simulator.injectOrderFault(.dropInFlight, venue: venue)
        try place("rest-d", "2", price: row.2)
        _ = try await client.waitFor(line("rest-d", "unknown"))
        _ = try await client.waitFor(line("rest-d", "accepted"))
        try await rig.waitUntilUp()

        // 3. An order the venue never received: the frame is lost with the connection.
        await rig.simulator.loseNextOrder(venue: venue)
        try place("lost-d", "3", price: row.2)
        _ = try await client.waitFor(line("lost-d", "unknown"))
        let rejected = try await client.waitFor(line("lost-d", "rejected"))
        #expect(rejected.contains("not received by venue"), "\(rejected)")
        #expect(await rig.simulator.lostOrders(for: venue) == 1)

        // Exactly one terminal state for the two concluded orders; the resting one stays open.
        let terminal = client.lines.filter { line in
            line.contains(#""type":"order""#) && ["filled", "canceled", "rejected", "expired"].contains { line.contains(#""state":"\#($0)""#) }
        }
        #expect(terminal.count == 2, "terminal updates: \(terminal)")
        let exchange = try #require(await rig.simulator.orderExchange(for: venue))
        #expect(exchange.ledger.map(\.status) == [.filled, .new], "the venue holds each order once, the lost one not at all")
        #expect(exchange.counters.duplicates == 0)
        #expect(exchange.counters.statusQueries >= 3, "the simulator answered the REST queries: \(exchange.counters.statusQueries)")
        let counters = try await rig.gateway.eventLoop.submit { rig.gateway.counters }.get()
        #expect(counters.unreconciled == 0)
        #expect(counters.statusQueries >= 3 && counters.reconciledByREST >= 3, "\(counters)")
        #expect(counters.statusQueryFailures == 0 && counters.statusQueriesRefused == 0, "\(counters)")
    }
}
