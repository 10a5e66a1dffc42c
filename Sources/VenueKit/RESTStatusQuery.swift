import MarketModel

// Order-status reconciliation over REST, for venues whose order WebSocket cannot answer "what
// happened to client order id X?" (OKX, Bybit v5, Kraken v2, Bitfinex). Like `OrderRouting` it is
// sans-IO: the router builds signed requests from the clock reading, credentials and nonce it is
// handed, and parses reply bytes; the shell (OrderGateway) performs the HTTP exchange and feeds the
// outcome to the Orders core. Binance and Deribit keep answering status on their WebSocket
// (`OrderRouting.statusFrame`) and do not adopt this protocol.

/// A signed REST request, relative to the venue's REST base URL (the shell prefixes it, so the
/// simulator or a testnet can stand in for the venue without re-signing anything differently).
public struct SignedRESTRequest: Sendable, Hashable {
    /// `GET` or `POST`.
    public var method: String
    /// The path with its query, exactly as signed (`/api/v5/trade/order?instId=BTC-USDT&clOrdId=O1`).
    public var pathWithQuery: String
    /// Headers to send (auth headers included), by name.
    public var headers: [String: String]
    /// The body, exactly as signed (`""` for a GET).
    public var body: String

    /// Memberwise initializer.
    public init(method: String, pathWithQuery: String, headers: [String: String], body: String = "") {
        self.method = method
        self.pathWithQuery = pathWithQuery
        self.headers = headers
        self.body = body
    }

    /// The headers in a stable order (sorted by name), for the HTTP client and for tests.
    public var sortedHeaders: [(name: String, value: String)] {
        headers.sorted { $0.key < $1.key }.map { (name: $0.key, value: $0.value) }
    }
}

/// One order's status question, and which of the venue's requests answers it next. Venues that
/// split open and closed orders across endpoints (Kraken `OpenOrders` / `ClosedOrders`, Bitfinex
/// active / history) answer in several steps; the others in one.
public struct StatusQuery: Sendable, Hashable {
    /// The venue-side client order id (``VenueOrder/venueClientOrderID``).
    public var venueClientOrderID: String
    /// The order's instrument.
    public var symbol: Symbol
    /// 0 for the first request; the router's ``StatusQueryOutcome/askAgain(_:)`` names later ones.
    public var step: Int

    /// A query at `step` (0: the first request).
    public init(venueClientOrderID: String, symbol: Symbol, step: Int = 0) {
        self.venueClientOrderID = venueClientOrderID
        self.symbol = symbol
        self.step = step
    }

    /// The same order at the next step.
    public var nextStep: StatusQuery {
        var next = self
        next.step += 1
        return next
    }
}

/// What one REST reply settles.
public enum StatusQueryOutcome: Sendable, Hashable {
    /// The venue's answer for the order: `.accepted(state)`, `.notFound` (the venue does not
    /// know the client order id), or `.rejected` (auth error, rate limit with `rateLimited: true`,
    /// other refusals), exactly what the Orders core's `onStatusAnswer` takes.
    case answer(OrderResponse)
    /// This reply did not mention the order, but another endpoint may: build and send `query`
    /// (with a fresh ``OrderFrameContext``: new nonce, new timestamp) and parse its reply.
    case askAgain(StatusQuery)
}

/// The REST status query a router adds when its WebSocket has none. Pure like ``OrderRouting``:
/// clock, credentials and nonce come from the ``OrderFrameContext``.
public protocol RESTStatusQuerying: OrderRouting {
    /// The production REST base URL for the signed order endpoints (`https://www.okx.com`); the
    /// shell may override it (simulator, testnet).
    static var orderRESTBaseURL: String { get }

    /// The signed request for `query` (its ``StatusQuery/step``).
    func statusRequest(_ query: StatusQuery, context: OrderFrameContext) throws(OrderRoutingError) -> SignedRESTRequest

    /// Parses the reply to ``statusRequest(_:context:)`` for `query`: HTTP `status` and `body`.
    /// Throws only for replies that are not the venue's format at all (the shell then reports a
    /// refusal, so the core's attempt limit applies).
    func parseStatusReply(_ query: StatusQuery, status: Int, body: UnsafeRawBufferPointer) throws(VenueParseError) -> StatusQueryOutcome
}

extension RESTStatusQuerying {
    /// Convenience for tests and cold paths: the first request for one order.
    public func statusRequest(venueClientOrderID: String, symbol: Symbol, context: OrderFrameContext) throws(OrderRoutingError) -> SignedRESTRequest {
        try statusRequest(StatusQuery(venueClientOrderID: venueClientOrderID, symbol: symbol), context: context)
    }

    /// Convenience for tests and cold paths: parses a `String` body.
    public func parseStatusReply(_ query: StatusQuery, status: Int, body: String) throws(VenueParseError) -> StatusQueryOutcome {
        var copy = body
        var result: Result<StatusQueryOutcome, VenueParseError> = .failure(.unexpected("empty"))
        copy.withUTF8 { utf8 in
            do throws(VenueParseError) {
                result = .success(try parseStatusReply(query, status: status, body: UnsafeRawBufferPointer(utf8)))
            } catch {
                result = .failure(error)
            }
        }
        return try result.get()
    }
}

/// Percent-encoding of query and form values (RFC 3986 unreserved characters pass; everything
/// else becomes `%XX`), so that what is signed is byte for byte what is sent.
public enum URLQueryEncoding {
    /// `BTC/USD` → `BTC%2FUSD`.
    public static func encode(_ value: String) -> String {
        var out = ""
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = Array("0123456789ABCDEF".utf8)
                out += "%" + String(decoding: [hex[Int(byte >> 4)], hex[Int(byte & 0xF)]], as: UTF8.self)
            }
        }
        return out
    }

    /// `name=value&…` with each value encoded, in the order given.
    public static func form(_ pairs: [(String, String)]) -> String {
        pairs.map { "\($0.0)=\(encode($0.1))" }.joined(separator: "&")
    }
}
