@testable import Replay
import Testing
import VenueKit

/// The simulated Binance WS API's `session.logon` (BN-API "Session authentication"): Ed25519 keys
/// only, the signature checked against the registered public key, then unsigned requests on the session.
@Suite("Simulated Binance session.logon")
struct BinanceSessionLogonTests {
    static let ed25519Key = SimulatedAccount.binanceEd25519Test.apiKey

    /// A `session.logon` for `apiKey`, signed with the seed's key.
    static func logon(_ id: String, apiKey: String = ed25519Key, seed: [UInt8] = SimulatedAccount.ed25519TestSeed,
                      timestamp: Int64 = OrderBench.now.epochMilliseconds) throws -> String {
        let payload = "apiKey=\(apiKey)&timestamp=\(timestamp)"
        let signature = Base64.encode(try Ed25519PrivateKey(seed: seed).sign(Array(payload.utf8)))
        return #"{"id":"\#(id)","method":"session.logon","params":{"apiKey":"\#(apiKey)","timestamp":\#(timestamp),"signature":"\#(signature)"}}"#
    }

    static let place = #"{"id":"9","method":"order.place","params":{"symbol":"BTCUSDT","side":"BUY","type":"LIMIT","timeInForce":"GTC","price":"40000","quantity":"0.01","newClientOrderId":"S-1","timestamp":1700000000000}}"#

    @Test func aValidLogonAuthenticatesTheSessionForUnsignedRequests() throws {
        var exchange = OrderBench.exchange("binance")
        var dialect = BinanceOrderDialect(role: .trade, connectionID: 1)
        // Before logon an unsigned request is refused for its missing apiKey.
        let early = OrderBench.send(Self.place, &dialect, &exchange)
        #expect(early.first?.contains(#""code":-1102,"msg":"Mandatory parameter 'apiKey' was not sent"#) == true, "\(early)")
        let answer = OrderBench.send(try Self.logon("1"), &dialect, &exchange)
        #expect(answer.first?.hasPrefix(#"{"id":"1","status":200,"result":{"apiKey":"\#(Self.ed25519Key)","authorizedSince":1700000000000,"#) == true, "\(answer)")
        let placed = OrderBench.send(Self.place, &dialect, &exchange)
        #expect(placed.first?.hasPrefix(#"{"id":"9","status":200,"result":{"symbol":"BTCUSDT""#) == true, "\(placed)")
        #expect(exchange.ledger.map(\.account) == [Self.ed25519Key])
    }

    @Test func wrongKeysSignaturesAndHMACKeysAreRefused() throws {
        var exchange = OrderBench.exchange("binance")
        var dialect = BinanceOrderDialect(role: .trade, connectionID: 1)
        let otherSeed = Array(repeating: UInt8(7), count: 32)
        let forged = OrderBench.send(try Self.logon("1", seed: otherSeed), &dialect, &exchange)
        #expect(forged.first?.hasPrefix(#"{"id":"1","status":400,"error":{"code":-1022,"msg":"Signature for this request is not valid."}"#) == true, "\(forged)")
        let hmacKey = OrderBench.send(try Self.logon("2", apiKey: SimulatedAccount.test.apiKey), &dialect, &exchange)
        #expect(hmacKey.first?.hasPrefix(#"{"id":"2","status":400,"error":{"code":-4056,"msg":"HMAC_SHA256 API key is not supported."}"#) == true, "\(hmacKey)")
        let stale = OrderBench.send(try Self.logon("3", timestamp: OrderBench.now.epochMilliseconds - 6000), &dialect, &exchange)
        #expect(stale.first?.contains(#""code":-1021"#) == true, "\(stale)")
        // None of those logged the connection on: an unsigned order is still refused.
        let placed = OrderBench.send(Self.place, &dialect, &exchange)
        #expect(placed.first?.contains(#""code":-1102"#) == true, "\(placed)")
        #expect(exchange.ledger.isEmpty)
    }
}
