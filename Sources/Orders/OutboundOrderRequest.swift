import MarketModel
import VenueKit

/// One request the multiplexer wants on a venue's order connection, before it is a frame. The
/// ``OrderFrameBuilder`` turns it into bytes (venue JSON, signature); the ``OrderAction/send(venue:requestID:request:frame:)``
/// action carries both, so the shell can log and count requests without parsing frames.
public enum OutboundOrderRequest: Sendable, Hashable {
    /// Place a validated order.
    case place(VenueOrder)
    /// Cancel one order by its venue-side client order id.
    case cancel(venueClientOrderID: String, symbol: Symbol)
    /// Cancel every open order of `symbol`, or of the whole account when `nil` (kill switch).
    case cancelAll(symbol: Symbol?)
    /// Ask for one order's state (reconciliation).
    case status(venueClientOrderID: String, symbol: Symbol)

    /// The venue client order id the request is about (`nil` for cancel-all).
    public var venueClientOrderID: String? {
        switch self {
        case .place(let order): return order.venueClientOrderID
        case .cancel(let id, _), .status(let id, _): return id
        case .cancelAll: return nil
        }
    }

    /// The request kind, which selects the throttle weights and limits.
    public var kind: OrderRequestKind {
        switch self {
        case .place: return .place
        case .cancel: return .cancel
        case .cancelAll: return .cancelAll
        case .status: return .status
        }
    }
}
