import MarketModel
import VenueKit

/// Every venue whose trading rules MarketMux can load over public REST (issue #6), by venue id.
/// The venues with WebSocket order entry (``OrderRouterRegistry``) all have one.
public enum InstrumentRulesRegistry {
    /// All source types.
    public static let all: [any InstrumentRulesSource.Type] = [
        Binance.self, Kraken.self, OKX.self, Bybit.self, Deribit.self, Bitfinex.self,
    ]

    /// The source type of `id`, or `nil` when its rules must come from the configuration.
    public static func sourceType(for id: VenueID) -> (any InstrumentRulesSource.Type)? {
        all.first { $0.instrumentRulesVenue == id }
    }

    /// A source for `id` configured with `configuration`'s symbols and options.
    public static func makeSource(for id: VenueID, configuration: VenueAdapterConfiguration) -> (any InstrumentRulesSource)? {
        sourceType(for: id).map { $0.init(configuration: configuration) }
    }
}
