import MarketModel
import Testing
import VenueKit
@testable import Venues

// Bybit v5 order routing: `auth` signature (known answer from openssl), exact `/v5/trade` frames,
// and replies/pushes shaped like the bybit-exchange/docs examples (BY-WST, BY-CONN).

fileprivate let secret = "bybitSECRET"
fileprivate let context = OrderFrameContext(requestID: "test-005", now: 1_711_001_595_207_000_000,
                                            credentials: VenueCredentials(apiKey: "bybitKEY", secret: secret))

fileprivate func router(_ symbols: [String] = ["ETH-USDT-PERP"]) throws -> Bybit {
    Bybit(configuration: VenueAdapterConfiguration(symbols: try symbols.map { try Symbol($0) }))
}

fileprivate func d(_ text: String) -> FixedDecimal { FixedDecimal(text) ?? .zero }

fileprivate typealias Case = OrderReplyCase

@Suite("Bybit order routing")
struct BybitOrderRoutingTests {
    @Test("auth on both connections: hex HMAC-SHA256 of GET/realtime + expires (now + 10 s)")
    func auth() throws {
        // printf '%s' 'GET/realtime1711001605207' | openssl dgst -sha256 -hmac 'bybitSECRET'
        let expected = #"{"op":"auth","args":["bybitKEY",1711001605207,"524ea9d3ae6decdde6d70ba9350ae081dc870eb566db0f860e47ffa171e8ef8f"]}"#
        let r = try router()
        #expect(try r.loginFrames(context: context).map(\.text) == [expected])
        #expect(try r.updatesLoginFrames(context: context).map(\.text) == [expected])
        #expect(!expected.contains(secret))
        #expect(Bybit.orderSpec.updatesURL == "wss://stream.bybit.com/v5/private")
    }

    @Test("order.create / order.cancel frames (doc example order)")
    func frames() throws {
        let r = try router()
        let order = VenueOrder(venueClientOrderID: "O1", symbol: try Symbol("ETH-USDT-PERP"), side: .buy, type: .limit,
                               price: d("2800"), size: d("0.2"), timeInForce: .postOnly)
        #expect(try r.placeFrame(order, context: context).text == #"{"reqId":"test-005","header":{"X-BAPI-TIMESTAMP":"1711001595207","X-BAPI-RECV-WINDOW":"8000"},"op":"order.create","args":[{"symbol":"ETHUSDT","side":"Buy","orderType":"Limit","qty":"0.2","price":"2800","category":"linear","timeInForce":"PostOnly","orderLinkId":"O1"}]}"#)
        let market = VenueOrder(venueClientOrderID: "O2", symbol: try Symbol("ETH-USDT-PERP"), side: .sell, type: .market,
                                price: nil, size: d("1.00"), timeInForce: .ioc)
        #expect(try r.placeFrame(market, context: context).text == #"{"reqId":"test-005","header":{"X-BAPI-TIMESTAMP":"1711001595207","X-BAPI-RECV-WINDOW":"8000"},"op":"order.create","args":[{"symbol":"ETHUSDT","side":"Sell","orderType":"Market","qty":"1.00","category":"linear","orderLinkId":"O2"}]}"#)
        #expect(try r.cancelFrame(venueClientOrderID: "O1", symbol: try Symbol("ETH-USDT-PERP"), context: context).text == #"{"reqId":"test-005","header":{"X-BAPI-TIMESTAMP":"1711001595207","X-BAPI-RECV-WINDOW":"8000"},"op":"order.cancel","args":[{"symbol":"ETHUSDT","orderLinkId":"O1","category":"linear"}]}"#)
        #expect(throws: OrderRoutingError.self) { try r.cancelAllFrame(symbol: nil, context: context) }
        #expect(throws: OrderRoutingError.self) { try r.statusFrame(venueClientOrderID: "O1", symbol: try Symbol("ETH-USDT-PERP"), context: context) }
    }

    @Test("spot market orders are in base units")
    func spotMarket() throws {
        let r = try router(["BTC-USDT"])
        let market = VenueOrder(venueClientOrderID: "O3", symbol: try Symbol("BTC-USDT"), side: .buy, type: .market,
                                price: nil, size: d("0.01"), timeInForce: .gtc)
        #expect(try r.placeFrame(market, context: context).text.hasSuffix(#""category":"spot","orderLinkId":"O3","marketUnit":"baseCoin"}]}"#))
    }

    fileprivate static let cases: [Case] = [
        Case(name: "trade auth ok", input: #"{"retCode":0,"retMsg":"OK","op":"auth","connId":"cnt5leec0hvan15eukcg-2t"}"#, expected: [.loggedIn]),
        Case(name: "trade auth failed: 10004", input: #"{"retCode":10004,"retMsg":"Invalid sign","op":"auth","connId":"x"}"#,
             expected: [.loginFailed(reason: "retCode 10004: Invalid sign")]),
        Case(name: "private auth ok → subscribe order topic",
             input: #"{"success":true,"ret_msg":"","op":"auth","conn_id":"ce3bq0u2bp4a7s6mr2eg-1g6"}"#,
             expected: [.send(OutboundMessage(text: #"{"op":"subscribe","args":["order"]}"#))]),
        Case(name: "private auth failed", input: #"{"success":false,"ret_msg":"error sign! origin_string[GET/realtime1711001605207]","op":"auth","conn_id":"x"}"#,
             expected: [.loginFailed(reason: "error sign! origin_string[GET/realtime1711001605207]")]),
        Case(name: "private subscribe ack: the updates connection is ready", input: #"{"success":true,"ret_msg":"","op":"subscribe","conn_id":"x"}"#,
             expected: [.loggedIn]),
        Case(name: "private subscribe refused", input: #"{"success":false,"ret_msg":"topic not found","op":"subscribe","conn_id":"x"}"#,
             expected: [.loginFailed(reason: "order topic subscription refused: topic not found")]),
        Case(name: "private pong", input: #"{"op":"pong","args":["1675418560633"],"conn_id":"cfcb4ocsvfriu23r3er0-1b"}"#, expected: [.heartbeat]),
        Case(name: "trade pong", input: #"{"retCode":0,"retMsg":"OK","op":"pong","data":["1711001595207"],"connId":"x"}"#, expected: [.heartbeat]),
        Case(name: "create accepted with limit headers",
             input: #"{"reqId":"test-005","retCode":0,"retMsg":"OK","op":"order.create","data":{"orderId":"a4c1718e-fe53-4659-a3b9-6a3c1c3a4e8d","orderLinkId":"O1"},"retExtInfo":{},"header":{"X-Bapi-Limit":"10","X-Bapi-Limit-Status":"9","X-Bapi-Limit-Reset-Timestamp":"1711001595208","Traceid":"77b2d4e2a9b4e7e3c1f8a5d6a7b8c9d0","Timenow":"1711001595209"},"connId":"cnt5leec0hvan15eukcg-2t"}"#,
             expected: [.response(requestID: "test-005", .accepted(VenueOrderState(venueClientOrderID: "O1", venueOrderID: "a4c1718e-fe53-4659-a3b9-6a3c1c3a4e8d", state: .accepted))),
                        .rateLimit(RateLimitFeedback(name: "order.create/s", used: 1, limit: 10))]),
        Case(name: "rate limited: 10006 with reset 800 ms away",
             input: #"{"reqId":"r2","retCode":10006,"retMsg":"Too many visits!","op":"order.create","data":{},"retExtInfo":{},"header":{"X-Bapi-Limit":"10","X-Bapi-Limit-Status":"0","X-Bapi-Limit-Reset-Timestamp":"1711001596000","Timenow":"1711001595200"},"connId":"x"}"#,
             expected: [.response(requestID: "r2", .rejected(reason: "retCode 10006: Too many visits!", rateLimited: true, retryAfter: 800_000_000)),
                        .rateLimit(RateLimitFeedback(name: "order.create/s", used: 10, limit: 10, retryAfter: 800_000_000))]),
        Case(name: "rejected: 110007 insufficient balance",
             input: #"{"reqId":"r3","retCode":110007,"retMsg":"ab not enough for new order","op":"order.create","data":{},"retExtInfo":{},"header":{},"connId":"x"}"#,
             expected: [.response(requestID: "r3", .rejected(reason: "retCode 110007: ab not enough for new order", rateLimited: false, retryAfter: nil))]),
        Case(name: "cancel accepted", input: #"{"reqId":"r4","retCode":0,"retMsg":"OK","op":"order.cancel","data":{"orderId":"1","orderLinkId":"O1"},"retExtInfo":{},"connId":"x"}"#,
             expected: [.response(requestID: "r4", .accepted(nil))]),
        Case(name: "cancel of unknown order: 110001",
             input: #"{"reqId":"r5","retCode":110001,"retMsg":"order not exists or too late to cancel","op":"order.cancel","data":{},"retExtInfo":{},"connId":"x"}"#,
             expected: [.response(requestID: "r5", .notFound(reason: "retCode 110001: order not exists or too late to cancel"))]),
        Case(name: "order topic: new, partially filled, filled, cancelled, rejected",
             input: #"{"id":"5923240c6880ab-c59f-420b-9adb-3639adc9dd90","topic":"order","creationTime":1672364262474,"data":[{"category":"linear","symbol":"ETHUSDT","orderId":"1","orderLinkId":"O1","side":"Buy","orderStatus":"New","cumExecQty":"0","avgPrice":"","rejectReason":"EC_NoError"},{"symbol":"ETHUSDT","orderId":"1","orderLinkId":"O1","orderStatus":"PartiallyFilled","cumExecQty":"0.1","avgPrice":"2800","rejectReason":"EC_NoError"},{"orderId":"1","orderLinkId":"O1","orderStatus":"Filled","cumExecQty":"0.2","avgPrice":"2799.5"},{"orderId":"2","orderLinkId":"O2","orderStatus":"Cancelled","cumExecQty":"0","avgPrice":"0","rejectReason":"EC_NoError"},{"orderId":"3","orderLinkId":"O3","orderStatus":"Rejected","cumExecQty":"0","avgPrice":"","rejectReason":"EC_PostOnlyWillTakeLiquidity"}]}"#,
             expected: [.update(VenueOrderState(venueClientOrderID: "O1", venueOrderID: "1", state: .accepted, filledSize: d("0"))),
                        .update(VenueOrderState(venueClientOrderID: "O1", venueOrderID: "1", state: .partiallyFilled, filledSize: d("0.1"), averagePrice: d("2800"))),
                        .update(VenueOrderState(venueClientOrderID: "O1", venueOrderID: "1", state: .filled, filledSize: d("0.2"), averagePrice: d("2799.5"))),
                        .update(VenueOrderState(venueClientOrderID: "O2", venueOrderID: "2", state: .canceled, filledSize: d("0"))),
                        .update(VenueOrderState(venueClientOrderID: "O3", venueOrderID: "3", state: .rejected, filledSize: d("0"), reason: "EC_PostOnlyWillTakeLiquidity"))]),
        Case(name: "malformed", input: #"{"topic":"order","data":[{"orderStatus":"New",}]}"#, error: .malformedJSON),
        Case(name: "no op", input: #"{"retCode":0}"#, error: .missingField),
        Case(name: "unknown status", input: #"{"topic":"order","data":[{"orderStatus":"Sideways"}]}"#, error: .invalidValue),
        Case(name: "bad decimal", input: #"{"topic":"order","data":[{"orderStatus":"New","cumExecQty":"abc"}]}"#, error: .invalidValue),
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
