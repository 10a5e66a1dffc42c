/// The normalized channels of SPEC §4; the raw value is the wire name.
public enum Channel: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// Public trades.
    case trades
    /// L2 book: snapshot then deltas.
    case book
    /// Best bid and offer.
    case bbo
    /// 24 h ticker statistics.
    case ticker
    /// Funding rates of perpetual swaps.
    case funding
    /// Liquidation orders.
    case liquidations
    /// The private order-update stream.
    case orders

    /// The wire name.
    public var description: String { rawValue }
}
