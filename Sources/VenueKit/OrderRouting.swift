import MarketModel

// The order-entry half of a venue adapter (ARCHITECTURE: `OrderRouting` in adapters). Like
// `VenueAdapter` it is sans-IO: it builds signed request frames from values it is handed (clock
// readings, request ids, credentials) and parses the venue's replies into `OrderVenueEvent`s. The
// `Orders` multiplexer owns throttles, queues, the client-order-id ledger and reconciliation; the
// session layer owns the authenticated connection.

/// One venue account's secrets, read from environment variables by the caller. Never printed:
/// `description` redacts everything but the key's first four characters.
public struct VenueCredentials: Sendable, Hashable, CustomStringConvertible {
    /// The API key (sent to the venue in clear, as each venue requires).
    public var apiKey: String
    /// The signing secret (HMAC secret, or an Ed25519 private key in PEM where the venue uses one).
    public var secret: String
    /// OKX's passphrase; `nil` elsewhere.
    public var passphrase: String?

    /// Memberwise initializer.
    public init(apiKey: String, secret: String, passphrase: String? = nil) {
        self.apiKey = apiKey
        self.secret = secret
        self.passphrase = passphrase
    }

    /// Redacted: `VenueCredentials(apiKey: abcd…, secret: <redacted>)`.
    public var description: String {
        "VenueCredentials(apiKey: \(apiKey.prefix(4))…, secret: <redacted>\(passphrase == nil ? "" : ", passphrase: <redacted>"))"
    }
}

/// A documented venue rate limit the order throttle enforces.
public struct OrderRateLimit: Sendable, Hashable {
    /// What the limit counts against.
    public enum Scope: String, Sendable, Hashable {
        /// One WebSocket connection.
        case connection
        /// The API key / account, across all of its connections.
        case account
    }

    /// A short name for logs and metrics (`"orders/10s"`).
    public var name: String
    /// Connection or account.
    public var scope: Scope
    /// Weight units allowed per ``interval``.
    public var capacity: Int
    /// The window, ns.
    public var interval: Nanoseconds
    /// Which requests count against it.
    public var appliesTo: Set<OrderRequestKind>
    /// For a counter that decays instead of a window (Kraken's trading counter): the ns it takes
    /// to fall by one unit; ``capacity`` is then the counter's threshold and ``interval`` only
    /// names the limit's scale. `nil` for a window limit.
    public var decayInterval: Nanoseconds?

    /// Memberwise initializer.
    public init(name: String, scope: Scope, capacity: Int, interval: Nanoseconds,
                appliesTo: Set<OrderRequestKind> = Set(OrderRequestKind.allCases), decayInterval: Nanoseconds? = nil) {
        self.decayInterval = decayInterval
        self.name = name
        self.scope = scope
        self.capacity = capacity
        self.interval = interval
        self.appliesTo = appliesTo
    }
}

/// The kinds of request an order connection sends.
public enum OrderRequestKind: String, Sendable, Hashable, CaseIterable {
    /// A new order.
    case place
    /// Cancel one order.
    case cancel
    /// Cancel every order (of a symbol, or all).
    case cancelAll
    /// Order status query (reconciliation).
    case status
    /// Login / authentication.
    case login
}

/// How the venue wants client order ids (``VenueOrder/venueClientOrderID`` is generated to fit).
public enum ClientOrderIDFormat: Sendable, Hashable {
    /// Letters, digits, `-` and `_`, at most `maxLength` characters (Binance 36, OKX 32 alnum).
    case alphanumeric(maxLength: Int)
    /// A positive integer (Bitfinex `cid`, Kraken `cl_ord_id` accepts text too).
    case numeric
}

/// The static facts of a venue's WebSocket order entry (VENUES.md, order-entry sections).
public struct OrderEntrySpec: Sendable {
    /// The venue.
    public var venue: VenueID
    /// Production order-entry URL (`wss://ws-api.binance.com:443/ws-api/v3`).
    public var url: String
    /// A second URL that carries order updates, where the venue splits requests and updates
    /// across two connections (Bybit `/v5/trade` vs `/v5/private`); `nil` when one connection does both.
    public var updatesURL: String?
    /// The venue's documented limits, all enforced (the throttle acquires every applicable one atomically).
    public var limits: [OrderRateLimit]
    /// Weight of each request kind (missing kinds weigh 1).
    public var weights: [OrderRequestKind: Int]
    /// Keep-alive on the order connection.
    public var keepAlive: KeepAliveRule
    /// Client order id format.
    public var clientOrderIDFormat: ClientOrderIDFormat
    /// `true` when the venue has a cancel-all request (otherwise Orders cancels one by one).
    public var supportsCancelAll: Bool
    /// A cancel's weight by the age of the order it cancels, where the venue charges young orders'
    /// cancels more (Kraken's trading counter); `nil`: ``weights`` alone.
    public var cancelPenalty: CancelPenalty?

    /// Memberwise initializer.
    public init(venue: VenueID, url: String, updatesURL: String? = nil, limits: [OrderRateLimit],
                weights: [OrderRequestKind: Int] = [:], keepAlive: KeepAliveRule,
                clientOrderIDFormat: ClientOrderIDFormat, supportsCancelAll: Bool, cancelPenalty: CancelPenalty? = nil) {
        self.cancelPenalty = cancelPenalty
        self.venue = venue
        self.url = url
        self.updatesURL = updatesURL
        self.limits = limits
        self.weights = weights
        self.keepAlive = keepAlive
        self.clientOrderIDFormat = clientOrderIDFormat
        self.supportsCancelAll = supportsCancelAll
    }

    /// The weight of one request of `kind`.
    public func weight(of kind: OrderRequestKind) -> Int { weights[kind] ?? 1 }

    /// The heaviest a request of `kind` can be (a cancel's largest penalty included): the
    /// throttle's cells must let that much through at once.
    public func maxWeight(of kind: OrderRequestKind) -> Int {
        guard kind == .cancel, let cancelPenalty else { return weight(of: kind) }
        return max(weight(of: kind), cancelPenalty.maxWeight)
    }
}

/// A cancel's weight that falls with the age of the order it cancels (Kraken spot: +8 for an order
/// younger than 5 s, +6 under 10 s, +5 under 15 s, +4 under 45 s, +2 under 90 s, +1 under 300 s).
public struct CancelPenalty: Sendable, Hashable {
    /// A cancel of an order younger than ``below`` weighs ``weight``.
    public struct Step: Sendable, Hashable {
        /// The age bound, ns.
        public var below: Nanoseconds
        /// The weight under it.
        public var weight: Int
    }

    /// By ascending age.
    public var steps: [Step]
    /// The weight for orders older than every step.
    public var otherwise: Int

    /// `steps` as `(age, weight)` pairs in any order.
    public init(steps: [(below: Nanoseconds, weight: Int)], otherwise: Int) {
        self.steps = steps.map { Step(below: $0.below, weight: $0.weight) }.sorted { $0.below < $1.below }
        self.otherwise = otherwise
    }

    /// The weight of cancelling an order `age` old (a negative or unknown age counts as new).
    public func weight(age: Nanoseconds) -> Int {
        for step in steps where age < step.below { return step.weight }
        return otherwise
    }

    /// The largest weight.
    public var maxWeight: Int { steps.map(\.weight).max().map { max($0, otherwise) } ?? otherwise }
}

/// A validated order as the router sends it.
public struct VenueOrder: Sendable, Hashable {
    /// The id the venue sees, generated by Orders in ``OrderEntrySpec/clientOrderIDFormat``
    /// (the local client's own id stays in the Orders ledger).
    public var venueClientOrderID: String
    /// Normalized instrument.
    public var symbol: Symbol
    /// Buy or sell.
    public var side: Side
    /// Limit or market.
    public var type: OrderType
    /// Limit price (`nil` for market orders).
    public var price: Price?
    /// Size in the venue's base units (contracts where the venue trades contracts).
    public var size: Size
    /// Time in force.
    public var timeInForce: TimeInForce

    /// Memberwise initializer.
    public init(venueClientOrderID: String, symbol: Symbol, side: Side, type: OrderType, price: Price?,
                size: Size, timeInForce: TimeInForce) {
        self.venueClientOrderID = venueClientOrderID
        self.symbol = symbol
        self.side = side
        self.type = type
        self.price = price
        self.size = size
        self.timeInForce = timeInForce
    }
}

/// What every request frame needs besides its payload: injected so frames are deterministic.
public struct OrderFrameContext: Sendable {
    /// Correlation id, unique on the connection; the venue echoes it (or the router maps it).
    public var requestID: String
    /// Wall-clock time for signatures and `timestamp` fields, ns since the epoch.
    public var now: Nanoseconds
    /// The account's secrets.
    public var credentials: VenueCredentials

    /// Memberwise initializer.
    public init(requestID: String, now: Nanoseconds, credentials: VenueCredentials) {
        self.requestID = requestID
        self.now = now
        self.credentials = credentials
    }
}

/// Why a request could not be built (before anything reached the venue).
public struct OrderRoutingError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What was wrong.
    public var message: String

    /// Creates an error.
    public init(_ message: String) { self.message = message }

    /// The message.
    public var description: String { message }
}

/// A venue's view of one order, from a response, a status query or an execution report.
public struct VenueOrderState: Sendable, Hashable {
    /// The venue-side client order id (``VenueOrder/venueClientOrderID``), when the message carries it.
    public var venueClientOrderID: String?
    /// The venue's order id.
    public var venueOrderID: String?
    /// Normalized state.
    public var state: OrderState
    /// Cumulative filled size.
    public var filledSize: Size?
    /// Average fill price.
    public var averagePrice: Price?
    /// The venue's reason text (rejections, cancels).
    public var reason: String?

    /// Memberwise initializer.
    public init(venueClientOrderID: String?, venueOrderID: String?, state: OrderState, filledSize: Size? = nil,
                averagePrice: Price? = nil, reason: String? = nil) {
        self.venueClientOrderID = venueClientOrderID
        self.venueOrderID = venueOrderID
        self.state = state
        self.filledSize = filledSize
        self.averagePrice = averagePrice
        self.reason = reason
    }
}

/// The venue's answer to one request.
public enum OrderResponse: Sendable, Hashable {
    /// Accepted; the state the venue reported, when it reported one.
    case accepted(VenueOrderState?)
    /// Refused. `rateLimited` is true when the venue refused for rate limits (the throttle backs
    /// off by `retryAfter` ns when given); such an order was not placed and may be retried.
    case rejected(reason: String, rateLimited: Bool, retryAfter: Nanoseconds?)
    /// Status query / cancel of an order the venue does not know.
    case notFound(reason: String)
}

/// The venue's rate-limit feedback (Binance `rateLimits` arrays, Bybit headers, 429s).
public struct RateLimitFeedback: Sendable, Hashable {
    /// The ``OrderRateLimit/name`` of the limit this feedback is about (routers translate the
    /// venue's own label, e.g. Binance `ORDERS 10 SECOND` → `orders/10s`), so the throttle can
    /// adopt the venue's count; `nil` when the venue does not say.
    public var name: String?
    /// Units used in the current window.
    public var used: Int?
    /// The window's capacity.
    public var limit: Int?
    /// Back off at least this long, ns.
    public var retryAfter: Nanoseconds?

    /// Memberwise initializer.
    public init(name: String? = nil, used: Int? = nil, limit: Int? = nil, retryAfter: Nanoseconds? = nil) {
        self.name = name
        self.used = used
        self.limit = limit
        self.retryAfter = retryAfter
    }
}

/// One thing an order connection said.
public enum OrderVenueEvent: Sendable, Hashable {
    /// Authentication succeeded.
    case loggedIn
    /// Authentication failed (bad key, bad signature, clock skew): the reason as the venue gave it.
    case loginFailed(reason: String)
    /// The reply to the request with this id.
    case response(requestID: String, OrderResponse)
    /// An unsolicited order update (execution report, fill, cancel).
    case update(VenueOrderState)
    /// Rate-limit feedback.
    case rateLimit(RateLimitFeedback)
    /// A keep-alive reply or heartbeat (keeps the dead-peer clock alive; not data).
    case heartbeat
    /// Frames the connection must send now (Deribit `test_request` → `public/test`).
    case send(OutboundMessage)
}

/// The order-entry contract a venue adapter adds (ARCHITECTURE: `OrderRouting`). Pure: frames are
/// built from the values given, replies parsed from bytes; no I/O, no clock, no randomness.
public protocol OrderRouting: Sendable {
    /// The venue's order-entry facts.
    static var orderSpec: OrderEntrySpec { get }

    /// Creates a router for one order connection (symbols and options as for the market-data adapter).
    init(configuration: VenueAdapterConfiguration)

    /// Frames that authenticate a fresh order connection (and subscribe its order-update stream).
    /// Empty when each request is signed on its own (Binance HMAC requests).
    func loginFrames(context: OrderFrameContext) throws(OrderRoutingError) -> [OutboundMessage]

    /// Frames for the second, updates-only connection when ``OrderEntrySpec/updatesURL`` is set.
    func updatesLoginFrames(context: OrderFrameContext) throws(OrderRoutingError) -> [OutboundMessage]

    /// The signed frame that places `order`.
    func placeFrame(_ order: VenueOrder, context: OrderFrameContext) throws(OrderRoutingError) -> OutboundMessage

    /// The frame that cancels one order by its venue-side client order id.
    func cancelFrame(venueClientOrderID: String, symbol: Symbol, context: OrderFrameContext) throws(OrderRoutingError) -> OutboundMessage

    /// The frame that cancels every open order (of `symbol`, or all when `nil`), when
    /// ``OrderEntrySpec/supportsCancelAll``.
    func cancelAllFrame(symbol: Symbol?, context: OrderFrameContext) throws(OrderRoutingError) -> OutboundMessage

    /// The frame that asks the venue for one order's state by client order id (reconciliation of
    /// `unknown` orders after a reconnect).
    func statusFrame(venueClientOrderID: String, symbol: Symbol, context: OrderFrameContext) throws(OrderRoutingError) -> OutboundMessage

    /// Parses one message from the order (or updates) connection.
    mutating func parseOrderMessage(_ message: UnsafeRawBufferPointer, tsRecv: Nanoseconds,
                                    into output: inout [OrderVenueEvent]) throws(VenueParseError)

    /// The id the venue's reply to a request of `kind` will carry as its
    /// ``OrderVenueEvent/response(requestID:_:)`` id, for venues that do not echo request ids
    /// (Bitfinex answers `on`/`oc` with the order's `cid`, `oc_multi` with none). `nil` (the
    /// default): the reply carries ``OrderFrameContext/requestID``. Replies with the same key are
    /// matched to requests in the order they were sent (the venue answers in order).
    static func replyCorrelationKey(kind: OrderRequestKind, venueClientOrderID: String?) -> String?
}

extension OrderRouting {
    /// Replies echo ``OrderFrameContext/requestID``.
    public static func replyCorrelationKey(kind: OrderRequestKind, venueClientOrderID: String?) -> String? { nil }

    /// No second connection.
    public func updatesLoginFrames(context: OrderFrameContext) throws(OrderRoutingError) -> [OutboundMessage] { [] }

    /// Convenience for tests and cold paths: parses a `String` message.
    public mutating func parseOrderMessage(_ text: String, tsRecv: Nanoseconds) throws(VenueParseError) -> [OrderVenueEvent] {
        var output: [OrderVenueEvent] = []
        var copy = text
        var failure: VenueParseError?
        copy.withUTF8 { utf8 in
            do throws(VenueParseError) {
                try self.parseOrderMessage(UnsafeRawBufferPointer(utf8), tsRecv: tsRecv, into: &output)
            } catch {
                failure = error
            }
        }
        if let failure { throw failure }
        return output
    }
}
