import MarketModel
import VenueKit

/// OKX trading rules: `GET /api/v5/public/instruments?instType=SPOT&instId=BTC-USDT` per symbol
/// (`SWAP`/`FUTURES`/`OPTION` for derivatives; options also name their `instFamily`); `tickSz`,
/// `lotSz`, `minSz` and `maxLmtSz` (OKX "Get instruments"). Sizes of derivatives are contracts. A reply:
/// ```json
/// {"code":"0","msg":"","data":[{"instType":"SPOT","instId":"BTC-USDT","baseCcy":"BTC","quoteCcy":"USDT",
///  "tickSz":"0.1","lotSz":"0.00000001","minSz":"0.00001","maxLmtSz":"9999999999","maxMktSz":"1000000","state":"live"}]}
/// ```
/// An unknown instrument: `{"code":"51001","msg":"Instrument ID does not exist","data":[]}`.
extension OKX: InstrumentRulesSource {
    /// `okx`.
    public static var instrumentRulesVenue: VenueID { spec.id }

    /// `https://www.okx.com`.
    public static var instrumentRulesBaseURL: String { spec.restBaseURL ?? "https://www.okx.com" }

    /// One request per symbol, so an unknown instrument's error names it.
    public func instrumentRulesRequests(restBaseURL: String) -> [InstrumentRulesRequest] {
        symbols.symbols.sorted().compactMap { symbol in
            guard let name = symbols.venueName(for: symbol) else { return nil }
            let type: String
            var family = ""
            switch symbol.kind {
            case .spot: type = "SPOT"
            case .perpetual: type = "SWAP"
            case .future: type = "FUTURES"
            case .option:
                type = "OPTION"
                family = "&instFamily=\(symbol.base)-\(symbol.quote)"
            }
            let url = "\(restBaseURL)/api/v5/public/instruments?instType=\(type)\(family)&instId=\(InstrumentRulesParsing.queryEscaped(name))"
            return InstrumentRulesRequest(request: RESTRequest(url: url), symbols: [symbol])
        }
    }

    /// `data[]` entries by `instId`.
    public func parseInstrumentRules(_ body: UnsafeRawBufferPointer, for request: InstrumentRulesRequest) throws(InstrumentRulesError) -> [Symbol: InstrumentRules] {
        let venue = Self.instrumentRulesVenue
        let root = try InstrumentRulesParsing.tree(body, venue: venue, what: "instruments")
        if let code = root["code"].text, code != "0" {
            throw InstrumentRulesError(venue: venue, symbol: request.symbols.count == 1 ? request.symbols[0] : nil,
                                       "instruments refused: \(code) \(root["msg"].text ?? "")")
        }
        guard let entries = root["data"].elements else { throw InstrumentRulesError(venue: venue, "instruments reply has no 'data' array") }
        var rules: [Symbol: InstrumentRules] = [:]
        for symbol in request.symbols {
            guard let name = symbols.venueName(for: symbol) else { continue }
            guard let entry = entries.first(where: { $0["instId"].text == name }) else {
                throw InstrumentRulesParsing.missing(symbol, venue: venue, venueName: name, reply: "instruments")
            }
            rules[symbol] = InstrumentRules(
                tickSize: try InstrumentRulesParsing.positive(entry["tickSz"], "tickSz", venue: venue, symbol: symbol),
                lotSize: try InstrumentRulesParsing.positive(entry["lotSz"], "lotSz", venue: venue, symbol: symbol),
                minSize: try InstrumentRulesParsing.nonNegative(entry["minSz"], "minSz", venue: venue, symbol: symbol),
                maxSize: try InstrumentRulesParsing.optionalCap(entry["maxLmtSz"], "maxLmtSz", venue: venue, symbol: symbol))
        }
        return rules
    }
}
