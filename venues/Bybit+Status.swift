import MarketModel
import VenueKit

// Bybit v5 order status over REST (`/v5/trade` has no order query). Step 0 asks
// `GET /v5/order/realtime` by `orderLinkId`, which answers open orders and recently closed ones;
// when its list is empty, step 1 asks `GET /v5/order/history` (older closed orders) before
// concluding "not found". REST authentication (BY-REST "Integration guidance"): `X-BAPI-API-KEY`,
// `X-BAPI-TIMESTAMP` (ms), `X-BAPI-RECV-WINDOW` and `X-BAPI-SIGN` = hex(HMAC-SHA256(secret,
// timestamp + apiKey + recvWindow + queryString)) for a GET.

extension Bybit: RESTStatusQuerying {
    /// Bybit's REST host.
    public static var orderRESTBaseURL: String { "https://api.bybit.com" }

    /// How long a signed request stays valid at the venue, ms (Bybit's default is 5000).
    static let recvWindow = "5000"

    /// The signed query, step 0 `realtime`, step 1 `history`:
    /// ```
    /// GET /v5/order/realtime?category=linear&symbol=BTCUSDT&orderLinkId=O1
    /// X-BAPI-API-KEY: XXXXXXXXXX   X-BAPI-TIMESTAMP: 1672211928338   X-BAPI-RECV-WINDOW: 5000
    /// X-BAPI-SIGN: hex(HMAC-SHA256(secret, "1672211928338" + "XXXXXXXXXX" + "5000" + "category=linear&symbol=BTCUSDT&orderLinkId=O1"))
    /// ```
    public func statusRequest(_ query: StatusQuery, context: OrderFrameContext) throws(OrderRoutingError) -> SignedRESTRequest {
        let endpoint: String
        switch query.step {
        case 0: endpoint = "/v5/order/realtime"
        case 1: endpoint = "/v5/order/history"
        default: throw OrderRoutingError("bybit: the order status query has two steps, not \(query.step + 1)")
        }
        let queryString = URLQueryEncoding.form([("category", category), ("symbol", try orderSymbol(query.symbol)),
                                                 ("orderLinkId", query.venueClientOrderID)])
        let timestamp = String(OrderText.milliseconds(context.now))
        let sign = Self.restSignature(secret: context.credentials.secret, timestamp: timestamp, apiKey: context.credentials.apiKey,
                                      recvWindow: Self.recvWindow, payload: queryString)
        return SignedRESTRequest(method: "GET", pathWithQuery: endpoint + "?" + queryString, headers: [
            "X-BAPI-API-KEY": context.credentials.apiKey, "X-BAPI-TIMESTAMP": timestamp, "X-BAPI-RECV-WINDOW": Self.recvWindow,
            "X-BAPI-SIGN": sign, "Accept": "application/json",
        ])
    }

    /// Parses either list reply:
    /// ```
    /// 200 {"retCode":0,"retMsg":"OK","result":{"list":[{"orderId":"fd4300ae-…","orderLinkId":"O1","symbol":"BTCUSDT","orderStatus":"PartiallyFilled",
    ///      "cumExecQty":"0.001","avgPrice":"30000",…}],"nextPageCursor":"","category":"linear"},"retExtInfo":{},"time":1672219526905}
    /// 200 {"retCode":0,"retMsg":"OK","result":{"list":[],"nextPageCursor":"","category":"linear"},"retExtInfo":{},"time":1672219526905}
    /// 200 {"retCode":10006,"retMsg":"Too many visits!","result":{},"retExtInfo":{},"time":1672219526905}
    /// 401 {"retCode":10004,"retMsg":"error sign! origin_string[…]","result":{},"retExtInfo":{},"time":1672219526905}
    /// ```
    /// An empty list at step 0 asks step 1; at step 1 it means the venue has no such order.
    public func parseStatusReply(_ query: StatusQuery, status: Int, body: UnsafeRawBufferPointer) throws(VenueParseError) -> StatusQueryOutcome {
        // Bybit's IP-level limit answers 403 with an HTML page; 429 likewise.
        guard let root = try JSONNode.restReply(body, status: status, rateLimitStatuses: [429, 403]) else {
            return .answer(.rejected(reason: "HTTP \(status)", rateLimited: true, retryAfter: nil))
        }
        guard root.isObject else { throw .unexpected("Bybit REST reply is not an object (HTTP \(status))") }
        let code = try root["retCode"].requiredText("retCode")
        let reason = "retCode \(code): \(root["retMsg"].text ?? "")"
        guard code == "0" else {
            if code == "10006" || status == 429 || status == 403 {
                return .answer(.rejected(reason: reason, rateLimited: true, retryAfter: nil))
            }
            return .answer(.rejected(reason: "HTTP \(status), \(reason)", rateLimited: false, retryAfter: nil))
        }
        guard let list = root["result"]["list"].elements else { throw .missingField("result.list") }
        if let entry = list.first(where: { $0["orderLinkId"].text == query.venueClientOrderID }) {
            return .answer(.accepted(try Self.orderUpdate(entry)))
        }
        guard list.isEmpty else {
            throw .invalidValue("result.list", "asked for orderLinkId '\(query.venueClientOrderID)', Bybit listed other orders")
        }
        return query.step == 0 ? .askAgain(query.nextStep)
            : .answer(.notFound(reason: "orderLinkId \(query.venueClientOrderID) is neither open nor in the order history"))
    }

    /// hex(HMAC-SHA256(secret, timestamp + apiKey + recvWindow + payload)); `payload` is the query
    /// string of a GET (the JSON body of a POST).
    static func restSignature(secret: String, timestamp: String, apiKey: String, recvWindow: String, payload: String) -> String {
        HMAC.hex(.sha256, secret: secret, message: timestamp + apiKey + recvWindow + payload)
    }
}
