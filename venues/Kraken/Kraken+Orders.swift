import MarketModel
import VenueKit

// Kraken spot WebSocket v2 order entry (VENUES.md §3.6–3.7; KR-WS, KR-TOKEN, NT-KR), on
// `wss://ws-auth.kraken.com/v2`. Every private request carries a WebSocket token that the REST API
// issues (`POST /0/private/GetWebSocketsToken`, use within 15 min; it stays valid while the
// connection lives). The caller fetches it with ``Kraken/webSocketsTokenRequest(credentials:nonce:)``
// and ``Kraken/parseWebSocketsToken(_:)`` and hands it to the router as
// ``VenueCredentials/passphrase`` (Kraken has no passphrase; the field is redacted like the secret).
// Shapes used (`req_id` is an integer, so request ids must be decimal digits):
//
//   → {"method":"subscribe","params":{"channel":"executions","token":"…","snap_orders":true,"snap_trades":false},"req_id":1}
//   ← {"method":"subscribe","result":{"channel":"executions","maxratecount":180,"snapshot":true},"success":true,"time_in":"…","time_out":"…","req_id":1}
//   → {"method":"add_order","params":{"order_type":"limit","side":"buy","order_qty":0.01,"symbol":"BTC/USD","limit_price":30000.0,
//      "time_in_force":"gtc","post_only":true,"cl_ord_id":"O1","token":"…"},"req_id":42}
//   ← {"method":"add_order","req_id":42,"success":true,"result":{"order_id":"OABCDE-12345-FGHIJ","cl_ord_id":"O1","order_userref":0},"time_in":"…","time_out":"…"}
//   ← {"method":"add_order","req_id":99,"success":false,"error":"EOrder:Insufficient funds","time_in":"…","time_out":"…"}
//   → {"method":"cancel_order","params":{"cl_ord_id":["O1"],"token":"…"},"req_id":43}
//   → {"method":"cancel_all","params":{"token":"…"},"req_id":44}       ← {"method":"cancel_all","req_id":44,"result":{"count":2},"success":true,…}
//   ← {"channel":"executions","type":"update","data":[{"order_id":"OABCDE-12345-FGHIJ","cl_ord_id":"O1","exec_type":"trade",
//      "order_status":"partially_filled","cum_qty":0.004,"avg_price":30000.0,…}]}
//
// Not supported over the WebSocket: an order status query (the `executions` snapshot on every
// (re)connect lists the open orders; closed ones need REST `QueryOrders`), cancel-all of one
// symbol (`cancel_all` cancels everything), and fill-or-kill (v2 `time_in_force` is gtc/gtd/ioc).

extension Kraken: OrderRouting {
    /// Kraken spot v2 order entry (VENUES.md §3.6).
    public static let orderSpec = OrderEntrySpec(
        venue: .kraken, url: "wss://ws-auth.kraken.com/v2",
        limits: [
            // NT-KR-RL / KR-CLI: per-pair trading counter, Starter tier threshold 60 decaying 1/s; each
            // add adds 1 and a cancel its penalty (below). Modelled as that counter account-wide
            // (one counter for every pair: never above any pair's).
            OrderRateLimit(name: "trading-counter", scope: .account, capacity: 60, interval: Interval.minutes(1),
                           appliesTo: [.place, .cancel, .cancelAll], decayInterval: Interval.seconds(1)),
        ],
        keepAlive: .applicationPing(payload: #"{"method":"ping"}"#, every: Interval.seconds(20)),
        clientOrderIDFormat: .alphanumeric(maxLength: 18),  // cl_ord_id: UUID, 32-hex short UUID, or ≤ 18 characters of free text
        supportsCancelAll: true,
        // NT-KR-RL / KR-CLI: a cancel adds a penalty by the order's age (+8 under 5 s … +1 under
        // 300 s, 0 after). Charged at least 1, the counter's cost of any request.
        cancelPenalty: CancelPenalty(steps: [(Interval.seconds(5), 8), (Interval.seconds(10), 6), (Interval.seconds(15), 5),
                                            (Interval.seconds(45), 4), (Interval.seconds(90), 2)], otherwise: 1))

    /// Subscribes the `executions` channel with an open-orders snapshot (its ack is the login answer).
    public func loginFrames(context: OrderFrameContext) throws(OrderRoutingError) -> [OutboundMessage] {
        let params = "{\"channel\":\"executions\",\"token\":\(OrderText.quoted(try Self.token(context))),\"snap_orders\":true,\"snap_trades\":false}"
        return [try Self.request("subscribe", params, context: context)]
    }

    /// `add_order`: `time_in_force` gtc / ioc, `post_only` for post-only; `order_qty` and
    /// `limit_price` as JSON numbers with the given digits.
    public func placeFrame(_ order: VenueOrder, context: OrderFrameContext) throws(OrderRoutingError) -> OutboundMessage {
        try OrderText.checkOrder(order, venue: .kraken)
        try OrderText.checkClientOrderID(order.venueClientOrderID, venue: .kraken, maxLength: 18)
        var params = "\"order_type\":\"\(order.type == .limit ? "limit" : "market")\",\"side\":\"\(order.side == .buy ? "buy" : "sell")\","
            + "\"order_qty\":\(OrderText.decimal(order.size)),\"symbol\":\(OrderText.quoted(try orderSymbol(order.symbol)))"
        if order.type == .limit, let price = order.price { params += ",\"limit_price\":\(OrderText.decimal(price))" }
        switch (order.type, order.timeInForce) {
        case (_, .fok): throw OrderRoutingError("kraken: fill-or-kill is not a v2 time_in_force")
        case (.market, .postOnly): throw OrderRoutingError("kraken: a market order cannot be post-only")
        case (.market, _): break
        case (.limit, .gtc): params += #","time_in_force":"gtc""#
        case (.limit, .ioc): params += #","time_in_force":"ioc""#
        case (.limit, .postOnly): params += #","time_in_force":"gtc","post_only":true"#
        }
        params += ",\"cl_ord_id\":\(OrderText.quoted(order.venueClientOrderID)),\"token\":\(OrderText.quoted(try Self.token(context)))"
        return try Self.request("add_order", "{\(params)}", context: context)
    }

    /// `cancel_order` by `cl_ord_id`.
    public func cancelFrame(venueClientOrderID: String, symbol: Symbol, context: OrderFrameContext) throws(OrderRoutingError) -> OutboundMessage {
        _ = try orderSymbol(symbol)
        return try Self.request("cancel_order", "{\"cl_ord_id\":[\(OrderText.quoted(venueClientOrderID))],\"token\":\(OrderText.quoted(try Self.token(context)))}",
                                context: context)
    }

    /// `cancel_all` (every symbol: Kraken has no per-symbol cancel-all, so a symbol is refused).
    public func cancelAllFrame(symbol: Symbol?, context: OrderFrameContext) throws(OrderRoutingError) -> OutboundMessage {
        guard symbol == nil else { throw OrderRoutingError("kraken: cancel_all cancels every symbol; cancel one symbol's orders one by one") }
        return try Self.request("cancel_all", "{\"token\":\(OrderText.quoted(try Self.token(context)))}", context: context)
    }

    /// Unsupported: no WebSocket order query (the `executions` snapshot after a reconnect, or REST `QueryOrders`).
    public func statusFrame(venueClientOrderID: String, symbol: Symbol, context: OrderFrameContext) throws(OrderRoutingError) -> OutboundMessage {
        throw OrderRoutingError("kraken: no WebSocket order status query; reconnect for an executions snapshot or use REST QueryOrders")
    }

    /// Parses method replies, `executions` snapshots/updates, heartbeats and pongs:
    /// ```
    /// {"method":"add_order","req_id":42,"success":true,"result":{"order_id":"OABCDE-12345-FGHIJ","cl_ord_id":"O1"},"time_in":"…","time_out":"…"}
    /// {"method":"cancel_order","req_id":43,"success":false,"error":"EOrder:Unknown order","time_in":"…","time_out":"…"}
    /// {"channel":"executions","type":"update","data":[{"order_id":"OABCDE-12345-FGHIJ","cl_ord_id":"O1","exec_type":"filled","order_status":"filled","cum_qty":0.01,"avg_price":30000.0}]}
    /// ```
    public mutating func parseOrderMessage(_ message: UnsafeRawBufferPointer, tsRecv: Nanoseconds,
                                           into output: inout [OrderVenueEvent]) throws(VenueParseError) {
        let root = try JSONNode.parse(message)
        guard root.isObject else { throw .unexpected("Kraken order message is not an object") }
        if let channel = root["channel"].text {
            switch channel {
            case "heartbeat": output.append(.heartbeat)
            case "status": return
            case "executions":
                guard let data = root["data"].elements else { throw .missingField("data") }
                var updates: [OrderVenueEvent] = []
                for entry in data {
                    if let state = try Self.execution(entry) { updates.append(.update(state)) }
                }
                output.append(contentsOf: updates)
            default: throw .unexpected("Kraken channel '\(channel)' on the order connection")
            }
            return
        }
        let method = try root["method"].requiredText("method")
        let success = root["success"] == .bool(true)
        let error = root["error"].text ?? ""
        switch method {
        case "pong": output.append(.heartbeat)
        case "subscribe":
            guard success else { output.append(.loginFailed(reason: error)); return }
            output.append(.loggedIn)
            if let count = try root["result"]["maxratecount"].int64("maxratecount") {
                output.append(.rateLimit(RateLimitFeedback(name: "trading-counter", limit: Int(count))))
            }
        case "unsubscribe": return
        case "add_order", "cancel_order", "cancel_all", "batch_add", "amend_order", "cancel_after":
            guard let id = root["req_id"].text else { throw .missingField("req_id") }
            let response: OrderResponse
            if success {
                let result = root["result"]
                response = method == "add_order"
                    ? .accepted(VenueOrderState(venueClientOrderID: result["cl_ord_id"].nonEmptyText, venueOrderID: result["order_id"].nonEmptyText, state: .accepted))
                    : .accepted(nil)
            } else if Self.isRateLimit(error) {
                response = .rejected(reason: error, rateLimited: true, retryAfter: nil)
            } else if error.hasPrefix("EOrder:Unknown order") {
                response = .notFound(reason: error)
            } else {
                response = .rejected(reason: error, rateLimited: false, retryAfter: nil)
            }
            output.append(.response(requestID: id, response))
        default:
            throw .unexpected("Kraken method '\(method)': \(error)")
        }
    }

    // MARK: - REST token

    /// The signed `POST https://api.kraken.com/0/private/GetWebSocketsToken` request and its
    /// form body (`nonce=…`): `API-Key`, and `API-Sign` = base64(HMAC-SHA512(base64decode(secret),
    /// path + SHA256(nonce + postdata))). Throws when the secret is not base64.
    public static func webSocketsTokenRequest(credentials: VenueCredentials, nonce: Int64) throws(OrderRoutingError) -> (request: RESTRequest, body: String) {
        let path = "/0/private/GetWebSocketsToken"
        let body = "nonce=\(nonce)"
        guard let signature = restSignature(secret: credentials.secret, path: path, nonce: String(nonce), postData: body) else {
            throw OrderRoutingError("kraken: the API secret is not base64")
        }
        let request = RESTRequest(method: "POST", url: "https://api.kraken.com" + path,
                                  headers: ["API-Key": credentials.apiKey, "API-Sign": signature,
                                            "Content-Type": "application/x-www-form-urlencoded"])
        return (request, body)
    }

    /// Kraken REST `API-Sign`; `nil` when the secret is not base64.
    public static func restSignature(secret: String, path: String, nonce: String, postData: String) -> String? {
        guard let key = Base64.decode(secret) else { return nil }
        let message = Array(path.utf8) + Digest.sha256(nonce + postData)
        return Base64.encode(HMAC.authenticationCode(.sha512, key: key, message: message))
    }

    /// The token from `{"error":[],"result":{"token":"…","expires":900}}`; a non-empty `error`
    /// array is reported as an unexpected message naming the errors.
    public static func parseWebSocketsToken(_ body: UnsafeRawBufferPointer) throws(VenueParseError) -> String {
        let root = try JSONNode.parse(body)
        if let errors = root["error"].elements, !errors.isEmpty {
            throw .unexpected("Kraken GetWebSocketsToken error: \(errors.compactMap(\.text).joined(separator: ", "))")
        }
        return try root["result"]["token"].requiredText("result.token")
    }

    // MARK: - Helpers

    /// The WebSocket token (``VenueCredentials/passphrase``).
    static func token(_ context: OrderFrameContext) throws(OrderRoutingError) -> String {
        guard let token = context.credentials.passphrase, !token.isEmpty else {
            throw OrderRoutingError("kraken: no WebSocket token (fetch GetWebSocketsToken and pass it as credentials.passphrase)")
        }
        return token
    }

    /// `{"method":…,"params":…,"req_id":<integer>}`.
    static func request(_ method: String, _ params: String, context: OrderFrameContext) throws(OrderRoutingError) -> OutboundMessage {
        guard OrderText.isInteger(context.requestID) else { throw OrderRoutingError("kraken: req_id must be an integer, got '\(context.requestID)'") }
        return OutboundMessage(text: "{\"method\":\"\(method)\",\"params\":\(params),\"req_id\":\(context.requestID)}")
    }

    /// The `BASE/QUOTE` name of a configured symbol.
    func orderSymbol(_ symbol: Symbol) throws(OrderRoutingError) -> String {
        guard let name = symbols.venueName(for: symbol) else { throw OrderRoutingError("kraken: symbol \(symbol) is not configured") }
        return name
    }

    /// §3.7 / NT-KR-RL: "EAPI:Rate limit exceeded", "EOrder:Rate limit exceeded", "Exceeded msg rate".
    static func isRateLimit(_ error: String) -> Bool {
        error.contains("Rate limit") || error.contains("rate limit") || error.contains("Exceeded msg rate")
    }

    /// One `executions` entry; `nil` for entries that change no order state (amend/restate notices).
    static func execution(_ e: JSONNode) throws(VenueParseError) -> VenueOrderState? {
        let status = e["order_status"].nonEmptyText ?? e["exec_type"].nonEmptyText
        guard let status else { throw .missingField("order_status") }
        let state: OrderState
        switch status {
        case "pending_new", "new": state = .accepted
        case "partially_filled": state = .partiallyFilled
        case "filled": state = .filled
        case "canceled": state = .canceled
        case "expired": state = .expired
        case "trade", "amended", "restated", "status", "iceberg_refill": return nil
        default: throw .invalidValue("order_status", "unknown Kraken order status '\(status)'")
        }
        let average = try e["avg_price"].decimal("avg_price")
        let reason = state == .canceled || state == .expired ? e["reason"].nonEmptyText : nil
        return VenueOrderState(venueClientOrderID: e["cl_ord_id"].nonEmptyText, venueOrderID: e["order_id"].nonEmptyText, state: state,
                               filledSize: try e["cum_qty"].decimal("cum_qty"),
                               averagePrice: average.flatMap { $0.isZero ? nil : $0 }, reason: reason)
    }
}
