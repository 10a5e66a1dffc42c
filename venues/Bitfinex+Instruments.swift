import MarketModel
import VenueKit

/// Bitfinex trading rules: `GET /v2/conf/pub:info:pair` lists every pair with its minimum and
/// maximum order size (entry `[PAIR, [_, _, _, MIN_ORDER_SIZE, MAX_ORDER_SIZE, …]]`, pair names
/// without the `t`). Prices have no tick: Bitfinex keeps 5 significant digits (and at most 8
/// decimals), amounts at most 8 decimals (Bitfinex docs "Readme: Price Precision"). A reply:
/// ```json
/// [[["BTCUSD",[null,null,null,"0.00004","2000.0",null,null,null,0.2,0.1]],
///   ["BTCUST",[null,null,null,"0.00004","2000.0",null,null,null,0.2,0.1]],
///   ["ETHUSD",[null,null,null,"0.0008","5000.0",null,null,null,0.2,0.1]]]]
/// ```
extension Bitfinex: InstrumentRulesSource {
    /// `bitfinex`.
    public static var instrumentRulesVenue: VenueID { spec.id }

    /// `https://api-pub.bitfinex.com`.
    public static var instrumentRulesBaseURL: String { spec.restBaseURL ?? "https://api-pub.bitfinex.com" }

    /// Significant digits of every Bitfinex price.
    static let priceSignificantDigits = 5
    /// The finest price and amount step Bitfinex takes (8 decimals).
    static let finestStep = FixedDecimal(mantissa: 1, scale: 8)

    /// One request: the configuration lists every pair.
    public func instrumentRulesRequests(restBaseURL: String) -> [InstrumentRulesRequest] {
        let named = symbols.symbols.sorted().filter { symbols.venueName(for: $0) != nil }
        guard !named.isEmpty else { return [] }
        return [InstrumentRulesRequest(request: RESTRequest(url: "\(restBaseURL)/v2/conf/pub:info:pair"), symbols: named)]
    }

    /// The entries of the requested pairs.
    public func parseInstrumentRules(_ body: UnsafeRawBufferPointer, for request: InstrumentRulesRequest) throws(InstrumentRulesError) -> [Symbol: InstrumentRules] {
        let venue = Self.instrumentRulesVenue
        let root = try InstrumentRulesParsing.tree(body, venue: venue, what: "conf pub:info:pair")
        // An error reply is `["error", 10020, "symbol: invalid"]`.
        if root[0].text == "error" {
            throw InstrumentRulesError(venue: venue, "conf pub:info:pair refused: \(root[1].text ?? "?") \(root[2].text ?? "")")
        }
        guard let entries = root[0].elements else {
            throw InstrumentRulesError(venue: venue, "conf pub:info:pair reply is not [[[PAIR, [...]], ...]]")
        }
        var byName: [String: JSONNode] = [:]
        for entry in entries { if let name = entry[0].text { byName[name] = entry[1] } }
        var rules: [Symbol: InstrumentRules] = [:]
        for symbol in request.symbols {
            guard let name = symbols.venueName(for: symbol) else { continue }
            let pair = String(name.dropFirst())  // `tBTCUSD` → `BTCUSD`
            guard let info = byName[pair] else {
                throw InstrumentRulesParsing.missing(symbol, venue: venue, venueName: pair, reply: "conf pub:info:pair")
            }
            rules[symbol] = InstrumentRules(
                tickSize: Self.finestStep, lotSize: Self.finestStep,
                minSize: try InstrumentRulesParsing.nonNegative(info[3], "MIN_ORDER_SIZE", venue: venue, symbol: symbol),
                maxSize: try InstrumentRulesParsing.optionalCap(info[4], "MAX_ORDER_SIZE", venue: venue, symbol: symbol),
                priceSignificantDigits: Self.priceSignificantDigits)
        }
        return rules
    }
}
