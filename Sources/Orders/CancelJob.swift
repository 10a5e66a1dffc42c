import MarketModel

/// An entry of a venue's cancel lane.
enum CancelJob: Sendable, Hashable {
    /// Cancel one order.
    case one(OrderKey)
    /// Cancel every order of a symbol (or all): the kill switch on a venue with cancel-all.
    case all(symbol: Symbol?)
}
