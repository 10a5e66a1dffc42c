import MarketModel
import VenueKit

/// Maps a venue's instrument name back to a normalized symbol without configuration, for
/// `marketmux normalize` runs that do not name their symbols. A guess is only accepted when the
/// adapter, configured with it, names it exactly `venueName` again (round trip), so a wrong split
/// can never be returned.
enum SymbolGuesser<Adapter: VenueAdapter> {
    /// Quote assets tried as suffixes of concatenated names (`BTCUSDT`), longest first where one
    /// is a suffix of another.
    static var quotes: [String] {
        ["FDUSD", "USDT", "USDC", "BUSD", "TUSD", "USD", "UST", "DAI", "EUR", "GBP", "JPY", "TRY", "BRL", "AUD", "BTC", "ETH", "BNB"]
    }

    static func symbol(forVenueName venueName: String) -> Symbol? {
        var candidates: [Symbol] = []
        func add(_ text: String) {
            if let symbol = try? Symbol(text), !candidates.contains(symbol) { candidates.append(symbol) }
        }
        func alias(_ asset: String) -> String { asset == "XBT" ? "BTC" : asset == "UST" ? "USDT" : asset }
        func addPair(_ base: String, _ quote: String) {
            add("\(alias(base))-\(alias(quote))")
            add("\(alias(base))-\(alias(quote))-PERP")
        }
        // The adapter's own parser knows names like Deribit's `BTC-PERPETUAL`.
        if let known = Adapter(configuration: VenueAdapterConfiguration(symbols: [])).symbol(forVenueSymbol: venueName) {
            candidates.append(known)
        }
        add(venueName)
        let tokens = venueName.uppercased().split { !$0.isLetter && !$0.isNumber }.map(String.init)
        if tokens.count >= 2 { addPair(tokens[0], tokens[1]) }
        if let first = tokens.first {
            for quote in ["USD", "USDT", "USDC"] { addPair(first, quote) }
        }
        let joined = tokens.joined()
        for form in [joined, joined.hasPrefix("T") ? String(joined.dropFirst()) : nil].compactMap({ $0 }) {
            for quote in quotes where form.count > quote.count && form.hasSuffix(quote) {
                addPair(String(form.dropLast(quote.count)), quote)
            }
        }
        return candidates.first { candidate in
            Adapter(configuration: VenueAdapterConfiguration(symbols: [candidate])).venueSymbol(for: candidate) == venueName
        }
    }
}
