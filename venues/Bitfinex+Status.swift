import MarketModel
import VenueKit

// Bitfinex order status over REST (the authenticated socket has no order query). Step 0 asks
// `POST /v2/auth/r/orders/{symbol}` (the symbol's active orders), and when none carries our
// `cid`, step 1 asks `POST /v2/auth/r/orders/{symbol}/hist` (recently closed orders). Both list
// orders as arrays with CID at index 2, filtered here: filtering at the venue needs `cid_date`,
// the UTC day the order was placed, which an order sent just before midnight would get wrong.
// Authentication (BFX REST "Authenticated endpoints"): `bfx-nonce`, `bfx-apikey` and
// `bfx-signature` = hex(HMAC-SHA384(secret, "/api/" + path + nonce + body)); the nonce is the
// context's clock in microseconds and must grow per API key.

extension Bitfinex: RESTStatusQuerying {
    /// Bitfinex's authenticated REST host (market data's `api-pub` does not serve `auth/` paths).
    public static var orderRESTBaseURL: String { "https://api.bitfinex.com" }

    /// How many closed orders step 1 asks for (the venue's default is 25, its maximum 2500).
    static let historyLimit = 500

    /// The signed list request:
    /// ```
    /// POST /v2/auth/r/orders/tBTCUSD                      (step 1: /v2/auth/r/orders/tBTCUSD/hist, body {"limit":500})
    /// bfx-nonce: 1700000000000000   bfx-apikey: …   Content-Type: application/json
    /// bfx-signature: hex(HMAC-SHA384(secret, "/api/v2/auth/r/orders/tBTCUSD" + "1700000000000000" + "{}"))
    /// {}
    /// ```
    public func statusRequest(_ query: StatusQuery, context: OrderFrameContext) throws(OrderRoutingError) -> SignedRESTRequest {
        _ = try Self.clientOrderID(query.venueClientOrderID)
        let symbol = try orderSymbol(query.symbol)
        let path: String
        let body: String
        switch query.step {
        case 0: (path, body) = ("v2/auth/r/orders/\(URLQueryEncoding.encode(symbol))", "{}")
        case 1: (path, body) = ("v2/auth/r/orders/\(URLQueryEncoding.encode(symbol))/hist", "{\"limit\":\(Self.historyLimit)}")
        default: throw OrderRoutingError("bitfinex: the order status query has two steps, not \(query.step + 1)")
        }
        let nonce = String(OrderText.microseconds(context.now))
        return SignedRESTRequest(method: "POST", pathWithQuery: "/" + path, headers: [
            "bfx-nonce": nonce, "bfx-apikey": context.credentials.apiKey,
            "bfx-signature": Self.restSignature(secret: context.credentials.secret, path: path, nonce: nonce, body: body),
            "Content-Type": "application/json", "Accept": "application/json",
        ], body: body)
    }

    /// Parses either list reply, or an error array:
    /// ```
    /// 200 [[1185815098,null,12345,"tBTCUSD",1575289447641,1575289447641,0.06,0.1,"EXCHANGE LIMIT",null,null,null,0,
    ///       "PARTIALLY FILLED @ 100.0(0.04)",null,null,100,100,0,0,null,null,null,0,0,null,null,null,"API>BFX",null,null,{}]]
    /// 200 []
    /// 500 ["error",10100,"apikey: invalid"]
    /// 429 ["error",11010,"ratelimit: error"]
    /// ```
    /// No order with our cid among the active ones asks step 1; none in the history either means not found.
    public func parseStatusReply(_ query: StatusQuery, status: Int, body: UnsafeRawBufferPointer) throws(VenueParseError) -> StatusQueryOutcome {
        guard let root = try JSONNode.restReply(body, status: status) else {
            return .answer(.rejected(reason: "HTTP \(status)", rateLimited: true, retryAfter: nil))
        }
        guard let items = root.elements else { throw .unexpected("Bitfinex REST reply is not an array (HTTP \(status))") }
        if items.first?.text == "error" {
            let reason = "code \(items.count > 1 ? root[1].text ?? "-" : "-"): \(root[2].text ?? "")"
            let rateLimited = status == 429 || reason.contains("ratelimit") || root[1].text == "11010"
            return .answer(.rejected(reason: "HTTP \(status), \(reason)", rateLimited: rateLimited, retryAfter: nil))
        }
        // The cid is unique per UTC day only: the newest order carrying it is the one just sent.
        let matches = items.filter { $0[2].text == query.venueClientOrderID }
        if let order = matches.max(by: { (Int64($0[4].text ?? "") ?? 0) < (Int64($1[4].text ?? "") ?? 0) }) {
            return .answer(.accepted(try Self.orderState(order)))
        }
        return query.step == 0 ? .askAgain(query.nextStep)
            : .answer(.notFound(reason: "cid \(query.venueClientOrderID) is neither active nor in the recent order history"))
    }

    /// hex(HMAC-SHA384(secret, "/api/" + path + nonce + body)), `path` without its leading slash.
    static func restSignature(secret: String, path: String, nonce: String, body: String) -> String {
        HMAC.hex(.sha384, secret: secret, message: "/api/" + path + nonce + body)
    }
}
