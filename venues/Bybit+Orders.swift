import MarketModel
import VenueKit

// Bybit v5 order entry (VENUES.md §5.6–5.7, BY-WST, BY-CONN, BY-RL). Requests go to
// `wss://stream.bybit.com/v5/trade`; acks there mean "accepted" only, so order states come from
// the `order` topic on a second connection, `wss://stream.bybit.com/v5/private`. Both connections
// authenticate with the same `auth` op. Shapes used:
//
//   → {"op":"auth","args":["<api_key>",1711001605207,"<hex HMAC-SHA256(secret, "GET/realtime" + expires)>"]}
//   ← {"retCode":0,"retMsg":"OK","op":"auth","connId":"cnt5leec0hvan15eukcg-2t"}             (/v5/trade)
//   ← {"success":true,"ret_msg":"","op":"auth","conn_id":"ce3bq0u2bp4a7s6mr2eg-1g6"}          (/v5/private) → we subscribe:
//   → {"op":"subscribe","args":["order"]}
//   → {"reqId":"7","header":{"X-BAPI-TIMESTAMP":"1711001595207","X-BAPI-RECV-WINDOW":"8000"},"op":"order.create",
//      "args":[{"symbol":"ETHUSDT","side":"Buy","orderType":"Limit","qty":"0.2","price":"2800","category":"linear","timeInForce":"PostOnly","orderLinkId":"O1"}]}
//   ← {"reqId":"7","retCode":0,"retMsg":"OK","op":"order.create","data":{"orderId":"a4c1718e-…","orderLinkId":"O1"},"retExtInfo":{},
//      "header":{"X-Bapi-Limit":"10","X-Bapi-Limit-Status":"9","X-Bapi-Limit-Reset-Timestamp":"1711001595208","Traceid":"…","Timenow":"1711001595209"},"connId":"…"}
//   → {"reqId":"8","header":{…},"op":"order.cancel","args":[{"symbol":"ETHUSDT","orderLinkId":"O1","category":"linear"}]}
//   ← {"topic":"order","id":"…","creationTime":1672364262474,"data":[{"category":"linear","symbol":"ETHUSDT","orderId":"…",
//      "orderLinkId":"O1","orderStatus":"PartiallyFilled","cumExecQty":"0.1","avgPrice":"2800","rejectReason":"EC_NoError",…}]}
//
// `expires` is `now + 10 s` in ms. Not supported over the WebSocket: order status queries (REST
// `GET /v5/order/realtime`) and cancel-all (REST `POST /v5/order/cancel-all`); `statusFrame` and
// `cancelAllFrame` throw. Spot market orders send `marketUnit: baseCoin` so `qty` is in base units.

extension Bybit: OrderRouting {
    /// Bybit v5 WS trade (VENUES.md §5.6; BY-WST, BY-RL).
    public static let orderSpec = OrderEntrySpec(
        venue: .bybit, url: "wss://stream.bybit.com/v5/trade", updatesURL: "wss://stream.bybit.com/v5/private",
        limits: [
            // BY-RL: per UID per second, shared with REST: order/create 10/s (linear, inverse, option; spot 20/s),
            // order/cancel 10/s (the lower values are used for every category).
            OrderRateLimit(name: "order.create/s", scope: .account, capacity: 10, interval: Interval.seconds(1), appliesTo: [.place]),
            OrderRateLimit(name: "order.cancel/s", scope: .account, capacity: 10, interval: Interval.seconds(1), appliesTo: [.cancel]),
        ],
        keepAlive: .applicationPing(payload: #"{"op":"ping"}"#, every: Interval.seconds(20)),  // BY-CONN: ping every 20 s
        clientOrderIDFormat: .alphanumeric(maxLength: 36),  // orderLinkId: letters, digits, - and _, ≤ 36
        supportsCancelAll: false)

    /// The `order` topic subscription sent on the updates connection once its auth succeeds.
    static let orderTopicSubscription = #"{"op":"subscribe","args":["order"]}"#

    /// `auth` on `/v5/trade`.
    public func loginFrames(context: OrderFrameContext) throws(OrderRoutingError) -> [OutboundMessage] {
        [Self.authFrame(context: context)]
    }

    /// `auth` on `/v5/private` (the `order` subscription follows the auth answer).
    public func updatesLoginFrames(context: OrderFrameContext) throws(OrderRoutingError) -> [OutboundMessage] {
        [Self.authFrame(context: context)]
    }

    /// `order.create` with `timeInForce` GTC / IOC / FOK / PostOnly (market orders omit it).
    public func placeFrame(_ order: VenueOrder, context: OrderFrameContext) throws(OrderRoutingError) -> OutboundMessage {
        try OrderText.checkOrder(order, venue: .bybit)
        try OrderText.checkClientOrderID(order.venueClientOrderID, venue: .bybit, maxLength: 36)
        var fields = ["\"symbol\":\(OrderText.quoted(try orderSymbol(order.symbol)))", "\"side\":\"\(order.side == .buy ? "Buy" : "Sell")\""]
        switch (order.type, order.timeInForce) {
        case (.market, .postOnly): throw OrderRoutingError("bybit: a market order cannot be post-only")
        case (.market, _):
            fields.append(#""orderType":"Market""#)
            fields.append("\"qty\":\"\(OrderText.decimal(order.size))\"")
        case (.limit, _):
            fields.append(#""orderType":"Limit""#)
            fields.append("\"qty\":\"\(OrderText.decimal(order.size))\"")
            if let price = order.price { fields.append("\"price\":\"\(OrderText.decimal(price))\"") }
        }
        fields.append("\"category\":\(OrderText.quoted(category))")
        if order.type == .limit {
            let tif: String
            switch order.timeInForce {
            case .gtc: tif = "GTC"
            case .ioc: tif = "IOC"
            case .fok: tif = "FOK"
            case .postOnly: tif = "PostOnly"
            }
            fields.append("\"timeInForce\":\"\(tif)\"")
        }
        fields.append("\"orderLinkId\":\(OrderText.quoted(order.venueClientOrderID))")
        if order.type == .market, category == "spot" { fields.append(#""marketUnit":"baseCoin""#) }
        return try Self.request("order.create", "{" + fields.joined(separator: ",") + "}", context: context)
    }

    /// `order.cancel` by `orderLinkId`.
    public func cancelFrame(venueClientOrderID: String, symbol: Symbol, context: OrderFrameContext) throws(OrderRoutingError) -> OutboundMessage {
        let arg = "{\"symbol\":\(OrderText.quoted(try orderSymbol(symbol))),\"orderLinkId\":\(OrderText.quoted(venueClientOrderID)),"
            + "\"category\":\(OrderText.quoted(category))}"
        return try Self.request("order.cancel", arg, context: context)
    }

    /// Unsupported: `/v5/trade` has no cancel-all op (REST `POST /v5/order/cancel-all`).
    public func cancelAllFrame(symbol: Symbol?, context: OrderFrameContext) throws(OrderRoutingError) -> OutboundMessage {
        throw OrderRoutingError("bybit: no WebSocket cancel-all; cancel orders one by one")
    }

    /// Unsupported: `/v5/trade` has no order query (REST `GET /v5/order/realtime`).
    public func statusFrame(venueClientOrderID: String, symbol: Symbol, context: OrderFrameContext) throws(OrderRoutingError) -> OutboundMessage {
        throw OrderRoutingError("bybit: no WebSocket order status query; use REST GET /v5/order/realtime")
    }

    /// Parses `/v5/trade` replies and `/v5/private` auth/subscribe/pong answers and `order` pushes:
    /// ```
    /// {"reqId":"7","retCode":0,"retMsg":"OK","op":"order.create","data":{"orderId":"a4c1718e","orderLinkId":"O1"},"retExtInfo":{},"header":{"X-Bapi-Limit":"10","X-Bapi-Limit-Status":"9"}}
    /// {"success":true,"ret_msg":"","op":"auth","conn_id":"ce3bq0u2bp4a7s6mr2eg-1g6"}
    /// {"topic":"order","data":[{"orderLinkId":"O1","orderId":"a4c1718e","orderStatus":"Filled","cumExecQty":"0.2","avgPrice":"2800"}]}
    /// ```
    public mutating func parseOrderMessage(_ message: UnsafeRawBufferPointer, tsRecv: Nanoseconds,
                                           into output: inout [OrderVenueEvent]) throws(VenueParseError) {
        let root = try JSONNode.parse(message)
        guard root.isObject else { throw .unexpected("Bybit order message is not an object") }
        if root["topic"].text == "order" {
            guard let data = root["data"].elements else { throw .missingField("data") }
            var updates: [OrderVenueEvent] = []
            for entry in data { updates.append(.update(try Self.orderUpdate(entry))) }
            output.append(contentsOf: updates)
            return
        }
        let op = try root["op"].requiredText("op")
        if let retCode = root["retCode"].text {  // /v5/trade
            let reason = "retCode \(retCode): \(root["retMsg"].text ?? "")"
            switch op {
            case "auth": output.append(retCode == "0" ? .loggedIn : .loginFailed(reason: reason))
            case "ping", "pong": output.append(.heartbeat)
            default:
                guard let id = root["reqId"].text else { throw .missingField("reqId") }
                let header = root["header"]
                let feedback = try Self.feedback(op: op, header)
                let response: OrderResponse
                if retCode == "0" {
                    let data = root["data"]
                    response = op == "order.create"
                        ? .accepted(VenueOrderState(venueClientOrderID: data["orderLinkId"].nonEmptyText, venueOrderID: data["orderId"].nonEmptyText, state: .accepted))
                        : .accepted(nil)  // a cancel ack; the `order` topic reports the cancel itself
                } else if retCode == "10006" {
                    response = .rejected(reason: reason, rateLimited: true, retryAfter: feedback?.retryAfter)
                } else if Self.notFoundCodes.contains(retCode) {
                    response = .notFound(reason: reason)
                } else {
                    response = .rejected(reason: reason, rateLimited: false, retryAfter: nil)
                }
                output.append(.response(requestID: id, response))
                if let feedback { output.append(.rateLimit(feedback)) }
            }
            return
        }
        // /v5/private control answers carry `success`/`ret_msg`.
        let success = root["success"] == .bool(true)
        let reason = root["ret_msg"].text ?? ""
        switch op {
        case "auth":
            // Authenticated: subscribe to `order`; the updates connection counts as logged in
            // only once that subscription is acknowledged (no update is pushed before it).
            output.append(success ? .send(OutboundMessage(text: Self.orderTopicSubscription)) : .loginFailed(reason: reason))
        case "pong": output.append(.heartbeat)
        case "ping": output.append(.heartbeat)  // {"success":true,"ret_msg":"pong","op":"ping"}
        case "subscribe":
            output.append(success ? .loggedIn : .loginFailed(reason: "order topic subscription refused: \(reason)"))
        default: throw .unexpected("Bybit op '\(op)'")
        }
    }

    // MARK: - Helpers

    /// Unknown order: 110001 "Order does not exist" (derivatives), 170213 "Order does not exist." (spot).
    static let notFoundCodes: Set<String> = ["110001", "170213"]

    /// hex(HMAC-SHA256(secret, "GET/realtime" + expires)), `expires` in ms.
    static func authSignature(secret: String, expires: Int64) -> String {
        HMAC.hex(.sha256, secret: secret, message: "GET/realtime\(expires)")
    }

    /// `{"op":"auth","args":[key, expires, signature]}` with `expires` 10 s after `now`.
    static func authFrame(context: OrderFrameContext) -> OutboundMessage {
        let expires = OrderText.milliseconds(context.now) + 10_000
        let signature = authSignature(secret: context.credentials.secret, expires: expires)
        return OutboundMessage(text: "{\"op\":\"auth\",\"args\":[\(OrderText.quoted(context.credentials.apiKey)),\(expires),\(OrderText.quoted(signature))]}")
    }

    /// `{"reqId":…,"header":{…},"op":…,"args":[…]}`; BY-WST: `reqId` ≤ 36 characters, unique.
    static func request(_ op: String, _ arg: String, context: OrderFrameContext) throws(OrderRoutingError) -> OutboundMessage {
        guard !context.requestID.isEmpty, context.requestID.utf8.count <= 36 else {
            throw OrderRoutingError("bybit: reqId must be 1…36 characters")
        }
        let header = "{\"X-BAPI-TIMESTAMP\":\"\(OrderText.milliseconds(context.now))\",\"X-BAPI-RECV-WINDOW\":\"8000\"}"
        return OutboundMessage(text: "{\"reqId\":\(OrderText.quoted(context.requestID)),\"header\":\(header),\"op\":\(OrderText.quoted(op)),\"args\":[\(arg)]}")
    }

    /// The venue name of a symbol in this router's category.
    func orderSymbol(_ symbol: Symbol) throws(OrderRoutingError) -> String {
        guard let name = symbols.venueName(for: symbol) else { throw OrderRoutingError("bybit: symbol \(symbol) is not configured for \(category)") }
        return name
    }

    /// Rate-limit headers: `X-Bapi-Limit` (capacity), `X-Bapi-Limit-Status` (remaining),
    /// `X-Bapi-Limit-Reset-Timestamp` and `Timenow` (ms) give the wait.
    static func feedback(op: String, _ header: JSONNode?) throws(VenueParseError) -> RateLimitFeedback? {
        guard let limit = try header["X-Bapi-Limit"].int64("X-Bapi-Limit") else { return nil }
        let remaining = try header["X-Bapi-Limit-Status"].int64("X-Bapi-Limit-Status")
        var retryAfter: Nanoseconds?
        if let reset = try header["X-Bapi-Limit-Reset-Timestamp"].int64("X-Bapi-Limit-Reset-Timestamp"),
           let now = try header["Timenow"].int64("Timenow"), reset > now {
            retryAfter = (reset - now) * 1_000_000
        }
        // Reported under our limit's name (`order.create/s`) so the throttle can adopt the venue's count.
        return RateLimitFeedback(name: "\(op)/s", used: remaining.map { Int(limit - $0) }, limit: Int(limit), retryAfter: retryAfter)
    }

    /// One `order` topic entry (BY private order: `orderStatus`).
    static func orderUpdate(_ d: JSONNode) throws(VenueParseError) -> VenueOrderState {
        let status = try d["orderStatus"].requiredText("orderStatus")
        let state: OrderState
        switch status {
        case "New", "Created", "Untriggered", "Triggered", "Active": state = .accepted
        case "PartiallyFilled": state = .partiallyFilled
        case "Filled": state = .filled
        case "Cancelled", "PartiallyFilledCanceled", "Deactivated": state = .canceled
        case "Rejected": state = .rejected
        default: throw .invalidValue("orderStatus", "unknown Bybit order status '\(status)'")
        }
        let average = try d["avgPrice"].decimal("avgPrice")
        let reason = d["rejectReason"].nonEmptyText.flatMap { $0 == "EC_NoError" ? nil : $0 }
        return VenueOrderState(venueClientOrderID: d["orderLinkId"].nonEmptyText, venueOrderID: d["orderId"].nonEmptyText, state: state,
                               filledSize: try d["cumExecQty"].decimal("cumExecQty"),
                               averagePrice: average.flatMap { $0.isZero ? nil : $0 }, reason: reason)
    }
}
