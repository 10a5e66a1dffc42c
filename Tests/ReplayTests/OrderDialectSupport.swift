@testable import Replay

/// Fixed clocks, the test account and request signing for the order-dialect tests.
enum OrderBench {
    /// 2023-11-14T22:13:20Z, and a monotonic reading well past zero.
    static let now = SimulatedOrderClock(monotonicNanoseconds: 100_000_000_000, epochMilliseconds: 1_700_000_000_000)
    static let key = SimulatedAccount.test.apiKey
    static let secret = SimulatedAccount.test.secret

    static func later(_ milliseconds: Int64) -> SimulatedOrderClock {
        SimulatedOrderClock(monotonicNanoseconds: now.monotonicNanoseconds + UInt64(milliseconds) * 1_000_000,
                            epochMilliseconds: now.epochMilliseconds + milliseconds)
    }

    static func exchange(_ venue: String, rules: [SimulatedRateRule]? = nil) -> SimulatedExchange {
        var configuration = OrderSimulationConfiguration(referencePrices: ["BTCUSDT": SimulatedDecimal(parsing: "50000") ?? .zero,
                                                                          "BTC-USDT": SimulatedDecimal(parsing: "50000") ?? .zero,
                                                                          "BTC-PERPETUAL": SimulatedDecimal(parsing: "50000") ?? .zero,
                                                                          "BTC/USD": SimulatedDecimal(parsing: "50000") ?? .zero,
                                                                          "tBTCUSD": SimulatedDecimal(parsing: "50000") ?? .zero])
        if let rules { configuration.rateRules[venue] = rules }
        return configuration.makeExchange(venue: venue)
    }

    /// Binance: `params` plus `signature` = hex HMAC-SHA256 over the sorted `k=v&…` (VENUES.md §1.6).
    static func binance(_ id: String, _ method: String, _ params: [(String, String)], secret: String = secret, timestamp: Int64 = now.epochMilliseconds) -> String {
        var all = params + [("apiKey", "\"\(key)\""), ("timestamp", String(timestamp))]
        let payload = all.sorted { $0.0 < $1.0 }.map { "\($0.0)=\($0.1.trimmingCharacters(in: ["\""]))" }.joined(separator: "&")
        all.append(("signature", "\"\(OrderSigning.hex(.sha256, secret: secret, message: payload))\""))
        return "{\"id\":\"\(id)\",\"method\":\"\(method)\",\"params\":{" + all.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",") + "}}"
    }

    /// OKX login: base64 HMAC-SHA256 of `ts + "GET" + "/users/self/verify"`, ts in seconds.
    static func okxLogin(secret: String = secret, seconds: Int64 = now.epochMilliseconds / 1000) -> String {
        let sign = OrderSigning.base64(.sha256, secret: secret, message: "\(seconds)GET/users/self/verify")
        return "{\"op\":\"login\",\"args\":[{\"apiKey\":\"\(key)\",\"passphrase\":\"mmx-test-passphrase\",\"timestamp\":\"\(seconds)\",\"sign\":\"\(sign)\"}]}"
    }

    /// Bybit auth: hex HMAC-SHA256 of `"GET/realtime" + expires`.
    static func bybitAuth(_ field: String, secret: String = secret, expires: Int64 = now.epochMilliseconds + 10_000) -> String {
        let sign = OrderSigning.hex(.sha256, secret: secret, message: "GET/realtime\(expires)")
        return "{\"\(field)\":\"auth-1\",\"op\":\"auth\",\"args\":[\"\(key)\",\(expires),\"\(sign)\"]}"
    }

    /// Deribit client_signature auth.
    static func deribitAuth(secret: String = secret) -> String {
        let signature = OrderSigning.hex(.sha256, secret: secret, message: "\(now.epochMilliseconds)\nabcd\n")
        return "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"public/auth\",\"params\":{\"grant_type\":\"client_signature\",\"client_id\":\"\(key)\","
            + "\"timestamp\":\(now.epochMilliseconds),\"signature\":\"\(signature)\",\"nonce\":\"abcd\",\"data\":\"\"}}"
    }

    /// Bitfinex auth: hex HMAC-SHA384 of `"AUTH" + nonce`.
    static func bitfinexAuth(secret: String = secret) -> String {
        let payload = "AUTH1700000000000000"
        return "{\"event\":\"auth\",\"apiKey\":\"\(key)\",\"authSig\":\"\(OrderSigning.hex(.sha384, secret: secret, message: payload))\","
            + "\"authNonce\":\"1700000000000000\",\"authPayload\":\"\(payload)\"}"
    }

    /// Sends `text` through `dialect`, then renders the events it caused on the same connection
    /// (what the desk does): replies first, then updates.
    static func send(_ text: String, _ dialect: inout some SimulatedOrderDialect, _ exchange: inout SimulatedExchange,
                     now: SimulatedOrderClock = now) -> [String] {
        var out = dialect.handle(Array(text.utf8), exchange: &exchange, now: now).replies
        for event in exchange.takeEvents() { out += dialect.render(event, now: now) }
        return out
    }
}
