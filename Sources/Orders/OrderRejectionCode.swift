/// Why the multiplexer refused an `order.place` / `order.cancel` (the `code` of the socket's
/// `{"type":"error",...}` reply; docs/orders.md lists them).
public enum OrderRejectionCode: String, Sendable, Hashable, CaseIterable {
    /// The venue is not configured on this instance.
    case unknownVenue = "unknown_venue"
    /// The venue has no WebSocket order entry (Coinbase, BitMEX), or it is not configured.
    case unsupported
    /// The symbol has no instrument rules for the venue.
    case unknownSymbol = "unknown_symbol"
    /// A field the request needs is absent (a limit order without a price).
    case missingField = "missing_field"
    /// A field has a value the venue or the instrument does not allow (off-tick price, market
    /// order with a price, unsupported time in force, ...).
    case invalidField = "invalid_field"
    /// The subscriber already used this client order id (open, or finished within the retention window).
    case duplicateClientOrderID = "duplicate_client_order_id"
    /// The symbol's market data is stale or its book is not live (the stale-data guard).
    case staleMarketData = "stale_market_data"
    /// `order.cancel` names an order this subscriber does not have.
    case unknownOrder = "unknown_order"
    /// `order.cancel` names an order that already reached a terminal state.
    case orderNotOpen = "order_not_open"
    /// The subscriber's new-order queue for the venue is full.
    case queueFull = "queue_full"

    /// Whether the same request may succeed later unchanged (market data recovers, the queue drains).
    public var isRetryable: Bool {
        switch self {
        case .staleMarketData, .queueFull: return true
        default: return false
        }
    }

    /// The nearest code the local socket protocol already has (docs/protocol.md), for a shell
    /// whose error-code set does not yet include the order codes.
    public var fallbackSocketCode: String {
        switch self {
        case .unknownVenue, .unsupported, .unknownSymbol, .missingField, .invalidField: return rawValue
        case .duplicateClientOrderID, .unknownOrder, .orderNotOpen: return "invalid_field"
        case .staleMarketData, .queueFull: return "unavailable"
        }
    }
}
