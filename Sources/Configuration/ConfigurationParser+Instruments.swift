import MarketModel
import VenueKit

extension ConfigurationParser {
    /// Keys of one symbol's entry under `orders.instruments`.
    static let instrumentKeys = ["tick", "lot", "min", "max", "significant_digits"]

    /// `orders.instruments:` — trading rules given by the operator, overriding what would be
    /// loaded from the venue's REST API (for hosts that cannot reach it). Each key is one of the
    /// venue's configured symbols; `tick`, `lot` and `min` are required decimals (quoted or not:
    /// the text is read exactly, never through a binary float), `max` and `significant_digits` optional.
    func instrumentRules(_ value: YAMLValue, symbols: [Symbol]) throws(ConfigurationError) -> [Symbol: InstrumentRules] {
        var rules: [Symbol: InstrumentRules] = [:]
        for entry in try value.mapping("a mapping of symbol: {tick, lot, min}").entries {
            let keyValue = YAMLValue(node: .scalar(.init(entry.key)), path: entry.value.path, file: file, keyLine: entry.keyLine)
            let symbol: Symbol
            do {
                symbol = try Symbol(entry.key)
            } catch {
                throw keyValue.error("'\(entry.key)' is not a normalized symbol (\(error.reason))")
            }
            guard symbols.contains(symbol) else {
                throw keyValue.error("'\(entry.key)' is not one of this venue's symbols (\(symbols.map(\.rawValue).joined(separator: ", ")))")
            }
            let fields = try entry.value.mapping("the symbol's rules {tick, lot, min[, max][, significant_digits]}", known: Self.instrumentKeys)
            func decimal(_ key: String, allowZero: Bool) throws(ConfigurationError) -> FixedDecimal {
                let item = try fields.required(key)
                let text = try item.string("a decimal such as \"0.01\"")
                let parsed: FixedDecimal
                do {
                    parsed = try FixedDecimal(parsing: text)
                } catch {
                    throw item.error("'\(text)' is not a decimal (\(error.description))")
                }
                guard !parsed.isNegative, allowZero || !parsed.isZero else {
                    throw item.error("must be \(allowZero ? "zero or more" : "greater than zero"), got \(text)")
                }
                return parsed.normalized
            }
            var rule = InstrumentRules(tickSize: try decimal("tick", allowZero: false), lotSize: try decimal("lot", allowZero: false),
                                                minSize: try decimal("min", allowZero: true))
            if fields.optional("max") != nil {
                rule.maxSize = try decimal("max", allowZero: false)
                if let max = rule.maxSize, max < rule.minSize {
                    throw try fields.required("max").error("must not be below min (\(rule.minSize))")
                }
            }
            if let digits = fields.optional("significant_digits") {
                rule.priceSignificantDigits = try digits.integer("a number of significant digits from 1 to 18", in: 1...18)
            }
            rules[symbol] = rule
        }
        return rules
    }
}
