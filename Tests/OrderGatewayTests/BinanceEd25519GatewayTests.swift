import Foundation
import MarketModel
import Replay
import Testing
import VenueKit

/// Binance order entry with an Ed25519 key end to end: the gateway's connection logs on with
/// `session.logon` (signed with the key held as PEM), the simulated venue verifies the signature
/// with the registered public key, and orders then travel unsigned on the authenticated session.
@Suite(.serialized) struct BinanceEd25519GatewayTests {
    @Test func anEd25519KeyLogsOnOncePlacesFillsAndCancels() async throws {
        let credentials = VenueCredentials(apiKey: SimulatedAccount.binanceEd25519Test.apiKey, secret: SimulatedAccount.ed25519TestPEM)
        let rig = try await OrderRig.start(venue: "binance", symbol: "BTC-USDT", credentials: credentials)
        defer { Task { await rig.stop() } }
        let client = try await OrderClient.connect(rig.socketPath)
        defer { client.close() }
        try await rig.waitUntilUp()

        try client.send(#"{"op":"order.place","id":"1","venue":"binance","symbol":"BTC-USDT","side":"buy","type":"limit","price":"60000.00","size":"0.001","client_order_id":"ed-fill"}"#)
        _ = try await client.waitFor { $0.contains(#""client_order_id":"ed-fill""#) && $0.contains(#""state":"filled""#) }
        try client.send(#"{"op":"order.place","id":"2","venue":"binance","symbol":"BTC-USDT","side":"buy","type":"limit","price":"40000.00","size":"0.001","client_order_id":"ed-rest"}"#)
        _ = try await client.waitFor { $0.contains(#""client_order_id":"ed-rest""#) && $0.contains(#""state":"accepted""#) }
        try client.send(#"{"op":"order.cancel","id":"3","venue":"binance","symbol":"BTC-USDT","client_order_id":"ed-rest"}"#)
        _ = try await client.waitFor { $0.contains(#""client_order_id":"ed-rest""#) && $0.contains(#""state":"canceled""#) }

        let exchange = try #require(await rig.simulator.orderExchange(for: "binance"))
        #expect(exchange.ledger.count == 2 && exchange.counters.duplicates == 0)
        #expect(exchange.ledger.allSatisfy { $0.account == SimulatedAccount.binanceEd25519Test.apiKey },
                "orders are booked to the Ed25519 key's account")
    }
}
