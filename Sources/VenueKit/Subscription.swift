import MarketModel

/// One symbol on one channel: the unit of subscription, sharding and stale tracking.
public struct Subscription: Sendable, Hashable, CustomStringConvertible {
    /// The normalized instrument.
    public var symbol: Symbol
    /// The normalized channel.
    public var channel: Channel

    /// Memberwise initializer.
    public init(symbol: Symbol, channel: Channel) {
        self.symbol = symbol
        self.channel = channel
    }

    /// `channel:symbol`.
    public var description: String { "\(channel.rawValue):\(symbol.rawValue)" }
}

/// A text frame to send on the venue connection.
public struct OutboundMessage: Sendable, Hashable {
    /// The frame's text (JSON or a bare word like `ping`).
    public var text: String
    /// How much of the connection's outbound message budget the frame costs (usually 1).
    public var weight: Int

    /// Creates a text frame.
    public init(text: String, weight: Int = 1) {
        self.text = text
        self.weight = weight
    }
}

/// A REST request the session layer should perform on the adapter's behalf (book snapshots).
public struct RESTRequest: Sendable, Hashable {
    /// HTTP method, normally `GET`.
    public var method: String
    /// Absolute URL including the query (`https://api.binance.com/api/v3/depth?symbol=BTCUSDT&limit=5000`).
    public var url: String
    /// Extra headers.
    public var headers: [String: String]
    /// How much of the venue's REST weight budget the request costs (Binance depth 5000 = 250).
    public var weight: Int

    /// Memberwise initializer.
    public init(method: String = "GET", url: String, headers: [String: String] = [:], weight: Int = 1) {
        self.method = method
        self.url = url
        self.headers = headers
        self.weight = weight
    }
}

/// What the adapter learned from a subscribe acknowledgement.
public struct SubscriptionAck: Sendable, Hashable {
    /// The subscriptions confirmed (or refused), when the venue names them; empty when the ack
    /// only echoes a request id.
    public var subscriptions: [Subscription]
    /// `false` when the venue refused (unknown symbol, limit reached).
    public var isSuccess: Bool
    /// The venue's request id echo, if any.
    public var requestID: String?
    /// The venue's message for refusals.
    public var message: String?

    /// Memberwise initializer.
    public init(subscriptions: [Subscription] = [], isSuccess: Bool = true, requestID: String? = nil, message: String? = nil) {
        self.subscriptions = subscriptions
        self.isSuccess = isSuccess
        self.requestID = requestID
        self.message = message
    }
}

/// Per-frame facts the adapter may need while parsing.
public struct ParseContext: Sendable {
    /// When the frame was read from the socket, ns since the epoch: stamp every event with it.
    public var tsRecv: Nanoseconds
    /// The session layer's id for the connection (for per-connection sequences).
    public var connectionID: Int
    /// `true` when the frame was a binary (not text) WebSocket message.
    public var isBinary: Bool

    /// Memberwise initializer.
    public init(tsRecv: Nanoseconds, connectionID: Int = 0, isBinary: Bool = false) {
        self.tsRecv = tsRecv
        self.connectionID = connectionID
        self.isBinary = isBinary
    }
}
