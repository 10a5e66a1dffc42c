import MarketModel
import VenueKit

/// Kraken spot trading rules: one `GET /0/public/AssetPairs?pair=BTCUSD,ETHUSD` for every
/// configured symbol; `tick_size`, `lot_decimals` (the size step is 10^-lot_decimals) and
/// `ordermin` (Kraken REST "Get Tradable Asset Pairs"). The reply is keyed by Kraken's own pair
/// names and spells Bitcoin `XBT`, so entries are matched on `wsname` with Kraken's aliases undone:
/// ```json
/// {"error":[],"result":{"XXBTZUSD":{"altname":"XBTUSD","wsname":"XBT/USD","aclass_base":"currency","base":"XXBT",
///  "aclass_quote":"currency","quote":"ZUSD","pair_decimals":1,"cost_decimals":5,"lot_decimals":8,"lot_multiplier":1,
///  "ordermin":"0.0001","costmin":"0.5","tick_size":"0.1","status":"online"}}}
/// ```
/// An unknown pair fails the whole request: `{"error":["EQuery:Unknown asset pair"]}`.
extension Kraken: InstrumentRulesSource {
    /// `kraken`.
    public static var instrumentRulesVenue: VenueID { spec.id }

    /// `https://api.kraken.com`.
    public static var instrumentRulesBaseURL: String { spec.restBaseURL ?? "https://api.kraken.com" }

    /// Kraken's REST names for assets that WebSocket v2 spells the common way.
    static let restAssetAliases = ["XBT": "BTC", "XDG": "DOGE"]

    /// One request for all pairs (`BTCUSD`: REST accepts the common spelling in `pair`).
    public func instrumentRulesRequests(restBaseURL: String) -> [InstrumentRulesRequest] {
        let named = symbols.symbols.sorted().filter { symbols.venueName(for: $0) != nil }
        guard !named.isEmpty else { return [] }
        let pairs = named.map { $0.base + $0.quote }.joined(separator: ",")
        return [InstrumentRulesRequest(request: RESTRequest(url: "\(restBaseURL)/0/public/AssetPairs?pair=\(InstrumentRulesParsing.queryEscaped(pairs))"),
                                       symbols: named)]
    }

    /// `result.<pair>` entries matched on `wsname` (`XBT/USD` is `BTC/USD`).
    public func parseInstrumentRules(_ body: UnsafeRawBufferPointer, for request: InstrumentRulesRequest) throws(InstrumentRulesError) -> [Symbol: InstrumentRules] {
        let venue = Self.instrumentRulesVenue
        let root = try InstrumentRulesParsing.tree(body, venue: venue, what: "AssetPairs")
        if let errors = root["error"].elements, !errors.isEmpty {
            throw InstrumentRulesError(venue: venue, "AssetPairs refused: \(errors.compactMap(\.text).joined(separator: "; ")) "
                                       + "(asked for \(request.symbols.map(\.rawValue).joined(separator: ", ")))")
        }
        guard case .object(let entries)? = root["result"] else {
            throw InstrumentRulesError(venue: venue, "AssetPairs reply has no 'result' object")
        }
        var byName: [String: JSONNode] = [:]
        for entry in entries.values {
            guard let wsname = entry["wsname"].text else { continue }
            let parts = wsname.split(separator: "/").map { Self.restAssetAliases[String($0)] ?? String($0) }
            byName[parts.joined(separator: "/")] = entry
        }
        var rules: [Symbol: InstrumentRules] = [:]
        for symbol in request.symbols {
            guard let name = symbols.venueName(for: symbol) else { continue }
            guard let entry = byName[name] else {
                throw InstrumentRulesParsing.missing(symbol, venue: venue, venueName: name, reply: "AssetPairs")
            }
            guard let decimalsText = entry["lot_decimals"].text, let decimals = UInt8(decimalsText), decimals <= FixedDecimal.maxScale else {
                throw InstrumentRulesError(venue: venue, symbol: symbol, "'lot_decimals' must be an integer from 0 to \(FixedDecimal.maxScale), got \(entry["lot_decimals"].text ?? "nothing")")
            }
            rules[symbol] = InstrumentRules(
                tickSize: try InstrumentRulesParsing.positive(entry["tick_size"], "tick_size", venue: venue, symbol: symbol),
                lotSize: FixedDecimal(mantissa: 1, scale: decimals),
                minSize: try InstrumentRulesParsing.nonNegative(entry["ordermin"], "ordermin", venue: venue, symbol: symbol))
        }
        return rules
    }
}
