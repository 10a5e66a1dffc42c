import MarketModel
import NIOCore
import Orders
import Sessions
import Transport
import VenueKit

/// Where and as whom one venue's order connection logs in.
public struct OrderVenueEndpoint: Sendable {
    /// The venue.
    public var venue: VenueID
    /// The order-entry URL (the router's ``VenueKit/OrderEntrySpec/url`` unless overridden, e.g.
    /// the simulator's `ws://127.0.0.1:PORT/binance/orders`).
    public var url: String
    /// The updates-only URL where the venue splits them (Bybit `/v5/private`), else `nil`.
    public var updatesURL: String?
    /// The account's secrets (from environment variables; never logged).
    public var credentials: VenueCredentials
    /// Symbols and options for the router (as for the market-data adapter).
    public var adapterConfiguration: VenueAdapterConfiguration
    /// Where REST order-status queries go (venues without a WebSocket status query: OKX, Bybit,
    /// Kraken, Bitfinex): `nil` for the router's production host
    /// (``VenueKit/RESTStatusQuerying/orderRESTBaseURL``), or e.g. the simulator's
    /// `http://127.0.0.1:PORT/okx`. Signed paths are appended to it.
    public var restBaseURL: String?
    /// Fetches fresh credentials before each reconnect (not the first connect), for venues whose
    /// login credential expires before it is used (Kraken's WebSocket token: 15 minutes). A failure
    /// is logged and the reconnect retried with backoff. `nil`: ``credentials`` are used as they are.
    public var refreshCredentials: (@Sendable (_ current: VenueCredentials, _ eventLoop: any EventLoop) -> EventLoopFuture<VenueCredentials>)?

    /// Memberwise initializer.
    public init(venue: VenueID, url: String, updatesURL: String? = nil, credentials: VenueCredentials,
                adapterConfiguration: VenueAdapterConfiguration, restBaseURL: String? = nil,
                refreshCredentials: (@Sendable (_ current: VenueCredentials, _ eventLoop: any EventLoop) -> EventLoopFuture<VenueCredentials>)? = nil) {
        self.venue = venue
        self.url = url
        self.updatesURL = updatesURL
        self.credentials = credentials
        self.adapterConfiguration = adapterConfiguration
        self.restBaseURL = restBaseURL
        self.refreshCredentials = refreshCredentials
    }
}

/// Everything the gateway needs: the multiplexer core's configuration (venues, limits, rules),
/// each venue's endpoint, and the connection tunables.
public struct OrderGatewayConfiguration: Sendable {
    /// The core's configuration (its venues' frame builders are made by ``OrderGateway``).
    public var multiplexer: OrderMultiplexerConfiguration
    /// Order connections by venue (venues of ``multiplexer`` without one are refused as `unsupported`).
    public var endpoints: [VenueID: OrderVenueEndpoint]
    /// WebSocket client options (timeouts, CA file, deflate offer).
    public var clientOptions: WebSocketClientOptions
    /// Reconnect backoff of every order connection.
    public var backoff: ReconnectBackoffConfiguration
    /// A connection that has said nothing at all (no frame, pong or heartbeat) for this long is
    /// dead: it is aborted and every order sent on it becomes `unknown` until reconciled.
    public var deadPeerTimeout: Nanoseconds
    /// How long a login may take before the connection is dropped and retried.
    public var loginTimeout: Nanoseconds
    /// How long one REST status request may take before it counts as failed (and the core retries).
    public var statusQueryTimeout: Nanoseconds
    /// REST status queries on the wire at once per venue (the rest wait): a reconnect with many
    /// unknown orders must not spend the venue's REST limit in one burst.
    public var maxStatusQueriesInFlight: Int

    /// Defaults: 1 s → 60 s backoff, 30 s dead-peer timeout, 10 s login timeout, 10 s status
    /// query timeout, 3 status queries in flight per venue.
    public init(multiplexer: OrderMultiplexerConfiguration, endpoints: [VenueID: OrderVenueEndpoint],
                clientOptions: WebSocketClientOptions = WebSocketClientOptions(),
                backoff: ReconnectBackoffConfiguration = ReconnectBackoffConfiguration(),
                deadPeerTimeout: Nanoseconds = Interval.seconds(30), loginTimeout: Nanoseconds = Interval.seconds(10),
                statusQueryTimeout: Nanoseconds = Interval.seconds(10), maxStatusQueriesInFlight: Int = 3) {
        self.multiplexer = multiplexer
        self.endpoints = endpoints
        self.clientOptions = clientOptions
        self.backoff = backoff
        self.deadPeerTimeout = deadPeerTimeout
        self.loginTimeout = loginTimeout
        self.statusQueryTimeout = statusQueryTimeout
        self.maxStatusQueriesInFlight = maxStatusQueriesInFlight
    }
}
