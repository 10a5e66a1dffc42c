import MarketModel
import Testing
import VenueKit
@testable import Venues

// Binance spot WS API order routing: the documented HMAC vector, exact signed frames (signatures
// recomputed with openssl, command above each), and responses shaped like BN-API's examples.

fileprivate let apiKey = "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A"
fileprivate let secret = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j"
fileprivate let context = OrderFrameContext(requestID: "7", now: 1_645_423_376_532_000_000,
                                            credentials: VenueCredentials(apiKey: apiKey, secret: secret))

fileprivate func router() throws -> Binance {
    Binance(configuration: VenueAdapterConfiguration(symbols: [try Symbol("BTC-USDT"), try Symbol("ETH-USDT")]))
}

/// One parser case: a message and the exact events, or the error kind.
fileprivate typealias Case = OrderReplyCase

fileprivate func d(_ text: String) -> FixedDecimal { FixedDecimal(text) ?? .zero }

@Suite("Binance order routing")
struct BinanceOrderRoutingTests {
    @Test("BN-API documented HMAC vector")
    func documentedVector() {
        // printf 'apiKey=…&price=52000.00&quantity=0.01000000&recvWindow=100&side=SELL&symbol=BTCUSDT&timeInForce=GTC&timestamp=1645423376532&type=LIMIT' | openssl dgst -sha256 -hmac "$SECRET"
        let payload = Binance.signingPayload([
            ("symbol", .text("BTCUSDT")), ("side", .text("SELL")), ("type", .text("LIMIT")), ("timeInForce", .text("GTC")),
            ("quantity", .text("0.01000000")), ("price", .text("52000.00")), ("recvWindow", .integer(100)),
            ("timestamp", .integer(1_645_423_376_532)), ("apiKey", .text(apiKey)),
        ])
        #expect(payload == "apiKey=\(apiKey)&price=52000.00&quantity=0.01000000&recvWindow=100&side=SELL&symbol=BTCUSDT&timeInForce=GTC&timestamp=1645423376532&type=LIMIT")
        #expect(HMAC.hex(.sha256, secret: secret, message: payload) == "aa1b5712c094bc4e57c05a1a5c1fd8d88dcd628338ea863fec7b88e59fe2db24")
    }

    @Test("order.place limit GTC: exact frame, decimals as given, signature over sorted params")
    func placeLimit() throws {
        let order = VenueOrder(venueClientOrderID: "O1", symbol: try Symbol("BTC-USDT"), side: .sell, type: .limit,
                               price: d("52000.00"), size: d("0.01000000"), timeInForce: .gtc)
        // printf 'apiKey=…&newClientOrderId=O1&price=52000.00&quantity=0.01000000&side=SELL&symbol=BTCUSDT&timeInForce=GTC&timestamp=1645423376532&type=LIMIT' | openssl dgst -sha256 -hmac "$SECRET"
        let frame = try router().placeFrame(order, context: context)
        #expect(frame.text == #"{"id":7,"method":"order.place","params":{"symbol":"BTCUSDT","side":"SELL","type":"LIMIT","timeInForce":"GTC","price":"52000.00","quantity":"0.01000000","newClientOrderId":"O1","apiKey":"\#(apiKey)","timestamp":1645423376532,"signature":"c23417ef266a9e875733348583289cbbb8ed4f6cb69712f42c13ca5942d0ab85"}}"#)
        #expect(!frame.text.contains(secret))
    }

    @Test("order.place market and post-only (LIMIT_MAKER)")
    func placeMarketAndMaker() throws {
        let market = VenueOrder(venueClientOrderID: "O2", symbol: try Symbol("ETH-USDT"), side: .buy, type: .market,
                                price: nil, size: d("1.5"), timeInForce: .ioc)
        // printf 'apiKey=…&newClientOrderId=O2&quantity=1.5&side=BUY&symbol=ETHUSDT&timestamp=1645423376532&type=MARKET' | openssl dgst -sha256 -hmac "$SECRET"
        #expect(try router().placeFrame(market, context: context).text == #"{"id":7,"method":"order.place","params":{"symbol":"ETHUSDT","side":"BUY","type":"MARKET","quantity":"1.5","newClientOrderId":"O2","apiKey":"\#(apiKey)","timestamp":1645423376532,"signature":"2dafb77b073d0e03540d134159794924c8d6c0e62faab6b09286ae3e7f9b9f41"}}"#)
        let maker = VenueOrder(venueClientOrderID: "O3", symbol: try Symbol("ETH-USDT"), side: .buy, type: .limit,
                               price: d("3000.1"), size: d("0.2"), timeInForce: .postOnly)
        // printf 'apiKey=…&newClientOrderId=O3&price=3000.1&quantity=0.2&side=BUY&symbol=ETHUSDT&timestamp=1645423376532&type=LIMIT_MAKER' | openssl dgst -sha256 -hmac "$SECRET"
        #expect(try router().placeFrame(maker, context: context).text == #"{"id":7,"method":"order.place","params":{"symbol":"ETHUSDT","side":"BUY","type":"LIMIT_MAKER","price":"3000.1","quantity":"0.2","newClientOrderId":"O3","apiKey":"\#(apiKey)","timestamp":1645423376532,"signature":"d675f87f1c6c95386a789d3cc2f56c91cd21a3e5ff45de56c12cbb94048252e1"}}"#)
    }

    @Test("cancel, cancel-all and status frames; string request ids are quoted")
    func otherFrames() throws {
        let r = try router()
        let btc = try Symbol("BTC-USDT")
        // printf 'apiKey=…&origClientOrderId=O1&symbol=BTCUSDT&timestamp=1645423376532' | openssl dgst -sha256 -hmac "$SECRET"
        let sig = "34ff805fcd23fd413cd60f722e41594aef42f3a1b5c6884c3f36e318ea508c61"
        #expect(try r.cancelFrame(venueClientOrderID: "O1", symbol: btc, context: context).text == #"{"id":7,"method":"order.cancel","params":{"symbol":"BTCUSDT","origClientOrderId":"O1","apiKey":"\#(apiKey)","timestamp":1645423376532,"signature":"\#(sig)"}}"#)
        #expect(try r.statusFrame(venueClientOrderID: "O1", symbol: btc, context: context).text == #"{"id":7,"method":"order.status","params":{"symbol":"BTCUSDT","origClientOrderId":"O1","apiKey":"\#(apiKey)","timestamp":1645423376532,"signature":"\#(sig)"}}"#)
        // printf 'apiKey=…&symbol=BTCUSDT&timestamp=1645423376532' | openssl dgst -sha256 -hmac "$SECRET"
        var named = context
        named.requestID = "req-9"
        #expect(try r.cancelAllFrame(symbol: btc, context: named).text == #"{"id":"req-9","method":"openOrders.cancelAll","params":{"symbol":"BTCUSDT","apiKey":"\#(apiKey)","timestamp":1645423376532,"signature":"649c3dcd163bfd9758a62411666a76d3e6ff775628901254de46297c465ef364"}}"#)
        #expect(throws: OrderRoutingError.self) { try r.cancelAllFrame(symbol: nil, context: context) }
        #expect(throws: OrderRoutingError.self) { try r.cancelFrame(venueClientOrderID: "O1", symbol: try Symbol("BTC-USDT-PERP"), context: context) }
        #expect(try r.loginFrames(context: context).isEmpty)
    }

    @Test("client order id and order checks")
    func validation() throws {
        let r = try router()
        let long = VenueOrder(venueClientOrderID: String(repeating: "a", count: 37), symbol: try Symbol("BTC-USDT"), side: .buy,
                              type: .limit, price: d("1"), size: d("1"), timeInForce: .gtc)
        #expect(throws: OrderRoutingError.self) { try r.placeFrame(long, context: context) }
        let noPrice = VenueOrder(venueClientOrderID: "ok", symbol: try Symbol("BTC-USDT"), side: .buy,
                                 type: .limit, price: nil, size: d("1"), timeInForce: .gtc)
        #expect(throws: OrderRoutingError.self) { try r.placeFrame(noPrice, context: context) }
    }

    @Test("credentials redact the secret")
    func redaction() {
        let text = "\(VenueCredentials(apiKey: apiKey, secret: secret))"
        #expect(!text.contains(secret) && !text.contains(apiKey) && text.contains("vmPU"))
    }

    fileprivate static let cases: [Case] = [
        Case(name: "place accepted: NEW, rate limits reported",
             input: #"{"id":"7","status":200,"result":{"symbol":"BTCUSDT","orderId":12510053279,"orderListId":-1,"clientOrderId":"O1","transactTime":1655716096505,"price":"23416.10000000","origQty":"0.00847000","executedQty":"0.00000000","cummulativeQuoteQty":"0.00000000","status":"NEW","timeInForce":"GTC","type":"LIMIT","side":"SELL","fills":[]},"rateLimits":[{"rateLimitType":"ORDERS","interval":"SECOND","intervalNum":10,"limit":50,"count":12},{"rateLimitType":"REQUEST_WEIGHT","interval":"MINUTE","intervalNum":1,"limit":6000,"count":3}]}"#,
             expected: [.response(requestID: "7", .accepted(VenueOrderState(venueClientOrderID: "O1", venueOrderID: "12510053279", state: .accepted, filledSize: d("0.00000000")))),
                        .rateLimit(RateLimitFeedback(name: "orders/10s", used: 12, limit: 50)),
                        .rateLimit(RateLimitFeedback(name: "request-weight/min", used: 3, limit: 6000))]),
        Case(name: "place filled (market, FULL response with fills)",
             input: #"{"id":8,"status":200,"result":{"symbol":"ETHUSDT","orderId":99,"orderListId":-1,"clientOrderId":"O2","transactTime":1,"price":"0.00000000","origQty":"1.50000000","executedQty":"1.50000000","cummulativeQuoteQty":"4500.15","status":"FILLED","timeInForce":"GTC","type":"MARKET","side":"BUY","fills":[{"price":"3000.10","qty":"1.5","commission":"0","commissionAsset":"ETH","tradeId":1}]}}"#,
             expected: [.response(requestID: "8", .accepted(VenueOrderState(venueClientOrderID: "O2", venueOrderID: "99", state: .filled, filledSize: d("1.50000000"))))]),
        Case(name: "status: partially filled",
             input: #"{"id":"s1","status":200,"result":{"symbol":"BTCUSDT","orderId":5,"clientOrderId":"O1","price":"1.0","origQty":"2.0","executedQty":"0.5","cummulativeQuoteQty":"0.5","status":"PARTIALLY_FILLED"}}"#,
             expected: [.response(requestID: "s1", .accepted(VenueOrderState(venueClientOrderID: "O1", venueOrderID: "5", state: .partiallyFilled, filledSize: d("0.5"))))]),
        Case(name: "cancel: origClientOrderId is the order's id",
             input: #"{"id":"c1","status":200,"result":{"symbol":"BTCUSDT","origClientOrderId":"O1","orderId":5,"orderListId":-1,"clientOrderId":"91fe37ce9e69c90d6358c0","transactTime":1684804350068,"price":"1.0","origQty":"2.0","executedQty":"0.00000000","cummulativeQuoteQty":"0","status":"CANCELED"}}"#,
             expected: [.response(requestID: "c1", .accepted(VenueOrderState(venueClientOrderID: "O1", venueOrderID: "5", state: .canceled, filledSize: d("0.00000000"))))]),
        Case(name: "cancelAll: accepted plus one update per order",
             input: #"{"id":"a1","status":200,"result":[{"symbol":"BTCUSDT","origClientOrderId":"O1","orderId":5,"orderListId":-1,"clientOrderId":"x","executedQty":"0","status":"CANCELED"},{"symbol":"BTCUSDT","origClientOrderId":"O4","orderId":6,"orderListId":-1,"clientOrderId":"y","executedQty":"0.1","status":"CANCELED"}]}"#,
             expected: [.response(requestID: "a1", .accepted(nil)),
                        .update(VenueOrderState(venueClientOrderID: "O1", venueOrderID: "5", state: .canceled, filledSize: d("0"))),
                        .update(VenueOrderState(venueClientOrderID: "O4", venueOrderID: "6", state: .canceled, filledSize: d("0.1")))]),
        Case(name: "rejected: insufficient balance",
             input: #"{"id":"9","status":400,"error":{"code":-2010,"msg":"Account has insufficient balance for requested action."},"rateLimits":[]}"#,
             expected: [.response(requestID: "9", .rejected(reason: "code -2010: Account has insufficient balance for requested action.", rateLimited: false, retryAfter: nil))]),
        Case(name: "rate limited: -1015 with retryAfter 10 s after serverTime",
             input: #"{"id":"11","status":429,"error":{"code":-1015,"msg":"Too many new orders; current limit is 50 orders per 10 SECOND.","data":{"serverTime":1659416054000,"retryAfter":1659416064000}}}"#,
             expected: [.response(requestID: "11", .rejected(reason: "code -1015: Too many new orders; current limit is 50 orders per 10 SECOND.", rateLimited: true, retryAfter: 10_000_000_000))]),
        Case(name: "rate limited: 418 ban, no data",
             input: #"{"id":"12","status":418,"error":{"code":-1003,"msg":"Way too much request weight used; IP banned until 1659146400000."}}"#,
             expected: [.response(requestID: "12", .rejected(reason: "code -1003: Way too much request weight used; IP banned until 1659146400000.", rateLimited: true, retryAfter: nil))]),
        Case(name: "status of an unknown order: -2013",
             input: #"{"id":"10","status":400,"error":{"code":-2013,"msg":"Order does not exist."}}"#,
             expected: [.response(requestID: "10", .notFound(reason: "code -2013: Order does not exist."))]),
        Case(name: "cancel of an unknown order: -2011 Unknown order sent.",
             input: #"{"id":"13","status":400,"error":{"code":-2011,"msg":"Unknown order sent."}}"#,
             expected: [.response(requestID: "13", .notFound(reason: "code -2011: Unknown order sent."))]),
        Case(name: "executionReport (user data stream event): canceled uses C",
             input: #"{"subscriptionId":0,"event":{"e":"executionReport","E":1499405658658,"s":"ETHBTC","c":"cancelreq","S":"BUY","o":"LIMIT","f":"GTC","q":"1.00000000","p":"0.10264410","x":"CANCELED","X":"CANCELED","r":"NONE","i":4293153,"z":"0.00000000","C":"O1"}}"#,
             expected: [.update(VenueOrderState(venueClientOrderID: "O1", venueOrderID: "4293153", state: .canceled, filledSize: d("0.00000000")))]),
        Case(name: "malformed JSON", input: #"{"id":"7","status":200,"result":{"#, error: .malformedJSON),
        Case(name: "unknown order status", input: #"{"id":"7","status":200,"result":{"status":"WEIRD","clientOrderId":"O1"}}"#, error: .invalidValue),
        Case(name: "no id", input: #"{"status":200,"result":{}}"#, error: .missingField),
        Case(name: "bad decimal", input: #"{"id":"7","status":200,"result":{"status":"NEW","executedQty":"1.2.3"}}"#, error: .invalidValue),
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
