/// Kraken spot WebSocket v2 order entry (VENUES.md §3.6, [KR-WS][NT-KR]) at `/kraken/orders` (the
/// venue's `ws-auth.kraken.com/v2`): every request carries the session `token` and is correlated
/// by `req_id`; `add_order`, `cancel_order`, `cancel_all`; order state streams on the
/// `executions` channel (a snapshot of open orders on subscribe — how a client reconciles — then
/// updates). Rate limit: the per-pair decaying trading counter ("EOrder:Rate limit exceeded").
public struct KrakenOrderDialect: SimulatedOrderDialect {
    private let connectionID: Int
    private var account: String?
    private var isSubscribed = false
    private var sequence = 0

    /// [KR-HB] once a channel is subscribed, about every second: `{"channel":"heartbeat"}`.
    public var heartbeat: (intervalMilliseconds: Int64, frame: String)? { isSubscribed ? (1000, #"{"channel":"heartbeat"}"#) : nil }

    /// Creates the dialect for one connection.
    public init(role: SimulatedOrderConnectionRole, connectionID: Int) { self.connectionID = connectionID }

    /// [KR-STATUS] on connect:
    /// `{"channel":"status","type":"update","data":[{"version":"2.0.9","system":"online","api_version":"v2","connection_id":7}]}`
    public mutating func greeting(now: SimulatedOrderClock) -> [String] {
        ["{\"channel\":\"status\",\"type\":\"update\",\"data\":[{\"version\":\"2.0.9\",\"system\":\"online\",\"api_version\":\"v2\",\"connection_id\":\(connectionID)}]}"]
    }

    /// ```json
    /// {"method":"add_order","params":{"order_type":"limit","side":"buy","order_qty":0.01,"symbol":"BTC/USD","limit_price":30000.0,
    ///  "time_in_force":"gtc","cl_ord_id":"O-20260505-000001","post_only":true,"token":"…"},"req_id":42}
    /// {"method":"cancel_order","params":{"cl_ord_id":["O-20260505-000001"],"token":"…"},"req_id":43}
    /// {"method":"cancel_all","params":{"token":"…"},"req_id":44}
    /// {"method":"subscribe","params":{"channel":"executions","token":"…","snap_orders":true,"snap_trades":false},"req_id":45}
    /// {"method":"ping","req_id":101}
    /// ```
    public mutating func handle(_ message: [UInt8], exchange: inout SimulatedExchange, now: SimulatedOrderClock) -> SimulatedDialectResult {
        guard let request = OrderJSON(parsing: message), let method = request["method"]?.text else {
            return SimulatedDialectResult(replies: ["{\"error\":\"Malformed request\",\"method\":\"error\"" + timeFields(now) + "}"])
        }
        let reqID = request["req_id"]?.rendered
        let params = request["params"] ?? .object([])
        if method == "ping" {
            return SimulatedDialectResult(replies: ["{\"method\":\"pong\"" + (reqID.map { ",\"req_id\":\($0)" } ?? "") + timeFields(now) + "}"])
        }
        guard let token = params["token"]?.text, let apiKey = Self.account(forToken: token, exchange: exchange) else {
            return SimulatedDialectResult(replies: [failure(method, reqID: reqID, error: "EAPI:Invalid key", now: now)])
        }
        account = apiKey
        switch method {
        case "subscribe":
            guard params["channel"]?.text == "executions" else {
                return SimulatedDialectResult(replies: [failure(method, reqID: reqID, error: "EGeneral:Invalid arguments:channel", now: now)])
            }
            isSubscribed = true
            var replies = [success(method, reqID: reqID, result: "{\"channel\":\"executions\",\"maxratecount\":180,\"snapshot\":true}", now: now)]
            if params["snap_orders"]?.isTrue ?? true {
                let open = exchange.openOrders(account: apiKey).map { Self.report($0, kind: .accepted, snapshot: true) }
                sequence += 1
                replies.append("{\"channel\":\"executions\",\"type\":\"snapshot\",\"data\":[\(open.joined(separator: ","))],\"sequence\":\(sequence)}")
            }
            return SimulatedDialectResult(replies: replies)
        case "unsubscribe":
            isSubscribed = false
            return SimulatedDialectResult(replies: [success(method, reqID: reqID, result: "{\"channel\":\"executions\"}", now: now)])
        case "add_order":
            return SimulatedDialectResult(replies: [addOrder(params, reqID: reqID, account: apiKey, exchange: &exchange, now: now)])
        case "cancel_order":
            var replies: [String] = []
            let byID = (params["order_id"]?.items ?? []).compactMap(\.text)
            let byClientID = (params["cl_ord_id"]?.items ?? []).compactMap(\.text)
            for (id, isClientID) in byID.map({ ($0, false) }) + byClientID.map({ ($0, true) }) {
                let target = isClientID ? exchange.order(account: apiKey, clientOrderID: id)
                    : Self.orderNumber(id).flatMap { exchange.order(account: apiKey, orderID: $0) }
                let age = target.map { now.monotonicNanoseconds &- $0.createdAtNanoseconds }
                if case .limited = exchange.admit(.cancel, account: apiKey, symbol: target?.symbol, now: now, orderAge: age) {
                    replies.append(failure(method, reqID: reqID, error: "EOrder:Rate limit exceeded", now: now))
                    continue
                }
                guard let order = exchange.cancel(account: apiKey, orderID: target?.orderID, now: now) else {
                    replies.append(failure(method, reqID: reqID, error: "EOrder:Unknown order", now: now))
                    continue
                }
                let result = "{\"order_id\":\"\(Self.orderIDText(order.orderID))\"" + (isClientID ? ",\"cl_ord_id\":\(OrderJSON.quoted(order.clientOrderID))" : "") + "}"
                replies.append(success(method, reqID: reqID, result: result, now: now))
            }
            if replies.isEmpty { replies.append(failure(method, reqID: reqID, error: "EGeneral:Invalid arguments", now: now)) }
            return SimulatedDialectResult(replies: replies)
        case "cancel_all":
            let count = exchange.cancelAll(account: apiKey, now: now).count
            return SimulatedDialectResult(replies: [success(method, reqID: reqID, result: "{\"count\":\(count)}", now: now)])
        default:
            return SimulatedDialectResult(replies: [failure(method, reqID: reqID, error: "EGeneral:Invalid arguments:method", now: now)])
        }
    }

    /// The token names the account: its `webSocketToken`, or (for clients with only key and secret) its API key.
    static func account(forToken token: String, exchange: SimulatedExchange) -> String? {
        if exchange.account(apiKey: token) != nil { return token }
        return exchange.accounts.values.first { $0.webSocketToken == token }?.apiKey
    }

    private func addOrder(_ params: OrderJSON, reqID: String?, account: String, exchange: inout SimulatedExchange, now: SimulatedOrderClock) -> String {
        let method = "add_order"
        guard let symbol = params["symbol"]?.text, let sideText = params["side"]?.text, let side = SimulatedOrderSide(rawValue: sideText),
              let typeText = params["order_type"]?.text, let quantity = params["order_qty"]?.text.flatMap(SimulatedDecimal.init(parsing:)) else {
            return failure(method, reqID: reqID, error: "EGeneral:Invalid arguments", now: now)
        }
        if case .limited = exchange.admit(.place, account: account, symbol: symbol, now: now) {
            return failure(method, reqID: reqID, error: "EOrder:Rate limit exceeded", now: now)
        }
        let type: SimulatedOrderType
        switch typeText {
        case "market": type = .market
        case "limit": type = .limit
        default: return failure(method, reqID: reqID, error: "EGeneral:Invalid arguments:order_type", now: now)
        }
        var timeInForce = SimulatedTimeInForce.goodTillCanceled
        switch params["time_in_force"]?.text?.lowercased() {
        case "ioc": timeInForce = .immediateOrCancel
        case "fok": timeInForce = .fillOrKill
        default: if params["post_only"]?.isTrue == true { timeInForce = .postOnly }
        }
        let price = type == .limit ? params["limit_price"]?.text.flatMap(SimulatedDecimal.init(parsing:)) : nil
        let clientID = params["cl_ord_id"]?.text
        switch exchange.place(SimulatedOrderRequest(account: account, clientOrderID: clientID, symbol: symbol, side: side, type: type, price: price,
                                                    quantity: quantity, timeInForce: timeInForce), now: now) {
        case .success(let order):
            let result = "{\"order_id\":\"\(Self.orderIDText(order.orderID))\"" + (clientID.map { ",\"cl_ord_id\":\(OrderJSON.quoted($0))" } ?? "")
                + ",\"order_userref\":0}"
            return success(method, reqID: reqID, result: result, now: now)
        case .failure(.duplicateClientOrderID): return failure(method, reqID: reqID, error: "EOrder:Duplicate cl_ord_id", now: now)
        case .failure(.wouldTakeLiquidity): return failure(method, reqID: reqID, error: "EOrder:Post only order", now: now)
        case .failure(.invalidQuantity): return failure(method, reqID: reqID, error: "EOrder:Invalid order:order_qty", now: now)
        case .failure(.invalidPrice): return failure(method, reqID: reqID, error: "EOrder:Invalid price", now: now)
        }
    }

    /// `OSIMUL-1000001-KRAKEN`: shaped like Kraken's three-part ids, with ours in the middle.
    static func orderIDText(_ orderID: Int64) -> String { "OSIMUL-\(orderID)-KRAKEN" }

    static func orderNumber(_ text: String) -> Int64? {
        let parts = text.split(separator: "-")
        return parts.count == 3 ? Int64(parts[1]) : nil
    }

    private func timeFields(_ now: SimulatedOrderClock) -> String {
        let time = OrderTimeFormat.rfc3339(epochMilliseconds: now.epochMilliseconds)
        return ",\"time_in\":\"\(time)\",\"time_out\":\"\(time)\""
    }

    /// `{"method":"add_order","req_id":42,"success":true,"time_in":"…","time_out":"…","result":{"order_id":"OSIMUL-1000001-KRAKEN","cl_ord_id":"O-1","order_userref":0}}`
    private func success(_ method: String, reqID: String?, result: String, now: SimulatedOrderClock) -> String {
        "{\"method\":\"\(method)\"" + (reqID.map { ",\"req_id\":\($0)" } ?? "") + ",\"success\":true" + timeFields(now) + ",\"result\":\(result)}"
    }

    /// `{"method":"add_order","req_id":99,"success":false,"error":"EOrder:Rate limit exceeded","time_in":"…","time_out":"…"}`
    private func failure(_ method: String, reqID: String?, error: String, now: SimulatedOrderClock) -> String {
        "{\"method\":\"\(method)\"" + (reqID.map { ",\"req_id\":\($0)" } ?? "") + ",\"success\":false,\"error\":\(OrderJSON.quoted(error))" + timeFields(now) + "}"
    }

    // MARK: Updates

    static func status(_ status: SimulatedOrderStatus) -> String {
        switch status {
        case .new: "new"
        case .partiallyFilled: "partially_filled"
        case .filled: "filled"
        case .canceled: "canceled"
        case .expired: "expired"
        }
    }

    /// One execution report:
    /// ```json
    /// {"order_id":"OSIMUL-1000001-KRAKEN","cl_ord_id":"O-1","exec_type":"new","order_status":"new","symbol":"BTC/USD","side":"buy",
    ///  "order_type":"limit","order_qty":0.01,"limit_price":30000,"time_in_force":"GTC","post_only":false,"cum_qty":0,
    ///  "cum_cost":0,"avg_price":0,"order_userref":0,"timestamp":"2023-09-21T14:15:07.197000Z"}
    /// {"order_id":"…","cl_ord_id":"O-1","exec_type":"trade","order_status":"filled",…,"exec_id":"SIM-7","trade_id":7,
    ///  "last_qty":0.01,"last_price":30000,"liquidity_ind":"t","cost":300,"fees":[{"asset":"USD","qty":0}],…}
    /// {"order_id":"…","cl_ord_id":"O-1","exec_type":"canceled","order_status":"canceled",…,"reason":"User requested"}
    /// ```
    static func report(_ order: SimulatedOrder, kind: SimulatedOrderEvent.Kind, snapshot: Bool = false) -> String {
        let execType: String
        var extra = ""
        switch kind {
        case .accepted: execType = "new"
        case .fill(let fill):
            execType = "trade"
            extra = ",\"exec_id\":\"SIM-\(fill.tradeID)\",\"trade_id\":\(fill.tradeID),\"last_qty\":\(fill.quantity),\"last_price\":\(fill.price),"
                + "\"liquidity_ind\":\"\(fill.isMaker ? "m" : "t")\",\"cost\":\(fill.price.multiplied(by: fill.quantity)),\"fees\":[{\"asset\":\"USD\",\"qty\":0}]"
        case .canceled:
            execType = "canceled"
            extra = ",\"reason\":\"User requested\""
        case .expired: execType = "expired"
        }
        let status = snapshot ? status(order.status) : (kind == .accepted ? "new" : status(order.status))
        let timeInForce = order.timeInForce == .immediateOrCancel ? "IOC" : order.timeInForce == .fillOrKill ? "FOK" : "GTC"
        return "{\"order_id\":\"\(orderIDText(order.orderID))\",\"cl_ord_id\":\(OrderJSON.quoted(order.clientOrderID)),\"exec_type\":\"\(execType)\","
            + "\"order_status\":\"\(status)\",\"symbol\":\(OrderJSON.quoted(order.symbol)),\"side\":\"\(order.side.rawValue)\",\"order_type\":\"\(order.type.rawValue)\","
            + "\"order_qty\":\(order.quantity)" + (order.price.map { ",\"limit_price\":\($0)" } ?? "") + ",\"time_in_force\":\"\(timeInForce)\","
            + "\"post_only\":\(order.timeInForce == .postOnly),\"cum_qty\":\(order.filledQuantity),\"cum_cost\":\(order.filledQuote),"
            + "\"avg_price\":\(order.averagePrice),\"order_userref\":0,\"timestamp\":\"\(OrderTimeFormat.rfc3339(epochMilliseconds: order.updatedAt))\"" + extra + "}"
    }

    /// `{"channel":"executions","type":"update","data":[{…report…}],"sequence":2}`
    public mutating func render(_ event: SimulatedOrderEvent, now: SimulatedOrderClock) -> [String] {
        guard isSubscribed, event.order.account == account else { return [] }
        sequence += 1
        return ["{\"channel\":\"executions\",\"type\":\"update\",\"data\":[\(Self.report(event.order, kind: event.kind))],\"sequence\":\(sequence)}"]
    }
}
