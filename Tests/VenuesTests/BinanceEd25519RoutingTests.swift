import MarketModel
import Testing
import VenueKit
@testable import Venues

// Binance WS API with an Ed25519 key (BN-API "Session authentication"): `session.logon` signed
// with the key, then requests that carry only `timestamp`. The key is RFC 8032 TEST 2's; the
// expected signature was computed with openssl (command in the test).

fileprivate let apiKey = "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A"
fileprivate let ed25519PEM = """
-----BEGIN PRIVATE KEY-----
MC4CAQAwBQYDK2VwBCIEIEzNCJso/5banbbDRuwRTg9bijGfNaumJNqM9u1PuKb7
-----END PRIVATE KEY-----
"""
fileprivate let context = OrderFrameContext(requestID: "7", now: 1_645_423_376_532_000_000,
                                            credentials: VenueCredentials(apiKey: apiKey, secret: ed25519PEM))

fileprivate func decimal(_ text: String) -> FixedDecimal { FixedDecimal(text) ?? .zero }

fileprivate func router() throws -> Binance {
    Binance(configuration: VenueAdapterConfiguration(symbols: [try Symbol("BTC-USDT")]))
}

@Suite("Binance order routing with an Ed25519 key")
struct BinanceEd25519RoutingTests {
    @Test("session.logon: exact frame, Ed25519 signature over the sorted params, base64")
    func logon() throws {
        // printf 'apiKey=…&timestamp=1645423376532' | openssl pkeyutl -sign -rawin -inkey key.pem | base64 -w0
        let frames = try router().loginFrames(context: context)
        #expect(frames.map(\.text) == [#"{"id":"logon-7","method":"session.logon","params":{"apiKey":"\#(apiKey)","timestamp":1645423376532,"signature":"NtCYDhzkdxvPo61mpIEqcXisjOwuJHkDXAGRYbhGRDl00eR5ixqIOz79WkIzcvZyErhm6ALay7u8F6Qk+KUyDA=="}}"#])
        #expect(!frames[0].text.contains("MC4CAQAw"), "the key never leaves the process")
    }

    @Test("after logon, requests carry timestamp only (no apiKey, no signature)")
    func sessionRequests() throws {
        let order = VenueOrder(venueClientOrderID: "O1", symbol: try Symbol("BTC-USDT"), side: .buy, type: .limit,
                               price: decimal("52000.00"), size: decimal("0.01"), timeInForce: .gtc)
        #expect(try router().placeFrame(order, context: context).text == #"{"id":7,"method":"order.place","params":{"symbol":"BTCUSDT","side":"BUY","type":"LIMIT","timeInForce":"GTC","price":"52000.00","quantity":"0.01","newClientOrderId":"O1","timestamp":1645423376532}}"#)
        #expect(try router().cancelFrame(venueClientOrderID: "O1", symbol: try Symbol("BTC-USDT"), context: context).text
                == #"{"id":7,"method":"order.cancel","params":{"symbol":"BTCUSDT","origClientOrderId":"O1","timestamp":1645423376532}}"#)
    }

    @Test("the logon reply is told apart from order replies: success logs in, an error refuses the login")
    func logonReplies() throws {
        var binance = try router()
        #expect(try binance.parseOrderMessage(#"{"id":"logon-7","status":200,"result":{"apiKey":"\#(apiKey)","authorizedSince":1649729878532,"connectedSince":1649729873021,"returnRateLimits":false,"serverTime":1649729878630,"userDataStream":false},"rateLimits":[]}"#, tsRecv: 0) == [.loggedIn])
        #expect(try binance.parseOrderMessage(#"{"id":"logon-8","status":400,"error":{"code":-1022,"msg":"Signature for this request is not valid."}}"#, tsRecv: 0)
                == [.loginFailed(reason: "code -1022: Signature for this request is not valid.")])
        // An ordinary reply with the same number is still a response.
        #expect(try binance.parseOrderMessage(#"{"id":"7","status":400,"error":{"code":-2013,"msg":"Order does not exist."}}"#, tsRecv: 0)
                == [.response(requestID: "7", .notFound(reason: "code -2013: Order does not exist."))])
    }

    @Test("an HMAC secret logs in with no frames; a PEM key that is not Ed25519 is refused with the reason")
    func keyKinds() throws {
        let hmac = OrderFrameContext(requestID: "7", now: 0, credentials: VenueCredentials(apiKey: apiKey, secret: "plain-hmac-secret"))
        #expect(try router().loginFrames(context: hmac).isEmpty)
        let ecPEM = """
        -----BEGIN PRIVATE KEY-----
        MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgz8OeJZ+MPVJJE9yV
        RcsIBx/z+5zaXL2gTteaBXPIkiehRANCAASSC/NGWg/DtUz6Y8f7944W9UBBIGnS
        5+xddP0vL6EbwD21cBZlrnIG+ic+ulJckkRjAcryz+nIHNvwnseBQSjY
        -----END PRIVATE KEY-----
        """
        let ec = OrderFrameContext(requestID: "7", now: 0, credentials: VenueCredentials(apiKey: apiKey, secret: ecPEM))
        let binance = try router()
        do {
            _ = try binance.loginFrames(context: ec)
            Issue.record("an EC key must be refused")
        } catch {
            #expect(error.message.contains("the PEM key is EC, not Ed25519"), "\(error)")
            #expect(!error.message.contains("MIGHAgEA"), "the key is never echoed")
        }
    }
}
