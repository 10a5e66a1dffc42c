import MarketModel

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
