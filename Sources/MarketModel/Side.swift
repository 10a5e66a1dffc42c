/// A side of the market. For a trade it is the **taker** (aggressor) side.
public enum Side: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// Bid / buy.
    case buy
    /// Ask / sell.
    case sell

    /// The other side.
    public var opposite: Side { self == .buy ? .sell : .buy }

    /// The wire name.
    public var description: String { rawValue }
}
