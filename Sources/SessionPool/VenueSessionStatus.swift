import MarketModel
import Sessions

/// Everything an operator's status view shows about one venue's pool, read on its loop in one go
/// (``VenueSessionPool/snapshotStatus()``).
public struct VenueSessionStatus: Sendable {
    /// The venue.
    public var venue: VenueID
    /// Its display name (`"Binance Spot"`).
    public var displayName: String
    /// Cumulative counters.
    public var counters: VenueSessionCounters
    /// The pool's connections (shards), by id.
    public var connections: [VenueConnectionStatus]
    /// The last state published for each stream, in first-seen order.
    public var streams: [StreamStatus]

    /// Memberwise initializer.
    public init(venue: VenueID, displayName: String, counters: VenueSessionCounters,
                connections: [VenueConnectionStatus], streams: [StreamStatus]) {
        self.venue = venue
        self.displayName = displayName
        self.counters = counters
        self.connections = connections
        self.streams = streams
    }
}

/// One connection (shard) of a pool.
public struct VenueConnectionStatus: Sendable, Hashable {
    /// The pool's id for the connection.
    public var id: Int
    /// The serving socket's phase.
    public var phase: ConnectionPhase
    /// Whether a make-before-break rotation is in progress.
    public var isRotating: Bool
    /// The endpoint in use.
    public var url: String
    /// Streams (symbol × channel) the connection carries.
    public var subscriptions: Int
    /// Messages received on this connection, over every reconnect.
    public var messages: Int
    /// Payload bytes received on this connection, over every reconnect.
    public var bytes: Int
    /// Frames waiting in the outbound throttle (the venue's per-connection message rate).
    public var throttleQueue: Int

    /// Memberwise initializer.
    public init(id: Int, phase: ConnectionPhase, isRotating: Bool, url: String, subscriptions: Int,
                messages: Int, bytes: Int, throttleQueue: Int) {
        self.id = id
        self.phase = phase
        self.isRotating = isRotating
        self.url = url
        self.subscriptions = subscriptions
        self.messages = messages
        self.bytes = bytes
        self.throttleQueue = throttleQueue
    }
}

/// The last `status` published for one stream (or for the whole venue when `symbol` is `nil`).
public struct StreamStatus: Sendable, Hashable {
    /// The symbol, or `nil` for a venue-wide status.
    public var symbol: Symbol?
    /// The channel, or `nil` for all channels.
    public var channel: Channel?
    /// The state subscribers were told.
    public var state: StreamState
    /// Why, in words (may be empty).
    public var reason: String
    /// When the state was published, ns since the Unix epoch.
    public var since: Nanoseconds

    /// Memberwise initializer.
    public init(symbol: Symbol?, channel: Channel?, state: StreamState, reason: String, since: Nanoseconds) {
        self.symbol = symbol
        self.channel = channel
        self.state = state
        self.reason = reason
        self.since = since
    }
}
