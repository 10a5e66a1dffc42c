import MarketModel
import Testing
import VenueKit
@testable import Venues

// OKX v5 private WS order routing: login signature (known answer from openssl), exact frames, and
// replies/pushes shaped like okx.com/docs-v5 examples (OKX-LOGIN, OKX-ORDER).

fileprivate let secret = "SECRETKEY0123456789"
fileprivate let credentials = VenueCredentials(apiKey: "okx-key-1", secret: secret, passphrase: "pass phrase")
fileprivate let context = OrderFrameContext(requestID: "1512", now: 1_538_054_050_975_000_000, credentials: credentials)

fileprivate func router() throws -> OKX {
    OKX(configuration: VenueAdapterConfiguration(symbols: [try Symbol("BTC-USDT"), try Symbol("BTC-USDT-PERP")]))
}

fileprivate func d(_ text: String) -> FixedDecimal { FixedDecimal(text) ?? .zero }

fileprivate typealias Case = OrderReplyCase

@Suite("OKX order routing")
struct OKXOrderRoutingTests {
    @Test("login: base64 HMAC-SHA256 of ts+GET+/users/self/verify, seconds")
    func login() throws {
        // printf '%s' '1538054050GET/users/self/verify' | openssl dgst -sha256 -hmac 'SECRETKEY0123456789' -binary | base64
        let frames = try router().loginFrames(context: context)
        #expect(frames.map(\.text) == [#"{"op":"login","args":[{"apiKey":"okx-key-1","passphrase":"pass phrase","timestamp":"1538054050","sign":"F2nzlYFBkWcjKYhB/Rrt2NY/N7V86GvJ8A7pEbCDeNE="}]}"#])
        #expect(!frames[0].text.contains(secret))
        var noPassphrase = context
        noPassphrase.credentials.passphrase = nil
        #expect(throws: OrderRoutingError.self) { try router().loginFrames(context: noPassphrase) }
    }

    @Test("place frames: limit spot (cash), post-only swap (cross), spot market in base units")
    func place() throws {
        let r = try router()
        let limit = VenueOrder(venueClientOrderID: "O1", symbol: try Symbol("BTC-USDT"), side: .buy, type: .limit,
                               price: d("30000.10"), size: d("0.0100"), timeInForce: .gtc)
        #expect(try r.placeFrame(limit, context: context).text == #"{"id":"1512","op":"order","args":[{"side":"buy","instId":"BTC-USDT","tdMode":"cash","ordType":"limit","sz":"0.0100","px":"30000.10","clOrdId":"O1"}]}"#)
        let maker = VenueOrder(venueClientOrderID: "O2", symbol: try Symbol("BTC-USDT-PERP"), side: .sell, type: .limit,
                               price: d("31000"), size: d("3"), timeInForce: .postOnly)
        #expect(try r.placeFrame(maker, context: context).text == #"{"id":"1512","op":"order","args":[{"side":"sell","instId":"BTC-USDT-SWAP","tdMode":"cross","ordType":"post_only","sz":"3","px":"31000","clOrdId":"O2"}]}"#)
        let market = VenueOrder(venueClientOrderID: "O3", symbol: try Symbol("BTC-USDT"), side: .buy, type: .market,
                                price: nil, size: d("0.5"), timeInForce: .ioc)
        #expect(try r.placeFrame(market, context: context).text == #"{"id":"1512","op":"order","args":[{"side":"buy","instId":"BTC-USDT","tdMode":"cash","ordType":"market","sz":"0.5","clOrdId":"O3","tgtCcy":"base_ccy"}]}"#)
        let ioc = VenueOrder(venueClientOrderID: "O4", symbol: try Symbol("BTC-USDT"), side: .sell, type: .limit,
                             price: d("1"), size: d("1"), timeInForce: .fok)
        #expect(try r.placeFrame(ioc, context: context).text.contains(#""ordType":"fok""#))
        // clOrdId is letters and digits only.
        var dashed = limit
        dashed.venueClientOrderID = "O-1"
        #expect(throws: OrderRoutingError.self) { try r.placeFrame(dashed, context: context) }
    }

    @Test("cancel frame; cancel-all and status are unsupported")
    func cancel() throws {
        let r = try router()
        #expect(try r.cancelFrame(venueClientOrderID: "O1", symbol: try Symbol("BTC-USDT"), context: context).text == #"{"id":"1512","op":"cancel-order","args":[{"instId":"BTC-USDT","clOrdId":"O1"}]}"#)
        #expect(throws: OrderRoutingError.self) { try r.cancelAllFrame(symbol: nil, context: context) }
        #expect(throws: OrderRoutingError.self) { try r.statusFrame(venueClientOrderID: "O1", symbol: try Symbol("BTC-USDT"), context: context) }
        #expect(OKX.orderSpec.supportsCancelAll == false)
        var badID = context
        badID.requestID = "req_1"
        #expect(throws: OrderRoutingError.self) { try r.cancelFrame(venueClientOrderID: "O1", symbol: try Symbol("BTC-USDT"), context: badID) }
    }

    fileprivate static let cases: [Case] = [
        Case(name: "login ok → orders subscription",
             input: #"{"event":"login","code":"0","msg":"","connId":"a4d3ae55"}"#,
             expected: [.send(OutboundMessage(text: #"{"op":"subscribe","args":[{"channel":"orders","instType":"ANY"}]}"#))]),
        Case(name: "login failed (event error 60009)",
             input: #"{"event":"error","code":"60009","msg":"Login failed.","connId":"a4d3ae55"}"#,
             expected: [.loginFailed(reason: "code 60009: Login failed.")]),
        Case(name: "orders subscription ack: logged in (orders may flow)", input: #"{"event":"subscribe","arg":{"channel":"orders","instType":"ANY"},"connId":"a4d3ae55"}"#,
             expected: [.loggedIn]),
        Case(name: "pong", input: "pong", expected: [.heartbeat]),
        Case(name: "order accepted (doc example)",
             input: #"{"id":"1512","op":"order","data":[{"clOrdId":"O1","ordId":"12345689","tag":"","ts":"1695190491421","sCode":"0","sMsg":""}],"code":"0","msg":"","inTime":"1695190491421339","outTime":"1695190491423240"}"#,
             expected: [.response(requestID: "1512", .accepted(VenueOrderState(venueClientOrderID: "O1", venueOrderID: "12345689", state: .accepted)))]),
        Case(name: "order rejected: sCode 51008",
             input: #"{"id":"1513","op":"order","data":[{"clOrdId":"O2","ordId":"","tag":"","ts":"1695190491421","sCode":"51008","sMsg":"Order failed. Insufficient balance"}],"code":"1","msg":"","inTime":"1","outTime":"2"}"#,
             expected: [.response(requestID: "1513", .rejected(reason: "code 51008: Order failed. Insufficient balance", rateLimited: false, retryAfter: nil))]),
        Case(name: "rate limited: sCode 50011",
             input: #"{"id":"1514","op":"order","data":[{"clOrdId":"O3","ordId":"","sCode":"50011","sMsg":"Rate limit reached. Please refer to API documentation and throttle requests accordingly."}],"code":"1","msg":""}"#,
             expected: [.response(requestID: "1514", .rejected(reason: "code 50011: Rate limit reached. Please refer to API documentation and throttle requests accordingly.", rateLimited: true, retryAfter: nil))]),
        Case(name: "rate limited: top-level code, empty data",
             input: #"{"id":"1515","op":"order","data":[],"code":"50011","msg":"Rate limit reached."}"#,
             expected: [.response(requestID: "1515", .rejected(reason: "code 50011: Rate limit reached.", rateLimited: true, retryAfter: nil))]),
        Case(name: "invalid args: 60013",
             input: #"{"id":"1516","op":"order","data":[],"code":"60013","msg":"Invalid args"}"#,
             expected: [.response(requestID: "1516", .rejected(reason: "code 60013: Invalid args", rateLimited: false, retryAfter: nil))]),
        Case(name: "cancel accepted",
             input: #"{"id":"1517","op":"cancel-order","data":[{"clOrdId":"O1","ordId":"2510789768709120","ts":"1695190491421","sCode":"0","sMsg":""}],"code":"0","msg":""}"#,
             expected: [.response(requestID: "1517", .accepted(nil))]),
        Case(name: "cancel of unknown order: 51400",
             input: #"{"id":"1518","op":"cancel-order","data":[{"clOrdId":"O9","ordId":"","sCode":"51400","sMsg":"Order cancellation failed as the order has been filled, canceled or does not exist"}],"code":"1","msg":""}"#,
             expected: [.response(requestID: "1518", .notFound(reason: "code 51400: Order cancellation failed as the order has been filled, canceled or does not exist"))]),
        Case(name: "orders push: live, partially filled, filled, canceled",
             input: #"{"arg":{"channel":"orders","instType":"ANY","uid":"77982378738415879"},"data":[{"instType":"SPOT","instId":"BTC-USDT","ordId":"1","clOrdId":"O1","px":"30000.1","sz":"0.01","state":"live","accFillSz":"0","avgPx":"0","code":"0","msg":""},{"instId":"BTC-USDT","ordId":"1","clOrdId":"O1","state":"partially_filled","accFillSz":"0.004","avgPx":"30000.1"},{"instId":"BTC-USDT","ordId":"1","clOrdId":"O1","state":"filled","accFillSz":"0.01","avgPx":"30000.05"},{"instId":"BTC-USDT","ordId":"2","clOrdId":"O2","state":"canceled","accFillSz":"0","avgPx":"","cancelSourceReason":"Order canceled by user"}]}"#,
             expected: [.update(VenueOrderState(venueClientOrderID: "O1", venueOrderID: "1", state: .accepted, filledSize: d("0"))),
                        .update(VenueOrderState(venueClientOrderID: "O1", venueOrderID: "1", state: .partiallyFilled, filledSize: d("0.004"), averagePrice: d("30000.1"))),
                        .update(VenueOrderState(venueClientOrderID: "O1", venueOrderID: "1", state: .filled, filledSize: d("0.01"), averagePrice: d("30000.05"))),
                        .update(VenueOrderState(venueClientOrderID: "O2", venueOrderID: "2", state: .canceled, filledSize: d("0"), reason: "Order canceled by user"))]),
        Case(name: "malformed JSON", input: #"{"id":"1","op":"order","data":[{]}"#, error: .malformedJSON),
        Case(name: "unknown state", input: #"{"arg":{"channel":"orders"},"data":[{"state":"weird"}]}"#, error: .invalidValue),
        Case(name: "reply without id", input: #"{"op":"order","data":[],"code":"0"}"#, error: .missingField),
        Case(name: "other error event", input: #"{"event":"error","code":"60012","msg":"Invalid request"}"#, error: .unexpectedMessage),
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
