import MarketModel
import VenueKit

/// The production ``OrderFrameBuilder``: a venue's ``VenueKit/OrderRouting`` plus the account's
/// credentials. Frame building is pure on the router (no I/O), so this stays sans-IO too.
public struct RoutingFrameBuilder<Router: OrderRouting>: OrderFrameBuilder {
    /// The venue's router.
    public let router: Router
    /// The account's secrets, read for each ``VenueKit/OrderFrameContext`` (so a token refreshed
    /// on reconnect is in the next frame).
    public let source: SharedCredentials

    /// The account's secrets now.
    public var credentials: VenueCredentials { source.current }

    /// Wraps `router` and fixed `credentials`.
    public init(router: Router, credentials: VenueCredentials) {
        self.init(router: router, source: SharedCredentials(credentials))
    }

    /// Wraps `router` and credentials that may be replaced while it is used.
    public init(router: Router, source: SharedCredentials) {
        self.router = router
        self.source = source
    }

    /// The router's ``VenueKit/OrderRouting/replyCorrelationKey(kind:venueClientOrderID:)``.
    public func replyCorrelationKey(for request: OutboundOrderRequest) -> String? {
        Router.replyCorrelationKey(kind: request.kind, venueClientOrderID: request.venueClientOrderID)
    }

    /// Dispatches to the router's `placeFrame` / `cancelFrame` / `cancelAllFrame` / `statusFrame`.
    public func frame(for request: OutboundOrderRequest, requestID: String, now: Nanoseconds) throws(OrderRoutingError) -> OutboundMessage {
        let context = OrderFrameContext(requestID: requestID, now: now, credentials: credentials)
        switch request {
        case .place(let order):
            return try router.placeFrame(order, context: context)
        case .cancel(let id, let symbol):
            return try router.cancelFrame(venueClientOrderID: id, symbol: symbol, context: context)
        case .cancelAll(let symbol):
            return try router.cancelAllFrame(symbol: symbol, context: context)
        case .status(let id, let symbol):
            return try router.statusFrame(venueClientOrderID: id, symbol: symbol, context: context)
        }
    }
}
