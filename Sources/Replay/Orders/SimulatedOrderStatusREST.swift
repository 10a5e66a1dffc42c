/// The REST order-status endpoints of the simulated venues whose WebSocket has no status query
/// (docs/simulator.md "Orders"), answered from the venue's `SimulatedExchange` ledger: an order
/// the exchange never received is "not found" in the venue's own words. Each venue's request is
/// authenticated as the venue does it (VENUES.md and the venues' REST docs), written here
/// independently of the client routers: a wrong key or signature gets the venue's auth error,
/// a stale nonce (Kraken, Bitfinex) its nonce error, and queries count against the venue's
/// `status` rate rules (over the limit: the venue's rate-limit answer). Pure: the caller hands in
/// the exchange, the clock and the per-key nonce memory.
///
/// Paths are relative to `/<venue>` (the simulator's REST base URL), exactly as the client signs them:
/// - OKX `GET /api/v5/trade/order?instId=…&clOrdId=…`
/// - Bybit `GET /v5/order/realtime?category=…&symbol=…&orderLinkId=…` and `/v5/order/history?…`
/// - Kraken `POST /0/private/OpenOrders` and `/0/private/ClosedOrders` (form `nonce=…&cl_ord_id=…`)
/// - Bitfinex `POST /v2/auth/r/orders/{symbol}` and `/v2/auth/r/orders/{symbol}/hist`
struct SimulatedOrderStatusREST {
    /// An HTTP answer: status and JSON body.
    struct Answer: Equatable {
        var status: Int
        var body: String
    }

    /// The request as the venue sees it, venue prefix removed.
    struct Request {
        var method: String
        /// Path without the query.
        var path: String
        /// The query after `?` (empty when none).
        var query: String
        var body: String
        var header: (String) -> String?

        /// The path with its query, as signed.
        var pathWithQuery: String { query.isEmpty ? path : path + "?" + query }
    }

    /// Whether `venue` serves `method path` here.
    static func serves(venue: String, method: String, path: String) -> Bool {
        switch (venue, method) {
        case ("okx", "GET"): return path == "/api/v5/trade/order"
        case ("bybit", "GET"): return path == "/v5/order/realtime" || path == "/v5/order/history"
        case ("kraken", "POST"): return path == "/0/private/OpenOrders" || path == "/0/private/ClosedOrders"
        case ("bitfinex", "POST"): return path.hasPrefix("/v2/auth/r/orders/")
        default: return false
        }
    }

    /// The venue's answer to `request`; `nonces` remembers the last nonce per API key (Kraken, Bitfinex).
    static func answer(venue: String, _ request: Request, exchange: inout SimulatedExchange, nonces: inout [String: Int64],
                       now: SimulatedOrderClock) -> Answer {
        switch venue {
        case "okx": return okx(request, exchange: &exchange, now: now)
        case "bybit": return bybit(request, exchange: &exchange, now: now)
        case "kraken": return kraken(request, exchange: &exchange, nonces: &nonces, now: now)
        default: return bitfinex(request, exchange: &exchange, nonces: &nonces, now: now)
        }
    }

    /// `name=value&…` → value of `name` (form and query strings; the simulated ids need no unescaping
    /// beyond `%XX`).
    static func parameter(_ name: String, in text: String) -> String? {
        for pair in text.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            if parts.count == 2, parts[0] == name { return PercentDecoding.decode(String(parts[1])) }
        }
        return nil
    }

    // MARK: OKX

    /// `OK-ACCESS-SIGN` = base64(HMAC-SHA256(secret, timestamp + "GET" + path?query + body)):
    /// ```json
    /// {"code":"0","msg":"","data":[{"instType":"SPOT","instId":"BTC-USDT","ordId":"1000001","clOrdId":"O1","state":"filled","accFillSz":"0.01","avgPx":"50000",…}]}
    /// {"code":"51603","msg":"Order does not exist","data":[]}
    /// {"code":"50113","msg":"Invalid Sign","data":[]}
    /// ```
    static func okx(_ request: Request, exchange: inout SimulatedExchange, now: SimulatedOrderClock) -> Answer {
        func error(_ status: Int, _ code: String, _ message: String) -> Answer {
            Answer(status: status, body: "{\"code\":\"\(code)\",\"msg\":\(OrderJSON.quoted(message)),\"data\":[]}")
        }
        guard let key = request.header("OK-ACCESS-KEY"), let account = exchange.account(apiKey: key) else {
            return error(401, "50111", "Invalid OK-ACCESS-KEY")
        }
        guard request.header("OK-ACCESS-PASSPHRASE") == account.passphrase else { return error(401, "50105", "Invalid OK-ACCESS-PASSPHRASE") }
        let timestamp = request.header("OK-ACCESS-TIMESTAMP") ?? ""
        let expected = OrderSigning.base64(.sha256, secret: account.secret, message: timestamp + request.method + request.pathWithQuery + request.body)
        guard request.header("OK-ACCESS-SIGN") == expected else { return error(401, "50113", "Invalid Sign") }
        guard let instID = parameter("instId", in: request.query), let clOrdID = parameter("clOrdId", in: request.query) else {
            return error(400, "50014", "Parameter instId or clOrdId can not be empty")
        }
        if case .limited = exchange.admit(.status, account: key, symbol: instID, now: now) { return error(429, "50011", "Too Many Requests") }
        exchange.noteStatusQuery()
        guard let order = exchange.order(account: key, clientOrderID: clOrdID), order.symbol == instID else {
            return error(200, "51603", "Order does not exist")
        }
        let entry = "{\"instType\":\"\(OKXOrderDialect.instType(order.symbol))\",\"instId\":\(OrderJSON.quoted(order.symbol)),\"ordId\":\"\(order.orderID)\","
            + "\"clOrdId\":\(OrderJSON.quoted(order.clientOrderID)),\"tag\":\"\",\"px\":\"\(order.price?.description ?? "")\",\"sz\":\"\(order.quantity)\","
            + "\"ordType\":\"\(OKXOrderDialect.ordType(order))\",\"side\":\"\(order.side.rawValue)\",\"tdMode\":\"\(order.venueTag)\","
            + "\"accFillSz\":\"\(order.filledQuantity)\",\"avgPx\":\"\(order.filledQuantity.isPositive ? order.averagePrice.description : "")\","
            + "\"state\":\"\(OKXOrderDialect.state(order.status))\",\"uTime\":\"\(order.updatedAt)\",\"cTime\":\"\(order.createdAt)\"}"
        return Answer(status: 200, body: "{\"code\":\"0\",\"msg\":\"\",\"data\":[\(entry)]}")
    }

    // MARK: Bybit

    /// `X-BAPI-SIGN` = hex(HMAC-SHA256(secret, timestamp + apiKey + recvWindow + queryString)):
    /// ```json
    /// {"retCode":0,"retMsg":"OK","result":{"list":[{"orderLinkId":"O1","orderStatus":"Filled","cumExecQty":"0.01","avgPrice":"50000",…}],"nextPageCursor":"","category":"linear"},"retExtInfo":{},"time":1700000000000}
    /// {"retCode":10004,"retMsg":"error sign! origin_string[…]","result":{},"retExtInfo":{},"time":1700000000000}
    /// ```
    /// `realtime` lists the order whatever its state; `history` only once it is closed.
    static func bybit(_ request: Request, exchange: inout SimulatedExchange, now: SimulatedOrderClock) -> Answer {
        func reply(_ status: Int, _ code: Int, _ message: String, result: String = "{}") -> Answer {
            Answer(status: status, body: "{\"retCode\":\(code),\"retMsg\":\(OrderJSON.quoted(message)),\"result\":\(result),\"retExtInfo\":{},\"time\":\(now.epochMilliseconds)}")
        }
        guard let key = request.header("X-BAPI-API-KEY"), let account = exchange.account(apiKey: key) else {
            return reply(401, 10003, "API key is invalid.")
        }
        let timestamp = request.header("X-BAPI-TIMESTAMP") ?? "", window = request.header("X-BAPI-RECV-WINDOW") ?? ""
        let origin = timestamp + key + window + request.query
        guard request.header("X-BAPI-SIGN").map({ OrderSigning.hexEqual($0, OrderSigning.hex(.sha256, secret: account.secret, message: origin)) }) == true else {
            return reply(401, 10004, "error sign! origin_string[\(origin)]")
        }
        guard let category = parameter("category", in: request.query), let symbol = parameter("symbol", in: request.query) else {
            return reply(200, 10001, "Params Error")
        }
        if case .limited = exchange.admit(.status, account: key, symbol: symbol, now: now) { return reply(200, 10006, "Too many visits!") }
        exchange.noteStatusQuery()
        let wantsHistory = request.path.hasSuffix("/history")
        var list: [String] = []
        if let id = parameter("orderLinkId", in: request.query), let order = exchange.order(account: key, clientOrderID: id),
           order.symbol == symbol, order.venueTag == category, !wantsHistory || order.status.isTerminal {
            list.append("{\"orderId\":\"\(BybitOrderDialect.orderIDText(order.orderID))\",\"orderLinkId\":\(OrderJSON.quoted(order.clientOrderID)),"
                + "\"symbol\":\(OrderJSON.quoted(order.symbol)),\"price\":\"\(order.price?.description ?? "")\",\"qty\":\"\(order.quantity)\","
                + "\"side\":\"\(order.side == .buy ? "Buy" : "Sell")\",\"orderStatus\":\"\(BybitOrderDialect.status(order))\","
                + "\"avgPrice\":\"\(order.filledQuantity.isPositive ? order.averagePrice.description : "")\",\"leavesQty\":\"\(order.remainingQuantity)\","
                + "\"cumExecQty\":\"\(order.filledQuantity)\",\"cumExecValue\":\"\(order.filledQuote)\",\"cumExecFee\":\"0\","
                + "\"timeInForce\":\"\(BybitOrderDialect.timeInForce(order))\",\"orderType\":\"\(order.type == .market ? "Market" : "Limit")\","
                + "\"rejectReason\":\"EC_NoError\",\"createdTime\":\"\(order.createdAt)\",\"updatedTime\":\"\(order.updatedAt)\"}")
        }
        return reply(200, 0, "OK", result: "{\"list\":[\(list.joined(separator: ","))],\"nextPageCursor\":\"\",\"category\":\(OrderJSON.quoted(category))}")
    }

    // MARK: Kraken

    /// `API-Sign` = base64(HMAC-SHA512(base64decode(secret), path + SHA256(nonce + postdata))):
    /// ```json
    /// {"error":[],"result":{"open":{"OSIMUL-1000001-KRAKEN":{"cl_ord_id":"O1","status":"open","vol":"0.01","vol_exec":"0","price":"0",…}}}}
    /// {"error":[],"result":{"closed":{…},"count":1}}
    /// {"error":["EAPI:Invalid signature"]}   {"error":["EAPI:Invalid nonce"]}
    /// ```
    static func kraken(_ request: Request, exchange: inout SimulatedExchange, nonces: inout [String: Int64], now: SimulatedOrderClock) -> Answer {
        func error(_ text: String) -> Answer { Answer(status: 200, body: "{\"error\":[\(OrderJSON.quoted(text))]}") }
        guard let key = request.header("API-Key"), let account = exchange.account(apiKey: key) else { return error("EAPI:Invalid key") }
        let nonceText = parameter("nonce", in: request.body) ?? ""
        let expected = OrderSigning.base64Decode(account.secret).map { secret in
            OrderSigning.base64(OrderSigning.mac(.sha512, key: secret, data: Array(request.path.utf8) + OrderSigning.sha256(nonceText + request.body)))
        }
        guard expected != nil, expected == request.header("API-Sign") else { return error("EAPI:Invalid signature") }
        guard let nonce = Int64(nonceText), nonce > nonces["kraken/" + key, default: 0] else { return error("EAPI:Invalid nonce") }
        nonces["kraken/" + key] = nonce
        if case .limited = exchange.admit(.status, account: key, symbol: nil, now: now) { return error("EAPI:Rate limit exceeded") }
        exchange.noteStatusQuery()
        let wantsOpen = request.path.hasSuffix("/OpenOrders")
        var entries: [String] = []
        if let id = parameter("cl_ord_id", in: request.body), let order = exchange.order(account: key, clientOrderID: id),
           order.status.isTerminal != wantsOpen {
            let status: String
            switch order.status {
            case .new, .partiallyFilled: status = "open"
            case .filled: status = "closed"
            case .canceled: status = "canceled"
            case .expired: status = "expired"
            }
            let price = order.filledQuantity.isPositive ? order.averagePrice.description : "0"
            entries.append("\(OrderJSON.quoted(KrakenOrderDialect.orderIDText(order.orderID))):{\"refid\":null,\"userref\":0,"
                + "\"cl_ord_id\":\(OrderJSON.quoted(order.clientOrderID)),\"status\":\"\(status)\",\"opentm\":\(secondsText(milliseconds: order.createdAt)),"
                + "\"descr\":{\"pair\":\(OrderJSON.quoted(order.symbol.filter { $0 != "/" })),\"type\":\"\(order.side.rawValue)\","
                + "\"ordertype\":\"\(order.type.rawValue)\",\"price\":\"\(order.price?.description ?? "0")\"},"
                + "\"vol\":\"\(order.quantity)\",\"vol_exec\":\"\(order.filledQuantity)\",\"cost\":\"\(order.filledQuote)\",\"fee\":\"0\","
                + "\"price\":\"\(price)\",\"misc\":\"\",\"oflags\":\"fciq\"}")
        }
        let result = wantsOpen ? "{\"open\":{\(entries.joined(separator: ","))}}" : "{\"closed\":{\(entries.joined(separator: ","))},\"count\":\(entries.count)}"
        return Answer(status: 200, body: "{\"error\":[],\"result\":\(result)}")
    }

    /// Kraken's `opentm`: seconds with the milliseconds as decimals (`1688666559.897`).
    static func secondsText(milliseconds: Int64) -> String {
        let fraction = String(milliseconds % 1000)
        return "\(milliseconds / 1000)." + String(repeating: "0", count: 3 - fraction.count) + fraction
    }

    // MARK: Bitfinex

    /// `bfx-signature` = hex(HMAC-SHA384(secret, "/api/" + path + nonce + body)), path without
    /// its leading slash:
    /// ```json
    /// [[1000001,null,12345,"tBTCUSD",1700000000000,1700000000000,0,0.001,"EXCHANGE LIMIT",null,null,null,0,"EXECUTED @ 50000(0.001)",…]]
    /// ["error",10100,"apikey: digest invalid"]   ["error",10114,"nonce: small"]
    /// ```
    /// `{symbol}` lists the symbol's active orders, `{symbol}/hist` its closed ones, newest first.
    static func bitfinex(_ request: Request, exchange: inout SimulatedExchange, nonces: inout [String: Int64], now: SimulatedOrderClock) -> Answer {
        func error(_ status: Int, _ code: Int, _ text: String) -> Answer { Answer(status: status, body: "[\"error\",\(code),\(OrderJSON.quoted(text))]") }
        guard let key = request.header("bfx-apikey"), let account = exchange.account(apiKey: key) else { return error(500, 10100, "apikey: invalid") }
        let nonceText = request.header("bfx-nonce") ?? ""
        let expected = OrderSigning.hex(.sha384, secret: account.secret, message: "/api" + request.path + nonceText + request.body)
        guard request.header("bfx-signature").map({ OrderSigning.hexEqual($0, expected) }) == true else {
            return error(500, 10100, "apikey: digest invalid")
        }
        guard let nonce = Int64(nonceText), nonce > nonces["bitfinex/" + key, default: 0] else { return error(500, 10114, "nonce: small") }
        nonces["bitfinex/" + key] = nonce
        let rest = request.path.dropFirst("/v2/auth/r/orders/".count)
        let wantsHistory = rest.hasSuffix("/hist")
        let symbol = PercentDecoding.decode(String(wantsHistory ? rest.dropLast("/hist".count) : rest))
        if case .limited = exchange.admit(.status, account: key, symbol: symbol, now: now) { return error(429, 11010, "ratelimit: error") }
        exchange.noteStatusQuery()
        let limit = OrderJSON(parsing: request.body)?["limit"]?.int64.map(Int.init) ?? 25
        let orders = wantsHistory
            ? Array(exchange.ledger.filter { $0.account == key && $0.symbol == symbol && $0.status.isTerminal }.reversed().prefix(limit))
            : exchange.openOrders(account: key, symbol: symbol)
        return Answer(status: 200, body: "[" + orders.map(BitfinexOrderDialect.orderArray).joined(separator: ",") + "]")
    }
}
