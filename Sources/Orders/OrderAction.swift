import MarketModel
import VenueKit

/// What the shell must do after a call into ``OrderMultiplexer``; perform the actions in order.
public enum OrderAction: Sendable, Hashable {
    /// Write `frame` on `venue`'s order connection now. It has cleared the throttle; the venue's
    /// answer comes back as ``VenueKit/OrderVenueEvent/response(requestID:_:)`` with `requestID`.
    case send(venue: VenueID, requestID: String, request: OutboundOrderRequest, frame: OutboundMessage)
    /// Write a connection-level frame the venue asked for (Deribit `test_request` →
    /// `public/test`); not an order request and not throttled here.
    case sendControl(venue: VenueID, frame: OutboundMessage)
    /// The venue's WebSocket has no status query (its router cannot build one): ask for the
    /// order's state out of band (REST) and pass the answer to
    /// ``OrderMultiplexer/onStatusAnswer(_:for:now:)``. Until then the order stays as it is
    /// (`unknown` after a drop): never resent, never concluded.
    case queryStatus(venue: VenueID, order: OrderKey, venueClientOrderID: String, symbol: Symbol)
    /// Answer the subscriber's request `requestID` (exactly once per request): Fanout's
    /// `OrderReplies.accept()` / `reject(code:message:)`.
    case reply(subscriber: OrderSubscriber, requestID: String, result: OrderReplyResult)
    /// Deliver a `{"type":"order",...}` line to the subscriber (Fanout's `OrderReplies.update(_:)`).
    case update(subscriber: OrderSubscriber, OrderUpdate)
    /// Call ``OrderMultiplexer/onTick(now:)`` at this time (replaces any earlier wake-up request).
    case scheduleWakeUp(at: Nanoseconds)
    /// Something odd the core handled but an operator should see (log at warning, count in metrics).
    case diagnostic(OrderDiagnostic)
}
