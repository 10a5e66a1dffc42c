import MarketModel

/// One entry of `venues:` (SPEC §3), validated against the venue's adapter.
public struct VenueConfiguration: Sendable, Hashable {
    /// The venue id (`binance`).
    public var id: VenueID
    /// Market-data URLs replacing the adapter's (`url:`, one URL or a list: primary then
    /// failover); `nil` keeps the adapter's.
    public var marketDataURLs: [String]?
    /// REST base URL replacing the adapter's (`rest_url:`).
    public var restURL: String?
    /// Normalized symbols, in file order.
    public var symbols: [Symbol]
    /// Channels for every symbol, in file order.
    public var channels: [Channel]
    /// Per-channel data-idle windows overriding the adapter's (`stale_after: 5s` applies to
    /// every configured channel; a mapping sets them one by one).
    public var staleAfter: [Channel: Nanoseconds]
    /// Book depth where the venue lets us choose (`book_depth:`).
    public var bookDepth: Int?
    /// A per-connection subscription cap below the venue's (`max_subscriptions_per_connection:`).
    public var maxSubscriptionsPerConnection: Int?
    /// Adapter options (`options: {trades: trade}`), passed through as text.
    public var options: [String: String]
    /// The `orders:` section, if the venue takes orders in this instance.
    public var orders: OrderEntryConfiguration?
    /// Where the venue's entry is.
    public var location: SourceLocation

    /// Memberwise initializer.
    public init(id: VenueID, marketDataURLs: [String]? = nil, restURL: String? = nil, symbols: [Symbol], channels: [Channel],
                staleAfter: [Channel: Nanoseconds] = [:], bookDepth: Int? = nil, maxSubscriptionsPerConnection: Int? = nil,
                options: [String: String] = [:], orders: OrderEntryConfiguration? = nil, location: SourceLocation) {
        self.id = id
        self.marketDataURLs = marketDataURLs
        self.restURL = restURL
        self.symbols = symbols
        self.channels = channels
        self.staleAfter = staleAfter
        self.bookDepth = bookDepth
        self.maxSubscriptionsPerConnection = maxSubscriptionsPerConnection
        self.options = options
        self.orders = orders
        self.location = location
    }
}
