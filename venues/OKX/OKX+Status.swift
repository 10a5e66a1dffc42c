import MarketModel
import VenueKit

// OKX order status over REST (the private WebSocket has no order query): `GET /api/v5/trade/order`
// by `instId` + `clOrdId`, one request for open and closed orders alike. REST authentication
// (OKX REST "Authentication"): `OK-ACCESS-KEY`, `OK-ACCESS-PASSPHRASE`, `OK-ACCESS-TIMESTAMP`
// (ISO-8601 UTC with milliseconds) and `OK-ACCESS-SIGN` = base64(HMAC-SHA256(secret, timestamp +
// method + requestPath-with-query + body)), the body empty for a GET.

extension OKX: RESTStatusQuerying {
    /// OKX's REST host (``VenueKit/VenueSpec/restBaseURL``).
    public static var orderRESTBaseURL: String { spec.restBaseURL ?? "https://www.okx.com" }

    /// The signed order-details request:
    /// ```
    /// GET /api/v5/trade/order?instId=BTC-USDT&clOrdId=b15
    /// OK-ACCESS-KEY: 8a1c…            OK-ACCESS-PASSPHRASE: …
    /// OK-ACCESS-TIMESTAMP: 2020-12-08T09:08:57.715Z
    /// OK-ACCESS-SIGN: base64(HMAC-SHA256(secret, "2020-12-08T09:08:57.715Z" + "GET" + "/api/v5/trade/order?instId=BTC-USDT&clOrdId=b15"))
    /// ```
    public func statusRequest(_ query: StatusQuery, context: OrderFrameContext) throws(OrderRoutingError) -> SignedRESTRequest {
        guard query.step == 0 else { throw OrderRoutingError("okx: the order status query has one step, not \(query.step + 1)") }
        guard let passphrase = context.credentials.passphrase else { throw OrderRoutingError("okx: REST requests need the API passphrase") }
        let instID = try orderInstID(query.symbol)
        let path = "/api/v5/trade/order?" + URLQueryEncoding.form([("instId", instID), ("clOrdId", query.venueClientOrderID)])
        let timestamp = OrderText.iso8601Milliseconds(context.now)
        let sign = Self.restSignature(secret: context.credentials.secret, timestamp: timestamp, method: "GET", pathWithQuery: path, body: "")
        return SignedRESTRequest(method: "GET", pathWithQuery: path, headers: [
            "OK-ACCESS-KEY": context.credentials.apiKey, "OK-ACCESS-SIGN": sign, "OK-ACCESS-TIMESTAMP": timestamp,
            "OK-ACCESS-PASSPHRASE": passphrase, "Accept": "application/json",
        ])
    }

    /// Parses the order-details reply:
    /// ```
    /// 200 {"code":"0","msg":"","data":[{"instType":"SPOT","instId":"BTC-USDT","ordId":"312269865356374016","clOrdId":"b15",
    ///      "px":"2.15","sz":"2","ordType":"limit","side":"buy","accFillSz":"1","avgPx":"2.15","state":"partially_filled",…}]}
    /// 200 {"code":"51603","msg":"Order does not exist","data":[]}
    /// 429 {"code":"50011","msg":"Too Many Requests","data":[]}
    /// 401 {"code":"50113","msg":"Invalid Sign","data":[]}
    /// ```
    public func parseStatusReply(_ query: StatusQuery, status: Int, body: UnsafeRawBufferPointer) throws(VenueParseError) -> StatusQueryOutcome {
        guard let root = try JSONNode.restReply(body, status: status) else {
            return .answer(.rejected(reason: "HTTP \(status)", rateLimited: true, retryAfter: nil))
        }
        guard root.isObject else { throw .unexpected("OKX REST reply is not an object (HTTP \(status))") }
        let code = try root["code"].requiredText("code")
        let reason = "code \(code): \(root["msg"].text ?? "")"
        if code == "0" {
            guard let entry = root["data"][0] else { return .answer(.notFound(reason: "code 0 with no order in data")) }
            let state = try Self.orderUpdate(entry)
            guard state.venueClientOrderID == nil || state.venueClientOrderID == query.venueClientOrderID else {
                throw .invalidValue("clOrdId", "asked for '\(query.venueClientOrderID)', OKX answered '\(state.venueClientOrderID ?? "")'")
            }
            return .answer(.accepted(state))
        }
        if Self.notFoundCodes.contains(code) { return .answer(.notFound(reason: reason)) }
        if status == 429 || Self.rateLimitCodes.contains(code) { return .answer(.rejected(reason: reason, rateLimited: true, retryAfter: nil)) }
        return .answer(.rejected(reason: "HTTP \(status), \(reason)", rateLimited: false, retryAfter: nil))
    }

    /// base64(HMAC-SHA256(secret, timestamp + method + pathWithQuery + body)).
    static func restSignature(secret: String, timestamp: String, method: String, pathWithQuery: String, body: String) -> String {
        HMAC.base64(.sha256, key: Array(secret.utf8), message: timestamp + method + pathWithQuery + body)
    }
}
