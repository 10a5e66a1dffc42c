import MarketModel
import Testing
import VenueKit
@testable import Venues

// REST order-status queries (issue #6): each request built from a fixed clock and fixed
// credentials, its signature compared with one computed outside Swift from the venue's documented
// formula (Python's hmac/hashlib, the command is above each constant), and replies in the venues'
// documented shapes, including "not found", rate limits and auth errors.

fileprivate let now: Nanoseconds = 1_607_418_537_715_000_000  // 2020-12-08T09:08:57.715Z (OKX's doc example instant)

fileprivate func d(_ text: String) -> FixedDecimal { FixedDecimal(text) ?? .zero }

fileprivate func answer(_ outcome: StatusQueryOutcome) -> OrderResponse? {
    if case .answer(let response) = outcome { return response }
    return nil
}

@Suite("REST order-status queries")
struct RESTStatusQueryTests {
    // MARK: OKX

    @Test("OKX: GET /api/v5/trade/order signed base64 HMAC-SHA256(ts+GET+path?query), ISO ms timestamp")
    func okxRequest() throws {
        let router = OKX(configuration: VenueAdapterConfiguration(symbols: [try Symbol("BTC-USDT")]))
        let credentials = VenueCredentials(apiKey: "okx-key-1", secret: "SECRETKEY0123456789", passphrase: "pass phrase")
        let request = try router.statusRequest(venueClientOrderID: "O1", symbol: try Symbol("BTC-USDT"),
                                               context: OrderFrameContext(requestID: "status", now: now, credentials: credentials))
        #expect(request.method == "GET" && request.body.isEmpty)
        #expect(request.pathWithQuery == "/api/v5/trade/order?instId=BTC-USDT&clOrdId=O1")
        #expect(request.headers["OK-ACCESS-TIMESTAMP"] == "2020-12-08T09:08:57.715Z")
        #expect(request.headers["OK-ACCESS-KEY"] == "okx-key-1" && request.headers["OK-ACCESS-PASSPHRASE"] == "pass phrase")
        // python3 -c 'import hmac,hashlib,base64;print(base64.b64encode(hmac.new(b"SECRETKEY0123456789",
        //   b"2020-12-08T09:08:57.715ZGET/api/v5/trade/order?instId=BTC-USDT&clOrdId=O1",hashlib.sha256).digest()).decode())'
        #expect(request.headers["OK-ACCESS-SIGN"] == "0MSDAzoCd5hqNtkLN0wER4rOk/3H8/9JGo9sGqTa6y0=")
        #expect(!request.headers.values.contains("SECRETKEY0123456789"))
        var noPassphrase = credentials
        noPassphrase.passphrase = nil
        #expect(throws: OrderRoutingError.self) {
            try router.statusRequest(venueClientOrderID: "O1", symbol: try Symbol("BTC-USDT"),
                                     context: OrderFrameContext(requestID: "s", now: now, credentials: noPassphrase))
        }
    }

    @Test("OKX replies: state and fills, 51603 not found, 50011/429 rate limit, 50113 auth")
    func okxReplies() throws {
        let router = OKX(configuration: VenueAdapterConfiguration(symbols: [try Symbol("BTC-USDT")]))
        let query = StatusQuery(venueClientOrderID: "b15", symbol: try Symbol("BTC-USDT"))
        let filled = try router.parseStatusReply(query, status: 200, body: #"{"code":"0","msg":"","data":[{"instType":"SPOT","instId":"BTC-USDT","ordId":"312269865356374016","clOrdId":"b15","px":"2.15","sz":"2","ordType":"limit","side":"buy","accFillSz":"1","avgPx":"2.15","state":"partially_filled","uTime":"1597026383085","cTime":"1597026383085"}]}"#)
        #expect(answer(filled) == .accepted(VenueOrderState(venueClientOrderID: "b15", venueOrderID: "312269865356374016", state: .partiallyFilled,
                                                           filledSize: d("1"), averagePrice: d("2.15"))))
        #expect(answer(try router.parseStatusReply(query, status: 200, body: #"{"code":"51603","msg":"Order does not exist","data":[]}"#))
            == .notFound(reason: "code 51603: Order does not exist"))
        #expect(answer(try router.parseStatusReply(query, status: 429, body: #"{"code":"50011","msg":"Too Many Requests","data":[]}"#))
            == .rejected(reason: "code 50011: Too Many Requests", rateLimited: true, retryAfter: nil))
        #expect(answer(try router.parseStatusReply(query, status: 401, body: #"{"code":"50113","msg":"Invalid Sign","data":[]}"#))
            == .rejected(reason: "HTTP 401, code 50113: Invalid Sign", rateLimited: false, retryAfter: nil))
        #expect(throws: VenueParseError.self) { try router.parseStatusReply(query, status: 502, body: "<html>bad gateway</html>") }
    }

    // MARK: Bybit

    @Test("Bybit: GET /v5/order/realtime then /v5/order/history, hex HMAC-SHA256(ts+key+recvWindow+query)")
    func bybitRequests() throws {
        let router = Bybit(configuration: VenueAdapterConfiguration(symbols: [try Symbol("BTC-USDT-PERP")]))
        let context = OrderFrameContext(requestID: "status", now: now, credentials: VenueCredentials(apiKey: "bybit-key", secret: "bybit-secret"))
        let query = StatusQuery(venueClientOrderID: "O1", symbol: try Symbol("BTC-USDT-PERP"))
        let first = try router.statusRequest(query, context: context)
        #expect(first.method == "GET" && first.pathWithQuery == "/v5/order/realtime?category=linear&symbol=BTCUSDT&orderLinkId=O1")
        #expect(first.headers["X-BAPI-API-KEY"] == "bybit-key" && first.headers["X-BAPI-TIMESTAMP"] == "1607418537715"
                && first.headers["X-BAPI-RECV-WINDOW"] == "5000")
        // python3 -c 'import hmac,hashlib;print(hmac.new(b"bybit-secret",
        //   b"1607418537715bybit-key5000category=linear&symbol=BTCUSDT&orderLinkId=O1",hashlib.sha256).hexdigest())'
        #expect(first.headers["X-BAPI-SIGN"] == "1b1f28101998d34588cd3074cec0e578f35eb4b3b7d2fcdad4ec900b4911840b")
        let second = try router.statusRequest(query.nextStep, context: context)
        #expect(second.pathWithQuery == "/v5/order/history?category=linear&symbol=BTCUSDT&orderLinkId=O1")
        #expect(second.headers["X-BAPI-SIGN"] == first.headers["X-BAPI-SIGN"], "the signature covers the query string, not the path")
        #expect(throws: OrderRoutingError.self) { try router.statusRequest(query.nextStep.nextStep, context: context) }
    }

    @Test("Bybit replies: listed order, empty list asks history then not found, 10006 rate limit, 10004 auth")
    func bybitReplies() throws {
        let router = Bybit(configuration: VenueAdapterConfiguration(symbols: [try Symbol("BTC-USDT-PERP")]))
        let query = StatusQuery(venueClientOrderID: "O1", symbol: try Symbol("BTC-USDT-PERP"))
        let listed = try router.parseStatusReply(query, status: 200, body: #"{"retCode":0,"retMsg":"OK","result":{"list":[{"orderId":"fd4300ae-7847-404e-b947-b46980a4d140","orderLinkId":"O1","symbol":"BTCUSDT","price":"30000","qty":"0.002","side":"Buy","orderStatus":"Filled","avgPrice":"29990.5","leavesQty":"0","cumExecQty":"0.002","cumExecValue":"59.981","orderType":"Limit","rejectReason":"EC_NoError"}],"nextPageCursor":"","category":"linear"},"retExtInfo":{},"time":1672219526905}"#)
        #expect(answer(listed) == .accepted(VenueOrderState(venueClientOrderID: "O1", venueOrderID: "fd4300ae-7847-404e-b947-b46980a4d140",
                                                           state: .filled, filledSize: d("0.002"), averagePrice: d("29990.5"))))
        let empty = #"{"retCode":0,"retMsg":"OK","result":{"list":[],"nextPageCursor":"","category":"linear"},"retExtInfo":{},"time":1672219526905}"#
        #expect(try router.parseStatusReply(query, status: 200, body: empty) == .askAgain(query.nextStep))
        #expect(answer(try router.parseStatusReply(query.nextStep, status: 200, body: empty)) == .notFound(reason: "orderLinkId O1 is neither open nor in the order history"))
        #expect(answer(try router.parseStatusReply(query, status: 200, body: #"{"retCode":10006,"retMsg":"Too many visits!","result":{},"retExtInfo":{},"time":1672219526905}"#))
            == .rejected(reason: "retCode 10006: Too many visits!", rateLimited: true, retryAfter: nil))
        let auth = answer(try router.parseStatusReply(query, status: 401, body: #"{"retCode":10004,"retMsg":"error sign!","result":{},"retExtInfo":{},"time":1672219526905}"#))
        #expect(auth == .rejected(reason: "HTTP 401, retCode 10004: error sign!", rateLimited: false, retryAfter: nil))
    }

    // MARK: Kraken

    @Test("Kraken: POST OpenOrders then ClosedOrders by cl_ord_id, API-Sign = b64 HMAC-SHA512(b64d(secret), path+SHA256(nonce+body))")
    func krakenRequests() throws {
        let router = Kraken(configuration: VenueAdapterConfiguration(symbols: [try Symbol("BTC-USD")]))
        let secret = "kQH5HW/8p1uGOVjbgWA7FunAmGO8lsSUXNsu3eow76sz84Q18fWxnyRzBHCd3pd5nE9qa99HAZtuZuj6F1huXg=="
        // The WS token travels as the passphrase; REST signs with the base64 secret only.
        let context = OrderFrameContext(requestID: "status", now: now, credentials: VenueCredentials(apiKey: "kraken-key", secret: secret, passphrase: "ws-token"))
        let query = StatusQuery(venueClientOrderID: "O1", symbol: try Symbol("BTC-USD"))
        let open = try router.statusRequest(query, context: context)
        #expect(open.method == "POST" && open.pathWithQuery == "/0/private/OpenOrders")
        #expect(open.body == "nonce=1607418537715000&cl_ord_id=O1")
        #expect(open.headers["API-Key"] == "kraken-key" && open.headers["Content-Type"] == "application/x-www-form-urlencoded")
        // python3: base64(hmac.new(b64decode(secret), path + sha256(nonce + body).digest(), sha512).digest())
        #expect(open.headers["API-Sign"] == "1X2Xa8E0O4LobT9Nteay3T0ciO/LvCgd6i4hZoU0TSCvxp3NZViNEJeF8ctcfvXG6XdXnpsXpz3kFBAo+a/xgg==")
        let closed = try router.statusRequest(query.nextStep, context: context)
        #expect(closed.pathWithQuery == "/0/private/ClosedOrders" && closed.body == open.body)
        #expect(closed.headers["API-Sign"] == "SNm6hkCtIdkxFIf/YHQGAt0TiKaanfj0wibGrfvRiSZzIgYt5dojwTqHdLAwef+Lx2uyYLvv7/PQfzXyQdN/9Q==")
        let notBase64 = OrderFrameContext(requestID: "s", now: now, credentials: VenueCredentials(apiKey: "k", secret: "not base64!"))
        #expect(throws: OrderRoutingError.self) { try router.statusRequest(query, context: notBase64) }
    }

    @Test("Kraken replies: open partial fill, nothing open asks closed, closed filled, not found, rate limit, invalid key")
    func krakenReplies() throws {
        let router = Kraken(configuration: VenueAdapterConfiguration(symbols: [try Symbol("BTC-USD")]))
        let query = StatusQuery(venueClientOrderID: "O1", symbol: try Symbol("BTC-USD"))
        let open = try router.parseStatusReply(query, status: 200, body: #"{"error":[],"result":{"open":{"OQCLML-BW3P3-BUCMWZ":{"refid":null,"userref":0,"cl_ord_id":"O1","status":"open","opentm":1688666559.8974,"starttm":0,"expiretm":0,"descr":{"pair":"XBTUSD","type":"buy","ordertype":"limit","price":"30010.0","price2":"0","leverage":"none","order":"buy 1.25000000 XBTUSD @ limit 30010.0","close":""},"vol":"1.25000000","vol_exec":"0.37500000","cost":"11253.7","fee":"0.00000","price":"30010.0","stopprice":"0.00000","limitprice":"0.00000","misc":"","oflags":"fciq"}}}}"#)
        #expect(answer(open) == .accepted(VenueOrderState(venueClientOrderID: "O1", venueOrderID: "OQCLML-BW3P3-BUCMWZ", state: .partiallyFilled,
                                                         filledSize: d("0.37500000"), averagePrice: d("30010.0"))))
        #expect(try router.parseStatusReply(query, status: 200, body: #"{"error":[],"result":{"open":{}}}"#) == .askAgain(query.nextStep))
        let closed = try router.parseStatusReply(query.nextStep, status: 200, body: #"{"error":[],"result":{"closed":{"OB4BZQ-AAAAA-BBBBBB":{"cl_ord_id":"O1","status":"closed","opentm":1688665496.7808,"closetm":1688665499.1922,"vol":"0.01000000","vol_exec":"0.01000000","cost":"300.0","fee":"0.3","price":"30000.0","reason":null}},"count":1}}"#)
        #expect(answer(closed) == .accepted(VenueOrderState(venueClientOrderID: "O1", venueOrderID: "OB4BZQ-AAAAA-BBBBBB", state: .filled,
                                                           filledSize: d("0.01000000"), averagePrice: d("30000.0"))))
        #expect(answer(try router.parseStatusReply(query.nextStep, status: 200, body: #"{"error":[],"result":{"closed":{},"count":0}}"#))
            == .notFound(reason: "cl_ord_id O1 is neither open nor among the recent closed orders"))
        #expect(answer(try router.parseStatusReply(query, status: 200, body: #"{"error":["EAPI:Rate limit exceeded"]}"#))
            == .rejected(reason: "EAPI:Rate limit exceeded", rateLimited: true, retryAfter: nil))
        #expect(answer(try router.parseStatusReply(query, status: 200, body: #"{"error":["EAPI:Invalid key"]}"#))
            == .rejected(reason: "EAPI:Invalid key", rateLimited: false, retryAfter: nil))
    }

    // MARK: Bitfinex

    @Test("Bitfinex: POST auth/r/orders/{symbol} then /hist, hex HMAC-SHA384('/api/' + path + nonce + body)")
    func bitfinexRequests() throws {
        let router = Bitfinex(configuration: VenueAdapterConfiguration(symbols: [try Symbol("BTC-USD")]))
        let context = OrderFrameContext(requestID: "status", now: now, credentials: VenueCredentials(apiKey: "bfx-key", secret: "bfx-secret"))
        let query = StatusQuery(venueClientOrderID: "12345", symbol: try Symbol("BTC-USD"))
        let active = try router.statusRequest(query, context: context)
        #expect(active.method == "POST" && active.pathWithQuery == "/v2/auth/r/orders/tBTCUSD" && active.body == "{}")
        #expect(active.headers["bfx-nonce"] == "1607418537715000" && active.headers["bfx-apikey"] == "bfx-key")
        // python3 -c 'import hmac,hashlib;print(hmac.new(b"bfx-secret",b"/api/v2/auth/r/orders/tBTCUSD1607418537715000{}",hashlib.sha384).hexdigest())'
        #expect(active.headers["bfx-signature"] == "c6e1851ee93f339b914dcaa0759c1dc263342fcf5d57055c1b27879d8278df124212c655ce5b6290aef36ff57ae8b96e")
        let history = try router.statusRequest(query.nextStep, context: context)
        #expect(history.pathWithQuery == "/v2/auth/r/orders/tBTCUSD/hist" && history.body == #"{"limit":500}"#)
        #expect(history.headers["bfx-signature"] == "08e23b9b25d99562e89e9c1a5aa1a5081f00eaa817b12be2ee1a36d0beb55b447ae9ab925e9a8d40455e03f5ba78840b")
        #expect(throws: OrderRoutingError.self) { try router.statusRequest(venueClientOrderID: "not-a-cid", symbol: try Symbol("BTC-USD"), context: context) }
    }

    @Test("Bitfinex replies: the newest order with our cid, other cids ignored, empty asks history then not found, errors")
    func bitfinexReplies() throws {
        let router = Bitfinex(configuration: VenueAdapterConfiguration(symbols: [try Symbol("BTC-USD")]))
        let query = StatusQuery(venueClientOrderID: "12345", symbol: try Symbol("BTC-USD"))
        let active = try router.parseStatusReply(query, status: 200, body: #"[[1185815100,null,999,"tBTCUSD",1575289447641,1575289447641,0.1,0.1,"EXCHANGE LIMIT",null,null,null,0,"ACTIVE",null,null,100,0,0,0,null,null,null,0,0,null,null,null,"API>BFX",null,null,{}],[1185815098,null,12345,"tBTCUSD",1575289447641,1575289447641,0.06,0.1,"EXCHANGE LIMIT",null,null,null,0,"PARTIALLY FILLED @ 100.0(0.04)",null,null,100,100,0,0,null,null,null,0,0,null,null,null,"API>BFX",null,null,{}]]"#)
        #expect(answer(active) == .accepted(VenueOrderState(venueClientOrderID: "12345", venueOrderID: "1185815098", state: .partiallyFilled,
                                                           filledSize: d("0.04"), averagePrice: d("100"))))
        #expect(try router.parseStatusReply(query, status: 200, body: "[]") == .askAgain(query.nextStep))
        let executed = try router.parseStatusReply(query.nextStep, status: 200, body: #"[[1185815098,null,12345,"tBTCUSD",1575289447641,1575289458000,0,0.1,"EXCHANGE LIMIT",null,null,null,0,"EXECUTED @ 100.0(0.1)",null,null,100,100,0,0,null,null,null,0,0,null,null,null,"API>BFX",null,null,{}]]"#)
        #expect(answer(executed).map { if case .accepted(let s) = $0 { return s?.state == .filled } else { return false } } == true)
        #expect(answer(try router.parseStatusReply(query.nextStep, status: 200, body: "[]"))
            == .notFound(reason: "cid 12345 is neither active nor in the recent order history"))
        #expect(answer(try router.parseStatusReply(query, status: 429, body: #"["error",11010,"ratelimit: error"]"#))
            == .rejected(reason: "HTTP 429, code 11010: ratelimit: error", rateLimited: true, retryAfter: nil))
        #expect(answer(try router.parseStatusReply(query, status: 500, body: #"["error",10100,"apikey: invalid"]"#))
            == .rejected(reason: "HTTP 500, code 10100: apikey: invalid", rateLimited: false, retryAfter: nil))
    }

    @Test("query and form values are percent-encoded exactly as signed")
    func encoding() {
        #expect(URLQueryEncoding.encode("BTC/USD") == "BTC%2FUSD")
        #expect(URLQueryEncoding.encode("a-b_c.d~e") == "a-b_c.d~e")
        #expect(URLQueryEncoding.form([("nonce", "1"), ("cl_ord_id", "x y&z")]) == "nonce=1&cl_ord_id=x%20y%26z")
    }
}
