import MarketModel
import Sessions

/// Tunables of a NATS client connection (``NATSClientCore`` / ``NATSConnection``). Every queue is
/// bounded here; defaults suit a market-data publisher on a LAN.
public struct NATSClientConfiguration: Sendable, Hashable {
    /// The configured servers, tried in order (then those learned from `INFO connect_urls`).
    public var servers: [NATSServerURL]
    /// Credentials; `.none` uses those in each URL, if any.
    public var auth: NATSAuth
    /// The connection name shown in `nats-server` monitoring.
    public var name: String
    /// Whether our own publishes come back to our subscriptions (`CONNECT echo`).
    public var echo: Bool
    /// Add the servers advertised in `INFO connect_urls` to the rotation.
    public var usesDiscoveredServers: Bool
    /// TCP connect + INFO/CONNECT/PING→PONG handshake must finish within this.
    public var handshakeTimeout: Nanoseconds
    /// Keep-alive: a `PING` this often while connected.
    public var pingInterval: Nanoseconds
    /// The connection is stale (and is closed and re-established) when a `PING` has been
    /// unanswered for `pingInterval × maxPingsOutstanding`.
    public var maxPingsOutstanding: Int
    /// Reconnect delays (capped exponential backoff with full jitter, shared with venue sessions).
    public var backoff: ReconnectBackoffConfiguration
    /// Bound of the pending-publish buffer in bytes (encoded `PUB` frames): used while
    /// disconnected and while the socket cannot keep up. See docs/scaling.md for the policy.
    public var pendingBufferLimit: Int
    /// Largest write handed to the channel at once (bytes).
    public var writeBatchLimit: Int
    /// After each write burst, send a `PING` (if none is outstanding) so the matching `PONG`
    /// confirms the server processed everything before it: lets the client count exactly how
    /// many messages were at risk when a connection dies (``NATSStatistics/unconfirmedAtDisconnect``).
    public var confirmsWrites: Bool
    /// TLS: CA file to verify servers with (`nil`: the system store).
    public var tlsCAFile: String?
    /// TLS: verify the server's certificate and host name.
    public var tlsVerifiesPeer: Bool
    /// Control lines longer than this from the server are a protocol violation.
    public var maxControlLineLength: Int

    /// Creates a configuration; see each property for the meaning of the defaults.
    public init(servers: [NATSServerURL], auth: NATSAuth = .none, name: String = "marketmux", echo: Bool = true,
                usesDiscoveredServers: Bool = true, handshakeTimeout: Nanoseconds = Interval.seconds(5),
                pingInterval: Nanoseconds = Interval.seconds(5), maxPingsOutstanding: Int = 2,
                backoff: ReconnectBackoffConfiguration = ReconnectBackoffConfiguration(
                    base: Interval.milliseconds(100), cap: Interval.seconds(2), stablePeriod: Interval.seconds(10)),
                pendingBufferLimit: Int = 8 << 20, writeBatchLimit: Int = 256 << 10, confirmsWrites: Bool = true,
                tlsCAFile: String? = nil, tlsVerifiesPeer: Bool = true, maxControlLineLength: Int = 4096) {
        self.servers = servers
        self.auth = auth
        self.name = name
        self.echo = echo
        self.usesDiscoveredServers = usesDiscoveredServers
        self.handshakeTimeout = handshakeTimeout
        self.pingInterval = max(1, pingInterval)
        self.maxPingsOutstanding = max(1, maxPingsOutstanding)
        self.backoff = backoff
        self.pendingBufferLimit = max(1024, pendingBufferLimit)
        self.writeBatchLimit = max(4096, writeBatchLimit)
        self.confirmsWrites = confirmsWrites
        self.tlsCAFile = tlsCAFile
        self.tlsVerifiesPeer = tlsVerifiesPeer
        self.maxControlLineLength = maxControlLineLength
    }

    /// Parses `urls` (`nats://…`, `tls://…`, `host:port`).
    public init(urls: [String], auth: NATSAuth = .none, name: String = "marketmux") throws(NATSError) {
        var servers: [NATSServerURL] = []
        for url in urls { servers.append(try NATSServerURL(url)) }
        guard !servers.isEmpty else { throw NATSError(.invalidArgument, "no NATS server URL configured") }
        self.init(servers: servers, auth: auth, name: name)
    }
}
