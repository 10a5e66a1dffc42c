import MarketModel
import VenueKit

/// Binance spot trading rules: one `GET /api/v3/exchangeInfo?symbols=["BTCUSDT",...]` for every
/// configured symbol; `PRICE_FILTER.tickSize` is the tick, `LOT_SIZE.stepSize`/`minQty`/`maxQty`
/// the lot, minimum and maximum (BN REST "Exchange information", "Filters"). A reply looks like:
/// ```json
/// {"timezone":"UTC","serverTime":1714000000000,"rateLimits":[],"exchangeFilters":[],
///  "symbols":[{"symbol":"BTCUSDT","status":"TRADING","baseAsset":"BTC","quoteAsset":"USDT",
///   "filters":[{"filterType":"PRICE_FILTER","minPrice":"0.01000000","maxPrice":"1000000.00000000","tickSize":"0.01000000"},
///              {"filterType":"LOT_SIZE","minQty":"0.00001000","maxQty":"9000.00000000","stepSize":"0.00001000"},
///              {"filterType":"NOTIONAL","minNotional":"5.00000000","applyMinToMarket":true,"maxNotional":"9000000.00000000"}]}]}
/// ```
/// An unknown symbol is refused as a whole: `{"code":-1121,"msg":"Invalid symbol."}`.
extension Binance: InstrumentRulesSource {
    /// `binance`.
    public static var instrumentRulesVenue: VenueID { spec.id }

    /// `https://api.binance.com`.
    public static var instrumentRulesBaseURL: String { spec.restBaseURL ?? "https://api.binance.com" }

    /// One request for all symbols (weight 20 whatever the count, vs 2 per single-symbol call).
    public func instrumentRulesRequests(restBaseURL: String) -> [InstrumentRulesRequest] {
        let named = symbols.symbols.sorted { $0.rawValue < $1.rawValue }.compactMap { symbol in symbols.venueName(for: symbol).map { (symbol, $0) } }
        guard !named.isEmpty else { return [] }
        let list = "[" + named.map { "\"\($0.1)\"" }.joined(separator: ",") + "]"
        let url = "\(restBaseURL)/api/v3/exchangeInfo?symbols=\(InstrumentRulesParsing.queryEscaped(list))"
        return [InstrumentRulesRequest(request: RESTRequest(url: url, weight: 20), symbols: named.map(\.0))]
    }

    /// `symbols[].filters[]` of each requested symbol.
    public func parseInstrumentRules(_ body: UnsafeRawBufferPointer, for request: InstrumentRulesRequest) throws(InstrumentRulesError) -> [Symbol: InstrumentRules] {
        let venue = Self.instrumentRulesVenue
        let root = try InstrumentRulesParsing.tree(body, venue: venue, what: "exchangeInfo")
        if let code = root["code"].text, let message = root["msg"].text {
            throw InstrumentRulesError(venue: venue, "exchangeInfo refused: \(code) \(message)")
        }
        guard let entries = root["symbols"].elements else {
            throw InstrumentRulesError(venue: venue, "exchangeInfo reply has no 'symbols' array")
        }
        var byName: [String: JSONNode] = [:]
        for entry in entries { if let name = entry["symbol"].text { byName[name] = entry } }
        var rules: [Symbol: InstrumentRules] = [:]
        for symbol in request.symbols {
            guard let name = symbols.venueName(for: symbol) else { continue }
            guard let entry = byName[name] else {
                throw InstrumentRulesParsing.missing(symbol, venue: venue, venueName: name, reply: "exchangeInfo")
            }
            let filters = entry["filters"].elements ?? []
            func filter(_ type: String) throws(InstrumentRulesError) -> JSONNode {
                guard let found = filters.first(where: { $0["filterType"].text == type }) else {
                    throw InstrumentRulesError(venue: venue, symbol: symbol, "'\(name)' has no \(type) filter")
                }
                return found
            }
            let price = try filter("PRICE_FILTER"), lot = try filter("LOT_SIZE")
            rules[symbol] = InstrumentRules(
                tickSize: try InstrumentRulesParsing.positive(price["tickSize"], "PRICE_FILTER.tickSize", venue: venue, symbol: symbol),
                lotSize: try InstrumentRulesParsing.positive(lot["stepSize"], "LOT_SIZE.stepSize", venue: venue, symbol: symbol),
                minSize: try InstrumentRulesParsing.nonNegative(lot["minQty"], "LOT_SIZE.minQty", venue: venue, symbol: symbol),
                maxSize: try InstrumentRulesParsing.optionalCap(lot["maxQty"], "LOT_SIZE.maxQty", venue: venue, symbol: symbol))
        }
        return rules
    }
}
