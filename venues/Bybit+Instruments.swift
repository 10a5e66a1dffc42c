import MarketModel
import VenueKit

/// Bybit trading rules: `GET /v5/market/instruments-info?category=spot&symbol=BTCUSDT` per symbol
/// (the adapter's category: `spot`, `linear`, `inverse`); `priceFilter.tickSize`, and
/// `lotSizeFilter.basePrecision` (spot) or `qtyStep` (derivatives), `minOrderQty`, `maxOrderQty`
/// (Bybit v5 "Get Instruments Info"). A spot reply:
/// ```json
/// {"retCode":0,"retMsg":"OK","result":{"category":"spot","list":[{"symbol":"BTCUSDT","baseCoin":"BTC",
///  "quoteCoin":"USDT","status":"Trading","lotSizeFilter":{"basePrecision":"0.000001","quotePrecision":"0.00000001",
///  "minOrderQty":"0.000048","maxOrderQty":"71.73956243","minOrderAmt":"1","maxOrderAmt":"2000000"},
///  "priceFilter":{"tickSize":"0.01"}}]},"retExtInfo":{},"time":1714000000000}
/// ```
/// An unknown symbol answers `retCode` 0 with an empty `list`.
extension Bybit: InstrumentRulesSource {
    /// `bybit`.
    public static var instrumentRulesVenue: VenueID { spec.id }

    /// `https://api.bybit.com`.
    public static var instrumentRulesBaseURL: String { spec.restBaseURL ?? "https://api.bybit.com" }

    /// One request per symbol in the adapter's category.
    public func instrumentRulesRequests(restBaseURL: String) -> [InstrumentRulesRequest] {
        symbols.symbols.sorted().compactMap { symbol in
            guard let name = symbols.venueName(for: symbol) else { return nil }
            let url = "\(restBaseURL)/v5/market/instruments-info?category=\(category)&symbol=\(InstrumentRulesParsing.queryEscaped(name))"
            return InstrumentRulesRequest(request: RESTRequest(url: url), symbols: [symbol])
        }
    }

    /// `result.list[]` entries by `symbol`.
    public func parseInstrumentRules(_ body: UnsafeRawBufferPointer, for request: InstrumentRulesRequest) throws(InstrumentRulesError) -> [Symbol: InstrumentRules] {
        let venue = Self.instrumentRulesVenue
        let root = try InstrumentRulesParsing.tree(body, venue: venue, what: "instruments-info")
        if let code = root["retCode"].text, code != "0" {
            throw InstrumentRulesError(venue: venue, "instruments-info refused: \(code) \(root["retMsg"].text ?? "")")
        }
        guard let entries = root["result"]["list"].elements else {
            throw InstrumentRulesError(venue: venue, "instruments-info reply has no 'result.list' array")
        }
        var rules: [Symbol: InstrumentRules] = [:]
        for symbol in request.symbols {
            guard let name = symbols.venueName(for: symbol) else { continue }
            guard let entry = entries.first(where: { $0["symbol"].text == name }) else {
                throw InstrumentRulesParsing.missing(symbol, venue: venue, venueName: name, reply: "instruments-info")
            }
            let lot = entry["lotSizeFilter"]
            // Spot publishes the size step as basePrecision; linear/inverse as qtyStep.
            let stepField = lot["qtyStep"].nonEmptyText != nil ? "qtyStep" : "basePrecision"
            rules[symbol] = InstrumentRules(
                tickSize: try InstrumentRulesParsing.positive(entry["priceFilter"]["tickSize"], "priceFilter.tickSize", venue: venue, symbol: symbol),
                lotSize: try InstrumentRulesParsing.positive(lot[stepField], "lotSizeFilter.\(stepField)", venue: venue, symbol: symbol),
                minSize: try InstrumentRulesParsing.nonNegative(lot["minOrderQty"], "lotSizeFilter.minOrderQty", venue: venue, symbol: symbol),
                maxSize: try InstrumentRulesParsing.optionalCap(lot["maxOrderQty"], "lotSizeFilter.maxOrderQty", venue: venue, symbol: symbol))
        }
        return rules
    }
}
