/// Which of a venue's order endpoints a connection opened (docs/simulator.md "Orders").
public enum SimulatedOrderConnectionRole: String, Sendable, Hashable {
    /// `/<venue>/orders`: requests and (except Bybit) their updates.
    case trade
    /// `/<venue>/orders-private`: Bybit's `/v5/private` (the `order` topic).
    case updates
}

/// What a dialect did with one client message.
public struct SimulatedDialectResult: Sendable, Hashable {
    /// Text frames for this connection, in order.
    public var replies: [String]
    /// Close the connection once the replies are out (Deribit ends the session on 10028).
    public var closesConnection: Bool

    /// Memberwise initializer.
    public init(replies: [String] = [], closesConnection: Bool = false) {
        self.replies = replies
        self.closesConnection = closesConnection
    }
}

/// One venue's order protocol, server side: parses the venue's real requests, drives the shared
/// `SimulatedExchange`, and renders the venue's real responses and update messages. One value per
/// connection (it holds that connection's login and subscriptions). Sans-IO.
public protocol SimulatedOrderDialect: Sendable {
    /// Creates the dialect for one new connection. `connectionID` feeds the venue's `connId`.
    init(role: SimulatedOrderConnectionRole, connectionID: Int)

    /// Frames the venue sends as soon as the WebSocket opens (Kraken `status`, Bitfinex `info`).
    mutating func greeting(now: SimulatedOrderClock) -> [String]

    /// Handles one client text message.
    mutating func handle(_ message: [UInt8], exchange: inout SimulatedExchange, now: SimulatedOrderClock) -> SimulatedDialectResult

    /// Renders an order event for this connection, if it subscribed to that account's updates.
    mutating func render(_ event: SimulatedOrderEvent, now: SimulatedOrderClock) -> [String]

    /// The venue's own heartbeat in the connection's current state (Deribit `test_request` after
    /// `public/set_heartbeat`, Bitfinex `[0,"hb"]` after `auth`, Kraken `heartbeat` once subscribed):
    /// the frame and how often (ms). `nil`: none.
    var heartbeat: (intervalMilliseconds: Int64, frame: String)? { get }
}

extension SimulatedOrderDialect {
    /// No greeting.
    public mutating func greeting(now: SimulatedOrderClock) -> [String] { [] }

    /// No heartbeat.
    public var heartbeat: (intervalMilliseconds: Int64, frame: String)? { nil }
}

/// The dialects, by venue id (the fixture folder names).
public enum SimulatedOrderDialects {
    /// Venue ids with an order dialect.
    public static let venues = ["binance", "bitfinex", "bybit", "deribit", "kraken", "okx"]

    /// A fresh dialect for a connection to `venue`.
    public static func make(venue: String, role: SimulatedOrderConnectionRole, connectionID: Int) -> (any SimulatedOrderDialect)? {
        switch venue {
        case "binance": BinanceOrderDialect(role: role, connectionID: connectionID)
        case "okx": OKXOrderDialect(role: role, connectionID: connectionID)
        case "deribit": DeribitOrderDialect(role: role, connectionID: connectionID)
        case "bybit": BybitOrderDialect(role: role, connectionID: connectionID)
        case "kraken": KrakenOrderDialect(role: role, connectionID: connectionID)
        case "bitfinex": BitfinexOrderDialect(role: role, connectionID: connectionID)
        default: nil
        }
    }

    /// The venue's documented order limits (VENUES.md), as the exchange enforces them by default.
    public static func defaultRateRules(venue: String) -> [SimulatedRateRule] {
        let second: UInt64 = 1_000_000_000
        switch venue {
        case "binance":
            // [BN-API] doc example values: ORDERS 50 / 10 s and 160 000 / day per account;
            // REQUEST_WEIGHT 6000 / min (order.place 1, order.cancel 1, order.status 4).
            return [
                SimulatedRateRule(name: "ORDERS", window: .fixed(intervalNanoseconds: 10 * second, limit: 50), costs: [.place: 1]),
                SimulatedRateRule(name: "ORDERS", window: .fixed(intervalNanoseconds: 86_400 * second, limit: 160_000), costs: [.place: 1]),
                SimulatedRateRule(name: "REQUEST_WEIGHT", window: .fixed(intervalNanoseconds: 60 * second, limit: 6000),
                                  costs: [.place: 1, .cancel: 1, .cancelAll: 1, .status: 4, .other: 1]),
            ]
        case "okx":
            // [OKX-ORDER][OKX-SUB]: 60 / 2 s per user + instrument for order and for cancel-order;
            // 1000 new orders / 2 s per sub-account.
            return [
                SimulatedRateRule(name: "order", window: .fixed(intervalNanoseconds: 2 * second, limit: 60), isPerSymbol: true, costs: [.place: 1]),
                SimulatedRateRule(name: "cancel-order", window: .fixed(intervalNanoseconds: 2 * second, limit: 60), isPerSymbol: true, costs: [.cancel: 1]),
                SimulatedRateRule(name: "sub-account", window: .fixed(intervalNanoseconds: 2 * second, limit: 1000), costs: [.place: 1]),
            ]
        case "bybit":
            // [BY-RL]: order/create 10/s per UID (linear), cancel 10/s.
            return [
                SimulatedRateRule(name: "order.create", window: .fixed(intervalNanoseconds: second, limit: 10), costs: [.place: 1]),
                SimulatedRateRule(name: "order.cancel", window: .fixed(intervalNanoseconds: second, limit: 10), costs: [.cancel: 1]),
            ]
        case "kraken":
            // [NT-KR-RL][KR-CLI]: per-pair counter, Starter threshold 60, decay 1/s; add +1,
            // cancel penalty by order age.
            return [
                SimulatedRateRule(name: "trading", window: .decayingCounter(threshold: 60, decayPerSecondThousandths: 1000), isPerSymbol: true,
                                  costs: [.place: 1, .cancel: 0], usesKrakenCancelPenalty: true),
            ]
        case "deribit":
            // [NT-DB-RL]: matching engine ~5 req/s with burst 20; other private calls 20/s, burst 100.
            return [
                SimulatedRateRule(name: "matching_engine", window: .tokenBucket(capacity: 20, refillPerSecond: 5),
                                  costs: [.place: 1, .cancel: 1, .cancelAll: 1]),
                SimulatedRateRule(name: "non_matching_engine", window: .tokenBucket(capacity: 100, refillPerSecond: 20), costs: [.status: 1]),
            ]
        case "bitfinex":
            // Not in VENUES.md; bitfinex-api-node #242 (maintainer): 1000 orders / 5 min per user.
            return [
                SimulatedRateRule(name: "orders", window: .fixed(intervalNanoseconds: 300 * second, limit: 1000), costs: [.place: 1]),
            ]
        default:
            return []
        }
    }
}
