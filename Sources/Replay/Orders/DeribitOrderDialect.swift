/// Deribit JSON-RPC 2.0 order entry (VENUES.md §6.6, [DB-AUTH][DB-SIG][NT-DB]) at `/deribit/orders`:
/// `public/auth` (client_credentials or client_signature = hex HMAC-SHA256 of
/// `timestamp + "\n" + nonce + "\n" + data`), then `private/buy|sell` with `label` as the client
/// order id, `private/cancel`, `private/cancel_by_label`, `private/cancel_all`,
/// `private/get_order_state[_by_label]`, and `user.orders.*` / `user.trades.*` subscriptions.
/// Running out of credits answers 10028 `too_many_requests` and ends the session [DB-RL].
public struct DeribitOrderDialect: SimulatedOrderDialect {
    private var account: String?
    private var channels: [String] = []
    private var heartbeatSeconds: Int64?

    /// [DB-HB] after `public/set_heartbeat {"interval":N}` (N ≥ 10 s), every N s:
    /// `{"jsonrpc":"2.0","method":"heartbeat","params":{"type":"test_request"}}`
    public var heartbeat: (intervalMilliseconds: Int64, frame: String)? {
        heartbeatSeconds.map { ($0 * 1000, #"{"jsonrpc":"2.0","method":"heartbeat","params":{"type":"test_request"}}"#) }
    }

    /// Whether a rate-limit error also closes the connection (Deribit's "session termination").
    public var disconnectsOnRateLimit = true

    /// Creates the dialect for one connection.
    public init(role: SimulatedOrderConnectionRole, connectionID: Int) {}

    private struct Failure: Error {
        var code: Int
        var message: String
        var data: String?
    }

    private static let unauthorized = Failure(code: 13009, message: "unauthorized")
    private static let tokenPrefix = "mmx-sim-access."

    /// ```json
    /// {"jsonrpc":"2.0","id":1,"method":"public/auth","params":{"grant_type":"client_credentials","client_id":"…","client_secret":"…"}}
    /// {"jsonrpc":"2.0","id":2,"method":"public/auth","params":{"grant_type":"client_signature","client_id":"…","timestamp":1576074319000,
    ///  "signature":"…","nonce":"1iqt2wls","data":""}}
    /// {"jsonrpc":"2.0","id":3,"method":"private/buy","params":{"instrument_name":"ETH_USDC-PERPETUAL","amount":0.001,"type":"limit",
    ///  "price":2973.55,"post_only":true,"label":"O-1"}}
    /// {"jsonrpc":"2.0","id":4,"method":"private/get_order_state_by_label","params":{"currency":"USDC","label":"O-1"}}
    /// {"jsonrpc":"2.0","id":5,"method":"private/cancel_by_label","params":{"label":"O-1"}}
    /// {"jsonrpc":"2.0","id":6,"method":"private/subscribe","params":{"channels":["user.orders.any.any.raw"]}}
    /// ```
    public mutating func handle(_ message: [UInt8], exchange: inout SimulatedExchange, now: SimulatedOrderClock) -> SimulatedDialectResult {
        guard let request = OrderJSON(parsing: message), let method = request["method"]?.text else {
            return SimulatedDialectResult(replies: [errorReply(id: "null", Failure(code: -32700, message: "Parse error"), now: now)])
        }
        let id = request["id"]?.rendered ?? "null"
        let params = request["params"] ?? .object([])
        if account == nil, let token = params["access_token"]?.text, token.hasPrefix(Self.tokenPrefix),
           exchange.account(apiKey: String(token.dropFirst(Self.tokenPrefix.count))) != nil {
            account = String(token.dropFirst(Self.tokenPrefix.count))
        }
        let kind: SimulatedRequestKind
        switch method {
        case "private/buy", "private/sell": kind = .place
        case "private/cancel", "private/cancel_by_label": kind = .cancel
        case "private/cancel_all", "private/cancel_all_by_instrument", "private/cancel_all_by_currency": kind = .cancelAll
        case "private/get_order_state", "private/get_order_state_by_label", "private/get_open_orders_by_instrument",
             "private/get_open_orders", "private/get_open_orders_by_currency": kind = .status
        default: kind = .other
        }
        do throws(Failure) {
            if kind != .other {
                guard let account else { throw Self.unauthorized }
                if case .limited = exchange.admit(kind, account: account, symbol: params["instrument_name"]?.text, now: now) {
                    return SimulatedDialectResult(replies: [errorReply(id: id, Failure(code: 10028, message: "too_many_requests"), now: now)],
                                                  closesConnection: disconnectsOnRateLimit)
                }
            }
            let result = try respond(method: method, params: params, exchange: &exchange, now: now)
            return SimulatedDialectResult(replies: [okReply(id: id, result: result, now: now)])
        } catch {
            return SimulatedDialectResult(replies: [errorReply(id: id, error, now: now)])
        }
    }

    private mutating func respond(method: String, params: OrderJSON, exchange: inout SimulatedExchange, now: SimulatedOrderClock) throws(Failure) -> String {
        switch method {
        case "public/auth": return try authenticate(params, exchange: exchange, now: now)
        case "public/test": return "{\"version\":\"1.2.26\"}"
        case "public/set_heartbeat":
            guard let interval = params["interval"]?.int64, interval >= 10 else {
                throw Failure(code: -32602, message: "Invalid params", data: "{\"reason\":\"must be at least 10\",\"param\":\"interval\"}")
            }
            heartbeatSeconds = interval
            return "\"ok\""
        case "public/disable_heartbeat":
            heartbeatSeconds = nil
            return "\"ok\""
        case "public/get_time": return String(now.epochMilliseconds)
        case "private/subscribe", "public/subscribe":
            var accepted: [String] = []
            for channel in (params["channels"]?.items ?? []).compactMap(\.text) where channel.hasPrefix("user.orders.") || channel.hasPrefix("user.trades.") {
                guard account != nil else { throw Self.unauthorized }
                if !channels.contains(channel) { channels.append(channel) }
                accepted.append(channel)
            }
            return "[" + accepted.map(OrderJSON.quoted).joined(separator: ",") + "]"
        case "private/unsubscribe", "public/unsubscribe":
            let removed = (params["channels"]?.items ?? []).compactMap(\.text).filter { channels.contains($0) }
            channels.removeAll { removed.contains($0) }
            return "[" + removed.map(OrderJSON.quoted).joined(separator: ",") + "]"
        default: break
        }
        guard let account else { throw Self.unauthorized }
        switch method {
        case "private/buy", "private/sell":
            return try place(params, side: method == "private/buy" ? .buy : .sell, account: account, exchange: &exchange, now: now)
        case "private/cancel":
            guard let orderID = params["order_id"]?.text else { throw Self.missing("order_id") }
            let known = Self.orderNumber(orderID).flatMap { exchange.order(account: account, orderID: $0) }
            guard let known else {
                _ = exchange.cancel(account: account, orderID: nil, now: now)
                throw Failure(code: 10004, message: "order_not_found")
            }
            guard let order = exchange.cancel(account: account, orderID: known.orderID, now: now) else {
                throw Failure(code: 11044, message: "not_open_order")
            }
            return Self.orderObject(order)
        case "private/cancel_by_label":
            guard let label = params["label"]?.text else { throw Self.missing("label") }
            return exchange.cancel(account: account, clientOrderID: label, now: now) == nil ? "0" : "1"
        case "private/cancel_all":
            return String(exchange.cancelAll(account: account, now: now).count)
        case "private/cancel_all_by_instrument":
            return String(exchange.cancelAll(account: account, symbol: params["instrument_name"]?.text, now: now).count)
        case "private/cancel_all_by_currency":
            let currency = params["currency"]?.text ?? ""
            let open = exchange.openOrders(account: account).filter { Self.matches($0.symbol, currency: currency) }
            return String(open.compactMap { exchange.cancel(account: account, orderID: $0.orderID, now: now) }.count)
        case "private/get_order_state":
            exchange.noteStatusQuery()
            guard let orderID = params["order_id"]?.text else { throw Self.missing("order_id") }
            guard let order = Self.orderNumber(orderID).flatMap({ exchange.order(account: account, orderID: $0) }) else {
                throw Failure(code: 10004, message: "order_not_found")
            }
            return Self.orderObject(order)
        case "private/get_order_state_by_label":
            exchange.noteStatusQuery()
            guard let label = params["label"]?.text else { throw Self.missing("label") }
            let currency = params["currency"]?.text
            let found = [exchange.order(account: account, clientOrderID: label)].compactMap { $0 }.filter { currency == nil || Self.matches($0.symbol, currency: currency ?? "") }
            return "[" + found.map(Self.orderObject).joined(separator: ",") + "]"
        case "private/get_open_orders", "private/get_open_orders_by_instrument", "private/get_open_orders_by_currency":
            exchange.noteStatusQuery()
            let instrument = params["instrument_name"]?.text
            let currency = params["currency"]?.text
            let open = exchange.openOrders(account: account, symbol: instrument).filter { currency == nil || Self.matches($0.symbol, currency: currency ?? "") }
            return "[" + open.map(Self.orderObject).joined(separator: ",") + "]"
        default:
            throw Failure(code: -32601, message: "Method not found")
        }
    }

    private static func missing(_ param: String) -> Failure {
        Failure(code: -32602, message: "Invalid params", data: "{\"reason\":\"must be present\",\"param\":\"\(param)\"}")
    }

    /// `public/auth` result:
    /// `{"access_token":"…","expires_in":31536000,"refresh_token":"…","scope":"connection mainaccount","enabled_features":[],"token_type":"bearer"}`
    private mutating func authenticate(_ params: OrderJSON, exchange: SimulatedExchange, now: SimulatedOrderClock) throws(Failure) -> String {
        let invalid = Failure(code: 13004, message: "invalid_credentials")
        guard let clientID = params["client_id"]?.text, let candidate = exchange.account(apiKey: clientID) else { throw invalid }
        switch params["grant_type"]?.text {
        case "client_credentials":
            guard params["client_secret"]?.text == candidate.secret else { throw invalid }
        case "client_signature":
            guard let timestamp = params["timestamp"]?.int64, let signature = params["signature"]?.text, let nonce = params["nonce"]?.text else { throw invalid }
            let data = params["data"]?.text ?? ""
            let expected = OrderSigning.hex(.sha256, secret: candidate.secret, message: "\(timestamp)\n\(nonce)\n\(data)")
            guard OrderSigning.hexEqual(expected, signature) else { throw invalid }
            guard abs(now.epochMilliseconds - timestamp) <= 60_000 else { throw Failure(code: 13004, message: "invalid_credentials", data: "{\"reason\":\"timestamp expired\"}") }
        case "refresh_token":
            guard params["refresh_token"]?.text == Self.tokenPrefix + clientID else { throw invalid }
        default:
            throw Failure(code: -32602, message: "Invalid params", data: "{\"reason\":\"wrong format\",\"param\":\"grant_type\"}")
        }
        account = clientID
        let token = OrderJSON.quoted(Self.tokenPrefix + clientID)
        return "{\"access_token\":\(token),\"expires_in\":31536000,\"refresh_token\":\(token),\"scope\":\"connection mainaccount\","
            + "\"enabled_features\":[],\"token_type\":\"bearer\"}"
    }

    private func place(_ params: OrderJSON, side: SimulatedOrderSide, account: String, exchange: inout SimulatedExchange,
                       now: SimulatedOrderClock) throws(Failure) -> String {
        guard let instrument = params["instrument_name"]?.text else { throw Self.missing("instrument_name") }
        guard let amount = params["amount"]?.text.flatMap(SimulatedDecimal.init(parsing:)) else { throw Self.missing("amount") }
        let type: SimulatedOrderType = params["type"]?.text == "market" ? .market : .limit
        var timeInForce = SimulatedTimeInForce.goodTillCanceled
        switch params["time_in_force"]?.text {
        case "immediate_or_cancel": timeInForce = .immediateOrCancel
        case "fill_or_kill": timeInForce = .fillOrKill
        default: if params["post_only"]?.isTrue == true { timeInForce = .postOnly }
        }
        var price: SimulatedDecimal?
        if type == .limit {
            guard let parsed = params["price"]?.text.flatMap(SimulatedDecimal.init(parsing:)) else { throw Self.missing("price") }
            price = parsed
        }
        let request = SimulatedOrderRequest(account: account, clientOrderID: params["label"]?.text, symbol: instrument, side: side, type: type,
                                            price: price, quantity: amount, timeInForce: timeInForce)
        switch exchange.place(request, now: now) {
        case .success(let order):
            let trades = order.fills.map { Self.tradeObject($0, order: order) }
            return "{\"order\":\(Self.orderObject(order)),\"trades\":[\(trades.joined(separator: ","))]}"
        case .failure(.duplicateClientOrderID):
            // Deribit itself allows repeated labels; the simulator treats labels as client order ids.
            throw Failure(code: -32602, message: "Invalid params", data: "{\"reason\":\"label already used by an order of this account\",\"param\":\"label\"}")
        case .failure(.wouldTakeLiquidity): throw Failure(code: 11054, message: "post_only_reject")
        case .failure(.invalidQuantity):
            throw Failure(code: -32602, message: "Invalid params", data: "{\"reason\":\"must be positive\",\"param\":\"amount\"}")
        case .failure(.invalidPrice):
            throw Failure(code: -32602, message: "Invalid params", data: "{\"reason\":\"must be positive\",\"param\":\"price\"}")
        }
    }

    // MARK: Shapes

    /// `ETH_USDC-PERPETUAL` → `USDC`, `BTC-PERPETUAL` → `BTC` (the order-id prefix and fee currency).
    static func currency(of instrument: String) -> String {
        let base = instrument.split(separator: "-").first.map(String.init) ?? instrument
        return base.split(separator: "_").last.map(String.init) ?? base
    }

    static func matches(_ instrument: String, currency: String) -> Bool {
        currency == "any" || Self.currency(of: instrument) == currency || instrument.hasPrefix(currency + "-") || instrument.hasPrefix(currency + "_")
    }

    /// `USDC-104819327443` → 104819327443
    static func orderNumber(_ orderID: String) -> Int64? {
        orderID.split(separator: "-").last.flatMap { Int64($0) }
    }

    static func orderState(_ status: SimulatedOrderStatus) -> String {
        switch status {
        case .new, .partiallyFilled: "open"
        case .filled: "filled"
        case .canceled, .expired: "cancelled"
        }
    }

    static func timeInForce(_ order: SimulatedOrder) -> String {
        switch order.timeInForce {
        case .immediateOrCancel: "immediate_or_cancel"
        case .fillOrKill: "fill_or_kill"
        case .goodTillCanceled, .postOnly: "good_til_cancelled"
        }
    }

    /// ```json
    /// {"web":false,"time_in_force":"good_til_cancelled","replaced":false,"reduce_only":false,"price":2973.55,"post_only":true,
    ///  "order_type":"limit","order_state":"open","order_id":"USDC-104819327443","max_show":0.001,"last_update_timestamp":1767978363485,
    ///  "label":"O-1","is_liquidation":false,"instrument_name":"ETH_USDC-PERPETUAL","filled_amount":0.0,"direction":"buy",
    ///  "creation_timestamp":1767978363485,"average_price":0.0,"api":true,"amount":0.001}
    /// ```
    static func orderObject(_ order: SimulatedOrder) -> String {
        let price = order.price.map(\.withFraction) ?? "\"market_price\""
        return "{\"web\":false,\"time_in_force\":\"\(timeInForce(order))\",\"replaced\":false,\"reduce_only\":false,\"price\":\(price),"
            + "\"post_only\":\(order.timeInForce == .postOnly),\"order_type\":\"\(order.type.rawValue)\",\"order_state\":\"\(orderState(order.status))\","
            + "\"order_id\":\"\(currency(of: order.symbol))-\(order.orderID)\",\"max_show\":\(order.quantity.withFraction),"
            + "\"last_update_timestamp\":\(order.updatedAt),\"label\":\(OrderJSON.quoted(order.clientOrderID)),\"is_liquidation\":false,"
            + "\"instrument_name\":\(OrderJSON.quoted(order.symbol)),\"filled_amount\":\(order.filledQuantity.withFraction),"
            + "\"direction\":\"\(order.side.rawValue)\",\"creation_timestamp\":\(order.createdAt),\"average_price\":\(order.averagePrice.withFraction),"
            + "\"api\":true,\"amount\":\(order.quantity.withFraction)}"
    }

    /// ```json
    /// {"trade_seq":1,"trade_id":"USDC-1","timestamp":1767978363485,"tick_direction":0,"state":"filled","price":2973.55,
    ///  "order_type":"limit","order_id":"USDC-104819327443","mark_price":2973.55,"liquidity":"T","label":"O-1",
    ///  "instrument_name":"ETH_USDC-PERPETUAL","index_price":2973.55,"fee_currency":"USDC","fee":0.0,"direction":"buy","amount":0.001}
    /// ```
    static func tradeObject(_ fill: SimulatedFill, order: SimulatedOrder) -> String {
        let currency = currency(of: order.symbol)
        return "{\"trade_seq\":\(fill.tradeID),\"trade_id\":\"\(currency)-\(fill.tradeID)\",\"timestamp\":\(fill.epochMilliseconds),\"tick_direction\":0,"
            + "\"state\":\"\(orderState(order.status))\",\"price\":\(fill.price.withFraction),\"order_type\":\"\(order.type.rawValue)\","
            + "\"order_id\":\"\(currency)-\(order.orderID)\",\"mark_price\":\(fill.price.withFraction),\"liquidity\":\"\(fill.isMaker ? "M" : "T")\","
            + "\"label\":\(OrderJSON.quoted(order.clientOrderID)),\"instrument_name\":\(OrderJSON.quoted(order.symbol)),"
            + "\"index_price\":\(fill.price.withFraction),\"fee_currency\":\"\(currency)\",\"fee\":0.0,\"direction\":\"\(order.side.rawValue)\","
            + "\"amount\":\(fill.quantity.withFraction)}"
    }

    /// `{"jsonrpc":"2.0","id":3,"result":…,"usIn":1767978363485000,"usOut":1767978363485000,"usDiff":0,"testnet":false}`
    private func okReply(id: String, result: String, now: SimulatedOrderClock) -> String {
        "{\"jsonrpc\":\"2.0\",\"id\":\(id),\"result\":\(result),\"usIn\":\(now.epochMilliseconds * 1000),\"usOut\":\(now.epochMilliseconds * 1000),\"usDiff\":0,\"testnet\":false}"
    }

    /// `{"jsonrpc":"2.0","id":3,"error":{"message":"too_many_requests","code":10028},"usIn":…,"usOut":…,"usDiff":0,"testnet":false}`
    private func errorReply(id: String, _ error: Failure, now: SimulatedOrderClock) -> String {
        "{\"jsonrpc\":\"2.0\",\"id\":\(id),\"error\":{\"message\":\(OrderJSON.quoted(error.message)),\"code\":\(error.code)" + (error.data.map { ",\"data\":\($0)" } ?? "")
            + "},\"usIn\":\(now.epochMilliseconds * 1000),\"usOut\":\(now.epochMilliseconds * 1000),\"usDiff\":0,\"testnet\":false}"
    }

    // MARK: Updates

    /// Whether `channel` (`user.orders.{instrument}.{interval}`, `user.orders.{kind}.{currency}.{interval}`,
    /// `user.orders.any.any.raw`) covers `instrument`.
    static func channel(_ channel: String, covers instrument: String) -> Bool {
        let parts = channel.split(separator: ".").map(String.init)
        if parts.count == 4 { return parts[2] == instrument }
        if parts.count == 5 { return parts[3] == "any" || matches(instrument, currency: parts[3]) }
        return false
    }

    /// Subscription notifications; `.raw` carries one order, other intervals an array:
    /// ```json
    /// {"jsonrpc":"2.0","method":"subscription","params":{"channel":"user.orders.any.any.raw","data":{…order…}}}
    /// {"jsonrpc":"2.0","method":"subscription","params":{"channel":"user.trades.BTC-PERPETUAL.raw","data":[{…trade…}]}}
    /// ```
    public mutating func render(_ event: SimulatedOrderEvent, now: SimulatedOrderClock) -> [String] {
        guard event.order.account == account else { return [] }
        var out: [String] = []
        for channel in channels where Self.channel(channel, covers: event.order.symbol) {
            if channel.hasPrefix("user.orders.") {
                let object = Self.orderObject(event.order)
                let data = channel.hasSuffix(".raw") ? object : "[" + object + "]"
                out.append("{\"jsonrpc\":\"2.0\",\"method\":\"subscription\",\"params\":{\"channel\":\(OrderJSON.quoted(channel)),\"data\":\(data)}}")
            } else if case .fill(let fill) = event.kind {
                out.append("{\"jsonrpc\":\"2.0\",\"method\":\"subscription\",\"params\":{\"channel\":\(OrderJSON.quoted(channel)),\"data\":["
                           + Self.tradeObject(fill, order: event.order) + "]}}")
            }
        }
        return out
    }
}
