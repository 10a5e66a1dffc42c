/// What one request costs in one cell: `weight` units of the limit named by `key`.
public struct ThrottleDemand: Sendable, Hashable {
    /// The cell.
    public var key: ThrottleKey
    /// Units (``VenueKit/OrderEntrySpec/weight(of:)`` of the request kind).
    public var weight: Int

    /// Memberwise initializer.
    public init(key: ThrottleKey, weight: Int) {
        self.key = key
        self.weight = weight
    }
}
