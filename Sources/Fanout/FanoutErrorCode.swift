/// The `code` of an `{"type":"error",...}` reply (docs/protocol.md lists them with examples).
/// Every code means the request was refused and changed nothing; the connection stays open.
public enum FanoutErrorCode: String, Sendable, Hashable, CaseIterable {
    /// The line is not a JSON object (the message names the column).
    case malformedJSON = "malformed_json"
    /// The line exceeds the request size limit; it was discarded.
    case lineTooLong = "line_too_long"
    /// `op` is not one of `subscribe`, `unsubscribe`, `status`, `order.place`, `order.cancel`, `order.cancel_all`, `order.options`.
    case unknownOp = "unknown_op"
    /// A required field is absent.
    case missingField = "missing_field"
    /// A field has the wrong type or an impossible value.
    case invalidField = "invalid_field"
    /// The venue (or venue pattern) names nothing this instance serves.
    case unknownVenue = "unknown_venue"
    /// The channel does not exist or is not served for the venue.
    case unknownChannel = "unknown_channel"
    /// The symbol is not normalized or not served.
    case unknownSymbol = "unknown_symbol"
    /// `unsubscribe` names a filter this connection does not hold.
    case notSubscribed = "not_subscribed"
    /// The connection already holds the maximum number of subscriptions.
    case tooManySubscriptions = "too_many_subscriptions"
    /// The request is understood but this instance does not do it (order entry disabled).
    case unsupported
    /// The instance refuses new connections (connection limit reached, or shutting down).
    case unavailable
    /// `order.place` reuses a `client_order_id` this connection already used (open or recently finished).
    case duplicateClientOrderID = "duplicate_client_order_id"
    /// `order.place` for a symbol whose market data is `stale` or whose book is not `live`.
    case staleMarketData = "stale_market_data"
    /// `order.cancel` names a `client_order_id` this connection never placed.
    case unknownOrder = "unknown_order"
    /// `order.cancel` of an order that already reached a terminal state.
    case orderNotOpen = "order_not_open"
    /// The connection has too many orders waiting in the throttle queue.
    case queueFull = "queue_full"
}

