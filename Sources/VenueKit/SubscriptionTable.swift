import MarketModel

/// The subscriptions a connection wants, each with the venue channel it rides on (a topic or
/// channel name, per symbol or not), for adapters where several normalized subscriptions share
/// one venue channel: Kraken's and Coinbase's `ticker` serves `bbo` and `ticker`, Bybit's
/// `tickers` serves `bbo` and `funding`, Deribit's `trades` feeds trades and liquidations, OKX's
/// `liquidation-orders` carries every symbol of an `instType`.
///
/// ``update(_:on:adding:)`` says when a venue channel gets its first user (subscribe it) or loses
/// its last (unsubscribe it); ``channels(for:)`` answers the per-message "is this wanted?" check
/// with one lookup (the last symbol is remembered, see ``SubscriptionIndex``).
public struct SubscriptionTable: Sendable {
    /// What ``update(_:on:adding:)`` changed.
    public enum Change: Sendable, Equatable {
        /// The subscription was already wanted (adding) or not wanted (removing).
        case unchanged
        /// Recorded; the venue channel also carries other subscriptions, so it needs no frame.
        case shared
        /// Recorded; the venue channel got its first user (subscribe it) or lost its last
        /// (unsubscribe it).
        case venueChannel
    }

    private var venueChannel: [Subscription: String] = [:]
    private var users: [String: Set<Subscription>] = [:]
    @usableFromInline var index = SubscriptionIndex()

    /// An empty table.
    public init() {}

    /// Records `subscription` as wanted (`adding`) on `channel`, or as no longer wanted (its
    /// recorded channel is used then, `channel` is ignored).
    @discardableResult
    public mutating func update(_ subscription: Subscription, on channel: String, adding: Bool) -> Change {
        if adding {
            guard venueChannel[subscription] == nil else { return .unchanged }
            venueChannel[subscription] = channel
            users[channel, default: []].insert(subscription)
            index.set(subscription, wanted: true)
            return users[channel]?.count == 1 ? .venueChannel : .shared
        }
        guard let channel = venueChannel.removeValue(forKey: subscription) else { return .unchanged }
        users[channel]?.remove(subscription)
        index.set(subscription, wanted: false)
        guard users[channel]?.isEmpty ?? true else { return .shared }
        users[channel] = nil
        return .venueChannel
    }

    /// Whether `subscription` is wanted.
    public func contains(_ subscription: Subscription) -> Bool { venueChannel[subscription] != nil }

    /// Whether any wanted subscription rides on the venue channel `channel`.
    public func isUsed(_ channel: String) -> Bool { users[channel] != nil }

    /// The wanted subscriptions on the venue channel `channel`, by symbol then channel.
    public func subscriptions(on channel: String) -> [Subscription] {
        (users[channel] ?? []).sorted(by: Subscription.symbolThenChannel)
    }

    /// The normalized channels wanted for `symbol` (empty when none).
    @inlinable
    public mutating func channels(for symbol: Symbol) -> SubscriptionIndex.Channels { index.channels(for: symbol) }
}

extension SubscriptionIndex {
    /// Adds or removes one subscription (and forgets the remembered last lookup).
    mutating func set(_ subscription: Subscription, wanted: Bool) {
        var channels = bySymbol[subscription.symbol] ?? []
        if wanted { channels.insert(Channels(subscription.channel)) } else { channels.remove(Channels(subscription.channel)) }
        bySymbol[subscription.symbol] = channels.isEmpty ? nil : channels
        lastSymbol = nil
    }
}
