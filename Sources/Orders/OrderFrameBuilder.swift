import MarketModel
import VenueKit

/// Turns an ``OutboundOrderRequest`` into the frame for one venue. The multiplexer calls it only
/// when the request has cleared the throttle, with a fresh request id and the injected clock.
///
/// Production code uses ``RoutingFrameBuilder`` over a venue's ``VenueKit/OrderRouting``; tests use a
/// closure or a fake that returns readable strings, so the core is testable without any venue.
public protocol OrderFrameBuilder: Sendable {
    /// The frame for `request`. A thrown error means nothing was sent: a place becomes
    /// `rejected` with the error's message, other requests are reported as diagnostics.
    func frame(for request: OutboundOrderRequest, requestID: String, now: Nanoseconds) throws(OrderRoutingError) -> OutboundMessage

    /// The id the venue's reply to `request` will carry instead of the request id, for venues
    /// that do not echo request ids (``VenueKit/OrderRouting/replyCorrelationKey(kind:venueClientOrderID:)``:
    /// Bitfinex answers with the order's `cid`). Replies with the same key are matched to the
    /// requests in the order they were sent. `nil` (the default): the reply echoes the request id.
    func replyCorrelationKey(for request: OutboundOrderRequest) -> String?
}

extension OrderFrameBuilder {
    /// Replies echo the request id.
    public func replyCorrelationKey(for request: OutboundOrderRequest) -> String? { nil }
}

/// An ``OrderFrameBuilder`` from a closure (tests, and shells with their own dispatch).
public struct ClosureFrameBuilder: OrderFrameBuilder {
    private let build: @Sendable (OutboundOrderRequest, String, Nanoseconds) throws(OrderRoutingError) -> OutboundMessage

    /// Wraps `build(request, requestID, now)`.
    public init(_ build: @escaping @Sendable (OutboundOrderRequest, String, Nanoseconds) throws(OrderRoutingError) -> OutboundMessage) {
        self.build = build
    }

    /// Calls the closure.
    public func frame(for request: OutboundOrderRequest, requestID: String, now: Nanoseconds) throws(OrderRoutingError) -> OutboundMessage {
        try build(request, requestID, now)
    }
}
