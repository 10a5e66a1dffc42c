import MarketModel
import VenueKit

// Kraken spot order status over REST (WebSocket v2 has no order query). Our `add_order` names
// orders by `cl_ord_id`; `QueryOrders` needs Kraken's own `txid`, which an order whose ack was
// lost never told us, so the lookup uses the two list endpoints that filter by `cl_ord_id`:
// step 0 `POST /0/private/OpenOrders`, and when nothing is open under that id, step 1
// `POST /0/private/ClosedOrders` (the most recent 50 closed orders, filtered). Both are form
// posts signed like every private Kraken call (KR-REST): `API-Key`, and `API-Sign` =
// base64(HMAC-SHA512(base64decode(secret), path + SHA256(nonce + postdata))). The nonce is the
// context's clock in microseconds: it must grow per API key, and the shell hands each request a
// fresh, strictly later clock reading.

extension Kraken: RESTStatusQuerying {
    /// Kraken's REST host (``VenueKit/VenueSpec/restBaseURL``).
    public static var orderRESTBaseURL: String { spec.restBaseURL ?? "https://api.kraken.com" }

    /// The signed list request, step 0 `OpenOrders`, step 1 `ClosedOrders`:
    /// ```
    /// POST /0/private/OpenOrders
    /// API-Key: …   Content-Type: application/x-www-form-urlencoded
    /// API-Sign: base64(HMAC-SHA512(base64decode(secret), "/0/private/OpenOrders" + SHA256("1616492376594000" + body)))
    /// nonce=1616492376594000&cl_ord_id=O1
    /// ```
    public func statusRequest(_ query: StatusQuery, context: OrderFrameContext) throws(OrderRoutingError) -> SignedRESTRequest {
        let path: String
        switch query.step {
        case 0: path = "/0/private/OpenOrders"
        case 1: path = "/0/private/ClosedOrders"
        default: throw OrderRoutingError("kraken: the order status query has two steps, not \(query.step + 1)")
        }
        _ = try orderSymbol(query.symbol)
        let nonce = String(OrderText.microseconds(context.now))
        let body = URLQueryEncoding.form([("nonce", nonce), ("cl_ord_id", query.venueClientOrderID)])
        guard let signature = Self.restSignature(secret: context.credentials.secret, path: path, nonce: nonce, postData: body) else {
            throw OrderRoutingError("kraken: the API secret is not base64")
        }
        return SignedRESTRequest(method: "POST", pathWithQuery: path, headers: [
            "API-Key": context.credentials.apiKey, "API-Sign": signature,
            "Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json",
        ], body: body)
    }

    /// Parses either list reply (orders keyed by `txid`):
    /// ```
    /// {"error":[],"result":{"open":{"OQCLML-BW3P3-BUCMWZ":{"refid":null,"userref":0,"cl_ord_id":"O1","status":"open","opentm":1688666559.8974,
    ///   "descr":{"pair":"XBTUSD","type":"buy","ordertype":"limit","price":"30010.0",…},"vol":"1.25000000","vol_exec":"0.37500000",
    ///   "cost":"11253.7","fee":"0.00000","price":"30010.0",…}}}}
    /// {"error":[],"result":{"closed":{"OB4BZQ-…":{"cl_ord_id":"O1","status":"closed","vol":"0.01","vol_exec":"0.01","price":"30000.0",…}},"count":1}}
    /// {"error":["EAPI:Rate limit exceeded"]}
    /// {"error":["EAPI:Invalid signature"]}
    /// ```
    /// Nothing open under the id at step 0 asks step 1; nothing closed either means not found.
    public func parseStatusReply(_ query: StatusQuery, status: Int, body: UnsafeRawBufferPointer) throws(VenueParseError) -> StatusQueryOutcome {
        guard let root = try JSONNode.restReply(body, status: status) else {
            return .answer(.rejected(reason: "HTTP \(status)", rateLimited: true, retryAfter: nil))
        }
        if let errors = root["error"].elements, !errors.isEmpty {
            let reason = errors.compactMap(\.text).joined(separator: ", ")
            return .answer(.rejected(reason: reason, rateLimited: Self.isRateLimit(reason) || reason.contains("Too many requests"), retryAfter: nil))
        }
        let listName = query.step == 0 ? "open" : "closed"
        guard case .object(let orders)? = root["result"][listName] else { throw .missingField("result.\(listName)") }
        // Kraken filtered by cl_ord_id already; the check guards against a venue that ignored the filter.
        let matches = orders.filter { $0.value["cl_ord_id"].text == query.venueClientOrderID }
        if let (txid, entry) = matches.max(by: { ($0.value["opentm"].text ?? "") < ($1.value["opentm"].text ?? "") }) {
            return .answer(.accepted(try Self.restOrder(entry, txid: txid, clientOrderID: query.venueClientOrderID)))
        }
        return query.step == 0 ? .askAgain(query.nextStep)
            : .answer(.notFound(reason: "cl_ord_id \(query.venueClientOrderID) is neither open nor among the recent closed orders"))
    }

    /// One `OpenOrders`/`ClosedOrders` entry: `status` pending/open/closed/canceled/expired,
    /// `vol_exec` the filled size, `price` the average fill price.
    static func restOrder(_ e: JSONNode, txid: String, clientOrderID: String) throws(VenueParseError) -> VenueOrderState {
        let status = try e["status"].requiredText("status")
        let filled = try e["vol_exec"].decimal("vol_exec")
        let hasFills = filled.map { !$0.isZero } ?? false
        let state: OrderState
        switch status {
        case "pending", "open": state = hasFills ? .partiallyFilled : .accepted
        case "closed": state = .filled
        case "canceled": state = .canceled
        case "expired": state = .expired
        default: throw .invalidValue("status", "unknown Kraken order status '\(status)'")
        }
        let average = try e["price"].decimal("price")
        return VenueOrderState(venueClientOrderID: clientOrderID, venueOrderID: txid, state: state, filledSize: filled,
                               averagePrice: hasFills ? average.flatMap { $0.isZero ? nil : $0 } : nil,
                               reason: state == .canceled || state == .expired ? e["reason"].nonEmptyText : nil)
    }
}
