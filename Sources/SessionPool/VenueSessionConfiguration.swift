import MarketModel
import Sessions
import Transport
import VenueKit

/// What one venue's pool serves and where it connects.
public struct VenueSessionConfiguration: Sendable {
    /// Normalized symbols to subscribe.
    public var symbols: [Symbol]
    /// Channels per symbol.
    public var channels: [Channel]
    /// Book depth where the venue lets us choose.
    public var bookDepth: Int?
    /// Venue options passed to the adapter (`"category": "linear"`).
    public var options: [String: String]
    /// Market-data URLs replacing the adapter's (testnet, simulator); `nil` keeps the venue's.
    public var marketDataURLs: [String]?
    /// REST base URL replacing the venue's in snapshot requests; `nil` keeps the venue's.
    public var restBaseURL: String?
    /// WebSocket client options (limits, CA file, timeouts).
    public var clientOptions: WebSocketClientOptions
    /// Pool planner configuration (backoff, keep-alive, rotation, seed).
    public var pool: PoolConfiguration
    /// Whether book checksums are verified (on by default).
    public var verifiesChecksums: Bool

    /// A configuration with the venue's own URLs and default pool behaviour.
    public init(symbols: [Symbol], channels: [Channel], bookDepth: Int? = nil, options: [String: String] = [:],
                marketDataURLs: [String]? = nil, restBaseURL: String? = nil,
                clientOptions: WebSocketClientOptions = WebSocketClientOptions(),
                pool: PoolConfiguration = PoolConfiguration(), verifiesChecksums: Bool = true) {
        self.symbols = symbols
        self.channels = channels
        self.bookDepth = bookDepth
        self.options = options
        self.marketDataURLs = marketDataURLs
        self.restBaseURL = restBaseURL
        self.clientOptions = clientOptions
        self.pool = pool
        self.verifiesChecksums = verifiesChecksums
    }
}

/// Where a pool's output goes. Called on the pool's event loop.
public protocol VenueSessionSink: AnyObject, Sendable {
    /// Normalized events (trades, books, status…) in order.
    func publish(_ events: [MarketEvent])
    /// A log line about the pool (connects, errors, venue notices); `isError` for failures.
    func log(venue: VenueID, _ message: String, isError: Bool)
}

/// Counters an operator's status view reads (per venue).
public struct VenueSessionCounters: Sendable {
    /// Messages received.
    public var messages: Int = 0
    /// Payload bytes received.
    public var bytes: Int = 0
    /// Connections opened (first opens and reconnects).
    public var opens: Int = 0
    /// Connections closed or failed.
    public var closes: Int = 0
    /// Messages the adapter could not parse.
    public var parseErrors: Int = 0
    /// REST snapshots fetched.
    public var snapshots: Int = 0
    /// Sockets open right now.
    public var openSockets: Int = 0
    /// Last trade seen (for the status screen).
    public var lastTrade: Trade?
    /// Receive time of the last book update, ns.
    public var lastBookUpdate: Int64?
    /// Opens of a connection (shard) that had been open before: reconnects and rotations.
    public var reconnects: Int = 0
    /// `stale` statuses published (a stream went quiet past its window).
    public var staleEvents: Int = 0
    /// `resyncing` statuses published (gap, checksum or crossed book: a book rebuilt).
    public var resyncs: Int = 0
    /// Frame read (`ts_recv`) → hand-off to the fan-out, one observation per published batch.
    public var latency = LatencyHistogram()

    /// Zero counters.
    public init() {}
}
