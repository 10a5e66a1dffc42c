import VenueKit

/// Binance spot WebSocket API order entry (VENUES.md §1.6, [BN-API]) at `/binance/orders`: every
/// request is signed on its own (HMAC-SHA256 over the sorted params), or, for an Ed25519 key, the
/// connection logs on once with `session.logon` and requests carry only `timestamp`; answered with `status`,
/// `result` or `error`, and `rateLimits`. No updates are pushed: clients confirm with
/// `order.status` (Binance pushes executions only on a user-data stream).
public struct BinanceOrderDialect: SimulatedOrderDialect {
    /// The API key a `session.logon` authenticated on this connection (Ed25519 keys only): later
    /// requests may then omit `apiKey` and `signature` [BN-API "Session authentication"].
    private var sessionAPIKey: String?
    /// When the connection opened (`connectedSince` in `session.logon`'s answer).
    private var connectedSince: Int64?

    /// Creates the dialect for one connection.
    public init(role: SimulatedOrderConnectionRole, connectionID: Int) {}

    /// Orders are confirmed by `order.status`; nothing is pushed on this connection.
    public mutating func render(_ event: SimulatedOrderEvent, now: SimulatedOrderClock) -> [String] { [] }

    private struct Failure: Error {
        var status: Int
        var code: Int
        var message: String
    }

    // MARK: Requests

    /// ```json
    /// {"id":"56374a46-3061-486b-a311-99ee972eb648","method":"order.place",
    ///  "params":{"symbol":"BTCUSDT","side":"SELL","type":"LIMIT","timeInForce":"GTC","price":"23416.10000000",
    ///   "quantity":"0.00847000","newClientOrderId":"O-1","apiKey":"…","timestamp":1660801715431,"signature":"…"}}
    /// {"id":"…","method":"order.status","params":{"symbol":"BTCUSDT","origClientOrderId":"O-1","apiKey":"…","timestamp":…,"signature":"…"}}
    /// {"id":"…","method":"order.cancel","params":{"symbol":"BTCUSDT","origClientOrderId":"O-1","apiKey":"…","timestamp":…,"signature":"…"}}
    /// {"id":"…","method":"openOrders.cancelAll","params":{"symbol":"BTCUSDT","apiKey":"…","timestamp":…,"signature":"…"}}
    /// {"id":"…","method":"ping"}
    /// ```
    public mutating func handle(_ message: [UInt8], exchange: inout SimulatedExchange, now: SimulatedOrderClock) -> SimulatedDialectResult {
        guard let request = OrderJSON(parsing: message), let method = request["method"]?.text else {
            let id = OrderJSON(parsing: message)?["id"]?.rendered ?? "null"
            return SimulatedDialectResult(replies: [errorReply(id: id, Failure(status: 400, code: -1102, message: "Malformed request."), rateLimits: nil)])
        }
        let id = request["id"]?.rendered ?? "null"
        let params = request["params"] ?? .object([])
        let kind: SimulatedRequestKind
        switch method {
        case "order.place": kind = .place
        case "order.cancel": kind = .cancel
        case "openOrders.cancelAll": kind = .cancelAll
        case "order.status": kind = .status
        case "ping", "time", "session.logon", "session.status", "session.logout": kind = .other
        default:
            return SimulatedDialectResult(replies: [errorReply(id: id, Failure(status: 400, code: -1020, message: "This operation is not supported."), rateLimits: nil)])
        }
        if connectedSince == nil { connectedSince = now.epochMilliseconds }
        let account = params["apiKey"]?.text ?? sessionAPIKey ?? ""
        let symbol = params["symbol"]?.text
        if case .limited(let rule, let retryAfter) = exchange.admit(kind, account: account, symbol: symbol, now: now) {
            return SimulatedDialectResult(replies: [rateLimitReply(id: id, rule: rule, retryAfter: retryAfter, kind: kind, account: account, exchange: exchange, now: now)])
        }
        let limits = rateLimits(kind: kind, account: account, exchange: exchange, now: now)
        do throws(Failure) {
            switch method {
            case "ping": return SimulatedDialectResult(replies: [okReply(id: id, result: "{}", rateLimits: limits)])
            case "time": return SimulatedDialectResult(replies: [okReply(id: id, result: "{\"serverTime\":\(now.epochMilliseconds)}", rateLimits: limits)])
            case "session.logon":
                try logOn(params, exchange: exchange, now: now)
                return SimulatedDialectResult(replies: [okReply(id: id, result: sessionResult(now: now), rateLimits: limits)])
            case "session.status":
                return SimulatedDialectResult(replies: [okReply(id: id, result: sessionResult(now: now), rateLimits: limits)])
            case "session.logout":
                sessionAPIKey = nil
                return SimulatedDialectResult(replies: [okReply(id: id, result: sessionResult(now: now), rateLimits: limits)])
            default: break
            }
            try authenticate(params, exchange: exchange, now: now)
            guard let symbol, !symbol.isEmpty else { throw Self.mandatory("symbol") }
            switch kind {
            case .place:
                let order = try place(params, account: account, symbol: symbol, exchange: &exchange, now: now)
                let responseType = params["newOrderRespType"]?.text ?? "FULL"
                return SimulatedDialectResult(replies: [okReply(id: id, result: Self.placeResult(order, responseType: responseType), rateLimits: limits)])
            case .status:
                exchange.noteStatusQuery()
                guard let order = find(params, account: account, symbol: symbol, exchange: exchange) else {
                    throw Failure(status: 400, code: -2013, message: "Order does not exist.")
                }
                return SimulatedDialectResult(replies: [okReply(id: id, result: Self.statusResult(order), rateLimits: limits)])
            case .cancel:
                guard let order = exchange.cancel(account: account, orderID: find(params, account: account, symbol: symbol, exchange: exchange)?.orderID,
                                                  now: now) else {
                    throw Failure(status: 400, code: -2011, message: "Unknown order sent.")
                }
                let cancelID = params["newClientOrderId"]?.text ?? "cancel-\(order.orderID)"
                return SimulatedDialectResult(replies: [okReply(id: id, result: Self.cancelResult(order, cancelID: cancelID, now: now), rateLimits: limits)])
            case .cancelAll:
                let canceled = exchange.cancelAll(account: account, symbol: symbol, now: now)
                guard !canceled.isEmpty else { throw Failure(status: 400, code: -2011, message: "Unknown order sent.") }
                let results = canceled.map { Self.cancelResult($0, cancelID: "cancel-\($0.orderID)", now: now) }
                return SimulatedDialectResult(replies: [okReply(id: id, result: "[" + results.joined(separator: ",") + "]", rateLimits: limits)])
            case .other:
                return SimulatedDialectResult(replies: [okReply(id: id, result: "{}", rateLimits: limits)])
            }
        } catch {
            return SimulatedDialectResult(replies: [errorReply(id: id, error, rateLimits: limits)])
        }
    }

    private static func mandatory(_ name: String) -> Failure {
        Failure(status: 400, code: -1102, message: "Mandatory parameter '\(name)' was not sent, was empty/null, or malformed.")
    }

    /// [BN-API] signing: every param but `signature`, sorted by name, `k=v` joined with `&`,
    /// HMAC-SHA256 with the secret, hex (case-insensitive); `timestamp` (ms or µs) within
    /// `recvWindow` (default 5000 ms, at most 1 s ahead).
    private func authenticate(_ params: OrderJSON, exchange: SimulatedExchange, now: SimulatedOrderClock) throws(Failure) {
        if params["apiKey"] == nil, params["signature"] == nil, sessionAPIKey != nil {
            // An authenticated session: the request carries only its timestamp.
            guard let timestamp = params["timestamp"]?.int64 else { throw Self.mandatory("timestamp") }
            try Self.checkWindow(timestamp, params, now: now)
            return
        }
        guard let apiKey = params["apiKey"]?.text, !apiKey.isEmpty else { throw Self.mandatory("apiKey") }
        guard let signature = params["signature"]?.text, !signature.isEmpty else { throw Self.mandatory("signature") }
        guard let timestamp = params["timestamp"]?.int64 else { throw Self.mandatory("timestamp") }
        guard let account = exchange.account(apiKey: apiKey) else {
            throw Failure(status: 401, code: -2015, message: "Invalid API-key, IP, or permissions for action.")
        }
        let payload = Self.signingPayload(params)
        if account.ed25519PublicKey != nil {
            // An Ed25519 key signs with the key (base64), not an HMAC secret.
            guard Self.isValidEd25519(signature, payload: payload, account: account) else {
                throw Failure(status: 400, code: -1022, message: "Signature for this request is not valid.")
            }
        } else if !OrderSigning.hexEqual(OrderSigning.hex(.sha256, secret: account.secret, message: payload), signature) {
            throw Failure(status: 400, code: -1022, message: "Signature for this request is not valid.")
        }
        try Self.checkWindow(timestamp, params, now: now)
    }

    /// `timestamp` (ms or µs) within `recvWindow` (default 5000 ms, at most 60 000) and at most 1 s ahead.
    private static func checkWindow(_ time: Int64, _ params: OrderJSON, now: SimulatedOrderClock) throws(Failure) {
        var timestamp = time
        if timestamp > 10_000_000_000_000 { timestamp /= 1000 }
        let window = min(params["recvWindow"]?.int64 ?? 5000, 60_000)
        guard timestamp < now.epochMilliseconds + 1000, now.epochMilliseconds - timestamp <= window else {
            throw Failure(status: 400, code: -1021, message: "Timestamp for this request is outside of the recvWindow.")
        }
    }

    /// The sorted `k=v&…` payload of every param but `signature`.
    private static func signingPayload(_ params: OrderJSON) -> String {
        params.members.filter { $0.key != "signature" }.sorted { $0.key < $1.key }
            .map { "\($0.key)=\($0.value.text ?? $0.value.rendered)" }.joined(separator: "&")
    }

    /// Whether `signature` (base64) is the account's Ed25519 signature of `payload`.
    private static func isValidEd25519(_ signature: String, payload: String, account: SimulatedAccount) -> Bool {
        guard let publicKey = account.ed25519PublicKey, let raw = Base64.decode(signature) else { return false }
        return Ed25519PrivateKey.isValidSignature(raw, of: Array(payload.utf8), publicKey: publicKey)
    }

    /// `session.logon` [BN-API]: `apiKey`, `timestamp`, `signature` (Ed25519 over the sorted params);
    /// HMAC keys are refused (`-4056`); on success the connection is authenticated as that key.
    private mutating func logOn(_ params: OrderJSON, exchange: SimulatedExchange, now: SimulatedOrderClock) throws(Failure) {
        guard let apiKey = params["apiKey"]?.text, !apiKey.isEmpty else { throw Self.mandatory("apiKey") }
        guard let signature = params["signature"]?.text, !signature.isEmpty else { throw Self.mandatory("signature") }
        guard let timestamp = params["timestamp"]?.int64 else { throw Self.mandatory("timestamp") }
        guard let account = exchange.account(apiKey: apiKey) else {
            throw Failure(status: 401, code: -2015, message: "Invalid API-key, IP, or permissions for action.")
        }
        guard account.ed25519PublicKey != nil else { throw Failure(status: 400, code: -4056, message: "HMAC_SHA256 API key is not supported.") }
        guard Self.isValidEd25519(signature, payload: Self.signingPayload(params), account: account) else {
            throw Failure(status: 400, code: -1022, message: "Signature for this request is not valid.")
        }
        try Self.checkWindow(timestamp, params, now: now)
        sessionAPIKey = apiKey
    }

    /// `{"apiKey":"…","authorizedSince":…,"connectedSince":…,"returnRateLimits":true,"serverTime":…,"userDataStream":false}`
    /// (`apiKey` null when the connection is not logged on).
    private func sessionResult(now: SimulatedOrderClock) -> String {
        "{\"apiKey\":" + (sessionAPIKey.map(OrderJSON.quoted) ?? "null") + ",\"authorizedSince\":" + (sessionAPIKey == nil ? "null" : "\(now.epochMilliseconds)")
            + ",\"connectedSince\":\(connectedSince ?? now.epochMilliseconds),\"returnRateLimits\":true,\"serverTime\":\(now.epochMilliseconds),\"userDataStream\":false}"
    }

    private func place(_ params: OrderJSON, account: String, symbol: String, exchange: inout SimulatedExchange,
                       now: SimulatedOrderClock) throws(Failure) -> SimulatedOrder {
        guard let sideText = params["side"]?.text, let side = SimulatedOrderSide(rawValue: sideText.lowercased()) else { throw Self.mandatory("side") }
        guard let typeText = params["type"]?.text else { throw Self.mandatory("type") }
        guard let quantity = params["quantity"]?.text.flatMap(SimulatedDecimal.init(parsing:)) else { throw Self.mandatory("quantity") }
        var type = SimulatedOrderType.limit
        var timeInForce = SimulatedTimeInForce.goodTillCanceled
        switch typeText {
        case "MARKET": type = .market
        case "LIMIT_MAKER": timeInForce = .postOnly
        case "LIMIT":
            switch params["timeInForce"]?.text {
            case "GTC": timeInForce = .goodTillCanceled
            case "IOC": timeInForce = .immediateOrCancel
            case "FOK": timeInForce = .fillOrKill
            default: throw Self.mandatory("timeInForce")
            }
        default: throw Failure(status: 400, code: -1116, message: "Invalid orderType.")
        }
        var price: SimulatedDecimal?
        if type == .limit {
            guard let parsed = params["price"]?.text.flatMap(SimulatedDecimal.init(parsing:)) else { throw Self.mandatory("price") }
            price = parsed
        }
        let request = SimulatedOrderRequest(account: account, clientOrderID: params["newClientOrderId"]?.text, symbol: symbol, side: side,
                                            type: type, price: price, quantity: quantity, timeInForce: timeInForce)
        switch exchange.place(request, now: now) {
        case .success(let order): return order
        case .failure(.duplicateClientOrderID): throw Failure(status: 400, code: -2010, message: "Duplicate order sent.")
        case .failure(.wouldTakeLiquidity): throw Failure(status: 400, code: -2010, message: "Order would immediately match and take.")
        case .failure(.invalidQuantity): throw Failure(status: 400, code: -1013, message: "Invalid quantity.")
        case .failure(.invalidPrice): throw Failure(status: 400, code: -1013, message: "Invalid price.")
        }
    }

    private func find(_ params: OrderJSON, account: String, symbol: String, exchange: SimulatedExchange) -> SimulatedOrder? {
        let order: SimulatedOrder?
        if let orderID = params["orderId"]?.int64 {
            order = exchange.order(account: account, orderID: orderID)
        } else if let clientID = params["origClientOrderId"]?.text {
            order = exchange.order(account: account, clientOrderID: clientID)
        } else {
            order = nil
        }
        return order?.symbol == symbol ? order : nil
    }

    // MARK: Responses

    /// `{"id":"…","status":200,"result":{…},"rateLimits":[…]}`
    private func okReply(id: String, result: String, rateLimits: String?) -> String {
        "{\"id\":\(id),\"status\":200,\"result\":\(result)" + (rateLimits.map { ",\"rateLimits\":\($0)" } ?? "") + "}"
    }

    /// `{"id":"…","status":400,"error":{"code":-2011,"msg":"Unknown order sent."},"rateLimits":[…]}`
    private func errorReply(id: String, _ failure: Failure, rateLimits: String?) -> String {
        "{\"id\":\(id),\"status\":\(failure.status),\"error\":{\"code\":\(failure.code),\"msg\":\(OrderJSON.quoted(failure.message))}"
            + (rateLimits.map { ",\"rateLimits\":\($0)" } ?? "") + "}"
    }

    /// [BN-API] 429 on a breach, with when to retry:
    /// `{"id":"…","status":429,"error":{"code":-1015,"msg":"Too many new orders; current limit is 50 orders per 10 SECOND.",
    ///   "data":{"serverTime":1660801715431,"retryAfter":1660801720000}},"rateLimits":[…]}`
    private func rateLimitReply(id: String, rule: SimulatedRateRule, retryAfter: UInt64, kind: SimulatedRequestKind, account: String,
                                exchange: SimulatedExchange, now: SimulatedOrderClock) -> String {
        let (interval, number) = Self.interval(of: rule)
        let message = rule.name == "ORDERS"
            ? "Too many new orders; current limit is \(rule.limit) orders per \(number) \(interval)."
            : "Too much request weight used; current limit is \(rule.limit) request weight per \(number) \(interval). Please use WebSocket Streams for live updates to avoid polling the API."
        let retryAt = now.epochMilliseconds + Int64((retryAfter + 999_999) / 1_000_000)
        return "{\"id\":\(id),\"status\":429,\"error\":{\"code\":\(rule.name == "ORDERS" ? -1015 : -1003),\"msg\":\(OrderJSON.quoted(message)),"
            + "\"data\":{\"serverTime\":\(now.epochMilliseconds),\"retryAfter\":\(retryAt)}},\"rateLimits\":"
            + rateLimits(kind: kind, account: account, exchange: exchange, now: now) + "}"
    }

    /// `[{"rateLimitType":"ORDERS","interval":"SECOND","intervalNum":10,"limit":50,"count":1},…]`: the
    /// limits the request counts against, with their usage after it.
    private func rateLimits(kind: SimulatedRequestKind, account: String, exchange: SimulatedExchange, now: SimulatedOrderClock) -> String {
        let entries = exchange.limiter.rules.filter { $0.costs[kind] != nil }.map { rule in
            let (interval, number) = Self.interval(of: rule)
            let used = exchange.limiter.used(rule, account: account, symbol: nil, now: now.monotonicNanoseconds)
            return "{\"rateLimitType\":\"\(rule.name)\",\"interval\":\"\(interval)\",\"intervalNum\":\(number),\"limit\":\(rule.limit),\"count\":\(used)}"
        }
        return "[" + entries.joined(separator: ",") + "]"
    }

    static func interval(of rule: SimulatedRateRule) -> (String, UInt64) {
        guard case .fixed(let nanoseconds, _) = rule.window else { return ("SECOND", 1) }
        let seconds = max(nanoseconds / 1_000_000_000, 1)
        if seconds % 86_400 == 0 { return ("DAY", seconds / 86_400) }
        if seconds % 3600 == 0 { return ("HOUR", seconds / 3600) }
        if seconds % 60 == 0 { return ("MINUTE", seconds / 60) }
        return ("SECOND", seconds)
    }

    static func statusText(_ status: SimulatedOrderStatus) -> String {
        switch status {
        case .new: "NEW"
        case .partiallyFilled: "PARTIALLY_FILLED"
        case .filled: "FILLED"
        case .canceled: "CANCELED"
        case .expired: "EXPIRED"
        }
    }

    static func typeText(_ order: SimulatedOrder) -> String {
        order.type == .market ? "MARKET" : order.timeInForce == .postOnly ? "LIMIT_MAKER" : "LIMIT"
    }

    static func timeInForceText(_ order: SimulatedOrder) -> String {
        switch order.timeInForce {
        case .immediateOrCancel: "IOC"
        case .fillOrKill: "FOK"
        case .goodTillCanceled, .postOnly: "GTC"
        }
    }

    static func quoteAsset(_ symbol: String) -> String {
        for quote in ["USDT", "USDC", "FDUSD", "BUSD", "TUSD", "BTC", "ETH", "BNB", "EUR", "TRY"] where symbol.hasSuffix(quote) { return quote }
        return String(symbol.suffix(3))
    }

    /// The common middle of every order result: `"price":"23416.10000000","origQty":"0.00847000",
    /// "executedQty":"0.00847000","origQuoteOrderQty":"0.00000000","cummulativeQuoteQty":"198.33521500",
    /// "status":"FILLED","timeInForce":"GTC","type":"LIMIT","side":"SELL"`
    static func core(_ order: SimulatedOrder) -> String {
        "\"price\":\"\((order.price ?? .zero).fixed(8))\",\"origQty\":\"\(order.quantity.fixed(8))\",\"executedQty\":\"\(order.filledQuantity.fixed(8))\","
            + "\"origQuoteOrderQty\":\"0.00000000\",\"cummulativeQuoteQty\":\"\(order.filledQuote.fixed(8))\",\"status\":\"\(statusText(order.status))\","
            + "\"timeInForce\":\"\(timeInForceText(order))\",\"type\":\"\(typeText(order))\",\"side\":\"\(order.side == .buy ? "BUY" : "SELL")\""
    }

    /// `order.place` result, by `newOrderRespType` (ACK, RESULT, FULL; FULL by default):
    /// ```json
    /// {"symbol":"BTCUSDT","orderId":12569099453,"orderListId":-1,"clientOrderId":"4d96324ff9d44481926157ec08158a40",
    ///  "transactTime":1660801715793,"price":"23416.10000000","origQty":"0.00847000","executedQty":"0.00847000",
    ///  "origQuoteOrderQty":"0.000000","cummulativeQuoteQty":"198.33521500","status":"FILLED","timeInForce":"GTC",
    ///  "type":"LIMIT","side":"SELL","workingTime":1660801715793,"fills":[{"price":"23416.10000000","qty":"0.00847000",
    ///  "commission":"0.00000000","commissionAsset":"USDT","tradeId":1650380}],"selfTradePreventionMode":"NONE"}
    /// ```
    static func placeResult(_ order: SimulatedOrder, responseType: String) -> String {
        let head = "{\"symbol\":\(OrderJSON.quoted(order.symbol)),\"orderId\":\(order.orderID),\"orderListId\":-1,"
            + "\"clientOrderId\":\(OrderJSON.quoted(order.clientOrderID)),\"transactTime\":\(order.createdAt)"
        guard responseType != "ACK" else { return head + "}" }
        var text = head + "," + core(order) + ",\"workingTime\":\(order.createdAt)"
        if responseType == "FULL" {
            let fills = order.fills.map { fill in
                "{\"price\":\"\(fill.price.fixed(8))\",\"qty\":\"\(fill.quantity.fixed(8))\",\"commission\":\"0.00000000\","
                    + "\"commissionAsset\":\"\(quoteAsset(order.symbol))\",\"tradeId\":\(fill.tradeID)}"
            }
            text += ",\"fills\":[" + fills.joined(separator: ",") + "]"
        }
        return text + ",\"selfTradePreventionMode\":\"NONE\"}"
    }

    /// `order.status` result:
    /// ```json
    /// {"symbol":"BTCUSDT","orderId":12569099453,"orderListId":-1,"clientOrderId":"4d96324ff9d44481926157ec08158a40",
    ///  "price":"23416.10000000","origQty":"0.00847000","executedQty":"0.00847000","origQuoteOrderQty":"0.00000000",
    ///  "cummulativeQuoteQty":"198.33521500","status":"FILLED","timeInForce":"GTC","type":"LIMIT","side":"SELL",
    ///  "stopPrice":"0.00000000","icebergQty":"0.00000000","time":1660801715639,"updateTime":1660801717945,
    ///  "isWorking":true,"workingTime":1660801715639,"selfTradePreventionMode":"NONE"}
    /// ```
    static func statusResult(_ order: SimulatedOrder) -> String {
        "{\"symbol\":\(OrderJSON.quoted(order.symbol)),\"orderId\":\(order.orderID),\"orderListId\":-1,\"clientOrderId\":\(OrderJSON.quoted(order.clientOrderID)),"
            + core(order) + ",\"stopPrice\":\"0.00000000\",\"icebergQty\":\"0.00000000\",\"time\":\(order.createdAt),\"updateTime\":\(order.updatedAt),"
            + "\"isWorking\":true,\"workingTime\":\(order.createdAt),\"selfTradePreventionMode\":\"NONE\"}"
    }

    /// `order.cancel` result (and each element of `openOrders.cancelAll`'s):
    /// ```json
    /// {"symbol":"BTCUSDT","origClientOrderId":"4d96324ff9d44481926157","orderId":12569099453,"orderListId":-1,
    ///  "clientOrderId":"91fe37ce9e69c90d6358c0","transactTime":1684804350068,"price":"23416.10000000",
    ///  "origQty":"0.00847000","executedQty":"0.00001000","origQuoteOrderQty":"0.00000000","cummulativeQuoteQty":"0.23416100",
    ///  "status":"CANCELED","timeInForce":"GTC","type":"LIMIT","side":"SELL","selfTradePreventionMode":"NONE"}
    /// ```
    static func cancelResult(_ order: SimulatedOrder, cancelID: String, now: SimulatedOrderClock) -> String {
        "{\"symbol\":\(OrderJSON.quoted(order.symbol)),\"origClientOrderId\":\(OrderJSON.quoted(order.clientOrderID)),\"orderId\":\(order.orderID),"
            + "\"orderListId\":-1,\"clientOrderId\":\(OrderJSON.quoted(cancelID)),\"transactTime\":\(now.epochMilliseconds),"
            + core(order) + ",\"selfTradePreventionMode\":\"NONE\"}"
    }
}
