import MarketModel
import VenueKit

// Deribit order entry over JSON-RPC 2.0 (VENUES.md §6.6–6.7; DB-AUTH, DB-SIG, DB-HB, DB-RL, NT-DB), on
// `wss://www.deribit.com/ws/api/v2`. Client order ids travel as `label`. Shapes used:
//
//   → {"jsonrpc":"2.0","id":"auth-1","method":"public/auth","params":{"grant_type":"client_signature","client_id":"…",
//      "timestamp":1576074319000,"signature":"<hex HMAC-SHA256(secret, ts + "\n" + nonce + "\n" + data)>","nonce":"1","data":""}}
//   → {"jsonrpc":"2.0","id":"hb-1","method":"public/set_heartbeat","params":{"interval":30}}
//   ← {"jsonrpc":"2.0","id":"auth-1","result":{"access_token":"…","expires_in":31536000,"refresh_token":"…","scope":"…","token_type":"bearer"}}
//   → {"jsonrpc":"2.0","id":"sub-orders","method":"private/subscribe","params":{"channels":["user.orders.any.any.raw"]}}   (sent on auth success;
//     its answer, not the auth's, marks the connection logged in)
//   → {"jsonrpc":"2.0","id":3,"method":"private/buy","params":{"instrument_name":"ETH_USDC-PERPETUAL","amount":0.001,"type":"limit",
//      "label":"O-1","price":2973.55,"time_in_force":"good_til_cancelled","post_only":true,"reject_post_only":true}}
//   ← {"jsonrpc":"2.0","id":3,"result":{"order":{"order_id":"USDC-104819327443","order_state":"open","label":"O-1","filled_amount":0.0,…},"trades":[]},…}
//   → {"jsonrpc":"2.0","id":4,"method":"private/cancel_by_label","params":{"label":"O-1"}}                ← {"id":4,"result":1}
//   → {"jsonrpc":"2.0","id":"all-5","method":"private/cancel_all","params":{}}                           ← {"id":"all-5","result":3}
//   → {"jsonrpc":"2.0","id":6,"method":"private/get_order_state_by_label","params":{"currency":"ETH","label":"O-1"}}  ← {"id":6,"result":[{order}]}
//   ← {"jsonrpc":"2.0","id":7,"error":{"message":"too_many_requests","code":10028},…}
//   ← {"jsonrpc":"2.0","method":"subscription","params":{"channel":"user.orders.any.any.raw","data":{order}}}
//   ← {"jsonrpc":"2.0","method":"heartbeat","params":{"type":"test_request"}}   → {"jsonrpc":"2.0","id":"test","method":"public/test","params":{}}
//
// Ids: the caller's request id is sent as a JSON number when it is all digits, else as a string.
// Login, heartbeat, subscription and cancel-all use prefixed string ids (`auth-`, `hb-`,
// `sub-orders`, `all-`) so their answers are told apart without remembering requests: a
// `cancel_by_label` count of 0 means "not found" while a `cancel_all` count of 0 does not.
// The auth nonce is the request id. `get_order_state_by_label` needs a currency: the base for USD
// (inverse) instruments, the quote otherwise (`ETH_USDC-PERPETUAL` → `USDC`).

extension Deribit: OrderRouting {
    /// Deribit order entry (VENUES.md §6.6; limits from NT-DB-RL's default-tier constants).
    public static let orderSpec = OrderEntrySpec(
        venue: .deribit, url: "wss://www.deribit.com/ws/api/v2",
        limits: [
            // NT-DB-RL: matching engine ~5 req/s with a burst of 20 (default tier) → 20 per 4 s.
            OrderRateLimit(name: "matching-engine", scope: .account, capacity: 20, interval: Interval.seconds(4),
                           appliesTo: [.place, .cancel, .cancelAll]),
            // NT-DB-RL: non-matching 500 credits a request, pool 50 000, refill 10 000/s → 100 per 5 s.
            OrderRateLimit(name: "non-matching", scope: .account, capacity: 100, interval: Interval.seconds(5),
                           appliesTo: [.status, .login]),
        ],
        keepAlive: .deribitHeartbeat(interval: Interval.seconds(30)),
        clientOrderIDFormat: .alphanumeric(maxLength: 64),  // `label`: at most 64 characters
        supportsCancelAll: true)

    /// The private order subscription sent once `public/auth` succeeds.
    static let ordersSubscription = #"{"jsonrpc":"2.0","id":"sub-orders","method":"private/subscribe","params":{"channels":["user.orders.any.any.raw"]}}"#

    /// `public/auth` (`client_signature`, so the secret never travels) and `public/set_heartbeat`.
    public func loginFrames(context: OrderFrameContext) throws(OrderRoutingError) -> [OutboundMessage] {
        let timestamp = OrderText.milliseconds(context.now)
        let nonce = context.requestID
        let signature = Self.authSignature(secret: context.credentials.secret, timestamp: timestamp, nonce: nonce, data: "")
        let auth = "{\"jsonrpc\":\"2.0\",\"id\":\(OrderText.quoted("auth-" + context.requestID)),\"method\":\"public/auth\",\"params\":{"
            + "\"grant_type\":\"client_signature\",\"client_id\":\(OrderText.quoted(context.credentials.apiKey)),\"timestamp\":\(timestamp),"
            + "\"signature\":\"\(signature)\",\"nonce\":\(OrderText.quoted(nonce)),\"data\":\"\"}}"
        let heartbeat = "{\"jsonrpc\":\"2.0\",\"id\":\(OrderText.quoted("hb-" + context.requestID)),\"method\":\"public/set_heartbeat\",\"params\":{\"interval\":30}}"
        return [OutboundMessage(text: auth), OutboundMessage(text: heartbeat)]
    }

    /// `private/buy` / `private/sell` with `label`; post-only orders are rejected rather than repriced.
    public func placeFrame(_ order: VenueOrder, context: OrderFrameContext) throws(OrderRoutingError) -> OutboundMessage {
        try OrderText.checkOrder(order, venue: .deribit)
        try OrderText.checkClientOrderID(order.venueClientOrderID, venue: .deribit, maxLength: 64)
        var params = "\"instrument_name\":\(OrderText.quoted(try orderInstrument(order.symbol))),\"amount\":\(OrderText.decimal(order.size)),"
            + "\"type\":\"\(order.type == .limit ? "limit" : "market")\",\"label\":\(OrderText.quoted(order.venueClientOrderID))"
        if order.type == .limit {
            if let price = order.price { params += ",\"price\":\(OrderText.decimal(price))" }
            switch order.timeInForce {
            case .gtc: params += #","time_in_force":"good_til_cancelled""#
            case .ioc: params += #","time_in_force":"immediate_or_cancel""#
            case .fok: params += #","time_in_force":"fill_or_kill""#
            case .postOnly: params += #","time_in_force":"good_til_cancelled","post_only":true,"reject_post_only":true"#
            }
        } else if order.timeInForce == .postOnly {
            throw OrderRoutingError("deribit: a market order cannot be post-only")
        }
        return Self.request(id: Self.jsonID(context.requestID), order.side == .buy ? "private/buy" : "private/sell", "{\(params)}")
    }

    /// `private/cancel_by_label`.
    public func cancelFrame(venueClientOrderID: String, symbol: Symbol, context: OrderFrameContext) throws(OrderRoutingError) -> OutboundMessage {
        Self.request(id: Self.jsonID(context.requestID), "private/cancel_by_label", "{\"label\":\(OrderText.quoted(venueClientOrderID))}")
    }

    /// `private/cancel_all`, or `private/cancel_all_by_instrument` for one symbol.
    public func cancelAllFrame(symbol: Symbol?, context: OrderFrameContext) throws(OrderRoutingError) -> OutboundMessage {
        let id = OrderText.quoted("all-" + context.requestID)
        guard let symbol else { return Self.request(id: id, "private/cancel_all", "{}") }
        return Self.request(id: id, "private/cancel_all_by_instrument", "{\"instrument_name\":\(OrderText.quoted(try orderInstrument(symbol)))}")
    }

    /// `private/get_order_state_by_label` (currency from the symbol).
    public func statusFrame(venueClientOrderID: String, symbol: Symbol, context: OrderFrameContext) throws(OrderRoutingError) -> OutboundMessage {
        _ = try orderInstrument(symbol)
        let currency = symbol.quote == "USD" ? symbol.base : symbol.quote
        return Self.request(id: Self.jsonID(context.requestID), "private/get_order_state_by_label",
                            "{\"currency\":\(OrderText.quoted(currency)),\"label\":\(OrderText.quoted(venueClientOrderID))}")
    }

    /// Parses JSON-RPC replies, `user.orders` notifications and heartbeats:
    /// ```
    /// {"jsonrpc":"2.0","id":3,"result":{"order":{"order_id":"USDC-104819327443","order_state":"open","label":"O-1","filled_amount":0.0},"trades":[]}}
    /// {"jsonrpc":"2.0","id":7,"error":{"message":"too_many_requests","code":10028}}
    /// {"jsonrpc":"2.0","method":"subscription","params":{"channel":"user.orders.any.any.raw","data":{"order_id":"1","order_state":"filled","label":"O-1","filled_amount":1.0,"average_price":100.5}}}
    /// ```
    public mutating func parseOrderMessage(_ message: UnsafeRawBufferPointer, tsRecv: Nanoseconds,
                                           into output: inout [OrderVenueEvent]) throws(VenueParseError) {
        let root = try JSONNode.parse(message)
        guard root.isObject else { throw .unexpected("Deribit order message is not an object") }
        if let method = root["method"].text {
            switch method {
            case "heartbeat":
                output.append(.heartbeat)
                if root["params"]["type"].text == "test_request" {  // DB-HB: answer or be disconnected
                    output.append(.send(OutboundMessage(text: #"{"jsonrpc":"2.0","id":"test","method":"public/test","params":{}}"#)))
                }
            case "subscription":
                let data = root["params"]["data"]
                guard let data else { throw .missingField("params.data") }
                var updates: [OrderVenueEvent] = []
                for order in data.elements ?? [data] { updates.append(.update(try Self.orderState(order))) }
                output.append(contentsOf: updates)
            default: throw .unexpected("Deribit method '\(method)'")
            }
            return
        }
        guard let id = root["id"].text else { throw .missingField("id") }
        if let error = root["error"], !error.isNull {
            let code = try error["code"].int64("error.code") ?? 0
            var reason = "code \(code): \(error["message"].text ?? "")"
            if let detail = error["data"]["reason"].nonEmptyText { reason += " (\(detail))" }
            if id.hasPrefix("auth-") { output.append(.loginFailed(reason: reason)); return }
            if id == "sub-orders" { output.append(.loginFailed(reason: "user.orders subscription refused: \(reason)")); return }
            if id.hasPrefix("hb-") { throw .unexpected("Deribit \(id) failed: \(reason)") }
            let requestID = id.hasPrefix("all-") ? String(id.dropFirst(4)) : id
            let response: OrderResponse
            if code == 10028 {
                response = .rejected(reason: reason, rateLimited: true, retryAfter: nil)
            } else if code == 10004 || code == 11044 {  // order_not_found, not_open_order
                response = .notFound(reason: reason)
            } else {
                response = .rejected(reason: reason, rateLimited: false, retryAfter: nil)
            }
            output.append(.response(requestID: requestID, response))
            return
        }
        guard let result = root["result"] else { throw .missingField("result") }
        if id.hasPrefix("auth-") {
            guard result["access_token"] != nil else { throw .missingField("result.access_token") }
            // Authenticated: subscribe the order updates; orders may flow once that is answered
            // (an order filled before it would never be reported).
            output.append(.send(OutboundMessage(text: Self.ordersSubscription)))
        } else if id == "sub-orders" {
            output.append(.loggedIn)
        } else if id.hasPrefix("hb-") {
            return
        } else if id == "test" {
            output.append(.heartbeat)
        } else if id.hasPrefix("all-") {
            output.append(.response(requestID: String(id.dropFirst(4)), .accepted(nil)))
        } else if let orders = result.elements {  // get_order_state_by_label
            guard let last = orders.last else {
                output.append(.response(requestID: id, .notFound(reason: "no order with this label")))
                return
            }
            output.append(.response(requestID: id, .accepted(try Self.orderState(last))))
        } else if let order = result["order"] {  // buy/sell
            output.append(.response(requestID: id, .accepted(try Self.orderState(order))))
        } else if result.isObject {  // private/cancel (by order id)
            output.append(.response(requestID: id, .accepted(try Self.orderState(result))))
        } else {  // cancel_by_label: the number of orders canceled
            let count = try Optional(result).int64("result") ?? 0
            output.append(.response(requestID: id, count == 0 ? .notFound(reason: "no open order with this label") : .accepted(nil)))
        }
    }

    // MARK: - Helpers

    /// hex(HMAC-SHA256(secret, timestamp + "\n" + nonce + "\n" + data)) (DB-SIG).
    static func authSignature(secret: String, timestamp: Int64, nonce: String, data: String) -> String {
        HMAC.hex(.sha256, secret: secret, message: "\(timestamp)\n\(nonce)\n\(data)")
    }

    /// A request id as JSON: a number when it is all digits, else a string.
    static func jsonID(_ requestID: String) -> String {
        OrderText.isInteger(requestID) ? requestID : OrderText.quoted(requestID)
    }

    /// `{"jsonrpc":"2.0","id":…,"method":…,"params":…}`.
    static func request(id: String, _ method: String, _ params: String) -> OutboundMessage {
        OutboundMessage(text: "{\"jsonrpc\":\"2.0\",\"id\":\(id),\"method\":\(OrderText.quoted(method)),\"params\":\(params)}")
    }

    /// The instrument name of a configured symbol.
    func orderInstrument(_ symbol: Symbol) throws(OrderRoutingError) -> String {
        guard let name = symbols.venueName(for: symbol) else { throw OrderRoutingError("deribit: symbol \(symbol) is not configured") }
        return name
    }

    /// A Deribit order object (`order_state` open / filled / rejected / cancelled / untriggered).
    static func orderState(_ o: JSONNode) throws(VenueParseError) -> VenueOrderState {
        let stateText = try o["order_state"].requiredText("order_state")
        let filled = try o["filled_amount"].decimal("filled_amount")
        let state: OrderState
        switch stateText {
        case "open": state = (filled.map { !$0.isZero } ?? false) ? .partiallyFilled : .accepted
        case "untriggered", "triggered": state = .accepted
        case "filled": state = .filled
        case "cancelled": state = .canceled
        case "rejected": state = .rejected
        default: throw .invalidValue("order_state", "unknown Deribit order state '\(stateText)'")
        }
        let average = try o["average_price"].decimal("average_price")
        let reason = state == .canceled || state == .rejected ? (o["cancel_reason"].nonEmptyText ?? o["reject_reason"].nonEmptyText) : nil
        return VenueOrderState(venueClientOrderID: o["label"].nonEmptyText, venueOrderID: o["order_id"].nonEmptyText, state: state,
                               filledSize: filled, averagePrice: average.flatMap { $0.isZero ? nil : $0 }, reason: reason)
    }
}
