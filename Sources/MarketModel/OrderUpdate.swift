/// The life-cycle states of an order (SPEC §5 `"type":"order"`).
public enum OrderState: String, Sendable, Hashable, CaseIterable {
    /// Accepted by MarketMux, waiting in a throttle lane.
    case queued
    /// Written to the venue connection, no answer yet.
    case sent
    /// Acknowledged by the venue, resting.
    case accepted
    /// Partly filled, still working.
    case partiallyFilled = "partially_filled"
    /// Completely filled (terminal).
    case filled
    /// Canceled (terminal).
    case canceled
    /// Refused by MarketMux or the venue (terminal).
    case rejected
    /// Dropped because it waited longer than its TTL, or expired at the venue (terminal).
    case expired
    /// The venue may or may not have it (e.g. the connection dropped after sending); resolved by
    /// reconciliation, never by blind resubmission. Not terminal.
    case unknown

    /// `true` for `filled`, `canceled`, `rejected` and `expired`: exactly one of these ends every
    /// accepted `order.place`.
    @inlinable
    public var isTerminal: Bool {
        switch self {
        case .filled, .canceled, .rejected, .expired: return true
        case .queued, .sent, .accepted, .partiallyFilled, .unknown: return false
        }
    }
}

/// An update about one order, sent to the client that placed it.
public struct OrderUpdate: Sendable, Hashable {
    /// The client's id for the order.
    public var clientOrderID: String
    /// Where the order lives.
    public var venue: VenueID
    /// The normalized instrument.
    public var symbol: Symbol
    /// The new state.
    public var state: OrderState
    /// The venue's order id once known.
    public var venueOrderID: String?
    /// Cumulative filled size, if known.
    public var filledSize: Size?
    /// Average fill price, if known.
    public var averagePrice: Price?
    /// Why (rejections, expiries, unknown outcomes).
    public var reason: String?
    /// When MarketMux learned of this state, ns since the epoch.
    public var tsRecv: Nanoseconds

    /// Memberwise initializer.
    public init(clientOrderID: String, venue: VenueID, symbol: Symbol, state: OrderState, venueOrderID: String? = nil,
                filledSize: Size? = nil, averagePrice: Price? = nil, reason: String? = nil, tsRecv: Nanoseconds) {
        self.clientOrderID = clientOrderID
        self.venue = venue
        self.symbol = symbol
        self.state = state
        self.venueOrderID = venueOrderID
        self.filledSize = filledSize
        self.averagePrice = averagePrice
        self.reason = reason
        self.tsRecv = tsRecv
    }
}
