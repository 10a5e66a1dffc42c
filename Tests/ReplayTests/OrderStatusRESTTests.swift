@testable import Replay
import Testing
import VenueKit

/// The simulated venues' REST order-status endpoints, driven directly: requests signed here from
/// the venues' documented formulas (not by the client routers), answered from a real exchange
/// ledger; wrong signatures, stale nonces and the venue's status rate limit get the venue's errors.
@Suite("Simulated REST order status")
struct OrderStatusRESTTests {
    static let clock = SimulatedOrderClock(monotonicNanoseconds: 1_000_000_000, epochMilliseconds: 1_700_000_000_000)

    static func exchange(_ venue: String, account: SimulatedAccount = .test, rules: [SimulatedRateRule] = []) -> SimulatedExchange {
        SimulatedExchange(venue: venue, accounts: [account], rateRules: rules, defaultReferencePrice: SimulatedDecimal(parsing: "50000") ?? .zero)
    }

    static func place(_ exchange: inout SimulatedExchange, id: String, symbol: String, price: String, account: String = "mmx-test-key", tag: String = "") {
        _ = exchange.place(SimulatedOrderRequest(account: account, clientOrderID: id, symbol: symbol, side: .buy, type: .limit,
                                                 price: SimulatedDecimal(parsing: price), quantity: SimulatedDecimal(parsing: "0.01") ?? .zero,
                                                 venueTag: tag), now: clock)
    }

    static func request(_ method: String, _ path: String, query: String = "", body: String = "", headers: [String: String]) -> SimulatedOrderStatusREST.Request {
        SimulatedOrderStatusREST.Request(method: method, path: path, query: query, body: body, header: { name in
            headers.first { $0.key.lowercased() == name.lowercased() }?.value
        })
    }

    @Test("OKX: a filled order, a never-received one (51603), a wrong signature (50113)")
    func okx() {
        var exchange = Self.exchange("okx")
        Self.place(&exchange, id: "O1", symbol: "BTC-USDT", price: "60000", tag: "cash")
        var nonces: [String: Int64] = [:]
        func ask(_ id: String, secret: String = "mmx-test-secret") -> SimulatedOrderStatusREST.Answer {
            let query = "instId=BTC-USDT&clOrdId=\(id)"
            let ts = "2023-11-14T22:13:20.000Z"
            let sign = HMAC.base64(.sha256, key: Array(secret.utf8), message: ts + "GET" + "/api/v5/trade/order?" + query)
            return SimulatedOrderStatusREST.answer(venue: "okx", Self.request("GET", "/api/v5/trade/order", query: query, headers: [
                "OK-ACCESS-KEY": "mmx-test-key", "OK-ACCESS-SIGN": sign, "OK-ACCESS-TIMESTAMP": ts, "OK-ACCESS-PASSPHRASE": "mmx-test-passphrase",
            ]), exchange: &exchange, nonces: &nonces, now: Self.clock)
        }
        let filled = ask("O1")
        #expect(filled.status == 200 && filled.body.contains(#""state":"filled""#) && filled.body.contains(#""clOrdId":"O1""#), "\(filled)")
        #expect(ask("never") == .init(status: 200, body: #"{"code":"51603","msg":"Order does not exist","data":[]}"#))
        #expect(ask("O1", secret: "wrong").body.contains(#""code":"50113""#))
        #expect(exchange.counters.statusQueries == 2, "refused requests are not answered queries")
    }

    @Test("Bybit: realtime lists a resting order, history only closed ones; bad signature is 10004; the status limit answers 10006")
    func bybit() {
        var exchange = Self.exchange("bybit", rules: [SimulatedRateRule(name: "status", window: .fixed(intervalNanoseconds: 1_000_000_000, limit: 2), costs: [.status: 1])])
        Self.place(&exchange, id: "O1", symbol: "BTCUSDT", price: "40000", tag: "linear")
        var nonces: [String: Int64] = [:]
        func ask(_ path: String, secret: String = "mmx-test-secret") -> SimulatedOrderStatusREST.Answer {
            let query = "category=linear&symbol=BTCUSDT&orderLinkId=O1"
            let sign = HMAC.hex(.sha256, secret: secret, message: "1700000000000" + "mmx-test-key" + "5000" + query)
            return SimulatedOrderStatusREST.answer(venue: "bybit", Self.request("GET", path, query: query, headers: [
                "X-BAPI-API-KEY": "mmx-test-key", "X-BAPI-TIMESTAMP": "1700000000000", "X-BAPI-RECV-WINDOW": "5000", "X-BAPI-SIGN": sign,
            ]), exchange: &exchange, nonces: &nonces, now: Self.clock)
        }
        #expect(ask("/v5/order/realtime").body.contains(#""orderLinkId":"O1","symbol":"BTCUSDT""#))
        #expect(ask("/v5/order/history").body.contains(#""list":[]"#))
        #expect(ask("/v5/order/realtime", secret: "wrong").body.contains(#""retCode":10004"#))
        #expect(ask("/v5/order/realtime").body.contains(#""retCode":10006"#), "the third query in a second is over the status limit")
    }

    @Test("Kraken: open vs closed lists by cl_ord_id; a replayed nonce is EAPI:Invalid nonce")
    func kraken() {
        var exchange = Self.exchange("kraken", account: .krakenTest)
        Self.place(&exchange, id: "O1", symbol: "BTC/USD", price: "60000")
        var nonces: [String: Int64] = [:]
        func ask(_ path: String, nonce: Int64) -> SimulatedOrderStatusREST.Answer {
            let body = "nonce=\(nonce)&cl_ord_id=O1"
            let key = Base64.decode("bW14LXRlc3Qtc2VjcmV0") ?? []
            let sign = Base64.encode(HMAC.authenticationCode(.sha512, key: key, message: Array(path.utf8) + Digest.sha256("\(nonce)" + body)))
            return SimulatedOrderStatusREST.answer(venue: "kraken", Self.request("POST", path, body: body, headers: ["API-Key": "mmx-test-key", "API-Sign": sign]),
                                                   exchange: &exchange, nonces: &nonces, now: Self.clock)
        }
        #expect(ask("/0/private/OpenOrders", nonce: 10).body == #"{"error":[],"result":{"open":{}}}"#)
        let closed = ask("/0/private/ClosedOrders", nonce: 11).body
        #expect(closed.contains(#""cl_ord_id":"O1","status":"closed""#) && closed.contains(#""count":1"#), "\(closed)")
        #expect(ask("/0/private/OpenOrders", nonce: 11).body == #"{"error":["EAPI:Invalid nonce"]}"#)
    }

    @Test("Bitfinex: active and history lists per symbol; a wrong signature is 'apikey: digest invalid'")
    func bitfinex() {
        var exchange = Self.exchange("bitfinex")
        Self.place(&exchange, id: "7", symbol: "tBTCUSD", price: "40000")
        var nonces: [String: Int64] = [:]
        func ask(_ path: String, nonce: Int64, secret: String = "mmx-test-secret") -> SimulatedOrderStatusREST.Answer {
            let sign = HMAC.hex(.sha384, secret: secret, message: "/api" + path + "\(nonce)" + "{}")
            return SimulatedOrderStatusREST.answer(venue: "bitfinex", Self.request("POST", path, body: "{}", headers: [
                "bfx-apikey": "mmx-test-key", "bfx-nonce": "\(nonce)", "bfx-signature": sign,
            ]), exchange: &exchange, nonces: &nonces, now: Self.clock)
        }
        let active = ask("/v2/auth/r/orders/tBTCUSD", nonce: 1)
        #expect(active.status == 200 && active.body.hasPrefix("[[1000001,null,7,\"tBTCUSD\"") && active.body.contains("\"ACTIVE\""), "\(active)")
        #expect(ask("/v2/auth/r/orders/tBTCUSD/hist", nonce: 2).body == "[]")
        #expect(ask("/v2/auth/r/orders/tBTCUSD", nonce: 3, secret: "wrong") == .init(status: 500, body: #"["error",10100,"apikey: digest invalid"]"#))
    }
}
