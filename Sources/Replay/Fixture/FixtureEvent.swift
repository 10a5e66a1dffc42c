/// One event of a recorded session (docs/fixtures.md, `session.jsonl`).
public enum FixtureEvent: Sendable, Equatable {
    /// First line: what the session subscribed to.
    case config(FixtureConfig)
    /// The client opened connection `conn` to `url`.
    case connect(conn: Int, url: String)
    /// A frame the client sent (the simulator waits for it before answering).
    case send(conn: Int, text: String)
    /// A frame the venue sent: the exact bytes as they crossed the wire.
    case recv(conn: Int, payload: [UInt8], isBinary: Bool)
    /// A REST exchange answered at this time (e.g. a depth snapshot).
    case rest(FixtureREST)
    /// Connection `conn` dropped; `code` 1006 (or none) means without a close frame.
    case disconnect(conn: Int, code: Int?, reason: String?)

    /// The connection the event belongs to (`nil` for `config` and `rest`).
    public var conn: Int? {
        switch self {
        case .connect(let conn, _), .send(let conn, _), .recv(let conn, _, _), .disconnect(let conn, _, _): conn
        case .config, .rest: nil
        }
    }
}

/// The `config` line: symbols (normalized, e.g. `BTC-USDT`) and channels the session subscribed to.
public struct FixtureConfig: Sendable, Equatable {
    /// Normalized symbols, e.g. `["BTC-USDT"]`.
    public var symbols: [String]
    /// Channel names, e.g. `["trades", "book"]`.
    public var channels: [String]
    /// Book depth, when the session asked for one.
    public var bookDepth: Int?
    /// Adapter options (free-form strings), if any.
    public var options: [String: String]

    /// Creates a config.
    public init(symbols: [String], channels: [String], bookDepth: Int? = nil, options: [String: String] = [:]) {
        self.symbols = symbols
        self.channels = channels
        self.bookDepth = bookDepth
        self.options = options
    }
}

/// A recorded REST exchange.
public struct FixtureREST: Sendable, Equatable {
    /// HTTP method (`GET`).
    public var method: String
    /// The full URL as requested, e.g. `https://api.binance.com/api/v3/depth?symbol=BTCUSDT&limit=1000`.
    public var url: String
    /// HTTP status of the answer.
    public var status: Int
    /// Response body, exact bytes.
    public var body: [UInt8]

    /// Creates an exchange.
    public init(method: String, url: String, status: Int, body: [UInt8]) {
        self.method = method
        self.url = url
        self.status = status
        self.body = body
    }

    /// The request target of `url` (path plus query, starting with `/`).
    public var requestTarget: String {
        var rest = Substring(url)
        if let scheme = rest.range(of: "://") { rest = rest[scheme.upperBound...] }
        guard let slash = rest.firstIndex(where: { $0 == "/" || $0 == "?" }) else { return "/" }
        let target = rest[slash...]
        return target.first == "?" ? "/" + target : String(target)
    }
}

/// One line of a session: its time (ms since the session start), its 1-based line number, the event.
public struct FixtureLine: Sendable, Equatable {
    /// Milliseconds since the session start (non-decreasing through the file).
    public var t: Int64
    /// 1-based line number in `session.jsonl`.
    public var line: Int
    /// The event.
    public var event: FixtureEvent

    /// Creates a line.
    public init(t: Int64, line: Int, event: FixtureEvent) {
        self.t = t
        self.line = line
        self.event = event
    }
}
