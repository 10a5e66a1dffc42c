/// Bybit v5 order entry (VENUES.md §5.6, [BY-CONN][BY-WST][BY-RL]): requests on `/bybit/orders`
/// (the venue's `/v5/trade`: `auth`, `order.create`, `order.cancel` with `reqId` and `header`),
/// updates on `/bybit/orders-private` (the venue's `/v5/private`: `auth`, then the `order` and
/// `execution` topics). Both sign `"GET/realtime" + expires` (hex HMAC-SHA256). An `order.create`
/// ack means accepted only; fills and cancels arrive on the private stream. Bybit has no status
/// request over WebSocket.
public struct BybitOrderDialect: SimulatedOrderDialect {
    private let role: SimulatedOrderConnectionRole
    private let connID: String
    private var account: String?
    private var topics: Set<String> = []
    private var seenRequestIDs: Set<String> = []

    /// Creates the dialect for one connection.
    public init(role: SimulatedOrderConnectionRole, connectionID: Int) {
        self.role = role
        connID = "sim\(connectionID)-\(role == .trade ? "trade" : "private")"
    }

    private struct Failure: Error {
        var code: Int
        var message: String
    }

    /// ```json
    /// {"reqId":"a1","op":"auth","args":["mmx-test-key",1711001600000,"…hex…"]}
    /// {"reqId":"test-005","header":{"X-BAPI-TIMESTAMP":"1711001595207","X-BAPI-RECV-WINDOW":"8000"},
    ///  "op":"order.create","args":[{"symbol":"ETHUSDT","side":"Buy","orderType":"Limit","qty":"0.2","price":"2800",
    ///  "category":"linear","timeInForce":"PostOnly","orderLinkId":"O-1"}]}
    /// {"reqId":"test-006","header":{…},"op":"order.cancel","args":[{"category":"linear","symbol":"ETHUSDT","orderLinkId":"O-1"}]}
    /// {"req_id":"100001","op":"ping"}
    /// {"req_id":"s1","op":"subscribe","args":["order","execution"]}     (private)
    /// ```
    public mutating func handle(_ message: [UInt8], exchange: inout SimulatedExchange, now: SimulatedOrderClock) -> SimulatedDialectResult {
        guard let request = OrderJSON(parsing: message), let op = request["op"]?.text else {
            return SimulatedDialectResult(replies: [role == .trade ? tradeReply(reqID: "", op: "", code: 10404, message: "Invalid request", now: now, exchange: exchange)
                                                    : privateReply(reqID: nil, op: "", success: false, message: "Invalid request")])
        }
        let reqID = request["reqId"]?.text ?? request["req_id"]?.text
        switch op {
        case "ping":
            let ts = OrderJSON.quoted(String(now.epochMilliseconds))
            return SimulatedDialectResult(replies: [role == .trade
                ? "{" + (reqID.map { "\"reqId\":\(OrderJSON.quoted($0))," } ?? "") + "\"retCode\":0,\"retMsg\":\"OK\",\"op\":\"pong\",\"data\":[\(ts)],\"connId\":\"\(connID)\"}"
                : "{" + (reqID.map { "\"req_id\":\(OrderJSON.quoted($0))," } ?? "") + "\"op\":\"pong\",\"args\":[\(ts)],\"conn_id\":\"\(connID)\"}"])
        case "auth":
            let failure = authenticate(request["args"]?.items ?? [], exchange: exchange, now: now)
            if role == .trade {
                return SimulatedDialectResult(replies: [
                    "{" + (reqID.map { "\"reqId\":\(OrderJSON.quoted($0))," } ?? "") + "\"retCode\":\(failure?.code ?? 0),\"retMsg\":"
                        + OrderJSON.quoted(failure?.message ?? "OK") + ",\"op\":\"auth\",\"connId\":\"\(connID)\"}",
                ])
            }
            return SimulatedDialectResult(replies: [privateReply(reqID: reqID, op: "auth", success: failure == nil, message: failure?.message ?? "")])
        case "subscribe" where role == .updates:
            guard account != nil else { return SimulatedDialectResult(replies: [privateReply(reqID: reqID, op: "subscribe", success: false, message: "Request not authorized")]) }
            for topic in (request["args"]?.items ?? []).compactMap(\.text) { topics.insert(topic) }
            return SimulatedDialectResult(replies: [privateReply(reqID: reqID, op: "subscribe", success: true, message: "")])
        case "order.create" where role == .trade, "order.cancel" where role == .trade:
            return SimulatedDialectResult(replies: [trade(op: op, reqID: reqID ?? "", request: request, exchange: &exchange, now: now)])
        default:
            return SimulatedDialectResult(replies: [role == .trade
                ? tradeReply(reqID: reqID ?? "", op: op, code: 10404, message: "Invalid op: \(op)", now: now, exchange: exchange)
                : privateReply(reqID: reqID, op: op, success: false, message: "error:handler not found")])
        }
    }

    /// [BY-CONN]: `args = [apiKey, expires(ms), hex(HMAC_SHA256(secret, "GET/realtime" + expires))]`,
    /// `expires` in the future; 10004 on a bad signature, 20001 on a second auth.
    private mutating func authenticate(_ args: [OrderJSON], exchange: SimulatedExchange, now: SimulatedOrderClock) -> Failure? {
        guard account == nil else { return Failure(code: 20001, message: "Repeat auth") }
        guard args.count == 3, let apiKey = args[0].text, let expires = args[1].int64, let signature = args[2].text else {
            return Failure(code: 10001, message: "Params Error")
        }
        guard let candidate = exchange.account(apiKey: apiKey) else { return Failure(code: 10003, message: "Invalid apikey") }
        guard OrderSigning.hexEqual(OrderSigning.hex(.sha256, secret: candidate.secret, message: "GET/realtime\(args[1].text ?? "")"), signature) else {
            return Failure(code: 10004, message: "Invalid sign")
        }
        guard expires > now.epochMilliseconds else { return Failure(code: 10002, message: "Params Error: auth expired") }
        account = apiKey
        return nil
    }

    private mutating func trade(op: String, reqID: String, request: OrderJSON, exchange: inout SimulatedExchange, now: SimulatedOrderClock) -> String {
        let kind: SimulatedRequestKind = op == "order.create" ? .place : .cancel
        guard let account else { return tradeReply(reqID: reqID, op: op, code: 10003, message: "Invalid apikey: not authorized", now: now, exchange: exchange) }
        guard !reqID.isEmpty, seenRequestIDs.insert(reqID).inserted else {
            return tradeReply(reqID: reqID, op: op, code: 20006, message: "reqId is duplicate", now: now, exchange: exchange)
        }
        if let header = request["header"], let ts = header["X-BAPI-TIMESTAMP"]?.int64 {
            // [BY-WST]: server - recv_window <= timestamp < server + 1000
            let window = header["X-BAPI-RECV-WINDOW"]?.int64 ?? 5000
            guard now.epochMilliseconds - window <= ts, ts < now.epochMilliseconds + 1000 else {
                return tradeReply(reqID: reqID, op: op, code: 10002,
                                  message: "invalid request, please check your server timestamp or recv_window param", now: now, exchange: exchange)
            }
        }
        guard let arg = request["args"]?[0], let symbol = arg["symbol"]?.text, let category = arg["category"]?.text else {
            return tradeReply(reqID: reqID, op: op, code: 10001, message: "Params Error", now: now, exchange: exchange)
        }
        if case .limited = exchange.admit(kind, account: account, symbol: symbol, now: now) {
            return tradeReply(reqID: reqID, op: op, code: 10006, message: "Too many visits!", now: now, exchange: exchange, account: account)
        }
        if kind == .cancel {
            let target: SimulatedOrder?
            if let orderID = arg["orderId"]?.text {
                target = Self.orderNumber(orderID).flatMap { exchange.order(account: account, orderID: $0) }
            } else {
                target = arg["orderLinkId"]?.text.flatMap { exchange.order(account: account, clientOrderID: $0) }
            }
            guard let order = exchange.cancel(account: account, orderID: target?.symbol == symbol ? target?.orderID : nil, now: now) else {
                return tradeReply(reqID: reqID, op: op, code: 110001, message: "Order does not exist", now: now, exchange: exchange, account: account)
            }
            return tradeReply(reqID: reqID, op: op, code: 0, message: "OK", data: Self.ids(order), now: now, exchange: exchange, account: account)
        }
        guard let sideText = arg["side"]?.text, sideText == "Buy" || sideText == "Sell", let typeText = arg["orderType"]?.text,
              let quantity = arg["qty"]?.text.flatMap(SimulatedDecimal.init(parsing:)) else {
            return tradeReply(reqID: reqID, op: op, code: 10001, message: "Params Error", now: now, exchange: exchange, account: account)
        }
        let type: SimulatedOrderType = typeText == "Market" ? .market : .limit
        var timeInForce = SimulatedTimeInForce.goodTillCanceled
        switch arg["timeInForce"]?.text {
        case "IOC": timeInForce = .immediateOrCancel
        case "FOK": timeInForce = .fillOrKill
        case "PostOnly": timeInForce = .postOnly
        default: break
        }
        let price = type == .limit ? arg["price"]?.text.flatMap(SimulatedDecimal.init(parsing:)) : nil
        let linkID = arg["orderLinkId"]?.text
        let placed = exchange.place(SimulatedOrderRequest(account: account, clientOrderID: linkID?.isEmpty == true ? nil : linkID, symbol: symbol,
                                                          side: sideText == "Buy" ? .buy : .sell, type: type, price: price, quantity: quantity,
                                                          timeInForce: timeInForce, venueTag: category), now: now)
        switch placed {
        case .success(let order):
            return tradeReply(reqID: reqID, op: op, code: 0, message: "OK", data: Self.ids(order), now: now, exchange: exchange, account: account)
        case .failure(.duplicateClientOrderID):
            return tradeReply(reqID: reqID, op: op, code: 110072, message: "OrderLinkedID is duplicate", now: now, exchange: exchange, account: account)
        case .failure(.wouldTakeLiquidity):
            return tradeReply(reqID: reqID, op: op, code: 170218, message: "The post-only order would be filled immediately", now: now, exchange: exchange, account: account)
        case .failure(.invalidQuantity):
            return tradeReply(reqID: reqID, op: op, code: 10001, message: "Qty invalid", now: now, exchange: exchange, account: account)
        case .failure(.invalidPrice):
            return tradeReply(reqID: reqID, op: op, code: 10001, message: "Price invalid", now: now, exchange: exchange, account: account)
        }
    }

    /// `"00000000-0000-4000-8000-000001000001"`: Bybit ids are UUIDs; the last group carries ours.
    static func orderIDText(_ orderID: Int64) -> String {
        let digits = String(orderID)
        return "00000000-0000-4000-8000-" + String(repeating: "0", count: max(0, 12 - digits.count)) + digits
    }

    static func orderNumber(_ text: String) -> Int64? { text.split(separator: "-").last.flatMap { Int64($0) } }

    static func ids(_ order: SimulatedOrder) -> String {
        "{\"orderId\":\"\(orderIDText(order.orderID))\",\"orderLinkId\":\(OrderJSON.quoted(order.clientOrderID))}"
    }

    /// ```json
    /// {"reqId":"test-005","retCode":0,"retMsg":"OK","op":"order.create","data":{"orderId":"a4c1718e-…","orderLinkId":""},
    ///  "retExtInfo":{},"header":{"X-Bapi-Limit":"10","X-Bapi-Limit-Status":"9","X-Bapi-Limit-Reset-Timestamp":"1711001595208",
    ///  "Traceid":"…","Timenow":"1711001595208"},"connId":"…"}
    /// ```
    private func tradeReply(reqID: String, op: String, code: Int, message: String, data: String = "{}", now: SimulatedOrderClock,
                            exchange: SimulatedExchange, account: String? = nil) -> String {
        var header = ""
        let kind: SimulatedRequestKind = op == "order.cancel" ? .cancel : .place
        if let account, let rule = exchange.limiter.rules.first(where: { $0.costs[kind] != nil }) {
            let used = exchange.limiter.used(rule, account: account, symbol: nil, now: now.monotonicNanoseconds)
            // Bybit: "the timestamp indicating when your request limit resets if you have exceeded
            // your rate_limit. Otherwise, this is just the current timestamp" [BY-RL]. A future
            // reset on every reply made the client wait for the next window after each order.
            let reset = used < rule.limit ? now.epochMilliseconds
                : now.epochMilliseconds + Int64((exchange.limiter.windowEnd(rule, now: now.monotonicNanoseconds) - now.monotonicNanoseconds) / 1_000_000)
            header = "\"X-Bapi-Limit\":\"\(rule.limit)\",\"X-Bapi-Limit-Status\":\"\(max(0, rule.limit - used))\",\"X-Bapi-Limit-Reset-Timestamp\":\"\(reset)\","
        }
        header += "\"Traceid\":\"sim-\(reqID)\",\"Timenow\":\"\(now.epochMilliseconds)\""
        return "{\"reqId\":\(OrderJSON.quoted(reqID)),\"retCode\":\(code),\"retMsg\":\(OrderJSON.quoted(message)),\"op\":\(OrderJSON.quoted(op)),"
            + "\"data\":\(data),\"retExtInfo\":{},\"header\":{\(header)},\"connId\":\"\(connID)\"}"
    }

    /// `{"success":true,"ret_msg":"","op":"auth","conn_id":"…","req_id":"…"}`
    private func privateReply(reqID: String?, op: String, success: Bool, message: String) -> String {
        "{\"success\":\(success),\"ret_msg\":\(OrderJSON.quoted(message)),\"op\":\(OrderJSON.quoted(op)),\"conn_id\":\"\(connID)\""
            + (reqID.map { ",\"req_id\":\(OrderJSON.quoted($0))" } ?? "") + "}"
    }

    // MARK: Updates

    static func status(_ order: SimulatedOrder) -> String {
        switch order.status {
        case .new: "New"
        case .partiallyFilled: "PartiallyFilled"
        case .filled: "Filled"
        case .canceled, .expired: "Cancelled"
        }
    }

    static func timeInForce(_ order: SimulatedOrder) -> String {
        switch order.timeInForce {
        case .goodTillCanceled: "GTC"
        case .immediateOrCancel: "IOC"
        case .fillOrKill: "FOK"
        case .postOnly: "PostOnly"
        }
    }

    private func subscribed(_ topic: String, category: String) -> Bool {
        topics.contains(topic) || topics.contains("\(topic).\(category)") || topics.contains("\(topic).all")
    }

    /// On `/bybit/orders-private`, the `order` topic (and `execution` for fills):
    /// ```json
    /// {"id":"sim-order-3","topic":"order","creationTime":1672364262474,"data":[{"category":"linear","symbol":"ETHUSDT",
    ///  "orderId":"00000000-0000-4000-8000-000001000001","orderLinkId":"O-1","blockTradeId":"","side":"Buy","positionIdx":0,
    ///  "orderStatus":"New","cancelType":"UNKNOWN","rejectReason":"EC_NoError","avgPrice":"","leavesQty":"0.2","leavesValue":"560",
    ///  "cumExecQty":"0","cumExecValue":"0","cumExecFee":"0","timeInForce":"PostOnly","orderType":"Limit","stopOrderType":"",
    ///  "price":"2800","qty":"0.2","triggerPrice":"","takeProfit":"","stopLoss":"","reduceOnly":false,"closeOnTrigger":false,
    ///  "createType":"CreateByUser","createdTime":"1672364262444","updatedTime":"1672364262457","feeCurrency":""}]}
    /// {"id":"sim-execution-4","topic":"execution","creationTime":1672364174455,"data":[{"category":"linear","symbol":"ETHUSDT",
    ///  "execFee":"0","execId":"7","execPrice":"2800","execQty":"0.2","execType":"Trade","execValue":"560","isMaker":false,
    ///  "feeRate":"0","leavesQty":"0","orderId":"…","orderLinkId":"O-1","orderPrice":"2800","orderQty":"0.2","orderType":"Limit",
    ///  "side":"Buy","execTime":"1672364174443","seq":7}]}
    /// ```
    public mutating func render(_ event: SimulatedOrderEvent, now: SimulatedOrderClock) -> [String] {
        let order = event.order
        guard role == .updates, order.account == account else { return [] }
        var out: [String] = []
        let price = order.price?.description ?? ""
        if subscribed("order", category: order.venueTag) {
            let leaves = order.remainingQuantity
            let leavesValue = leaves.multiplied(by: order.price ?? .zero)
            let data = "{\"category\":\(OrderJSON.quoted(order.venueTag)),\"symbol\":\(OrderJSON.quoted(order.symbol)),\"orderId\":\"\(Self.orderIDText(order.orderID))\","
                + "\"orderLinkId\":\(OrderJSON.quoted(order.clientOrderID)),\"blockTradeId\":\"\",\"side\":\"\(order.side == .buy ? "Buy" : "Sell")\",\"positionIdx\":0,"
                + "\"orderStatus\":\"\(Self.status(order))\",\"cancelType\":\"\(order.status == .canceled ? "CancelByUser" : "UNKNOWN")\",\"rejectReason\":\"EC_NoError\","
                + "\"avgPrice\":\"\(order.filledQuantity.isPositive ? order.averagePrice.description : "")\",\"leavesQty\":\"\(leaves)\",\"leavesValue\":\"\(leavesValue)\","
                + "\"cumExecQty\":\"\(order.filledQuantity)\",\"cumExecValue\":\"\(order.filledQuote)\",\"cumExecFee\":\"0\",\"timeInForce\":\"\(Self.timeInForce(order))\","
                + "\"orderType\":\"\(order.type == .market ? "Market" : "Limit")\",\"stopOrderType\":\"\",\"price\":\"\(price)\",\"qty\":\"\(order.quantity)\","
                + "\"triggerPrice\":\"\",\"takeProfit\":\"\",\"stopLoss\":\"\",\"reduceOnly\":false,\"closeOnTrigger\":false,\"createType\":\"CreateByUser\","
                + "\"createdTime\":\"\(order.createdAt)\",\"updatedTime\":\"\(order.updatedAt)\",\"feeCurrency\":\"\"}"
            out.append("{\"id\":\"sim-order-\(order.orderID)-\(order.updatedAt)\",\"topic\":\"order\",\"creationTime\":\(now.epochMilliseconds),\"data\":[\(data)]}")
        }
        if case .fill(let fill) = event.kind, subscribed("execution", category: order.venueTag) {
            let data = "{\"category\":\(OrderJSON.quoted(order.venueTag)),\"symbol\":\(OrderJSON.quoted(order.symbol)),\"execFee\":\"0\",\"execId\":\"\(fill.tradeID)\","
                + "\"execPrice\":\"\(fill.price)\",\"execQty\":\"\(fill.quantity)\",\"execType\":\"Trade\",\"execValue\":\"\(fill.price.multiplied(by: fill.quantity))\","
                + "\"isMaker\":\(fill.isMaker),\"feeRate\":\"0\",\"leavesQty\":\"\(order.remainingQuantity)\",\"orderId\":\"\(Self.orderIDText(order.orderID))\","
                + "\"orderLinkId\":\(OrderJSON.quoted(order.clientOrderID)),\"orderPrice\":\"\(price)\",\"orderQty\":\"\(order.quantity)\","
                + "\"orderType\":\"\(order.type == .market ? "Market" : "Limit")\",\"side\":\"\(order.side == .buy ? "Buy" : "Sell")\","
                + "\"execTime\":\"\(fill.epochMilliseconds)\",\"seq\":\(fill.tradeID)}"
            out.append("{\"id\":\"sim-execution-\(fill.tradeID)\",\"topic\":\"execution\",\"creationTime\":\(now.epochMilliseconds),\"data\":[\(data)]}")
        }
        return out
    }
}
