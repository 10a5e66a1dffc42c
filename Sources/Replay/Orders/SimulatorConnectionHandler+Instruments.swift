/// The venues' public trading-rules endpoints (issue #6), answered from
/// ``OrderSimulationConfiguration/instrumentRules`` in each venue's own reply shape, so order entry
/// loads its tick, lot and minimum from the simulator exactly as it would from the venue:
/// `GET /binance/api/v3/exchangeInfo?symbols=[…]`, `/okx/api/v5/public/instruments?instId=`,
/// `/bybit/v5/market/instruments-info?category=&symbol=`, `/kraken/0/public/AssetPairs?pair=`,
/// `/deribit/api/v2/public/get_instrument?instrument_name=`, `/bitfinex/v2/conf/pub:info:pair`.
/// Every symbol a venue is asked about gets that venue's rules (the simulated exchanges trade any symbol).
extension SimulatorConnectionHandler {
    /// `true` when `request` was an instrument-rules call and has been answered.
    func serveInstrumentREST(_ request: HTTPRequestParser.Request) -> Bool {
        let head = request.head
        guard head.method == "GET" else { return false }
        let parts = head.path.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, let rules = core.configuration.orders.instrumentRules[String(parts[0])] else { return false }
        let venue = String(parts[0]), route = "/" + parts[1]
        let query = Self.queryItems(head.query)
        let body: String
        switch (venue, route) {
        case ("binance", "/api/v3/exchangeInfo"):
            // `symbols=["BTCUSDT","ETHUSDT"]` (percent-encoded) or `symbol=BTCUSDT`.
            let names = (query["symbols"].map(Self.quotedNames) ?? []) + (query["symbol"].map { [$0] } ?? [])
            body = "{\"timezone\":\"UTC\",\"serverTime\":0,\"rateLimits\":[],\"exchangeFilters\":[],\"symbols\":["
                + names.map { name in
                    "{\"symbol\":\(OrderJSON.quoted(name)),\"status\":\"TRADING\",\"filters\":["
                        + "{\"filterType\":\"PRICE_FILTER\",\"minPrice\":\"\(rules.tickSize)\",\"maxPrice\":\"1000000\",\"tickSize\":\"\(rules.tickSize)\"},"
                        + "{\"filterType\":\"LOT_SIZE\",\"minQty\":\"\(rules.minSize)\",\"maxQty\":\"\(rules.maxSize)\",\"stepSize\":\"\(rules.lotSize)\"}]}"
                }.joined(separator: ",") + "]}"
        case ("okx", "/api/v5/public/instruments"):
            let type = query["instType"] ?? "SPOT"
            body = "{\"code\":\"0\",\"msg\":\"\",\"data\":[" + (query["instId"].map { id in
                "{\"instType\":\(OrderJSON.quoted(type)),\"instId\":\(OrderJSON.quoted(id)),\"tickSz\":\"\(rules.tickSize)\","
                    + "\"lotSz\":\"\(rules.lotSize)\",\"minSz\":\"\(rules.minSize)\",\"maxLmtSz\":\"\(rules.maxSize)\",\"state\":\"live\"}"
            } ?? "") + "]}"
        case ("bybit", "/v5/market/instruments-info"):
            let category = query["category"] ?? "spot"
            // Spot publishes the size step as basePrecision, derivatives as qtyStep.
            let step = category == "spot" ? "\"basePrecision\":\"\(rules.lotSize)\"" : "\"qtyStep\":\"\(rules.lotSize)\""
            body = "{\"retCode\":0,\"retMsg\":\"OK\",\"result\":{\"category\":\(OrderJSON.quoted(category)),\"list\":[" + (query["symbol"].map { name in
                "{\"symbol\":\(OrderJSON.quoted(name)),\"status\":\"Trading\",\"priceFilter\":{\"tickSize\":\"\(rules.tickSize)\"},"
                    + "\"lotSizeFilter\":{\(step),\"minOrderQty\":\"\(rules.minSize)\",\"maxOrderQty\":\"\(rules.maxSize)\"}}"
            } ?? "") + "]},\"retExtInfo\":{},\"time\":0}"
        case ("kraken", "/0/public/AssetPairs"):
            let pairs = (query["pair"] ?? "").split(separator: ",").map(String.init)
            let decimals = rules.lotSize.split(separator: ".").dropFirst().first?.count ?? 0
            body = "{\"error\":[],\"result\":{" + pairs.compactMap { pair in
                // Like the venue: keyed by its own name, Bitcoin spelled XBT in `altname` and `wsname`.
                guard let (base, quote) = Self.splitPair(pair) else { return nil }
                let restBase = base == "BTC" ? "XBT" : base
                return "\(OrderJSON.quoted(restBase + quote)):{\"altname\":\(OrderJSON.quoted(restBase + quote)),"
                    + "\"wsname\":\(OrderJSON.quoted(restBase + "/" + quote)),\"lot_decimals\":\(decimals),"
                    + "\"ordermin\":\"\(rules.minSize)\",\"tick_size\":\"\(rules.tickSize)\",\"status\":\"online\"}"
            }.joined(separator: ",") + "}}"
        case ("deribit", "/api/v2/public/get_instrument"):
            guard let name = query["instrument_name"] else { return false }
            body = "{\"jsonrpc\":\"2.0\",\"result\":{\"instrument_name\":\(OrderJSON.quoted(name)),\"tick_size\":\(rules.tickSize),"
                + "\"contract_size\":\(rules.lotSize),\"min_trade_amount\":\(rules.minSize),\"is_active\":true,\"state\":\"open\"}}"
        case ("bitfinex", "/v2/conf/pub:info:pair"):
            var pairs = ["BTCUSD", "ETHUSD", "BTCUST", "ETHUST"]
            for symbol in core.venues[venue]?.profile.symbols ?? [] {
                let codes = symbol.split(separator: "-").map { $0 == "USDT" ? "UST" : String($0) }
                if codes.count == 2, !pairs.contains(codes.joined()) { pairs.append(codes.joined()) }
            }
            body = "[[" + pairs.map { "[\(OrderJSON.quoted($0)),[null,null,null,\"\(rules.minSize)\",\"\(rules.maxSize)\",null,null,null,0.2,0.1]]" }
                .joined(separator: ",") + "]]"
        default:
            return false
        }
        core.emit(.restServed(venue: venue, target: route, status: 200))
        respond(.json(200, body, closesConnection: head.wantsClose))
        return true
    }

    /// `a=1&b=%5B%22X%22%5D` → `["a": "1", "b": "[\"X\"]"]` (percent- and `+`-decoded).
    static func queryItems(_ query: String) -> [String: String] {
        var items: [String: String] = [:]
        for pair in query.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map { PercentDecoding.decode(String($0), plusIsSpace: true) }
            items[parts[0]] = parts.count > 1 ? parts[1] : ""
        }
        return items
    }


    /// The strings of a JSON list of names: `["BTCUSDT","ETHUSDT"]` → `BTCUSDT`, `ETHUSDT`.
    static func quotedNames(_ list: String) -> [String] {
        list.split(separator: "\"").enumerated().filter { $0.offset % 2 == 1 }.map { String($0.element) }
    }

    /// `BTCUSD` → (`BTC`, `USD`), by the quote currencies the simulated venues list.
    static func splitPair(_ pair: String) -> (String, String)? {
        for quote in ["USDT", "USDC", "USD", "EUR", "GBP", "BTC", "ETH"] where pair.hasSuffix(quote) && pair.count > quote.count {
            return (String(pair.dropLast(quote.count)), quote)
        }
        return nil
    }
}
