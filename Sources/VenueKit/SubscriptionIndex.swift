import MarketModel

/// The channels subscribed per symbol, for the per-message "is this wanted?" checks of adapters
/// that filter what they emit (Deribit's shared trades channel feeds trades and liquidations,
/// tickers feed BBO, ticker and funding): one lookup per message — the last symbol is remembered,
/// so a stream of one instrument hashes nothing — instead of hashing a `Subscription` per check.
///
/// Rebuild it from the adapter's `Set<Subscription>` whenever that set changes (cold path).
public struct SubscriptionIndex: Sendable {
    /// Channels as bits (bit = the channel's position in `Channel.allCases`).
    public struct Channels: OptionSet, Sendable, Hashable {
        /// The bits.
        public let rawValue: UInt16

        /// Wraps bits.
        @inlinable
        public init(rawValue: UInt16) { self.rawValue = rawValue }

        /// The set holding one channel.
        @inlinable
        public init(_ channel: Channel) {
            switch channel {
            case .trades: rawValue = 1 << 0
            case .book: rawValue = 1 << 1
            case .bbo: rawValue = 1 << 2
            case .ticker: rawValue = 1 << 3
            case .funding: rawValue = 1 << 4
            case .liquidations: rawValue = 1 << 5
            case .orders: rawValue = 1 << 6
            }
        }

        /// Whether `channel` is in the set.
        @inlinable
        public func contains(_ channel: Channel) -> Bool { contains(Channels(channel)) }
    }

    @usableFromInline var bySymbol: [Symbol: Channels] = [:]
    @usableFromInline var lastSymbol: Symbol?
    @usableFromInline var lastChannels: Channels = []

    /// An index of `subscriptions`.
    public init(_ subscriptions: Set<Subscription> = []) {
        for sub in subscriptions { bySymbol[sub.symbol, default: []].insert(Channels(sub.channel)) }
    }

    /// The channels subscribed for `symbol` (empty when none).
    @inlinable
    public mutating func channels(for symbol: Symbol) -> Channels {
        if let lastSymbol, lastSymbol == symbol { return lastChannels }
        let channels = bySymbol[symbol] ?? []
        lastSymbol = symbol
        lastChannels = channels
        return channels
    }
}
