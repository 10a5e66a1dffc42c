import MarketModel
import VenueKit

// Binance spot order entry over the WebSocket API (VENUES.md §1.6–1.7, BN-API), on
// `wss://ws-api.binance.com:443/ws-api/v3`. With an HMAC-SHA256 key every request is signed on
// its own and there are no login frames; with an Ed25519 key the connection logs on once
// (`session.logon`) and requests then carry only `timestamp`. Shapes used (ids are echoed verbatim):
//
//   → {"id":"7","method":"order.place","params":{"symbol":"BTCUSDT","side":"SELL","type":"LIMIT","timeInForce":"GTC",
//      "price":"23416.10000000","quantity":"0.00847000","newClientOrderId":"O1","apiKey":"…","timestamp":1660801715431,"signature":"…"}}
//   ← {"id":"7","status":200,"result":{"symbol":"BTCUSDT","orderId":12510053279,"clientOrderId":"O1","transactTime":1655716096505,
//      "price":"23416.10000000","origQty":"0.00847000","executedQty":"0.00000000","cummulativeQuoteQty":"0.00000000","status":"NEW",…},
//      "rateLimits":[{"rateLimitType":"ORDERS","interval":"SECOND","intervalNum":10,"limit":50,"count":12}]}
//   → {"id":"8","method":"order.cancel","params":{"symbol":"BTCUSDT","origClientOrderId":"O1","apiKey":"…","timestamp":…,"signature":"…"}}
//   ← {"id":"8","status":200,"result":{"symbol":"BTCUSDT","origClientOrderId":"O1","orderId":12510053279,"clientOrderId":"x1",…,"status":"CANCELED"}}
//   → {"id":"9","method":"openOrders.cancelAll","params":{"symbol":"BTCUSDT","apiKey":"…","timestamp":…,"signature":"…"}}
//   ← {"id":"9","status":200,"result":[{…cancel result…},…]}
//   → {"id":"10","method":"order.status","params":{"symbol":"BTCUSDT","origClientOrderId":"O1","apiKey":"…","timestamp":…,"signature":"…"}}
//   ← {"id":"10","status":400,"error":{"code":-2013,"msg":"Order does not exist."}}
//   ← {"id":"11","status":429,"error":{"code":-1015,"msg":"Too many new orders; current limit is 50 orders per 10 SECOND.",
//      "data":{"serverTime":1659416054000,"retryAfter":1659416064000}}}
//
// Signing (BN-API "SIGNED request security"): every parameter except `signature`, sorted by name,
// joined `k=v` with `&` (no URL encoding), HMAC-SHA256 with the secret, lower-case hex.
// The user data stream (`executionReport`) is not subscribed: VENUES.md does not describe it for
// the WS API. Should one be subscribed on this connection, its
// `{"subscriptionId":0,"event":{"e":"executionReport",…}}` events are parsed as updates.

extension Binance: OrderRouting {
    /// Binance's `rateLimits` entries (`rateLimitType intervalNum interval`) → our limit names.
    static let limitNames = ["ORDERS 10 SECOND": "orders/10s", "ORDERS 1 DAY": "orders/day",
                             "REQUEST_WEIGHT 1 MINUTE": "request-weight/min"]

    /// Binance spot WS API order entry (VENUES.md §1.6, BN-API; limits are the documented example
    /// values, authoritative ones come from `exchangeInfo`).
    public static let orderSpec = OrderEntrySpec(
        venue: .binance, url: "wss://ws-api.binance.com:443/ws-api/v3",
        limits: [
            OrderRateLimit(name: "orders/10s", scope: .account, capacity: 50, interval: Interval.seconds(10), appliesTo: [.place]),
            OrderRateLimit(name: "orders/day", scope: .account, capacity: 160_000, interval: Interval.hours(24), appliesTo: [.place]),
            // REQUEST_WEIGHT is per IP; one process per IP makes it an account-wide budget here.
            OrderRateLimit(name: "request-weight/min", scope: .account, capacity: 6000, interval: Interval.minutes(1)),
        ],
        // BN-API: order.place/order.cancel/openOrders.cancelAll weigh 1, order.status 4, connecting 2.
        weights: [.place: 1, .cancel: 1, .cancelAll: 1, .status: 4, .login: 2],
        keepAlive: .serverPings(interval: Interval.seconds(20), pongWithin: Interval.minutes(1)),
        clientOrderIDFormat: .alphanumeric(maxLength: 36),  // ^[a-zA-Z0-9-_]{1,36}$
        supportsCancelAll: true)

    /// None for HMAC keys (every request carries `apiKey` and `signature`). With an Ed25519 key
    /// (the secret is its PEM text) the connection logs on once — `session.logon` signed with the
    /// key — and later requests carry only `timestamp` (BN-API "Session authentication"):
    /// ```
    /// → {"id":"logon-1","method":"session.logon","params":{"apiKey":"vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A","signature":"<base64 Ed25519 signature of apiKey=…&timestamp=…, 88 characters>","timestamp":1649729878532}}
    /// ← {"id":"logon-1","status":200,"result":{"apiKey":"vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A","authorizedSince":1649729878532,"connectedSince":1649729873021,"returnRateLimits":false,"serverTime":1649729878630}}
    /// ```
    /// The `logon-` id prefix is how the reply is recognized (ids are echoed verbatim).
    public func loginFrames(context: OrderFrameContext) throws(OrderRoutingError) -> [OutboundMessage] {
        guard Ed25519PrivateKey.isPEM(context.credentials.secret) else { return [] }
        let key: Ed25519PrivateKey
        do {
            key = try Ed25519PrivateKey(pem: context.credentials.secret)
        } catch {
            throw OrderRoutingError("binance: the API secret is a PEM key but not a usable Ed25519 one (\(error)); "
                                    + "use an HMAC secret or an Ed25519 key (RSA keys are not supported)")
        }
        var params: [(String, BinanceParam)] = [("apiKey", .text(context.credentials.apiKey)),
                                                 ("timestamp", .integer(OrderText.milliseconds(context.now)))]
        let signature: [UInt8]
        do {
            signature = try key.sign(Array(Self.signingPayload(params).utf8))
        } catch {
            throw OrderRoutingError("binance: \(error)")
        }
        params.append(("signature", .text(Base64.encode(signature))))
        return [Self.request("session.logon", params, id: Self.logonPrefix + context.requestID)]
    }

    /// Request ids of `session.logon` start with this, so its reply is told apart from order replies.
    static let logonPrefix = "logon-"

    /// `order.place`: `LIMIT` + `timeInForce` GTC/IOC/FOK, `LIMIT_MAKER` for post-only, `MARKET`
    /// (quantity in base units).
    public func placeFrame(_ order: VenueOrder, context: OrderFrameContext) throws(OrderRoutingError) -> OutboundMessage {
        try OrderText.checkOrder(order, venue: .binance)
        try OrderText.checkClientOrderID(order.venueClientOrderID, venue: .binance, maxLength: 36)
        var params: [(String, BinanceParam)] = [("symbol", .text(try orderSymbol(order.symbol))),
                                                 ("side", .text(order.side == .buy ? "BUY" : "SELL"))]
        switch (order.type, order.timeInForce) {
        case (.market, .postOnly):
            throw OrderRoutingError("binance: a market order cannot be post-only")
        case (.market, _):
            params.append(("type", .text("MARKET")))
        case (.limit, .postOnly):
            params.append(("type", .text("LIMIT_MAKER")))
        case (.limit, let tif):
            params.append(("type", .text("LIMIT")))
            params.append(("timeInForce", .text(tif == .gtc ? "GTC" : tif == .ioc ? "IOC" : "FOK")))
        }
        if order.type == .limit, let price = order.price { params.append(("price", .text(OrderText.decimal(price)))) }
        params.append(("quantity", .text(OrderText.decimal(order.size))))
        params.append(("newClientOrderId", .text(order.venueClientOrderID)))
        return Self.signedRequest("order.place", params, context: context)
    }

    /// `order.cancel` by `origClientOrderId`.
    public func cancelFrame(venueClientOrderID: String, symbol: Symbol, context: OrderFrameContext) throws(OrderRoutingError) -> OutboundMessage {
        Self.signedRequest("order.cancel", [("symbol", .text(try orderSymbol(symbol))), ("origClientOrderId", .text(venueClientOrderID))],
                           context: context)
    }

    /// `openOrders.cancelAll` for one symbol (Binance has no account-wide cancel: `symbol` is required).
    public func cancelAllFrame(symbol: Symbol?, context: OrderFrameContext) throws(OrderRoutingError) -> OutboundMessage {
        guard let symbol else { throw OrderRoutingError("binance: openOrders.cancelAll needs a symbol") }
        return Self.signedRequest("openOrders.cancelAll", [("symbol", .text(try orderSymbol(symbol)))], context: context)
    }

    /// `order.status` by `origClientOrderId`.
    public func statusFrame(venueClientOrderID: String, symbol: Symbol, context: OrderFrameContext) throws(OrderRoutingError) -> OutboundMessage {
        Self.signedRequest("order.status", [("symbol", .text(try orderSymbol(symbol))), ("origClientOrderId", .text(venueClientOrderID))],
                           context: context)
    }

    /// Parses a WS API response (or a user-data event):
    /// ```
    /// {"id":"7","status":200,"result":{"symbol":"BTCUSDT","orderId":12510053279,"clientOrderId":"O1","executedQty":"0.00000000","status":"NEW"},"rateLimits":[…]}
    /// {"id":"8","status":400,"error":{"code":-2011,"msg":"Unknown order sent."}}
    /// {"subscriptionId":0,"event":{"e":"executionReport","s":"BTCUSDT","c":"O1","X":"FILLED","i":4293153,"z":"1.00000000","r":"NONE","C":""}}
    /// ```
    public mutating func parseOrderMessage(_ message: UnsafeRawBufferPointer, tsRecv: Nanoseconds,
                                           into output: inout [OrderVenueEvent]) throws(VenueParseError) {
        let root = try JSONNode.parse(message)
        guard root.isObject else { throw .unexpected("Binance order message is not an object") }
        if let event = root["event"] {
            guard event["e"].text == "executionReport" else { return }  // balance/account events: not orders
            output.append(.update(try Self.executionReport(event)))
            return
        }
        guard let id = root["id"].text else { throw .missingField("id") }
        if id.hasPrefix(Self.logonPrefix) {
            if let error = root["error"], !error.isNull {
                output.append(.loginFailed(reason: "code \(try error["code"].int64("error.code") ?? 0): \(error["msg"].text ?? "")"))
            } else {
                output.append(.loggedIn)
            }
            return
        }
        var events: [OrderVenueEvent] = []
        if let error = root["error"], !error.isNull {
            let code = try error["code"].int64("error.code") ?? 0
            let reason = "code \(code): \(error["msg"].text ?? "")"
            let status = try root["status"].int64("status") ?? 0
            if status == 429 || status == 418 || code == -1003 || code == -1015 {
                var retryAfter: Nanoseconds?
                if let until = try error["data"]["retryAfter"].int64("retryAfter"),
                   let now = try error["data"]["serverTime"].int64("serverTime"), until >= now {
                    retryAfter = (until - now) * 1_000_000
                }
                events.append(.response(requestID: id, .rejected(reason: reason, rateLimited: true, retryAfter: retryAfter)))
            } else if code == -2013 || (code == -2011 && reason.contains("Unknown order")) {
                events.append(.response(requestID: id, .notFound(reason: reason)))
            } else {
                events.append(.response(requestID: id, .rejected(reason: reason, rateLimited: false, retryAfter: nil)))
            }
        } else if let result = root["result"] {
            if let list = result.elements {  // openOrders.cancelAll: one entry per canceled order
                events.append(.response(requestID: id, .accepted(nil)))
                for entry in list where entry["orders"] == nil {  // OCO list entries repeat their orders
                    events.append(.update(try Self.orderResult(entry)))
                }
            } else {
                events.append(.response(requestID: id, .accepted(try Self.orderResult(result))))
            }
        } else {
            throw .unexpected("Binance response \(id) has neither result nor error")
        }
        if let limits = root["rateLimits"]?.elements {
            for limit in limits {
                let venueName = [limit["rateLimitType"].text, limit["intervalNum"].text, limit["interval"].text].compactMap { $0 }.joined(separator: " ")
                // Reported under our limit's name so the throttle can adopt the venue's count.
                let name = Self.limitNames[venueName] ?? venueName
                events.append(.rateLimit(RateLimitFeedback(name: name, used: try limit["count"].int64("count").map { Int($0) },
                                                           limit: try limit["limit"].int64("limit").map { Int($0) })))
            }
        }
        output.append(contentsOf: events)
    }

    // MARK: - Helpers

    /// A request parameter: Binance takes strings, and `timestamp` as a number.
    enum BinanceParam {
        case text(String)
        case integer(Int64)

        var raw: String {
            switch self {
            case .text(let s): return s
            case .integer(let v): return String(v)
            }
        }

        var json: String {
            switch self {
            case .text(let s): return OrderText.quoted(s)
            case .integer(let v): return String(v)
            }
        }
    }

    /// The venue name of a configured spot symbol.
    func orderSymbol(_ symbol: Symbol) throws(OrderRoutingError) -> String {
        guard let name = symbols.venueName(for: symbol) else { throw OrderRoutingError("binance: symbol \(symbol) is not configured") }
        return name
    }

    /// The HMAC-SHA256 signing payload: parameters sorted by name, `k=v` joined with `&`.
    static func signingPayload(_ params: [(String, BinanceParam)]) -> String {
        params.sorted { Array($0.0.utf8).lexicographicallyPrecedes(Array($1.0.utf8)) }
            .map { "\($0.0)=\($0.1.raw)" }.joined(separator: "&")
    }

    /// `{"id":…,"method":…,"params":{…,"apiKey":…,"timestamp":…,"signature":…}}` with an HMAC
    /// key; `{…,"timestamp":…}` only on an Ed25519 session, which `session.logon` authenticated.
    static func signedRequest(_ method: String, _ payload: [(String, BinanceParam)], context: OrderFrameContext) -> OutboundMessage {
        var params = payload
        if Ed25519PrivateKey.isPEM(context.credentials.secret) {
            params.append(("timestamp", .integer(OrderText.milliseconds(context.now))))
            return request(method, params, id: context.requestID)
        }
        params.append(("apiKey", .text(context.credentials.apiKey)))
        params.append(("timestamp", .integer(OrderText.milliseconds(context.now))))
        let signature = HMAC.hex(.sha256, secret: context.credentials.secret, message: signingPayload(params))
        params.append(("signature", .text(signature)))
        return request(method, params, id: context.requestID)
    }

    /// `{"id":…,"method":…,"params":{…}}`; a numeric id is sent as a number, any other as a string.
    static func request(_ method: String, _ params: [(String, BinanceParam)], id requestID: String) -> OutboundMessage {
        let body = params.map { "\(OrderText.quoted($0.0)):\($0.1.json)" }.joined(separator: ",")
        let id = OrderText.isInteger(requestID) ? requestID : OrderText.quoted(requestID)
        return OutboundMessage(text: "{\"id\":\(id),\"method\":\(OrderText.quoted(method)),\"params\":{\(body)}}")
    }

    /// Binance order status → normalized state (BN-API "Order status").
    static func state(_ status: String) throws(VenueParseError) -> OrderState {
        switch status {
        case "NEW", "PENDING_NEW", "PENDING_CANCEL": return .accepted
        case "PARTIALLY_FILLED": return .partiallyFilled
        case "FILLED": return .filled
        case "CANCELED": return .canceled
        case "REJECTED": return .rejected
        case "EXPIRED", "EXPIRED_IN_MATCH": return .expired
        default: throw .invalidValue("status", "unknown Binance order status '\(status)'")
        }
    }

    /// An order object from `order.place`/`order.cancel`/`order.status` results (a cancel's
    /// `clientOrderId` is the cancel's own id; the order's is `origClientOrderId`).
    static func orderResult(_ r: JSONNode) throws(VenueParseError) -> VenueOrderState {
        guard r.isObject else { throw .unexpected("Binance result is not an order object") }
        let status = try r["status"].requiredText("status")
        let filled = try r["executedQty"].decimal("executedQty")
        return VenueOrderState(venueClientOrderID: r["origClientOrderId"].nonEmptyText ?? r["clientOrderId"].nonEmptyText,
                               venueOrderID: r["orderId"].text, state: try state(status), filledSize: filled)
    }

    /// A user-data `executionReport` (`C` is the original id on cancels, `c` otherwise).
    static func executionReport(_ e: JSONNode) throws(VenueParseError) -> VenueOrderState {
        let status = try e["X"].requiredText("X")
        let reason = e["r"].text.flatMap { $0 == "NONE" ? nil : $0 }
        return VenueOrderState(venueClientOrderID: e["C"].nonEmptyText ?? e["c"].nonEmptyText, venueOrderID: e["i"].text,
                               state: try state(status), filledSize: try e["z"].decimal("z"),
                               averagePrice: nil, reason: reason)
    }
}
