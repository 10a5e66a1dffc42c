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

/// Integer nanoseconds since the Unix epoch (timestamps) or a span in nanoseconds (durations).
public typealias Nanoseconds = Int64

/// Helpers to write nanosecond spans readably: `Interval.seconds(20)`.
public enum Interval {
    /// `n` milliseconds in nanoseconds.
    @inlinable public static func milliseconds(_ n: Int64) -> Nanoseconds { n * 1_000_000 }
    /// `n` seconds in nanoseconds.
    @inlinable public static func seconds(_ n: Int64) -> Nanoseconds { n * 1_000_000_000 }
    /// `n` minutes in nanoseconds.
    @inlinable public static func minutes(_ n: Int64) -> Nanoseconds { n * 60_000_000_000 }
    /// `n` hours in nanoseconds.
    @inlinable public static func hours(_ n: Int64) -> Nanoseconds { n * 3_600_000_000_000 }
}
