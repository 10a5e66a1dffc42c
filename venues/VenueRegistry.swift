import MarketModel
import VenueKit

/// Every venue adapter MarketMux ships, by venue id. Adding a venue = one adapter file in
/// `venues/` plus one line here (and its fixtures under `fixtures/<venue-id>/`).
public enum VenueRegistry {
    /// All adapter types, in display order.
    public static let all: [any VenueAdapter.Type] = [
        Binance.self,
        BinanceFutures.self,
        Coinbase.self,
        Kraken.self,
        OKX.self,
        Bybit.self,
        Deribit.self,
        BitMEX.self,
        Bitfinex.self,
    ]

    /// The adapter type for a venue id, or `nil` if MarketMux has none.
    public static func adapterType(for id: VenueID) -> (any VenueAdapter.Type)? {
        all.first { $0.spec.id == id }
    }

    /// The venue ids MarketMux supports.
    public static var venueIDs: [VenueID] { all.map { $0.spec.id } }
}
