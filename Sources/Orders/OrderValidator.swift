import MarketModel
import VenueKit

/// The up-front checks on a new order, in the order a client would want to fix them: where it
/// goes, whether the venue can take it at all, then the order's own fields against the
/// venue's capabilities and the instrument's rules. Pure: the ledger (duplicates) and the
/// stale-data guard are checked by ``OrderMultiplexer`` right after.
public enum OrderValidator {
    /// The longest client order id accepted from a subscriber.
    public static let maxClientOrderIDLength = 64

    /// `nil` when `placement` may be queued on `venue`, else the first problem found.
    public static func validate(_ placement: OrderPlacement, venue: VenueOrderConfiguration?) -> OrderRejection? {
        guard let venue else {
            return OrderRejection(.unknownVenue, "venue '\(placement.venue)' is not configured")
        }
        guard venue.spec != nil, venue.frameBuilder != nil else {
            return OrderRejection(.unsupported, venue.unavailableReason ?? "venue '\(placement.venue)' has no WebSocket order entry")
        }
        guard let rules = venue.instruments[placement.symbol] else {
            return OrderRejection(.unknownSymbol, "symbol '\(placement.symbol)' is not tradable on \(placement.venue)")
        }
        if let id = placement.clientOrderID {
            if id.isEmpty { return OrderRejection(.invalidField, "client_order_id must not be empty") }
            if id.utf8.count > maxClientOrderIDLength {
                return OrderRejection(.invalidField, "client_order_id is longer than \(maxClientOrderIDLength) bytes")
            }
        }
        guard venue.supportedSides.contains(placement.side) else {
            return OrderRejection(.invalidField, "side '\(placement.side.rawValue)' is not supported on \(placement.venue)")
        }
        guard venue.supportedTypes.contains(placement.type) else {
            return OrderRejection(.invalidField, "type '\(placement.type.rawValue)' is not supported on \(placement.venue)")
        }
        guard venue.supportedTimeInForce.contains(placement.timeInForce) else {
            return OrderRejection(.invalidField, "tif '\(placement.timeInForce.rawValue)' is not supported on \(placement.venue)")
        }
        switch (placement.type, placement.price) {
        case (.limit, nil):
            return OrderRejection(.missingField, "a limit order needs a price")
        case (.market, .some):
            return OrderRejection(.invalidField, "a market order must not have a price")
        case (.market, nil):
            // Post-only means "never take"; a market order always takes.
            if placement.timeInForce == .postOnly {
                return OrderRejection(.invalidField, "a market order cannot be post_only")
            }
        case (.limit, let price?):
            if let problem = rules.check(price: price) { return OrderRejection(.invalidField, problem) }
        }
        if let problem = rules.check(size: placement.size) { return OrderRejection(.invalidField, problem) }
        return nil
    }
}
