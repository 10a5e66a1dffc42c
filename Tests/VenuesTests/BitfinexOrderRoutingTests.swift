import MarketModel
import Testing
import VenueKit
@testable import Venues

// Bitfinex v2 order routing: auth signature (known answer from openssl), exact channel-0 inputs,
// and notifications/order events shaped like BFX-GIST and docs.bitfinex.com examples.

fileprivate let secret = "bfxSECRET"
fileprivate let context = OrderFrameContext(requestID: "12345", now: 1_700_000_000_000_000_000,
                                            credentials: VenueCredentials(apiKey: "bfxKEY", secret: secret))

fileprivate func router() throws -> Bitfinex {
    Bitfinex(configuration: VenueAdapterConfiguration(symbols: [try Symbol("BTC-USD"), try Symbol("BTC-USDT-PERP")]))
}

fileprivate func d(_ text: String) -> FixedDecimal { FixedDecimal(text) ?? .zero }

fileprivate typealias Case = OrderReplyCase

@Suite("Bitfinex order routing")
struct BitfinexOrderRoutingTests {
    @Test("auth: hex HMAC-SHA384 of AUTH + nonce (µs)")
    func auth() throws {
        // printf '%s' 'AUTH1700000000000000' | openssl dgst -sha384 -hmac 'bfxSECRET'
        let frames = try router().loginFrames(context: context).map(\.text)
        #expect(frames == [#"{"event":"auth","apiKey":"bfxKEY","authSig":"4d496653e889fe6d97dbc48b0faddabfc121e477819246261ce48a98abe1cecb61435b80d2b0516ae17e957a348078a6","authNonce":1700000000000000,"authPayload":"AUTH1700000000000000"}"#])
        #expect(!frames.joined().contains(secret))
    }

    @Test("on / oc / oc_multi inputs")
    func frames() throws {
        let r = try router()
        let buy = VenueOrder(venueClientOrderID: "12345", symbol: try Symbol("BTC-USD"), side: .buy, type: .limit,
                             price: d("100"), size: d("0.1"), timeInForce: .gtc)
        #expect(try r.placeFrame(buy, context: context).text == #"[0,"on",null,{"cid":12345,"type":"EXCHANGE LIMIT","symbol":"tBTCUSD","amount":"0.1","price":"100"}]"#)
        let sell = VenueOrder(venueClientOrderID: "12346", symbol: try Symbol("BTC-USDT-PERP"), side: .sell, type: .limit,
                              price: d("35000.50"), size: d("0.002"), timeInForce: .postOnly)
        #expect(try r.placeFrame(sell, context: context).text == #"[0,"on",null,{"cid":12346,"type":"LIMIT","symbol":"tBTCF0:USTF0","amount":"-0.002","price":"35000.50","flags":4096}]"#)
        let market = VenueOrder(venueClientOrderID: "12347", symbol: try Symbol("BTC-USD"), side: .sell, type: .market,
                                price: nil, size: d("1"), timeInForce: .ioc)
        #expect(try r.placeFrame(market, context: context).text == #"[0,"on",null,{"cid":12347,"type":"EXCHANGE MARKET","symbol":"tBTCUSD","amount":"-1"}]"#)
        var ioc = buy
        ioc.timeInForce = .ioc
        #expect(try r.placeFrame(ioc, context: context).text.contains(#""type":"EXCHANGE IOC""#))
        // 1_700_000_000 s is 2023-11-14T22:13:20Z.
        #expect(try r.cancelFrame(venueClientOrderID: "12345", symbol: try Symbol("BTC-USD"), context: context).text == #"[0,"oc",null,{"cid":12345,"cid_date":"2023-11-14"}]"#)
        #expect(try r.cancelAllFrame(symbol: nil, context: context).text == #"[0,"oc_multi",null,{"all":1}]"#)
        #expect(throws: OrderRoutingError.self) { try r.cancelAllFrame(symbol: try Symbol("BTC-USD"), context: context) }
        #expect(throws: OrderRoutingError.self) { try r.statusFrame(venueClientOrderID: "12345", symbol: try Symbol("BTC-USD"), context: context) }
        var text = buy
        text.venueClientOrderID = "O-1"
        #expect(throws: OrderRoutingError.self) { try r.placeFrame(text, context: context) }
    }

    @Test("UTC dates around epoch boundaries")
    func dates() {
        #expect(OrderText.utcDate(0) == "1970-01-01")
        #expect(OrderText.utcDate(951_782_400_000_000_000) == "2000-02-29")  // leap day
        #expect(OrderText.utcDate(-1) == "1969-12-31")
    }

    fileprivate static let active = #"[1185815098,null,12345,"tBTCUSD",1575289447641,1575289447641,0.1,0.1,"EXCHANGE LIMIT",null,null,null,0,"ACTIVE",null,null,100,0,0,0,null,null,null,0,0,null,null,null,"API>BFX",null,null,null]"#

    fileprivate static let cases: [Case] = [
        Case(name: "auth ok", input: #"{"event":"auth","status":"OK","chanId":0,"userId":1,"auth_id":"a1b2c3","caps":{"orders":{"read":1,"write":1}}}"#, expected: [.loggedIn]),
        Case(name: "auth failed", input: #"{"event":"auth","status":"FAILED","chanId":0,"msg":"apikey: invalid","code":10100}"#,
             expected: [.loginFailed(reason: "code 10100: apikey: invalid")]),
        Case(name: "info event", input: #"{"event":"info","version":2,"serverId":"x","platform":{"status":1}}"#),
        Case(name: "heartbeat", input: #"[0,"hb"]"#, expected: [.heartbeat]),
        Case(name: "on-req SUCCESS → accepted, requestID = cid",
             input: #"[0,"n",[1575289447641,"on-req",null,null,\#(active),null,"SUCCESS","Submitting exchange limit buy order for 0.1 BTC."]]"#,
             expected: [.response(requestID: "12345", .accepted(VenueOrderState(venueClientOrderID: "12345", venueOrderID: "1185815098", state: .accepted, filledSize: d("0"))))]),
        Case(name: "on-req ERROR → rejected",
             input: #"[0,"n",[1575289447641,"on-req",null,null,[null,null,12346,"tBTCUSD",null,null,0.001,0.001,"EXCHANGE LIMIT",null,null,null,0,null,null,null,1,null,null,null,null,null,null,0,null,null,null,null,null,null,null,null],null,"ERROR","Invalid order: not enough exchange balance for 0.001 BTCUSD at 1"]]"#,
             expected: [.response(requestID: "12346", .rejected(reason: "ERROR: Invalid order: not enough exchange balance for 0.001 BTCUSD at 1", rateLimited: false, retryAfter: nil))]),
        Case(name: "on-req ERROR ratelimit → rate limited",
             input: #"[0,"n",[1575289447641,"on-req",null,null,[null,null,12347],null,"ERROR","ERR_RATE_LIMIT"]]"#,
             expected: [.response(requestID: "12347", .rejected(reason: "ERROR: ERR_RATE_LIMIT", rateLimited: true, retryAfter: nil))]),
        Case(name: "oc-req ERROR Order not found → notFound",
             input: #"[0,"n",[1575291219660,"oc-req",null,null,[null,null,12345,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null],null,"ERROR","Order not found."]]"#,
             expected: [.response(requestID: "12345", .notFound(reason: "ERROR: Order not found."))]),
        Case(name: "oc-req SUCCESS", input: #"[0,"n",[1575291219660,"oc-req",null,null,\#(active),null,"SUCCESS","Submitted for cancellation; waiting for confirmation (ID: 1185815098)."]]"#,
             expected: [.response(requestID: "12345", .accepted(nil))]),
        Case(name: "oc_multi-req SUCCESS", input: #"[0,"n",[1575291219660,"oc_multi-req",null,null,[],null,"SUCCESS","Submitting 2 order cancellations."]]"#,
             expected: [.response(requestID: "oc_multi", .accepted(nil))]),
        Case(name: "other notification ignored", input: #"[0,"n",[1575291219660,"uca",null,null,null,null,null,"x"]]"#),
        Case(name: "os snapshot", input: #"[0,"os",[\#(active)]]"#,
             expected: [.update(VenueOrderState(venueClientOrderID: "12345", venueOrderID: "1185815098", state: .accepted, filledSize: d("0")))]),
        Case(name: "ou partially filled",
             input: #"[0,"ou",[1185815098,null,12345,"tBTCUSD",1575289447641,1575289450000,0.04,0.1,"EXCHANGE LIMIT",null,null,null,0,"PARTIALLY FILLED @ 100.0(0.06)",null,null,100,100,0,0]]"#,
             expected: [.update(VenueOrderState(venueClientOrderID: "12345", venueOrderID: "1185815098", state: .partiallyFilled, filledSize: d("0.06"), averagePrice: d("100")))]),
        Case(name: "oc executed (sell, negative amounts)",
             input: #"[0,"oc",[1185815099,null,12346,"tBTCUSD",1575289447641,1575289458000,0,-0.002,"EXCHANGE LIMIT",null,null,null,0,"EXECUTED @ 35000.5(-0.002)",null,null,35000.5,35000.5]]"#,
             expected: [.update(VenueOrderState(venueClientOrderID: "12346", venueOrderID: "1185815099", state: .filled, filledSize: d("0.002"), averagePrice: d("35000.5")))]),
        Case(name: "oc canceled after a partial fill",
             input: #"[0,"oc",[1185815098,null,12345,"tBTCUSD",1575289447641,1575289458000,0.04,0.1,"EXCHANGE LIMIT",null,null,null,0,"CANCELED was: PARTIALLY FILLED @ 100.0(0.06)",null,null,100,100]]"#,
             expected: [.update(VenueOrderState(venueClientOrderID: "12345", venueOrderID: "1185815098", state: .canceled, filledSize: d("0.06"), averagePrice: d("100"), reason: "CANCELED was: PARTIALLY FILLED @ 100.0(0.06)"))]),
        Case(name: "te trade ignored", input: #"[0,"te",[402088407,"tBTCUSD",1575289458000,1185815098,0.06,100,"EXCHANGE LIMIT",100,1,null,null,12345]]"#),
        Case(name: "rate-limit error event", input: #"{"event":"error","msg":"ERR_RATE_LIMIT","code":10000}"#,
             expected: [.rateLimit(RateLimitFeedback(name: "ERR_RATE_LIMIT"))]),
        Case(name: "malformed", input: #"[0,"on",[1,"#, error: .malformedJSON),
        Case(name: "market-data channel", input: #"[17470,"hb"]"#, error: .unexpectedMessage),
        Case(name: "unknown order status", input: #"[0,"on",[1,null,2,"tBTCUSD",0,0,1,1,"EXCHANGE LIMIT",null,null,null,0,"DANCING",null,null,1,0]]"#, error: .invalidValue),
        Case(name: "order without status", input: #"[0,"on",[1,null,2]]"#, error: .missingField),
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
