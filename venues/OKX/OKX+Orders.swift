import MarketModel
import VenueKit

// OKX v5 order entry on the private WebSocket (VENUES.md §4.6–4.7, OKX-LOGIN, OKX-ORDER), on
// `wss://ws.okx.com:8443/ws/v5/private`. Shapes used:
//
//   → {"op":"login","args":[{"apiKey":"…","passphrase":"…","timestamp":"1538054050","sign":"<b64 HMAC-SHA256>"}]}
//   ← {"event":"login","code":"0","msg":"","connId":"a4d3ae55"}     → then we subscribe the orders channel:
//   → {"op":"subscribe","args":[{"channel":"orders","instType":"ANY"}]}
//   ← {"event":"subscribe","arg":{"channel":"orders","instType":"ANY"},"connId":"a4d3ae55"}
//   ← {"event":"error","code":"60009","msg":"Login failed.","connId":"a4d3ae55"}
//   → {"id":"1512","op":"order","args":[{"side":"buy","instId":"BTC-USDT","tdMode":"cash","ordType":"limit","sz":"0.01","px":"30000.1","clOrdId":"O1"}]}
//   ← {"id":"1512","op":"order","data":[{"clOrdId":"O1","ordId":"12345689","tag":"","ts":"1695190491421","sCode":"0","sMsg":""}],
//      "code":"0","msg":"","inTime":"1695190491421339","outTime":"1695190491423240"}
//   ← {"id":"1513","op":"order","data":[{"clOrdId":"O2","ordId":"","sCode":"51008","sMsg":"Order failed. Insufficient balance"}],"code":"1","msg":""}
//   → {"id":"1514","op":"cancel-order","args":[{"instId":"BTC-USDT","clOrdId":"O1"}]}
//   ← {"arg":{"channel":"orders","instType":"ANY","uid":"77982378738415879"},"data":[{"instType":"SPOT","instId":"BTC-USDT",
//      "ordId":"12345689","clOrdId":"O1","state":"partially_filled","accFillSz":"0.004","avgPx":"30000.1",…}]}
//
// Login `sign` = base64(HMAC-SHA256(secret, timestamp + "GET" + "/users/self/verify")), timestamp in
// seconds, valid 30 s. Not supported over this WebSocket: order status queries (REST
// `GET /api/v5/trade/order`) and cancel-all (`mass-cancel` is options-only); `statusFrame` and
// `cancelAllFrame` throw. Orders use `instId` (the newer `instIdCode` needs the instrument list),
// `tdMode` `cash` for spot and `cross` otherwise, and spot market orders set `tgtCcy: base_ccy` so
// that `sz` is in base units as everywhere else.

extension OKX: OrderRouting {
    /// OKX v5 private WS order entry (VENUES.md §4.6; OKX-ORDER, OKX-SUB, OKX-CONN).
    public static let orderSpec = OrderEntrySpec(
        venue: .okx, url: "wss://ws.okx.com:8443/ws/v5/private",
        limits: [
            // OKX-ORDER: 60 per 2 s per user + instrument (shared with REST); applied account-wide here
            // because the throttle has no per-instrument scope (conservative).
            OrderRateLimit(name: "order/2s", scope: .account, capacity: 60, interval: Interval.seconds(2), appliesTo: [.place]),
            OrderRateLimit(name: "cancel-order/2s", scope: .account, capacity: 60, interval: Interval.seconds(2), appliesTo: [.cancel]),
            // OKX-SUB: 1000 new + amend orders per 2 s per sub-account.
            OrderRateLimit(name: "sub-account orders/2s", scope: .account, capacity: 1000, interval: Interval.seconds(2), appliesTo: [.place]),
            // OKX-CONN: 480 login/subscribe/unsubscribe per hour per connection (a login also subscribes).
            OrderRateLimit(name: "login+subscribe/h", scope: .connection, capacity: 480, interval: Interval.hours(1), appliesTo: [.login]),
        ],
        weights: [.login: 2],
        keepAlive: .applicationPing(payload: "ping", every: Interval.seconds(20)),  // OKX-CONN: text ping before the 30 s cutoff
        clientOrderIDFormat: .alphanumeric(maxLength: 32),  // clOrdId: letters and digits only, ≤ 32
        supportsCancelAll: false)

    /// The orders-channel subscription sent once login succeeds (a private subscribe before the
    /// login answer is refused).
    static let ordersSubscription = #"{"op":"subscribe","args":[{"channel":"orders","instType":"ANY"}]}"#

    /// `{"op":"login","args":[{"apiKey","passphrase","timestamp","sign"}]}`.
    public func loginFrames(context: OrderFrameContext) throws(OrderRoutingError) -> [OutboundMessage] {
        guard let passphrase = context.credentials.passphrase else { throw OrderRoutingError("okx: login needs the API passphrase") }
        let timestamp = String(OrderText.seconds(context.now))
        let sign = Self.loginSignature(secret: context.credentials.secret, timestamp: timestamp)
        let args = "{\"apiKey\":\(OrderText.quoted(context.credentials.apiKey)),\"passphrase\":\(OrderText.quoted(passphrase)),"
            + "\"timestamp\":\(OrderText.quoted(timestamp)),\"sign\":\(OrderText.quoted(sign))}"
        return [OutboundMessage(text: "{\"op\":\"login\",\"args\":[\(args)]}")]
    }

    /// `op: order` with `ordType` limit / ioc / fok / post_only / market.
    public func placeFrame(_ order: VenueOrder, context: OrderFrameContext) throws(OrderRoutingError) -> OutboundMessage {
        try OrderText.checkOrder(order, venue: .okx)
        try OrderText.checkClientOrderID(order.venueClientOrderID, venue: .okx, maxLength: 32, allowed: [])
        let instID = try orderInstID(order.symbol)
        let ordType: String
        switch (order.type, order.timeInForce) {
        case (.market, .postOnly): throw OrderRoutingError("okx: a market order cannot be post-only")
        case (.market, _): ordType = "market"
        case (.limit, .gtc): ordType = "limit"
        case (.limit, .ioc): ordType = "ioc"
        case (.limit, .fok): ordType = "fok"
        case (.limit, .postOnly): ordType = "post_only"
        }
        var fields = ["\"side\":\"\(order.side == .buy ? "buy" : "sell")\"", "\"instId\":\(OrderText.quoted(instID))",
                      "\"tdMode\":\"\(order.symbol.kind == .spot ? "cash" : "cross")\"", "\"ordType\":\"\(ordType)\"",
                      "\"sz\":\"\(OrderText.decimal(order.size))\""]
        if order.type == .limit, let price = order.price { fields.append("\"px\":\"\(OrderText.decimal(price))\"") }
        fields.append("\"clOrdId\":\(OrderText.quoted(order.venueClientOrderID))")
        if order.type == .market, order.symbol.kind == .spot { fields.append(#""tgtCcy":"base_ccy""#) }
        return try Self.request("order", "{" + fields.joined(separator: ",") + "}", context: context)
    }

    /// `op: cancel-order` by `clOrdId`.
    public func cancelFrame(venueClientOrderID: String, symbol: Symbol, context: OrderFrameContext) throws(OrderRoutingError) -> OutboundMessage {
        try Self.request("cancel-order", "{\"instId\":\(OrderText.quoted(try orderInstID(symbol))),\"clOrdId\":\(OrderText.quoted(venueClientOrderID))}",
                         context: context)
    }

    /// Unsupported: OKX's WS `mass-cancel` covers options only (``OrderEntrySpec/supportsCancelAll`` is `false`).
    public func cancelAllFrame(symbol: Symbol?, context: OrderFrameContext) throws(OrderRoutingError) -> OutboundMessage {
        throw OrderRoutingError("okx: no WebSocket cancel-all for spot/swap/futures; cancel orders one by one")
    }

    /// Unsupported: OKX has no WebSocket order query (REST `GET /api/v5/trade/order?instId=…&clOrdId=…`).
    public func statusFrame(venueClientOrderID: String, symbol: Symbol, context: OrderFrameContext) throws(OrderRoutingError) -> OutboundMessage {
        throw OrderRoutingError("okx: no WebSocket order status query; use REST GET /api/v5/trade/order")
    }

    /// Parses login/subscribe events, `order`/`cancel-order` replies and `orders` channel pushes:
    /// ```
    /// {"event":"login","code":"0","msg":"","connId":"a4d3ae55"}
    /// {"id":"1512","op":"order","data":[{"clOrdId":"O1","ordId":"12345689","tag":"","ts":"1695190491421","sCode":"0","sMsg":""}],"code":"0","msg":""}
    /// {"arg":{"channel":"orders","instType":"ANY"},"data":[{"instId":"BTC-USDT","ordId":"1","clOrdId":"O1","state":"filled","accFillSz":"0.01","avgPx":"30000"}]}
    /// pong
    /// ```
    public mutating func parseOrderMessage(_ message: UnsafeRawBufferPointer, tsRecv: Nanoseconds,
                                           into output: inout [OrderVenueEvent]) throws(VenueParseError) {
        if message.elementsEqual("pong".utf8) {
            output.append(.heartbeat)
            return
        }
        let root = try JSONNode.parse(message)
        guard root.isObject else { throw .unexpected("OKX order message is not an object") }
        if let event = root["event"].text {
            let code = root["code"].text ?? ""
            let reason = "code \(code): \(root["msg"].text ?? "")"
            switch event {
            case "login" where code == "0" || code.isEmpty:
                // Logged in: subscribe the orders channel. Orders may flow only once that is
                // acknowledged — an order filled before it would never be reported.
                output.append(.send(OutboundMessage(text: Self.ordersSubscription)))
            case "login": output.append(.loginFailed(reason: reason))
            case "error" where Self.loginErrorCodes.contains(code): output.append(.loginFailed(reason: reason))
            case "subscribe" where root["arg"]["channel"].text == "orders": output.append(.loggedIn)
            case "subscribe", "unsubscribe", "notice": return
            default: throw .unexpected("OKX event '\(event)' \(reason)")
            }
            return
        }
        if let op = root["op"].text {
            guard let id = root["id"].text else { throw .missingField("id") }
            output.append(.response(requestID: id, try Self.reply(op: op, root)))
            return
        }
        if root["arg"]["channel"].text == "orders" {
            guard let data = root["data"].elements else { throw .missingField("data") }
            var updates: [OrderVenueEvent] = []
            for entry in data { updates.append(.update(try Self.orderUpdate(entry))) }
            output.append(contentsOf: updates)
            return
        }
        throw .unexpected("OKX order message without event, op or orders channel")
    }

    // MARK: - Helpers

    /// OKX-LOGIN / §4.7: error codes answered to a bad login (60009 login failed, 60004–60008
    /// timestamp/key/sign problems, 60024 wrong passphrase, 60026 batch login, 60032 key deleted).
    static let loginErrorCodes: Set<String> = ["60004", "60005", "60006", "60007", "60008", "60009", "60024", "60026", "60032"]

    /// Rate-limit codes: 50011 "Rate limit reached", 50061 sub-account order rate limit.
    static let rateLimitCodes: Set<String> = ["50011", "50061"]

    /// Order unknown to the venue: 51603 "Order does not exist"; 51400 cancel failed because the
    /// order was filled, canceled or does not exist.
    static let notFoundCodes: Set<String> = ["51603", "51400"]

    /// base64(HMAC-SHA256(secret, timestamp + "GET" + "/users/self/verify")).
    static func loginSignature(secret: String, timestamp: String) -> String {
        HMAC.base64(.sha256, key: Array(secret.utf8), message: timestamp + "GET" + "/users/self/verify")
    }

    /// `{"id":…,"op":…,"args":[…]}`; OKX-ORDER: `id` is required, alphanumeric, ≤ 32 characters.
    static func request(_ op: String, _ arg: String, context: OrderFrameContext) throws(OrderRoutingError) -> OutboundMessage {
        try OrderText.checkClientOrderID(context.requestID, venue: .okx, maxLength: 32, allowed: [])
        return OutboundMessage(text: "{\"id\":\(OrderText.quoted(context.requestID)),\"op\":\(OrderText.quoted(op)),\"args\":[\(arg)]}")
    }

    /// The `instId` of a configured symbol.
    func orderInstID(_ symbol: Symbol) throws(OrderRoutingError) -> String {
        guard let name = symbols.venueName(for: symbol) else { throw OrderRoutingError("okx: symbol \(symbol) is not configured") }
        return name
    }

    /// An `order`/`cancel-order` reply: per-order `sCode` first, the top-level `code` when `data` is empty.
    static func reply(op: String, _ root: JSONNode) throws(VenueParseError) -> OrderResponse {
        let first = root["data"][0]
        let code = first["sCode"].text ?? root["code"].text ?? ""
        let message = first["sMsg"].nonEmptyText ?? root["msg"].text ?? ""
        if code == "0" {
            // A place ack means the order is live; a cancel ack only that the cancel was taken
            // (the orders channel reports the final state).
            guard op == "order", let first else { return .accepted(nil) }
            return .accepted(VenueOrderState(venueClientOrderID: first["clOrdId"].nonEmptyText, venueOrderID: first["ordId"].nonEmptyText,
                                             state: .accepted))
        }
        let reason = "code \(code): \(message)"
        if rateLimitCodes.contains(code) { return .rejected(reason: reason, rateLimited: true, retryAfter: nil) }
        if notFoundCodes.contains(code) { return .notFound(reason: reason) }
        return .rejected(reason: reason, rateLimited: false, retryAfter: nil)
    }

    /// One `orders` channel entry.
    static func orderUpdate(_ d: JSONNode) throws(VenueParseError) -> VenueOrderState {
        let stateText = try d["state"].requiredText("state")
        let state: OrderState
        switch stateText {
        case "live": state = .accepted
        case "partially_filled": state = .partiallyFilled
        case "filled": state = .filled
        case "canceled", "mmp_canceled": state = .canceled
        default: throw .invalidValue("state", "unknown OKX order state '\(stateText)'")
        }
        let average = try d["avgPx"].decimal("avgPx")
        let reason = d["cancelSourceReason"].nonEmptyText ?? d["msg"].nonEmptyText
        return VenueOrderState(venueClientOrderID: d["clOrdId"].nonEmptyText, venueOrderID: d["ordId"].nonEmptyText, state: state,
                               filledSize: try d["accFillSz"].decimal("accFillSz"),
                               averagePrice: average.flatMap { $0.isZero ? nil : $0 }, reason: reason)
    }
}
