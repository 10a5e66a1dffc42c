import MarketModel
import VenueKit

/// Deribit trading rules: `GET /api/v2/public/get_instrument?instrument_name=BTC-PERPETUAL` per
/// symbol; `tick_size`, `contract_size` (amounts are multiples of it: USD 10 on BTC perpetuals)
/// and `min_trade_amount` (Deribit "public/get_instrument"). Prices above a `tick_size_steps`
/// `above_price` use that step's coarser `tick_size` (options: `[{"above_price":0.005,"tick_size":0.0005}]`
/// over a base tick of 0.0001), so an order off the coarser grid is refused here, not by the venue. A reply:
/// ```json
/// {"jsonrpc":"2.0","result":{"tick_size":0.5,"tick_size_steps":[],"taker_commission":0.0005,"settlement_period":"perpetual",
///  "quote_currency":"USD","min_trade_amount":10.0,"kind":"future","is_active":true,"instrument_name":"BTC-PERPETUAL",
///  "instrument_id":124972,"contract_size":10.0,"base_currency":"BTC","state":"open"},"usIn":1714000000000000,"testnet":false}
/// ```
/// An unknown instrument: `{"jsonrpc":"2.0","error":{"message":"Invalid params","data":{"reason":"instrument not found","param":"instrument_name"},"code":-32602}}`.
extension Deribit: InstrumentRulesSource {
    /// `deribit`.
    public static var instrumentRulesVenue: VenueID { spec.id }

    /// `https://www.deribit.com` (the spec has no REST base: Deribit market data is all WebSocket).
    public static var instrumentRulesBaseURL: String { spec.restBaseURL ?? "https://www.deribit.com" }

    /// One request per instrument.
    public func instrumentRulesRequests(restBaseURL: String) -> [InstrumentRulesRequest] {
        symbols.symbols.sorted().compactMap { symbol in
            guard let name = symbols.venueName(for: symbol) else { return nil }
            let url = "\(restBaseURL)/api/v2/public/get_instrument?instrument_name=\(InstrumentRulesParsing.queryEscaped(name))"
            return InstrumentRulesRequest(request: RESTRequest(url: url), symbols: [symbol])
        }
    }

    /// `result` of the JSON-RPC reply.
    public func parseInstrumentRules(_ body: UnsafeRawBufferPointer, for request: InstrumentRulesRequest) throws(InstrumentRulesError) -> [Symbol: InstrumentRules] {
        let venue = Self.instrumentRulesVenue
        let root = try InstrumentRulesParsing.tree(body, venue: venue, what: "get_instrument")
        let symbol = request.symbols.first
        if let error = root["error"], error.isObject {
            let reason = error["data"]["reason"].text.map { " (\($0))" } ?? ""
            throw InstrumentRulesError(venue: venue, symbol: symbol, "get_instrument refused: \(error["code"].text ?? "?") \(error["message"].text ?? "")\(reason)")
        }
        var rules: [Symbol: InstrumentRules] = [:]
        for symbol in request.symbols {
            guard let name = symbols.venueName(for: symbol) else { continue }
            let result = root["result"]
            guard result?.isObject == true, result["instrument_name"].text == name else {
                throw InstrumentRulesParsing.missing(symbol, venue: venue, venueName: name, reply: "get_instrument")
            }
            rules[symbol] = InstrumentRules(
                tickSize: try InstrumentRulesParsing.positive(result["tick_size"], "tick_size", venue: venue, symbol: symbol),
                lotSize: try InstrumentRulesParsing.positive(result["contract_size"], "contract_size", venue: venue, symbol: symbol),
                minSize: try InstrumentRulesParsing.nonNegative(result["min_trade_amount"], "min_trade_amount", venue: venue, symbol: symbol),
                tickSteps: try tickSteps(result["tick_size_steps"], venue: venue, symbol: symbol))
        }
        return rules
    }

    /// `tick_size_steps`: absent, `null` or `[]` for one tick; else `{"above_price":0.005,"tick_size":0.0005}` objects.
    func tickSteps(_ node: JSONNode?, venue: VenueID, symbol: Symbol) throws(InstrumentRulesError) -> [TickStep] {
        guard let node, !node.isNull else { return [] }
        guard let elements = node.elements else {
            throw InstrumentRulesError(venue: venue, symbol: symbol, "'tick_size_steps' must be an array")
        }
        var steps: [TickStep] = []
        for element in elements {
            guard element.isObject else {
                throw InstrumentRulesError(venue: venue, symbol: symbol, "'tick_size_steps' entries must be objects")
            }
            steps.append(TickStep(
                abovePrice: try InstrumentRulesParsing.nonNegative(element["above_price"], "tick_size_steps.above_price", venue: venue, symbol: symbol),
                tickSize: try InstrumentRulesParsing.positive(element["tick_size"], "tick_size_steps.tick_size", venue: venue, symbol: symbol)))
        }
        return steps
    }
}
