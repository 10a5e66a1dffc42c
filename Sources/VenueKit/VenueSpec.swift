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

/// How a connection is kept alive. The session layer implements each rule; adapters only
/// declare them (and answer venue-level test requests through ``VenueOutput/send(_:)``).
public enum KeepAliveRule: Sendable, Equatable {
    /// The server sends WebSocket ping frames every `interval`; we must answer with a pong
    /// within `pongWithin` (Binance spot: 20 s / 1 min). The transport answers automatically.
    case serverPings(interval: Nanoseconds, pongWithin: Nanoseconds)
    /// We send WebSocket ping frames every `every` and expect pongs.
    case protocolPing(every: Nanoseconds)
    /// We send an application-level text message when nothing has been received for `every`
    /// (OKX text `ping` → `pong` before its 30 s cutoff; BitMEX `ping`; Bybit `{"op":"ping"}`
    /// every 20 s; Kraken `{"method":"ping"}`). The reply is reported as ``VenueOutput/pong``.
    case applicationPing(payload: String, every: Nanoseconds)
    /// The venue sends heartbeat messages at least every `expectedEvery` once subscribed
    /// (Coinbase `heartbeats` channel, Kraken `heartbeat`, Bitfinex `hb`). Heartbeats keep the
    /// dead-peer timer alive but are not data.
    case heartbeatChannel(expectedEvery: Nanoseconds)
    /// Deribit: call `public/set_heartbeat` with `interval` after connecting; the adapter answers
    /// each `test_request` with `public/test` (via ``VenueOutput/send(_:)``).
    case deribitHeartbeat(interval: Nanoseconds)
}

/// A connection-attempt budget: at most `attempts` connects per `window` ns.
public struct ConnectBudget: Sendable, Equatable {
    /// Attempts allowed per window.
    public var attempts: Int
    /// The window length in ns.
    public var window: Nanoseconds

    /// Memberwise initializer.
    public init(attempts: Int, window: Nanoseconds) {
        self.attempts = attempts
        self.window = window
    }
}

/// How a venue's L2 book is bootstrapped and validated (used to configure `Books`).
public struct BookSpec: Sendable, Equatable {
    /// Where the initial / recovery snapshot comes from.
    public var bootstrap: BookBootstrap
    /// Truncate the local book to this many levels per side after each message (Kraken v2
    /// requires it: levels pushed out of the subscribed depth get no delete). `nil`: keep all.
    public var maxDepth: Int?
    /// The checksum the venue sends, if any.
    public var checksum: ChecksumAlgorithm?
    /// How many consecutive messages may leave the book crossed before it counts as broken.
    /// 0 for venues that send whole batches per message; Bitfinex and BitMEX move one level per
    /// message, so a transient cross between two messages is normal there.
    public var crossedTolerance: Int

    /// Memberwise initializer.
    public init(bootstrap: BookBootstrap = .streamSnapshot, maxDepth: Int? = nil, checksum: ChecksumAlgorithm? = nil,
                crossedTolerance: Int = 0) {
        self.bootstrap = bootstrap
        self.maxDepth = maxDepth
        self.checksum = checksum
        self.crossedTolerance = crossedTolerance
    }
}

/// Where book snapshots come from.
public enum BookBootstrap: Sendable, Equatable {
    /// The venue sends a snapshot on (re)subscribe; recovery = resubscribe (OKX, Bybit, Kraken,
    /// Deribit, BitMEX, Bitfinex, Coinbase).
    case streamSnapshot
    /// Diffs over WebSocket, snapshot over REST (Binance); recovery = fetch a new snapshot via
    /// ``VenueAdapter/snapshotRequest(for:)``.
    case restSnapshot
}
