import MarketModel
import Testing
import VenueKit
import Venues

// Table-driven parser tests for Binance spot: real payload shapes from BN-STR and the cryptofeed
// BINANCE capture (2021), each with the exact outputs (venue digits, taker side, ns times, U/u).

/// One parser case: a frame and either its rendered outputs or the error kind it must raise.
fileprivate struct Case: Sendable, CustomTestStringConvertible {
    let name: String
    let input: String
    var expected: [String] = []
    var error: VenueParseError.Kind? = nil
    var testDescription: String { name }
}

fileprivate let tsRecv: Nanoseconds = 1_700_000_000_123_456_789
fileprivate let recv = ",\"ts_recv\":1700000000123456789}"

/// An adapter for NKN-USDT, BNB-USDT and BNB-BTC that has sent subscribe request 1.
fileprivate func makeAdapter() throws -> Binance {
    let symbols = try ["BNB-BTC", "BNB-USDT", "NKN-USDT"].map { try Symbol($0) }
    var adapter = Binance(configuration: VenueAdapterConfiguration(symbols: symbols))
    _ = adapter.subscribeFrames(for: [Subscription(symbol: symbols[2], channel: .trades), Subscription(symbol: symbols[2], channel: .book)])
    return adapter
}

/// Renders outputs as SPEC §5 lines (plus sequencing / ack details) for exact comparison.
fileprivate func render(_ outputs: [VenueOutput]) -> [String] {
    let encoder = NDJSONEncoder()
    func line(_ event: MarketEvent) -> String { String(encoder.line(for: event).dropLast()) }
    return outputs.map { output in
        switch output {
        case .trade(let e): return line(.trade(e))
        case .book(let m): return line(.book(m.update)) + " \(m.sequencing)"
        case .bbo(let e): return line(.bbo(e))
        case .funding(let e): return line(.funding(e))
        case .liquidation(let e): return line(.liquidation(e))
        case .subscribed(let a):
            return "subscribed ok=\(a.isSuccess) id=\(a.requestID ?? "-") subs=\(a.subscriptions.map(\.description).joined(separator: ",")) msg=\(a.message ?? "-")"
        case .reconnectRequested(let reason): return "reconnect \(reason)"
        case .venueError(let text): return "venueError \(text)"
        default: return "other \(output)"
        }
    }
}

@Suite("Binance spot adapter")
struct BinanceAdapterTests {
    fileprivate static let cases: [Case] = [
        Case(name: "aggTrade, buyer taker (m=false)",
             input: #"{"stream":"nknusdt@aggTrade","data":{"e":"aggTrade","E":1633998523963,"s":"NKNUSDT","a":15683430,"p":"0.35280000","q":"58.00000000","f":19862790,"l":19862790,"T":1633998523963,"m":false,"M":true}}"#,
             expected: [#"{"type":"trade","venue":"binance","symbol":"NKN-USDT","price":"0.35280000","size":"58.00000000","side":"buy","trade_id":"15683430","ts_exchange":1633998523963000000"# + recv]),
        Case(name: "trade stream, seller taker (m=true), `a` is the seller order id",
             input: #"{"stream":"bnbbtc@trade","data":{"e":"trade","E":1672515782136,"s":"BNBBTC","t":12345,"p":"0.001","q":"100","b":88,"a":50,"T":1672515782135,"m":true,"M":true}}"#,
             expected: [#"{"type":"trade","venue":"binance","symbol":"BNB-BTC","price":"0.001","size":"100","side":"sell","trade_id":"12345","ts_exchange":1672515782135000000"# + recv]),
        Case(name: "depthUpdate carries U/u and absolute sizes",
             input: #"{"stream":"nknusdt@depth@100ms","data":{"e":"depthUpdate","E":1633998512568,"s":"NKNUSDT","U":499869753,"u":499869754,"b":[["0.35170000","4265.00000000"]],"a":[["0.35290000","10968.00000000"]]}}"#,
             expected: [#"{"type":"book","venue":"binance","symbol":"NKN-USDT","snapshot":false,"bids":[["0.35170000","4265.00000000"]],"asks":[["0.35290000","10968.00000000"]],"ts_exchange":1633998512568000000"# + recv + " binanceSpot(firstUpdateID: 499869753, lastUpdateID: 499869754)"]),
        Case(name: "depthUpdate with deletes and an empty side (capture shape)",
             input: #"{"stream":"bnbusdt@depth@100ms","data":{"e":"depthUpdate","E":1628952395768,"s":"BNBUSDT","U":800360963,"u":800360968,"b":[["0.33988000","1500.00000000"],["0.33983000","0.00000000"]],"a":[]}}"#,
             expected: [#"{"type":"book","venue":"binance","symbol":"BNB-USDT","snapshot":false,"bids":[["0.33988000","1500.00000000"],["0.33983000","0.00000000"]],"asks":[],"ts_exchange":1628952395768000000"# + recv + " binanceSpot(firstUpdateID: 800360963, lastUpdateID: 800360968)"]),
        Case(name: "bookTicker has no e and no time",
             input: #"{"stream":"bnbusdt@bookTicker","data":{"u":400900217,"s":"BNBUSDT","b":"25.35190000","B":"31.21000000","a":"25.36520000","A":"40.66000000"}}"#,
             expected: [#"{"type":"bbo","venue":"binance","symbol":"BNB-USDT","bid":"25.35190000","bid_size":"31.21000000","ask":"25.36520000","ask_size":"40.66000000""# + recv]),
        Case(name: "raw /ws payload without the combined wrapper",
             input: #"{"e":"aggTrade","E":1633998523963,"s":"NKNUSDT","a":15683431,"p":"0.35270000","q":"1.00000000","f":19862791,"l":19862792,"T":1633998523964,"m":true,"M":true}"#,
             expected: [#"{"type":"trade","venue":"binance","symbol":"NKN-USDT","price":"0.35270000","size":"1.00000000","side":"sell","trade_id":"15683431","ts_exchange":1633998523964000000"# + recv]),
        Case(name: "data before stream (key order is not relied on)",
             input: #"{"data":{"u":400900218,"s":"BNBUSDT","b":"25.35200000","B":"1.00000000","a":"25.36520000","A":"40.66000000"},"stream":"bnbusdt@bookTicker"}"#,
             expected: [#"{"type":"bbo","venue":"binance","symbol":"BNB-USDT","bid":"25.35200000","bid_size":"1.00000000","ask":"25.36520000","ask_size":"40.66000000""# + recv]),
        Case(name: "subscribe ack names the request's streams",
             input: #"{"result":null,"id":1}"#,
             expected: ["subscribed ok=true id=1 subs=trades:NKN-USDT,book:NKN-USDT msg=-"]),
        Case(name: "refusal of a pending request",
             input: #"{"code":2,"msg":"Invalid request: too many parameters","id":1}"#,
             expected: ["subscribed ok=false id=1 subs=trades:NKN-USDT,book:NKN-USDT msg=code 2: Invalid request: too many parameters"]),
        Case(name: "error without a request id",
             input: #"{"code":3,"msg":"Invalid JSON: expected value at line 1 column 1"}"#,
             expected: ["venueError code 3: Invalid JSON: expected value at line 1 column 1"]),
        Case(name: "serverShutdown on the combined stream",
             input: #"{"stream":"!serverShutdown","data":{"e":"serverShutdown","E":1770123456789}}"#,
             expected: ["reconnect serverShutdown"]),
        Case(name: "serverShutdown in the WS-API event wrapper",
             input: #"{"event":{"e":"serverShutdown","E":1770123456789}}"#,
             expected: ["reconnect serverShutdown"]),
        Case(name: "malformed: truncated frame", input: #"{"stream":"nknusdt@aggTrade","data":{"e":"aggTrade","p":"0.35"#, error: .malformedJSON),
        Case(name: "malformed: trailing garbage", input: #"{"result":null,"id":1}}"#, error: .malformedJSON),
        Case(name: "missing: depthUpdate without u",
             input: #"{"stream":"nknusdt@depth@100ms","data":{"e":"depthUpdate","E":1,"s":"NKNUSDT","U":5,"b":[],"a":[]}}"#, error: .missingField),
        Case(name: "missing: aggTrade without m",
             input: #"{"stream":"nknusdt@aggTrade","data":{"e":"aggTrade","E":1,"s":"NKNUSDT","a":1,"p":"1.0","q":"1.0","T":1}}"#, error: .missingField),
        Case(name: "invalid: price is not a decimal",
             input: #"{"stream":"nknusdt@aggTrade","data":{"e":"aggTrade","E":1,"s":"NKNUSDT","a":1,"p":"1.0x","q":"1.0","T":1,"m":true}}"#, error: .invalidValue),
        Case(name: "invalid: time overflows ns",
             input: #"{"stream":"nknusdt@aggTrade","data":{"e":"aggTrade","E":1,"s":"NKNUSDT","a":1,"p":"1.0","q":"1.0","T":9223372036854775,"m":true}}"#, error: .invalidValue),
        Case(name: "unknown symbol",
             input: #"{"stream":"ethusdt@aggTrade","data":{"e":"aggTrade","E":1,"s":"ETHUSDT","a":1,"p":"1.0","q":"1.0","T":1,"m":true}}"#, error: .unknownSymbol),
        Case(name: "unexpected: an event we never subscribe",
             input: #"{"stream":"nknusdt@avgPrice","data":{"e":"avgPrice","E":1693907033000,"s":"NKNUSDT","i":"5m","w":"25776.86000000","T":1693907032213}}"#, error: .unexpectedMessage),
        Case(name: "unexpected: neither data, result nor code", input: #"{"id":7}"#, error: .unexpectedMessage),
    ]

    @Test("parse", arguments: cases)
    fileprivate func parse(_ c: Case) throws {
        var adapter = try makeAdapter()
        if let kind = c.error {
            #expect { _ = try adapter.parse(c.input, context: ParseContext(tsRecv: tsRecv)) } throws: { ($0 as? VenueParseError)?.kind == kind }
        } else {
            #expect(render(try adapter.parse(c.input, context: ParseContext(tsRecv: tsRecv))) == c.expected)
        }
    }

    @Test("subscribe frames: lowercase streams, sorted, ids increase, 200 streams per frame")
    func subscribeFrames() throws {
        let btc = try Symbol("BTC-USDT"), eth = try Symbol("ETH-USDT")
        var adapter = Binance(configuration: VenueAdapterConfiguration(symbols: [btc, eth]))
        let frames = adapter.subscribeFrames(for: [Subscription(symbol: eth, channel: .bbo), Subscription(symbol: btc, channel: .book),
                                                   Subscription(symbol: btc, channel: .trades), Subscription(symbol: btc, channel: .funding)])
        #expect(frames.map(\.text) == [#"{"method":"SUBSCRIBE","params":["btcusdt@aggTrade","btcusdt@depth@100ms","ethusdt@bookTicker"],"id":1}"#])
        #expect(adapter.unsubscribeFrames(for: [Subscription(symbol: eth, channel: .bbo)]).map(\.text)
            == [#"{"method":"UNSUBSCRIBE","params":["ethusdt@bookTicker"],"id":2}"#])

        let many = try (0 ..< 250).map { try Symbol("C\($0)-USDT") }
        var big = Binance(configuration: VenueAdapterConfiguration(symbols: many, options: ["trades": "trade"]))
        let batched = big.subscribeFrames(for: many.map { Subscription(symbol: $0, channel: .trades) })
        #expect(batched.count == 2)
        #expect(batched[1].text.hasSuffix(#""c99usdt@trade"],"id":2}"#))
    }

    @Test("REST snapshot request and body")
    func restSnapshot() throws {
        let btc = try Symbol("BTC-USDT")
        let adapter = Binance(configuration: VenueAdapterConfiguration(symbols: [btc]))
        #expect(adapter.snapshotRequest(for: btc) == RESTRequest(url: "https://api.binance.com/api/v3/depth?symbol=BTCUSDT&limit=1000", weight: 50))
        let deep = Binance(configuration: VenueAdapterConfiguration(symbols: [btc], bookDepth: 5000, options: ["rest_url": "http://127.0.0.1:8080"]))
        #expect(deep.snapshotRequest(for: btc) == RESTRequest(url: "http://127.0.0.1:8080/api/v3/depth?symbol=BTCUSDT&limit=5000", weight: 250))
        #expect(adapter.snapshotRequest(for: try Symbol("BTC-USDT-PERP")) == nil)

        var body = #"{"lastUpdateId":1027024,"bids":[["4.00000000","431.00000000"]],"asks":[["4.00000200","12.00000000"]]}"#
        let message = try body.withUTF8 { try adapter.parseRESTSnapshot(symbol: btc, body: UnsafeRawBufferPointer($0), context: ParseContext(tsRecv: tsRecv)) }
        #expect(render([.book(message)]) == [#"{"type":"book","venue":"binance","symbol":"BTC-USDT","snapshot":true,"bids":[["4.00000000","431.00000000"]],"asks":[["4.00000200","12.00000000"]]"# + recv + " restSnapshot(lastUpdateID: 1027024)"])

        var error = #"{"code":-1121,"msg":"Invalid symbol."}"#
        #expect(throws: VenueParseError.unexpected("Binance REST error -1121: Invalid symbol.")) {
            try error.withUTF8 { _ = try adapter.parseRESTSnapshot(symbol: btc, body: UnsafeRawBufferPointer($0), context: ParseContext(tsRecv: 1)) }
        }
    }

    @Test("symbols and spec facts")
    func symbolsAndSpec() throws {
        let adapter = Binance(configuration: VenueAdapterConfiguration(symbols: [try Symbol("BTC-USDT"), try Symbol("BTC-USDT-PERP")]))
        #expect(adapter.venueSymbol(for: try Symbol("BTC-USDT")) == "BTCUSDT")
        #expect(adapter.symbol(forVenueSymbol: "BTCUSDT") == (try Symbol("BTC-USDT")))
        #expect(adapter.venueSymbol(for: try Symbol("BTC-USDT-PERP")) == nil)
        #expect(Binance.spec.book.bootstrap == .restSnapshot)
        #expect(Binance.spec.maxSubscriptionsPerConnection == 1024)
        #expect(Binance.spec.keepAlive == [.serverPings(interval: Interval.seconds(20), pongWithin: Interval.minutes(1))])
        #expect(Binance.spec.maxConnectionLifetime == Interval.hours(24))
        #expect(Binance.spec.connectBudget == ConnectBudget(attempts: 300, window: Interval.minutes(5)))
    }
}
