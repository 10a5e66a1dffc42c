import MarketModel
import VenueKit

// Bitfinex v2 order entry on the authenticated socket (VENUES.md §8.6–8.7; BFX-GIST, BFX-GEN), on
// `wss://api.bitfinex.com/ws/2`. Orders are inputs on channel 0 identified by a numeric client id
// `cid` (unique per UTC day, so cancels also name `cid_date`); acks arrive as `n` notifications and
// order events. Shapes used:
//
//   → {"event":"auth","apiKey":"…","authSig":"<hex HMAC-SHA384(secret, "AUTH" + nonce)>","authNonce":1700000000000000,"authPayload":"AUTH1700000000000000"}
//   ← {"event":"auth","status":"OK","chanId":0,"userId":1,"auth_id":"…","caps":{…}}
//   ← {"event":"auth","status":"FAILED","chanId":0,"msg":"apikey: invalid","code":10100}
//   ← [0,"os",[[ID,GID,CID,SYMBOL,MTS_CREATE,MTS_UPDATE,AMOUNT,AMOUNT_ORIG,TYPE,TYPE_PREV,MTS_TIF,_,FLAGS,STATUS,_,_,PRICE,PRICE_AVG,…],…]]
//   → [0,"on",null,{"cid":12345,"type":"EXCHANGE LIMIT","symbol":"tBTCUSD","amount":"0.1","price":"100"}]
//   ← [0,"n",[1575289447641,"on-req",null,null,[ORDER],null,"SUCCESS","Submitting exchange limit buy order for 0.1 BTC."]]
//   ← [0,"on",[ORDER]]  [0,"ou",[ORDER]]  [0,"oc",[ORDER]]  [0,"te",[TRADE]]  [0,"tu",[TRADE]]  [0,"hb"]
//   → [0,"oc",null,{"cid":12345,"cid_date":"2016-12-05"}]
//   ← [0,"n",[1575291219660,"oc-req",null,null,[null,null,12345,…],null,"ERROR","Order not found."]]
//   → [0,"oc_multi",null,{"all":1}]
//
// Bitfinex has no request ids: a notification is reported as the response to the request whose
// id is the order's `cid` (decimal text) — callers use the cid as the request id for `on`/`oc` —
// and an `oc_multi-req` notification as the response to request id `oc_multi`. `cid_date` is the
// UTC date of `context.now`, so an order placed before midnight UTC must be canceled before it (or
// by order id, which this contract does not carry). Not supported: a status query (the `os`
// snapshot after each auth lists open orders) and cancel-all of one symbol. `te`/`tu` trade
// events are not reported: the `ou`/`oc` order events carry the cumulative fill.

extension Bitfinex: OrderRouting {
    /// Bitfinex v2 authenticated order entry (VENUES.md §8.6).
    public static let orderSpec = OrderEntrySpec(
        venue: .bitfinex, url: "wss://api.bitfinex.com/ws/2",
        limits: [
            // VENUES.md §8.6: Bitfinex publishes no order-input rate limit. Assumed, conservative budget
            // (90 a minute, REST's order-endpoint scale); the venue answers ERR_RATE_LIMIT when exceeded.
            OrderRateLimit(name: "assumed orders/min", scope: .account, capacity: 90, interval: Interval.minutes(1),
                           appliesTo: [.place, .cancel, .cancelAll]),
        ],
        keepAlive: .heartbeatChannel(expectedEvery: Interval.seconds(15)),
        clientOrderIDFormat: .numeric,  // cid: int45, unique per UTC day
        supportsCancelAll: true)

    /// The largest `cid` (int45).
    static let maxClientOrderID: Int64 = (1 << 45) - 1

    /// `{"event":"auth",…}` with `authNonce` = `now` in µs.
    public func loginFrames(context: OrderFrameContext) throws(OrderRoutingError) -> [OutboundMessage] {
        let nonce = OrderText.microseconds(context.now)
        let payload = "AUTH\(nonce)"
        let signature = HMAC.hex(.sha384, secret: context.credentials.secret, message: payload)
        return [OutboundMessage(text: "{\"event\":\"auth\",\"apiKey\":\(OrderText.quoted(context.credentials.apiKey)),\"authSig\":\"\(signature)\","
            + "\"authNonce\":\(nonce),\"authPayload\":\"\(payload)\"}")]
    }

    /// `[0,"on",null,{cid,type,symbol,amount,price[,flags]}]`: `amount` is negative for sells;
    /// types `EXCHANGE LIMIT|IOC|FOK|MARKET` (spot) or without `EXCHANGE ` (derivatives); post-only
    /// is flag 4096.
    public func placeFrame(_ order: VenueOrder, context: OrderFrameContext) throws(OrderRoutingError) -> OutboundMessage {
        try OrderText.checkOrder(order, venue: .bitfinex)
        let cid = try Self.clientOrderID(order.venueClientOrderID)
        let prefix = order.symbol.kind == .spot ? "EXCHANGE " : ""
        let type: String
        var flags: Int?
        switch (order.type, order.timeInForce) {
        case (.market, .postOnly): throw OrderRoutingError("bitfinex: a market order cannot be post-only")
        case (.market, _): type = "MARKET"
        case (.limit, .gtc): type = "LIMIT"
        case (.limit, .ioc): type = "IOC"
        case (.limit, .fok): type = "FOK"
        case (.limit, .postOnly): type = "LIMIT"; flags = 4096
        }
        let amount = order.side == .buy ? order.size : order.size.negated
        var fields = "\"cid\":\(cid),\"type\":\"\(prefix)\(type)\",\"symbol\":\(OrderText.quoted(try orderSymbol(order.symbol))),"
            + "\"amount\":\"\(OrderText.decimal(amount))\""
        if order.type == .limit, let price = order.price { fields += ",\"price\":\"\(OrderText.decimal(price))\"" }
        if let flags { fields += ",\"flags\":\(flags)" }
        return OutboundMessage(text: "[0,\"on\",null,{\(fields)}]")
    }

    /// `[0,"oc",null,{"cid":…,"cid_date":"yyyy-MM-dd"}]` (date of `context.now`, UTC).
    public func cancelFrame(venueClientOrderID: String, symbol: Symbol, context: OrderFrameContext) throws(OrderRoutingError) -> OutboundMessage {
        let cid = try Self.clientOrderID(venueClientOrderID)
        return OutboundMessage(text: "[0,\"oc\",null,{\"cid\":\(cid),\"cid_date\":\"\(OrderText.utcDate(context.now))\"}]")
    }

    /// `[0,"oc_multi",null,{"all":1}]` (every order: `oc_multi` has no symbol filter, so a symbol is refused).
    public func cancelAllFrame(symbol: Symbol?, context: OrderFrameContext) throws(OrderRoutingError) -> OutboundMessage {
        guard symbol == nil else { throw OrderRoutingError("bitfinex: oc_multi has no symbol filter; cancel one symbol's orders one by one") }
        return OutboundMessage(text: #"[0,"oc_multi",null,{"all":1}]"#)
    }

    /// Unsupported: no WebSocket order query (the `os` snapshot after each auth lists open orders).
    public func statusFrame(venueClientOrderID: String, symbol: Symbol, context: OrderFrameContext) throws(OrderRoutingError) -> OutboundMessage {
        throw OrderRoutingError("bitfinex: no WebSocket order status query; re-authenticate for an os snapshot or use REST")
    }

    /// Parses auth/info/error events and channel-0 messages:
    /// ```
    /// {"event":"auth","status":"OK","chanId":0,"userId":1,"auth_id":"a1b2"}
    /// [0,"n",[1575289447641,"on-req",null,null,[1185815098,null,12345,"tBTCUSD",1575289447641,1575289447641,0.1,0.1,"EXCHANGE LIMIT",null,null,null,0,"ACTIVE",null,null,100,0],null,"SUCCESS","Submitting exchange limit buy order for 0.1 BTC."]]
    /// [0,"oc",[1185815098,null,12345,"tBTCUSD",1575289447641,1575289458000,0,0.1,"EXCHANGE LIMIT",null,null,null,0,"EXECUTED @ 100.0(0.1)",null,null,100,100]]
    /// [0,"hb"]
    /// ```
    public mutating func parseOrderMessage(_ message: UnsafeRawBufferPointer, tsRecv: Nanoseconds,
                                           into output: inout [OrderVenueEvent]) throws(VenueParseError) {
        let root = try JSONNode.parse(message)
        if root.isObject {
            let event = try root["event"].requiredText("event")
            let reason = "code \(root["code"].text ?? "-"): \(root["msg"].text ?? "")"
            switch event {
            case "auth": output.append(root["status"].text == "OK" ? .loggedIn : .loginFailed(reason: reason))
            case "info", "conf": return
            case "pong": output.append(.heartbeat)
            case "error" where (root["msg"].text ?? "").contains("RATE_LIMIT"):
                output.append(.rateLimit(RateLimitFeedback(name: root["msg"].text)))
            default: throw .unexpected("Bitfinex event '\(event)' \(reason)")
            }
            return
        }
        guard let items = root.elements, let channel = items.first?.text else { throw .unexpected("Bitfinex message is neither an event nor a channel array") }
        guard channel == "0" else { throw .unexpected("Bitfinex channel \(channel) on the order connection") }
        guard let kind = root[1].text else { throw .missingField("message type") }
        switch kind {
        case "hb": output.append(.heartbeat)
        case "os":
            guard let orders = root[2].elements else { throw .missingField("os orders") }
            var updates: [OrderVenueEvent] = []
            for order in orders { updates.append(.update(try Self.orderState(order))) }
            output.append(contentsOf: updates)
        case "on", "ou", "oc":
            guard let order = root[2] else { throw .missingField("\(kind) order") }
            output.append(.update(try Self.orderState(order)))
        case "n":
            guard let notification = root[2], notification.elements != nil else { throw .missingField("notification") }
            if let event = try Self.notification(notification) { output.append(event) }
        default: return  // te/tu trades, wallets, positions, balance and margin info: not order state
        }
    }

    // MARK: - Helpers

    /// A `cid`: an integer in 1…2^45-1.
    static func clientOrderID(_ text: String) throws(OrderRoutingError) -> Int64 {
        guard OrderText.isInteger(text), let cid = Int64(text), cid > 0, cid <= maxClientOrderID else {
            throw OrderRoutingError("bitfinex: cid '\(text)' must be an integer in 1…\(maxClientOrderID)")
        }
        return cid
    }

    /// The `t…` symbol of a configured instrument.
    func orderSymbol(_ symbol: Symbol) throws(OrderRoutingError) -> String {
        guard let name = symbols.venueName(for: symbol) else { throw OrderRoutingError("bitfinex: symbol \(symbol) is not configured") }
        return name
    }

    /// `[MTS,TYPE,MESSAGE_ID,null,NOTIFY_INFO,CODE,STATUS,TEXT]` for `on-req` / `oc-req` /
    /// `oc_multi-req`; other notification types are not order responses (`nil`).
    /// Bitfinex echoes no request id: `on-req` / `oc-req` notifications name the order's `cid`,
    /// `oc_multi-req` nothing (reported as `"oc_multi"` by ``notification(_:)``).
    public static func replyCorrelationKey(kind: OrderRequestKind, venueClientOrderID: String?) -> String? {
        switch kind {
        case .place, .cancel, .status: return venueClientOrderID
        case .cancelAll: return "oc_multi"
        case .login: return nil
        }
    }

    static func notification(_ n: JSONNode) throws(VenueParseError) -> OrderVenueEvent? {
        guard let type = n[1].text else { throw .missingField("notification type") }
        guard type == "on-req" || type == "oc-req" || type == "oc_multi-req" else { return nil }
        let status = try n[6].requiredText("notification status")
        let text = n[7].text ?? ""
        let info = n[4]
        let requestID: String
        if type == "oc_multi-req" {
            requestID = "oc_multi"
        } else {
            guard let cid = info[2].nonEmptyText else { throw .missingField("cid") }
            requestID = cid
        }
        guard status != "SUCCESS" else {
            guard type == "on-req", let order = info, order[13] != nil, order[13] != .null else {
                return .response(requestID: requestID, .accepted(nil))
            }
            return .response(requestID: requestID, .accepted(try orderState(order)))
        }
        let reason = "\(status): \(text)"
        let lowered = text.lowercased()
        if lowered.contains("ratelimit") || lowered.contains("rate limit") || text.contains("ERR_RATE_LIMIT") {
            return .response(requestID: requestID, .rejected(reason: reason, rateLimited: true, retryAfter: nil))
        }
        if lowered.contains("not found") { return .response(requestID: requestID, .notFound(reason: reason)) }
        return .response(requestID: requestID, .rejected(reason: reason, rateLimited: false, retryAfter: nil))
    }

    /// An order array: filled = |AMOUNT_ORIG| − |AMOUNT|; the status text's first words decide the state.
    static func orderState(_ o: JSONNode) throws(VenueParseError) -> VenueOrderState {
        guard o.elements != nil else { throw .invalidValue("order", "expected an order array") }
        let status = try o[13].requiredText("order status")
        let state: OrderState
        if status.hasPrefix("ACTIVE") {
            state = .accepted
        } else if status.hasPrefix("EXECUTED") {
            state = .filled
        } else if status.hasPrefix("PARTIALLY FILLED") {
            state = .partiallyFilled
        } else if status.contains("CANCELED") || status.hasPrefix("INSUFFICIENT") || status.hasPrefix("RSN_") {
            state = .canceled
        } else {
            throw .invalidValue("order status", "unknown Bitfinex order status '\(status)'")
        }
        var filled: FixedDecimal?
        if let remaining = try o[6].decimal("AMOUNT"), let original = try o[7].decimal("AMOUNT_ORIG") {
            guard let difference = original.magnitude.subtracting(remaining.magnitude) else {
                throw .invalidValue("AMOUNT", "filled size overflows")
            }
            filled = difference
        }
        let average = try o[17].decimal("PRICE_AVG")
        return VenueOrderState(venueClientOrderID: o[2].nonEmptyText, venueOrderID: o[0].nonEmptyText, state: state, filledSize: filled,
                               averagePrice: average.flatMap { $0.isZero ? nil : $0 }, reason: state == .canceled ? status : nil)
    }
}
