import MarketModel

/// The declarative facts about a venue that the session layer needs: where to connect, how many
/// subscriptions fit on one connection, how fast we may talk, how to keep the socket alive, and
/// when data counts as stale. One static value per adapter (cryptofeed-style: a dozen lines).
public struct VenueSpec: Sendable {
    /// The venue id used in config and on the wire.
    public var id: VenueID
    /// Human name for the status page (`"Binance Spot"`).
    public var displayName: String
    /// Market-data WebSocket URLs: the first is primary, the rest are failover endpoints. Every
    /// URL can be overridden by configuration (testnet, simulator).
    public var marketDataURLs: [String]
    /// REST base URL (book snapshots, instrument lists), if the adapter uses REST.
    public var restBaseURL: String?
    /// Order-entry WebSocket URL, if the venue takes orders over WebSocket.
    public var orderEntryURL: String?
    /// The venue's name for each supported normalized channel (`.trades: "aggTrade"`). A channel
    /// that is absent is not supported by the adapter.
    public var channelNames: [Channel: String]
    /// Maximum subscriptions (symbol × channel pairs) one connection may carry; the session layer
    /// shards above this (Binance 1024 streams, Bitfinex 25 channels).
    public var maxSubscriptionsPerConnection: Int
    /// Maximum messages per second we may send on one connection (Binance spot 5/s: pings,
    /// pongs and subscribes all count). The session layer throttles outbound frames to this.
    public var maxOutboundMessagesPerSecond: Int
    /// How the connection is kept alive; several rules may apply (Kraken: app ping + heartbeat).
    public var keepAlive: [KeepAliveRule]
    /// Default data-idle window per channel, in ns: no data for this long ⇒ `stale`. Channels
    /// not listed use ``defaultStaleAfter``. Configuration may override.
    public var staleAfter: [Channel: Nanoseconds]
    /// Stale window for channels not in ``staleAfter``.
    public var defaultStaleAfter: Nanoseconds
    /// The venue's forced connection cutoff (Binance 24 h); the session layer rotates
    /// make-before-break ahead of it. `nil` when there is none.
    public var maxConnectionLifetime: Nanoseconds?
    /// How many connection attempts are allowed per window (Binance 300 per 5 min per IP).
    public var connectBudget: ConnectBudget?
    /// How books are bootstrapped and checked for this venue.
    public var book: BookSpec

    /// Memberwise initializer with the common defaults.
    public init(id: VenueID, displayName: String, marketDataURLs: [String], restBaseURL: String? = nil,
                orderEntryURL: String? = nil, channelNames: [Channel: String], maxSubscriptionsPerConnection: Int,
                maxOutboundMessagesPerSecond: Int, keepAlive: [KeepAliveRule], staleAfter: [Channel: Nanoseconds] = [:],
                defaultStaleAfter: Nanoseconds = Interval.seconds(30), maxConnectionLifetime: Nanoseconds? = nil,
                connectBudget: ConnectBudget? = nil, book: BookSpec = BookSpec()) {
        self.id = id
        self.displayName = displayName
        self.marketDataURLs = marketDataURLs
        self.restBaseURL = restBaseURL
        self.orderEntryURL = orderEntryURL
        self.channelNames = channelNames
        self.maxSubscriptionsPerConnection = maxSubscriptionsPerConnection
        self.maxOutboundMessagesPerSecond = maxOutboundMessagesPerSecond
        self.keepAlive = keepAlive
        self.staleAfter = staleAfter
        self.defaultStaleAfter = defaultStaleAfter
        self.maxConnectionLifetime = maxConnectionLifetime
        self.connectBudget = connectBudget
        self.book = book
    }

    /// The stale window for `channel`.
    public func staleAfter(for channel: Channel) -> Nanoseconds {
        staleAfter[channel] ?? defaultStaleAfter
    }

    /// The channels this adapter supports.
    public var supportedChannels: Set<Channel> { Set(channelNames.keys) }
}
