import MarketModel

/// One symbol on one channel: the unit of subscription, sharding and stale tracking.
public struct Subscription: Sendable, Hashable, CustomStringConvertible {
    /// The normalized instrument.
    public var symbol: Symbol
    /// The normalized channel.
    public var channel: Channel

    /// Memberwise initializer.
    public init(symbol: Symbol, channel: Channel) {
        self.symbol = symbol
        self.channel = channel
    }

    /// `channel:symbol`.
    public var description: String { "\(channel.rawValue):\(symbol.rawValue)" }
}
