/// Bitfinex v2 authenticated WebSocket order entry (VENUES.md §8.6, [BFX-GIST]) at
/// `/bitfinex/orders` (the venue's `api.bitfinex.com/ws/2`): an `auth` event (hex HMAC-SHA384 of
/// `authPayload = "AUTH" + nonce`), then inputs on channel 0 (`on` new order with `cid`, `oc`
/// cancel by `id` or `cid`+`cid_date`, `oc_multi` with `all`), answered by `n` notifications
/// (`on-req`/`oc-req` SUCCESS or ERROR) and order events `on`/`ou`/`oc`, trades `te`/`tu`. There
/// is no status request: after `auth` the venue sends the `os` snapshot of open orders.
public struct BitfinexOrderDialect: SimulatedOrderDialect {
    private let connectionID: Int
    private var account: String?

    /// On the authenticated channel 0, every 15 s: `[0,"hb"]`.
    public var heartbeat: (intervalMilliseconds: Int64, frame: String)? { account == nil ? nil : (15_000, #"[0,"hb"]"#) }

    /// Creates the dialect for one connection.
    public init(role: SimulatedOrderConnectionRole, connectionID: Int) { self.connectionID = connectionID }

    /// `{"event":"info","version":2,"serverId":"sim-bitfinex-1","platform":{"status":1}}`
    public mutating func greeting(now: SimulatedOrderClock) -> [String] {
        ["{\"event\":\"info\",\"version\":2,\"serverId\":\"sim-bitfinex-\(connectionID)\",\"platform\":{\"status\":1}}"]
    }

    /// ```json
    /// {"event":"auth","apiKey":"…","authSig":"…hex…","authNonce":"1700000000000000","authPayload":"AUTH1700000000000000"}
    /// [0,"on",null,{"gid":1,"cid":12345,"type":"EXCHANGE LIMIT","symbol":"tBTCUSD","amount":"0.1","price":"100","hidden":0}]
    /// [0,"oc",null,{"cid":12345,"cid_date":"2026-05-05"}]
    /// [0,"oc_multi",null,{"all":1}]
    /// {"event":"ping","cid":1234}
    /// ```
    public mutating func handle(_ message: [UInt8], exchange: inout SimulatedExchange, now: SimulatedOrderClock) -> SimulatedDialectResult {
        guard let request = OrderJSON(parsing: message) else {
            return SimulatedDialectResult(replies: ["{\"event\":\"error\",\"msg\":\"malformed\",\"code\":10000}"])
        }
        if let event = request["event"]?.text {
            switch event {
            case "ping":
                return SimulatedDialectResult(replies: ["{\"event\":\"pong\",\"ts\":\(now.epochMilliseconds)" + (request["cid"].map { ",\"cid\":\($0.rendered)" } ?? "") + "}"])
            case "auth":
                return SimulatedDialectResult(replies: authenticate(request, exchange: exchange))
            default:
                return SimulatedDialectResult(replies: ["{\"event\":\"error\",\"msg\":\"unknown event\",\"code\":10000}"])
            }
        }
        guard request[0] == .number("0"), let input = request[1]?.text, let body = request[3] else {
            return SimulatedDialectResult(replies: ["{\"event\":\"error\",\"msg\":\"malformed\",\"code\":10000}"])
        }
        guard let account else {
            return SimulatedDialectResult(replies: [notification(now, type: "\(input)-req", info: Self.echo(body), status: "ERROR", text: "apikey: invalid")])
        }
        switch input {
        case "on":
            return SimulatedDialectResult(replies: [newOrder(body, account: account, exchange: &exchange, now: now)])
        case "oc":
            let target: SimulatedOrder?
            if let id = body["id"]?.int64 {
                target = exchange.order(account: account, orderID: id)
            } else if let cid = body["cid"]?.text {
                target = exchange.order(account: account, clientOrderID: cid)
            } else {
                target = nil
            }
            guard let order = exchange.cancel(account: account, orderID: target?.orderID, now: now) else {
                return SimulatedDialectResult(replies: [notification(now, type: "oc-req", info: Self.echo(body), status: "ERROR", text: "Order not found.")])
            }
            return SimulatedDialectResult(replies: [notification(now, type: "oc-req", info: Self.orderArray(order), status: "SUCCESS",
                                                                 text: "Submitted for cancellation; waiting for confirmation (ID: \(order.orderID)).")])
        case "oc_multi":
            if body["all"]?.isTrue == true {
                _ = exchange.cancelAll(account: account, now: now)
            } else {
                for id in (body["id"]?.items ?? []).compactMap(\.int64) { _ = exchange.cancel(account: account, orderID: id, now: now) }
                for pair in body["cid"]?.items ?? [] {
                    if let cid = pair[0]?.text { _ = exchange.cancel(account: account, clientOrderID: cid, now: now) }
                }
            }
            return SimulatedDialectResult(replies: [notification(now, type: "oc_multi-req", info: "null", status: "SUCCESS",
                                                                 text: "Submitted for cancellation; waiting for confirmation.")])
        default:
            return SimulatedDialectResult(replies: [notification(now, type: "\(input)-req", info: Self.echo(body), status: "ERROR", text: "Invalid input.")])
        }
    }

    /// `{"event":"auth","status":"OK","chanId":0,"userId":1,"auth_id":"…","caps":{"orders":{"read":1,"write":1}}}`, then
    /// `[0,"os",[[…order…],…]]`; or `{"event":"auth","status":"FAILED","chanId":0,"msg":"apikey: digest invalid","code":10100}`.
    private mutating func authenticate(_ request: OrderJSON, exchange: SimulatedExchange) -> [String] {
        func failed(_ message: String) -> [String] { ["{\"event\":\"auth\",\"status\":\"FAILED\",\"chanId\":0,\"msg\":\"\(message)\",\"code\":10100}"] }
        guard let apiKey = request["apiKey"]?.text, let candidate = exchange.account(apiKey: apiKey) else { return failed("apikey: invalid") }
        guard let payload = request["authPayload"]?.text, let nonce = request["authNonce"]?.text, payload == "AUTH" + nonce,
              let signature = request["authSig"]?.text,
              OrderSigning.hexEqual(OrderSigning.hex(.sha384, secret: candidate.secret, message: payload), signature) else {
            return failed("apikey: digest invalid")
        }
        account = apiKey
        let open = exchange.openOrders(account: apiKey).map(Self.orderArray)
        return ["{\"event\":\"auth\",\"status\":\"OK\",\"chanId\":0,\"userId\":1,\"auth_id\":\"sim-auth-\(connectionID)\",\"caps\":{\"orders\":{\"read\":1,\"write\":1}}}",
                "[0,\"os\",[\(open.joined(separator: ","))]]"]
    }

    private func newOrder(_ body: OrderJSON, account: String, exchange: inout SimulatedExchange, now: SimulatedOrderClock) -> String {
        let echo = "[null,null,\(body["cid"]?.rendered ?? "null"),\(body["symbol"]?.rendered ?? "null"),null,null,\(body["amount"]?.rendered ?? "null"),"
            + "\(body["amount"]?.rendered ?? "null"),\(body["type"]?.rendered ?? "null"),null,null,null,0,null,null,null,\(body["price"]?.rendered ?? "null")]"
        guard let symbol = body["symbol"]?.text, let type = body["type"]?.text, let cid = body["cid"]?.int64.map(String.init),
              var amount = body["amount"]?.text.flatMap(SimulatedDecimal.init(parsing:)) else {
            return notification(now, type: "on-req", info: echo, status: "ERROR", text: "Invalid order: arguments invalid")
        }
        if case .limited = exchange.admit(.place, account: account, symbol: symbol, now: now) {
            return notification(now, type: "on-req", info: echo, status: "ERROR", text: "ERR_RATE_LIMIT")
        }
        let side: SimulatedOrderSide = amount.units < 0 ? .sell : .buy
        amount = SimulatedDecimal(units: amount.units.magnitude > UInt64(Int64.max) ? 0 : Int64(amount.units.magnitude))
        let isMarket = type.hasSuffix("MARKET")
        var timeInForce = SimulatedTimeInForce.goodTillCanceled
        if type.hasSuffix("IOC") { timeInForce = .immediateOrCancel }
        if type.hasSuffix("FOK") { timeInForce = .fillOrKill }
        if let flags = body["flags"]?.int64, flags & 4096 != 0 { timeInForce = .postOnly }
        let price = isMarket ? nil : body["price"]?.text.flatMap(SimulatedDecimal.init(parsing:))
        switch exchange.place(SimulatedOrderRequest(account: account, clientOrderID: cid, symbol: symbol, side: side, type: isMarket ? .market : .limit,
                                                    price: price, quantity: amount, timeInForce: timeInForce, venueTag: type), now: now) {
        case .success(let order):
            let words = type.lowercased()
            return notification(now, type: "on-req", info: Self.orderArray(order, asAccepted: true), status: "SUCCESS",
                                text: "Submitting \(words) \(side.rawValue) order for \(amount) \(Self.base(symbol)).")
        case .failure(.duplicateClientOrderID):
            return notification(now, type: "on-req", info: echo, status: "ERROR", text: "Invalid order: duplicate cid")
        case .failure(.wouldTakeLiquidity):
            return notification(now, type: "on-req", info: echo, status: "ERROR", text: "Invalid order: post-only order would take liquidity")
        case .failure(.invalidQuantity):
            return notification(now, type: "on-req", info: echo, status: "ERROR", text: "Invalid order: amount invalid")
        case .failure(.invalidPrice):
            return notification(now, type: "on-req", info: echo, status: "ERROR", text: "Invalid order: price invalid")
        }
    }

    /// The notify info of a failed input: the order array slots the request named (`ID`, `GID`,
    /// `CID`) so the client can correlate by `cid`: `[424242,null,12345,null,…]` (32 slots).
    static func echo(_ body: OrderJSON) -> String {
        let head = [body["id"]?.rendered ?? "null", body["gid"]?.rendered ?? "null", body["cid"]?.rendered ?? "null"]
        return "[" + (head + Array(repeating: "null", count: 29)).joined(separator: ",") + "]"
    }

    /// `tBTCUSD` → `BTC`, `tTESTBTC:TESTUSD` → `TESTBTC`
    static func base(_ symbol: String) -> String {
        let pair = symbol.dropFirst()
        if let colon = pair.firstIndex(of: ":") { return String(pair[..<colon]) }
        return String(pair.prefix(3))
    }

    /// `[0,"n",[MTS,"on-req",null,null,[…order…],null,"SUCCESS","Submitting exchange limit buy order for 0.1 BTC."]]`
    private func notification(_ now: SimulatedOrderClock, type: String, info: String, status: String, text: String) -> String {
        "[0,\"n\",[\(now.epochMilliseconds),\"\(type)\",null,null,\(info),null,\"\(status)\",\(OrderJSON.quoted(text))]]"
    }

    static func signed(_ value: SimulatedDecimal, _ side: SimulatedOrderSide) -> String {
        side == .sell && value.isPositive ? "-\(value)" : "\(value)"
    }

    /// The order array [BFX]: `[ID, GID, CID, SYMBOL, MTS_CREATE, MTS_UPDATE, AMOUNT, AMOUNT_ORIG, ORDER_TYPE, TYPE_PREV,
    /// MTS_TIF, _, FLAGS, ORDER_STATUS, _, _, PRICE, PRICE_AVG, PRICE_TRAILING, PRICE_AUX_LIMIT, _, _, _, NOTIFY, HIDDEN,
    /// PLACED_ID, _, _, ROUTING, _, _, META]`; AMOUNT is what remains, signed by side:
    /// `[1000001,null,12345,"tBTCUSD",1700000000000,1700000000000,0.1,0.1,"EXCHANGE LIMIT",null,null,null,0,"ACTIVE",null,null,
    ///  100,0,0,0,null,null,null,0,0,null,null,null,"API>BFX",null,null,{}]`
    static func orderArray(_ order: SimulatedOrder) -> String { orderArray(order, asAccepted: false) }

    static func orderArray(_ order: SimulatedOrder, asAccepted: Bool) -> String {
        let remaining = asAccepted ? order.quantity : order.unfilledQuantity
        let status: String
        switch asAccepted ? .new : order.status {
        case .new: status = "ACTIVE"
        case .partiallyFilled: status = "PARTIALLY FILLED @ \(order.averagePrice)(\(signed(order.filledQuantity, order.side)))"
        case .filled: status = "EXECUTED @ \(order.averagePrice)(\(signed(order.filledQuantity, order.side)))"
        case .canceled, .expired:
            status = order.filledQuantity.isPositive
                ? "CANCELED was: PARTIALLY FILLED @ \(order.averagePrice)(\(signed(order.filledQuantity, order.side)))" : "CANCELED"
        }
        let type = order.venueTag.isEmpty ? (order.type == .market ? "EXCHANGE MARKET" : "EXCHANGE LIMIT") : order.venueTag
        let flags = order.timeInForce == .postOnly ? 4096 : 0
        let average = asAccepted ? SimulatedDecimal.zero : order.averagePrice
        return "[\(order.orderID),null,\(order.clientOrderID),\(OrderJSON.quoted(order.symbol)),\(order.createdAt),\(order.updatedAt),"
            + "\(signed(remaining, order.side)),\(signed(order.quantity, order.side)),\(OrderJSON.quoted(type)),null,null,null,\(flags),"
            + "\(OrderJSON.quoted(status)),null,null,\(order.price ?? .zero),\(average),0,0,null,null,null,0,0,null,null,null,\"API>BFX\",null,null,{}]"
    }

    /// On the authenticated socket, for this account: `[0,"on",[…]]` (accepted), `[0,"te",[…]]` and `[0,"tu",[…]]`
    /// (a trade), `[0,"ou",[…]]` (partially filled), `[0,"oc",[…]]` (executed, canceled or expired). Trade array:
    /// `[TRADE_ID, SYMBOL, MTS, ORDER_ID, EXEC_AMOUNT, EXEC_PRICE, ORDER_TYPE, ORDER_PRICE, MAKER, FEE, FEE_CURRENCY, CID]`
    public mutating func render(_ event: SimulatedOrderEvent, now: SimulatedOrderClock) -> [String] {
        let order = event.order
        guard order.account == account else { return [] }
        switch event.kind {
        case .accepted:
            return ["[0,\"on\",\(Self.orderArray(order, asAccepted: true))]"]
        case .fill(let fill):
            let type = order.venueTag.isEmpty ? "EXCHANGE LIMIT" : order.venueTag
            let head = "\(fill.tradeID),\(OrderJSON.quoted(order.symbol)),\(fill.epochMilliseconds),\(order.orderID),\(Self.signed(fill.quantity, order.side)),"
                + "\(fill.price),\(OrderJSON.quoted(type)),\(order.price ?? fill.price),\(fill.isMaker ? 1 : -1)"
            return ["[0,\"te\",[\(head),null,null,\(order.clientOrderID)]]",
                    "[0,\"tu\",[\(head),0,\"USD\",\(order.clientOrderID)]]",
                    "[0,\"\(order.status == .filled ? "oc" : "ou")\",\(Self.orderArray(order))]"]
        case .canceled, .expired:
            return ["[0,\"oc\",\(Self.orderArray(order))]"]
        }
    }
}
