import MarketModel
import VenueKit

/// Every order router MarketMux ships, by venue id (docs/order-routing.md). Coinbase (REST/FIX
/// only), BitMEX (REST only) and Binance USD-M (not yet routed) have none: ``routerType(for:)``
/// returns `nil`, which callers report as `unsupported`.
public enum OrderRouterRegistry {
    /// All router types, in display order.
    public static let all: [any OrderRouting.Type] = [
        Binance.self,
        Kraken.self,
        OKX.self,
        Bybit.self,
        Deribit.self,
        Bitfinex.self,
    ]

    /// The router type for a venue id, or `nil` when order entry is unsupported there.
    public static func routerType(for id: VenueID) -> (any OrderRouting.Type)? {
        all.first { $0.orderSpec.venue == id }
    }

    /// A router for one order connection of `id`, or `nil` when order entry is unsupported there.
    public static func makeRouter(for id: VenueID, configuration: VenueAdapterConfiguration) -> (any OrderRouting)? {
        routerType(for: id).map { $0.init(configuration: configuration) }
    }

    /// The venue ids with order entry.
    public static var venueIDs: [VenueID] { all.map { $0.orderSpec.venue } }
}
