import MarketModel
import Testing
import VenueKit
@testable import Venues

// Kraken spot v2 order routing: the REST API-Sign documented example (docs.kraken.com "Spot REST
// authentication", recomputed with Python hashlib/hmac), the token request, exact WS frames, and
// replies/executions shaped like KR-WS / NT-KR examples.

fileprivate let restSecret = "kQH5HW/8p1uGOVjbgWA7FunAmGO8lsSUXNsu3eow76sz84Q18fWxnyRzBHCd3pd5nE9qa99HAZtuZuj6F1huXg=="
fileprivate let token = "WW91ciBhdXRoZW50aWNhdGlvbiB0b2tlbiBnb2VzIGhlcmUu"
fileprivate let context = OrderFrameContext(requestID: "42", now: 1_616_492_376_594_000_000,
                                            credentials: VenueCredentials(apiKey: "krakenKEY", secret: restSecret, passphrase: token))

fileprivate func router() throws -> Kraken {
    Kraken(configuration: VenueAdapterConfiguration(symbols: [try Symbol("BTC-USD")]))
}

fileprivate func d(_ text: String) -> FixedDecimal { FixedDecimal(text) ?? .zero }

fileprivate typealias Case = OrderReplyCase

@Suite("Kraken order routing")
struct KrakenOrderRoutingTests {
    @Test("REST API-Sign: documented AddOrder example; SHA-256 digest")
    func restSignature() {
        // python3: base64(hmac.new(b64decode(secret), path + sha256(nonce + post).digest(), sha512).digest())
        #expect(Kraken.restSignature(secret: restSecret, path: "/0/private/AddOrder", nonce: "1616492376594",
                                     postData: "nonce=1616492376594&ordertype=limit&pair=XBTUSD&price=37500&type=buy&volume=1.25")
                == "4/dpxb3iT4tp/ZCVEwSnEsLxx0bqyhLpdfOpc6fn7OR8+UClSV5n9E6aSS8MPtnRfp32bAb0nmbRn6H8ndwLUQ==")
        // printf 'abc' | openssl dgst -sha256
        #expect(Hex.encode(Digest.sha256("abc")) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(Kraken.restSignature(secret: "not base64!", path: "/", nonce: "1", postData: "") == nil)
    }

    @Test("GetWebSocketsToken request and response")
    func tokenRequest() throws {
        let (request, body) = try Kraken.webSocketsTokenRequest(credentials: context.credentials, nonce: 1_616_492_376_594)
        #expect(request.method == "POST" && request.url == "https://api.kraken.com/0/private/GetWebSocketsToken" && body == "nonce=1616492376594")
        // python3: same formula over "/0/private/GetWebSocketsToken" and "1616492376594nonce=1616492376594"
        #expect(request.headers["API-Sign"] == "+mRDmY9Ks0Moc1zjv/BjfvYa98buO0x1yHChZR5onlfAzAUbfIYlLggUZzdQ0RsmXm4Sh+Q8iAIZdo2wSeHeiA==")
        #expect(request.headers["API-Key"] == "krakenKEY")
        var ok = #"{"error":[],"result":{"token":"1Dwc4lzSwNWOAwkMdqhssNNFhs1ed606d1WcF3XfEMw","expires":900}}"#
        #expect(try ok.withUTF8 { try Kraken.parseWebSocketsToken(UnsafeRawBufferPointer($0)) } == "1Dwc4lzSwNWOAwkMdqhssNNFhs1ed606d1WcF3XfEMw")
        var failed = #"{"error":["EAPI:Invalid key"]}"#
        #expect(throws: VenueParseError.self) { try failed.withUTF8 { try Kraken.parseWebSocketsToken(UnsafeRawBufferPointer($0)) } }
    }

    @Test("executions subscription, add_order, cancel_order, cancel_all frames")
    func frames() throws {
        let r = try router()
        #expect(try r.loginFrames(context: context).map(\.text) == [#"{"method":"subscribe","params":{"channel":"executions","token":"\#(token)","snap_orders":true,"snap_trades":false},"req_id":42}"#])
        let order = VenueOrder(venueClientOrderID: "O1", symbol: try Symbol("BTC-USD"), side: .buy, type: .limit,
                               price: d("30000.0"), size: d("0.01"), timeInForce: .postOnly)
        let place = try r.placeFrame(order, context: context).text
        #expect(place == #"{"method":"add_order","params":{"order_type":"limit","side":"buy","order_qty":0.01,"symbol":"BTC/USD","limit_price":30000.0,"time_in_force":"gtc","post_only":true,"cl_ord_id":"O1","token":"\#(token)"},"req_id":42}"#)
        #expect(!place.contains(restSecret))
        let market = VenueOrder(venueClientOrderID: "O2", symbol: try Symbol("BTC-USD"), side: .sell, type: .market,
                                price: nil, size: d("1.25"), timeInForce: .ioc)
        #expect(try r.placeFrame(market, context: context).text == #"{"method":"add_order","params":{"order_type":"market","side":"sell","order_qty":1.25,"symbol":"BTC/USD","cl_ord_id":"O2","token":"\#(token)"},"req_id":42}"#)
        #expect(try r.cancelFrame(venueClientOrderID: "O1", symbol: try Symbol("BTC-USD"), context: context).text == #"{"method":"cancel_order","params":{"cl_ord_id":["O1"],"token":"\#(token)"},"req_id":42}"#)
        #expect(try r.cancelAllFrame(symbol: nil, context: context).text == #"{"method":"cancel_all","params":{"token":"\#(token)"},"req_id":42}"#)
        #expect(throws: OrderRoutingError.self) { try r.cancelAllFrame(symbol: try Symbol("BTC-USD"), context: context) }
        #expect(throws: OrderRoutingError.self) { try r.statusFrame(venueClientOrderID: "O1", symbol: try Symbol("BTC-USD"), context: context) }
        var fok = order
        fok.timeInForce = .fok
        #expect(throws: OrderRoutingError.self) { try r.placeFrame(fok, context: context) }
        var textID = context
        textID.requestID = "abc"
        #expect(throws: OrderRoutingError.self) { try r.cancelAllFrame(symbol: nil, context: textID) }
        var noToken = context
        noToken.credentials.passphrase = nil
        #expect(throws: OrderRoutingError.self) { try r.loginFrames(context: noToken) }
    }

    fileprivate static let cases: [Case] = [
        Case(name: "executions subscribed → loggedIn + maxratecount",
             input: #"{"method":"subscribe","result":{"channel":"executions","maxratecount":180,"snapshot":true},"success":true,"time_in":"2023-09-25T09:04:31.742599Z","time_out":"2023-09-25T09:04:31.742648Z","req_id":42}"#,
             expected: [.loggedIn, .rateLimit(RateLimitFeedback(name: "trading-counter", limit: 180))]),
        Case(name: "subscribe refused → loginFailed",
             input: #"{"error":"EAPI:Invalid token","method":"subscribe","success":false,"time_in":"…","time_out":"…","req_id":42}"#,
             expected: [.loginFailed(reason: "EAPI:Invalid token")]),
        Case(name: "add_order accepted (KR-WS example)",
             input: #"{"method":"add_order","req_id":42,"success":true,"time_in":"2023-09-21T14:15:07.197274Z","time_out":"2023-09-21T14:15:07.205301Z","result":{"order_id":"OABCDE-12345-FGHIJ","cl_ord_id":"O1","order_userref":0}}"#,
             expected: [.response(requestID: "42", .accepted(VenueOrderState(venueClientOrderID: "O1", venueOrderID: "OABCDE-12345-FGHIJ", state: .accepted)))]),
        Case(name: "add_order rejected: insufficient funds",
             input: #"{"method":"add_order","req_id":99,"success":false,"error":"EOrder:Insufficient funds","time_in":"…","time_out":"…"}"#,
             expected: [.response(requestID: "99", .rejected(reason: "EOrder:Insufficient funds", rateLimited: false, retryAfter: nil))]),
        Case(name: "rate limited: EOrder:Rate limit exceeded",
             input: #"{"method":"add_order","req_id":100,"success":false,"error":"EOrder:Rate limit exceeded","time_in":"…","time_out":"…"}"#,
             expected: [.response(requestID: "100", .rejected(reason: "EOrder:Rate limit exceeded", rateLimited: true, retryAfter: nil))]),
        Case(name: "rate limited: EAPI:Rate limit exceeded",
             input: #"{"method":"cancel_order","req_id":101,"success":false,"error":"EAPI:Rate limit exceeded"}"#,
             expected: [.response(requestID: "101", .rejected(reason: "EAPI:Rate limit exceeded", rateLimited: true, retryAfter: nil))]),
        Case(name: "cancel of unknown order",
             input: #"{"method":"cancel_order","req_id":43,"success":false,"error":"EOrder:Unknown order","time_in":"…","time_out":"…"}"#,
             expected: [.response(requestID: "43", .notFound(reason: "EOrder:Unknown order"))]),
        Case(name: "cancel accepted", input: #"{"method":"cancel_order","req_id":44,"result":{"cl_ord_id":"O1"},"success":true,"time_in":"…","time_out":"…"}"#,
             expected: [.response(requestID: "44", .accepted(nil))]),
        Case(name: "cancel_all accepted", input: #"{"method":"cancel_all","req_id":45,"result":{"count":2},"success":true,"time_in":"…","time_out":"…"}"#,
             expected: [.response(requestID: "45", .accepted(nil))]),
        Case(name: "heartbeat and pong", input: #"{"channel":"heartbeat"}"#, expected: [.heartbeat]),
        Case(name: "pong", input: #"{"method":"pong","req_id":101,"time_in":"…","time_out":"…"}"#, expected: [.heartbeat]),
        Case(name: "executions: snapshot new, trade update, fill, cancel, amend notice skipped",
             input: #"{"channel":"executions","type":"update","data":[{"order_id":"OA","cl_ord_id":"O1","exec_type":"new","order_status":"new","symbol":"BTC/USD","order_qty":0.01,"cum_qty":0,"limit_price":30000.0},{"order_id":"OA","cl_ord_id":"O1","exec_type":"trade","order_status":"partially_filled","last_qty":0.004,"cum_qty":0.004,"avg_price":30000.0},{"order_id":"OA","cl_ord_id":"O1","exec_type":"filled","order_status":"filled","cum_qty":0.01,"avg_price":29999.5},{"order_id":"OB","cl_ord_id":"O2","exec_type":"canceled","order_status":"canceled","cum_qty":0,"reason":"User requested"},{"order_id":"OC","exec_type":"amended"}]}"#,
             expected: [.update(VenueOrderState(venueClientOrderID: "O1", venueOrderID: "OA", state: .accepted, filledSize: d("0"))),
                        .update(VenueOrderState(venueClientOrderID: "O1", venueOrderID: "OA", state: .partiallyFilled, filledSize: d("0.004"), averagePrice: d("30000.0"))),
                        .update(VenueOrderState(venueClientOrderID: "O1", venueOrderID: "OA", state: .filled, filledSize: d("0.01"), averagePrice: d("29999.5"))),
                        .update(VenueOrderState(venueClientOrderID: "O2", venueOrderID: "OB", state: .canceled, filledSize: d("0"), reason: "User requested"))]),
        Case(name: "malformed", input: #"{"method":"add_order","req_id":42,"#, error: .malformedJSON),
        Case(name: "no method", input: #"{"req_id":42}"#, error: .missingField),
        Case(name: "unknown status", input: #"{"channel":"executions","type":"update","data":[{"order_status":"melted"}]}"#, error: .invalidValue),
        Case(name: "bad cum_qty", input: #"{"channel":"executions","type":"update","data":[{"order_status":"new","cum_qty":"x"}]}"#, error: .invalidValue),
        Case(name: "malformed-request error", input: #"{"error":"Malformed request","method":"error","success":false,"time_in":"…","time_out":"…"}"#, error: .unexpectedMessage),
    ]

    @Test("parse", arguments: cases)
    fileprivate func parse(_ c: Case) throws {
        var r = try router()
        if let kind = c.error {
            #expect { _ = try r.parseOrderMessage(c.input, tsRecv: 0) } throws: { ($0 as? VenueParseError)?.kind == kind }
        } else {
            #expect(try r.parseOrderMessage(c.input, tsRecv: 0) == c.expected)
        }
    }
}
