/// OKX v5 private WebSocket order entry (VENUES.md §4.6, [OKX-LOGIN][OKX-ORDER]) at `/okx/orders`:
/// `login` once (base64 HMAC-SHA256 of `timestamp + "GET" + "/users/self/verify"`, timestamp in
/// seconds, valid 30 s), then `order`, `cancel-order`, `mass-cancel` ops correlated by `id`, and the
/// `orders` channel for updates. The text `ping` gets `pong`. OKX has no order-status op over
/// WebSocket: clients reconcile from the `orders` channel (or REST).
public struct OKXOrderDialect: SimulatedOrderDialect {
    private let connID: String
    private var account: String?
    private var subscriptions: [(instType: String, instID: String?)] = []

    /// Creates the dialect for one connection.
    public init(role: SimulatedOrderConnectionRole, connectionID: Int) {
        let hex = String(connectionID, radix: 16)
        connID = String(repeating: "0", count: max(0, 8 - hex.count)) + hex
    }

    private struct Failure: Error {
        var code: String
        var message: String
    }

    /// ```json
    /// {"op":"login","args":[{"apiKey":"…","passphrase":"…","timestamp":"1538054050","sign":"…"}]}
    /// {"id":"1512","op":"order","args":[{"side":"buy","instId":"BTC-USDT","tdMode":"cash","ordType":"limit","px":"30000","sz":"0.01","clOrdId":"O1"}]}
    /// {"id":"1513","op":"cancel-order","args":[{"instId":"BTC-USDT","clOrdId":"O1"}]}
    /// {"id":"1514","op":"mass-cancel","args":[{"instType":"SPOT","instFamily":"BTC-USDT"}]}
    /// {"id":"1515","op":"subscribe","args":[{"channel":"orders","instType":"ANY"}]}
    /// ping
    /// ```
    public mutating func handle(_ message: [UInt8], exchange: inout SimulatedExchange, now: SimulatedOrderClock) -> SimulatedDialectResult {
        if message == Array("ping".utf8) { return SimulatedDialectResult(replies: ["pong"]) }
        guard let request = OrderJSON(parsing: message), let op = request["op"]?.text else {
            return SimulatedDialectResult(replies: [eventError(code: "60012", message: "Invalid request: \(String(decoding: message.prefix(200), as: UTF8.self))")])
        }
        let id = request["id"]?.text
        let args = request["args"]?.items ?? []
        switch op {
        case "login":
            return SimulatedDialectResult(replies: [login(args.first ?? .null, exchange: exchange, now: now)])
        case "subscribe":
            guard account != nil else { return SimulatedDialectResult(replies: [eventError(code: "60011", message: "Please log in")]) }
            var replies: [String] = []
            for arg in args {
                guard arg["channel"]?.text == "orders", let instType = arg["instType"]?.text else {
                    replies.append(eventError(code: "60018", message: "Wrong URL or channel:\(arg["channel"]?.text ?? ""),instId:\(arg["instId"]?.text ?? "") doesn't exist."))
                    continue
                }
                subscriptions.append((instType, arg["instId"]?.text))
                replies.append("{" + (id.map { "\"id\":\(OrderJSON.quoted($0)),"} ?? "") + "\"event\":\"subscribe\",\"arg\":\(arg.rendered),\"connId\":\"\(connID)\"}")
            }
            return SimulatedDialectResult(replies: replies)
        case "order", "cancel-order", "mass-cancel":
            return SimulatedDialectResult(replies: [trade(op: op, id: id ?? "", arg: args.first, exchange: &exchange, now: now)])
        default:
            return SimulatedDialectResult(replies: [eventError(code: "60012", message: "Invalid request: \(String(decoding: message.prefix(200), as: UTF8.self))")])
        }
    }

    /// `{"event":"error","code":"60012","msg":"Invalid request: …","connId":"a4d3ae55"}`
    private func eventError(code: String, message: String) -> String {
        "{\"event\":\"error\",\"code\":\"\(code)\",\"msg\":\(OrderJSON.quoted(message)),\"connId\":\"\(connID)\"}"
    }

    /// `{"event":"login","code":"0","msg":"","connId":"a4d3ae55"}`, or `{"event":"error","code":"60009","msg":"Login failed.","connId":"…"}`
    private mutating func login(_ arg: OrderJSON, exchange: SimulatedExchange, now: SimulatedOrderClock) -> String {
        guard let apiKey = arg["apiKey"]?.text, let candidate = exchange.account(apiKey: apiKey) else {
            return eventError(code: "60005", message: "Invalid OK-ACCESS-KEY")
        }
        guard arg["passphrase"]?.text == candidate.passphrase else { return eventError(code: "60024", message: "Wrong passphrase") }
        guard let timestamp = arg["timestamp"]?.text, let seconds = Int64(timestamp), abs(now.epochMilliseconds / 1000 - seconds) <= 30 else {
            return eventError(code: "60004", message: "Invalid timestamp")
        }
        let expected = OrderSigning.base64(.sha256, secret: candidate.secret, message: timestamp + "GET" + "/users/self/verify")
        guard arg["sign"]?.text == expected else { return eventError(code: "60009", message: "Login failed.") }
        account = apiKey
        return "{\"event\":\"login\",\"code\":\"0\",\"msg\":\"\",\"connId\":\"\(connID)\"}"
    }

    private func trade(op: String, id: String, arg: OrderJSON?, exchange: inout SimulatedExchange, now: SimulatedOrderClock) -> String {
        let inTime = String(now.epochMilliseconds * 1000)
        guard let account else { return opFailure(op: op, id: id, code: "60011", message: "Please log in", inTime: inTime) }
        guard let arg else { return opFailure(op: op, id: id, code: "60013", message: "Invalid args", inTime: inTime) }
        let symbol = arg["instId"]?.text ?? arg["instIdCode"]?.text
        let kind: SimulatedRequestKind = op == "order" ? .place : op == "cancel-order" ? .cancel : .cancelAll
        if case .limited = exchange.admit(kind, account: account, symbol: symbol, now: now) {
            return opFailure(op: op, id: id, code: "50011", message: "Rate limit reached. Please refer to API documentation and throttle requests accordingly.",
                             inTime: inTime)
        }
        let clOrdID = arg["clOrdId"]?.text ?? ""
        let ts = String(now.epochMilliseconds)
        switch op {
        case "order":
            guard let symbol, let sideText = arg["side"]?.text, let side = SimulatedOrderSide(rawValue: sideText),
                  let ordType = arg["ordType"]?.text, arg["tdMode"]?.text != nil else {
                return opFailure(op: op, id: id, code: "60013", message: "Invalid args", inTime: inTime)
            }
            guard let size = arg["sz"]?.text.flatMap(SimulatedDecimal.init(parsing:)) else {
                return itemFailure(op: op, id: id, clOrdID: clOrdID, code: "51000", message: "Parameter sz error", ts: ts, inTime: inTime)
            }
            var type = SimulatedOrderType.limit
            var timeInForce = SimulatedTimeInForce.goodTillCanceled
            switch ordType {
            case "market": type = .market
            case "limit": break
            case "post_only": timeInForce = .postOnly
            case "ioc": timeInForce = .immediateOrCancel
            case "fok": timeInForce = .fillOrKill
            default: return itemFailure(op: op, id: id, clOrdID: clOrdID, code: "51000", message: "Parameter ordType error", ts: ts, inTime: inTime)
            }
            let price = arg["px"]?.text.flatMap(SimulatedDecimal.init(parsing:))
            if type == .limit && price == nil {
                return itemFailure(op: op, id: id, clOrdID: clOrdID, code: "51000", message: "Parameter px error", ts: ts, inTime: inTime)
            }
            let request = SimulatedOrderRequest(account: account, clientOrderID: clOrdID.isEmpty ? nil : clOrdID, symbol: symbol, side: side,
                                                type: type, price: type == .market ? nil : price, quantity: size, timeInForce: timeInForce,
                                                venueTag: arg["tdMode"]?.text ?? "cash")
            switch exchange.place(request, now: now) {
            case .success(let order):
                return opSuccess(op: op, id: id, item: "{\"clOrdId\":\(OrderJSON.quoted(clOrdID)),\"ordId\":\"\(order.orderID)\",\"tag\":\"\",\"ts\":\"\(ts)\",\"sCode\":\"0\",\"sMsg\":\"Order placed\"}",
                                 inTime: inTime, now: now)
            case .failure(.duplicateClientOrderID):
                return itemFailure(op: op, id: id, clOrdID: clOrdID, code: "51016", message: "Duplicated clOrdId", ts: ts, inTime: inTime)
            case .failure(.wouldTakeLiquidity):
                return itemFailure(op: op, id: id, clOrdID: clOrdID, code: "51000", message: "Post only order would take liquidity", ts: ts, inTime: inTime)
            case .failure(.invalidQuantity):
                return itemFailure(op: op, id: id, clOrdID: clOrdID, code: "51000", message: "Parameter sz error", ts: ts, inTime: inTime)
            case .failure(.invalidPrice):
                return itemFailure(op: op, id: id, clOrdID: clOrdID, code: "51000", message: "Parameter px error", ts: ts, inTime: inTime)
            }
        case "cancel-order":
            let target: SimulatedOrder?
            if let ordID = arg["ordId"]?.int64 {
                target = exchange.order(account: account, orderID: ordID)
            } else {
                target = exchange.order(account: account, clientOrderID: clOrdID)
            }
            guard let order = exchange.cancel(account: account, orderID: target?.symbol == symbol ? target?.orderID : nil, now: now) else {
                return itemFailure(op: op, id: id, clOrdID: clOrdID, code: "51400",
                                   message: "Order cancellation failed as the order has been filled, canceled or does not exist", ts: ts, inTime: inTime,
                                   ordID: arg["ordId"]?.text ?? "")
            }
            return opSuccess(op: op, id: id, item: "{\"clOrdId\":\(OrderJSON.quoted(order.clientOrderID)),\"ordId\":\"\(order.orderID)\",\"ts\":\"\(ts)\",\"sCode\":\"0\",\"sMsg\":\"\"}",
                             inTime: inTime, now: now)
        default:
            let family = arg["instFamily"]?.text
            for order in exchange.openOrders(account: account) where family == nil || order.symbol.hasPrefix(family ?? "") {
                _ = exchange.cancel(account: account, orderID: order.orderID, now: now)
            }
            return opSuccess(op: op, id: id, item: "{\"result\":true}", inTime: inTime, now: now)
        }
    }

    /// ```json
    /// {"id":"1512","op":"order","data":[{"clOrdId":"","ordId":"12345689","tag":"","ts":"1695190491421","sCode":"0","sMsg":""}],
    ///  "code":"0","msg":"","inTime":"1695190491421339","outTime":"1695190491423240"}
    /// ```
    private func opSuccess(op: String, id: String, item: String, inTime: String, now: SimulatedOrderClock) -> String {
        "{\"id\":\(OrderJSON.quoted(id)),\"op\":\"\(op)\",\"data\":[\(item)],\"code\":\"0\",\"msg\":\"\",\"inTime\":\"\(inTime)\",\"outTime\":\"\(inTime)\"}"
    }

    /// Per-order failure ([OKX-ORDER]: `code:"1"` with the order's `sCode`):
    /// ```json
    /// {"id":"1512","op":"order","code":"1","msg":"","data":[{"ordId":"","clOrdId":"O1","sCode":"51016","sMsg":"Duplicated clOrdId",
    ///  "tag":"","ts":"1695190491421"}],"inTime":"1695190491421339","outTime":"1695190491421339"}
    /// ```
    private func itemFailure(op: String, id: String, clOrdID: String, code: String, message: String, ts: String, inTime: String,
                             ordID: String = "") -> String {
        "{\"id\":\(OrderJSON.quoted(id)),\"op\":\"\(op)\",\"code\":\"1\",\"msg\":\"\",\"data\":[{\"ordId\":\(OrderJSON.quoted(ordID)),\"clOrdId\":\(OrderJSON.quoted(clOrdID)),"
            + "\"sCode\":\"\(code)\",\"sMsg\":\(OrderJSON.quoted(message)),\"tag\":\"\",\"ts\":\"\(ts)\"}],\"inTime\":\"\(inTime)\",\"outTime\":\"\(inTime)\"}"
    }

    /// Whole-request failure (format error 60013, rate limit 50011, not logged in 60011):
    /// `{"id":"1512","op":"order","code":"50011","msg":"Rate limit reached. …","data":[],"inTime":"…","outTime":"…"}`
    private func opFailure(op: String, id: String, code: String, message: String, inTime: String) -> String {
        "{\"id\":\(OrderJSON.quoted(id)),\"op\":\"\(op)\",\"code\":\"\(code)\",\"msg\":\(OrderJSON.quoted(message)),\"data\":[],\"inTime\":\"\(inTime)\",\"outTime\":\"\(inTime)\"}"
    }

    // MARK: Updates

    static func instType(_ instID: String) -> String {
        if instID.hasSuffix("-SWAP") { return "SWAP" }
        if instID.split(separator: "-").count == 3 { return "FUTURES" }
        if instID.split(separator: "-").count > 3 { return "OPTION" }
        return "SPOT"
    }

    static func state(_ status: SimulatedOrderStatus) -> String {
        switch status {
        case .new: "live"
        case .partiallyFilled: "partially_filled"
        case .filled: "filled"
        case .canceled, .expired: "canceled"
        }
    }

    static func ordType(_ order: SimulatedOrder) -> String {
        if order.type == .market { return "market" }
        switch order.timeInForce {
        case .goodTillCanceled: return "limit"
        case .postOnly: return "post_only"
        case .immediateOrCancel: return "ioc"
        case .fillOrKill: return "fok"
        }
    }

    /// The `orders` channel push for the subscribed account:
    /// ```json
    /// {"arg":{"channel":"orders","instType":"ANY","uid":"mmx-test-key"},"data":[{"instType":"SPOT","instId":"BTC-USDT",
    ///  "ordId":"1000001","clOrdId":"O1","tag":"","px":"30000","sz":"0.01","ordType":"limit","side":"buy","posSide":"net",
    ///  "tdMode":"cash","fillPx":"","tradeId":"","fillSz":"0","fillTime":"","fillFee":"0","fillFeeCcy":"","execType":"",
    ///  "accFillSz":"0","avgPx":"0","state":"live","cancelSource":"","category":"normal","uTime":"1695190491421",
    ///  "cTime":"1695190491421","reqId":"","amendResult":"","code":"0","msg":""}]}
    /// ```
    public mutating func render(_ event: SimulatedOrderEvent, now: SimulatedOrderClock) -> [String] {
        let order = event.order
        guard order.account == account else { return [] }
        let type = Self.instType(order.symbol)
        guard let subscription = subscriptions.first(where: { ($0.instType == "ANY" || $0.instType == type) && ($0.instID == nil || $0.instID == order.symbol) })
        else { return [] }
        var fillPx = "", tradeID = "", fillSz = "0", fillTime = "", execType = ""
        if case .fill(let fill) = event.kind {
            fillPx = fill.price.description
            tradeID = String(fill.tradeID)
            fillSz = fill.quantity.description
            fillTime = String(fill.epochMilliseconds)
            execType = fill.isMaker ? "M" : "T"
        }
        let arg = "{\"channel\":\"orders\",\"instType\":\"\(subscription.instType)\"" + (subscription.instID.map { ",\"instId\":\(OrderJSON.quoted($0))" } ?? "")
            + ",\"uid\":\(OrderJSON.quoted(order.account))}"
        let data = "{\"instType\":\"\(type)\",\"instId\":\(OrderJSON.quoted(order.symbol)),\"ordId\":\"\(order.orderID)\",\"clOrdId\":\(OrderJSON.quoted(order.clientOrderID)),"
            + "\"tag\":\"\",\"px\":\"\(order.price?.description ?? "")\",\"sz\":\"\(order.quantity)\",\"ordType\":\"\(Self.ordType(order))\","
            + "\"side\":\"\(order.side.rawValue)\",\"posSide\":\"net\",\"tdMode\":\"\(order.venueTag)\",\"fillPx\":\"\(fillPx)\","
            + "\"tradeId\":\"\(tradeID)\",\"fillSz\":\"\(fillSz)\",\"fillTime\":\"\(fillTime)\",\"fillFee\":\"0\",\"fillFeeCcy\":\"\",\"execType\":\"\(execType)\","
            + "\"accFillSz\":\"\(order.filledQuantity)\",\"avgPx\":\"\(order.averagePrice)\",\"state\":\"\(Self.state(order.status))\","
            + "\"cancelSource\":\"\(event.kind == .canceled ? "1" : "")\",\"category\":\"normal\",\"uTime\":\"\(order.updatedAt)\",\"cTime\":\"\(order.createdAt)\","
            + "\"reqId\":\"\",\"amendResult\":\"\",\"code\":\"0\",\"msg\":\"\"}"
        return ["{\"arg\":\(arg),\"data\":[\(data)]}"]
    }
}
