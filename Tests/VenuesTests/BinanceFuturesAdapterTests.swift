import MarketModel
import Testing
import VenueKit
import Venues

// Table-driven parser tests for Binance USD-M: payloads from BN-FUT-MS / BN-FUT-OB and the
// cryptofeed BINANCE_FUTURES capture (2021-07-22), with exact outputs (digits, sides, ns times,
// U/u/pu, funding and liquidation fields).

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

/// An adapter for BTC, CTK and SUSHI perpetuals plus the BTCUSDT_261225 quarterly that has sent
/// subscribe request 1.
fileprivate func makeAdapter() throws -> BinanceFutures {
    let symbols = try ["BTC-USDT-PERP", "CTK-USDT-PERP", "SUSHI-USDT-PERP", "BTC-USDT-20261225"].map { try Symbol($0) }
    var adapter = BinanceFutures(configuration: VenueAdapterConfiguration(symbols: symbols))
    _ = adapter.subscribeFrames(for: [Subscription(symbol: symbols[0], channel: .funding), Subscription(symbol: symbols[0], channel: .liquidations)])
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

@Suite("Binance USD-M adapter")
struct BinanceFuturesAdapterTests {
    fileprivate static let cases: [Case] = [
        Case(name: "aggTrade (no M on USD-M), buyer taker",
             input: #"{"stream":"ctkusdt@aggTrade","data":{"e":"aggTrade","E":1626992741575,"a":16599292,"s":"CTKUSDT","p":"1.01100","q":"10","f":23961322,"l":23961322,"T":1626992741421,"m":false}}"#,
             expected: [#"{"type":"trade","venue":"binance-futures","symbol":"CTK-USDT-PERP","price":"1.01100","size":"10","side":"buy","trade_id":"16599292","ts_exchange":1626992741421000000"# + recv]),
        Case(name: "aggTrade on a quarterly contract, seller taker",
             input: #"{"stream":"btcusdt_261225@aggTrade","data":{"e":"aggTrade","E":1790000000100,"a":2001,"s":"BTCUSDT_261225","p":"101250.0","q":"0.004","f":3001,"l":3002,"T":1790000000099,"m":true}}"#,
             expected: [#"{"type":"trade","venue":"binance-futures","symbol":"BTC-USDT-20261225","price":"101250.0","size":"0.004","side":"sell","trade_id":"2001","ts_exchange":1790000000099000000"# + recv]),
        Case(name: "depthUpdate with pu; ts_exchange is the transaction time T",
             input: #"{"stream":"sushiusdt@depth@100ms","data":{"e":"depthUpdate","E":1626992741037,"T":1626992741024,"s":"SUSHIUSDT","U":600859599090,"u":600859600917,"pu":600859598061,"b":[["7.5040","813"],["7.6090","0"],["7.6110","2"]],"a":[["7.6150","1563"],["7.6220","3284"]]}}"#,
             expected: [#"{"type":"book","venue":"binance-futures","symbol":"SUSHI-USDT-PERP","snapshot":false,"bids":[["7.5040","813"],["7.6090","0"],["7.6110","2"]],"asks":[["7.6150","1563"],["7.6220","3284"]],"ts_exchange":1626992741024000000"# + recv
                        + " binanceFutures(firstUpdateID: 600859599090, lastUpdateID: 600859600917, previousLastUpdateID: 600859598061)"]),
        Case(name: "bookTicker with e, T and E",
             input: #"{"stream":"sushiusdt@bookTicker","data":{"e":"bookTicker","u":600859600576,"s":"SUSHIUSDT","b":"7.6110","B":"2","a":"7.6120","A":"297","T":1626992741012,"E":1626992741017}}"#,
             expected: [#"{"type":"bbo","venue":"binance-futures","symbol":"SUSHI-USDT-PERP","bid":"7.6110","bid_size":"2","ask":"7.6120","ask_size":"297","ts_exchange":1626992741012000000"# + recv]),
        Case(name: "markPriceUpdate → funding with next funding time and mark price",
             input: #"{"stream":"btcusdt@markPrice","data":{"e":"markPriceUpdate","E":1562305380000,"s":"BTCUSDT","p":"11794.15000000","i":"11784.62659091","P":"11784.25641265","r":"0.00038167","T":1562306400000}}"#,
             expected: [#"{"type":"funding","venue":"binance-futures","symbol":"BTC-USDT-PERP","rate":"0.00038167","next_funding_time":1562306400000000000,"mark_price":"11794.15000000","ts_exchange":1562305380000000000"# + recv]),
        Case(name: "markPriceUpdate of a delivery contract (r empty, T 0) → nothing",
             input: #"{"stream":"btcusdt_261225@markPrice","data":{"e":"markPriceUpdate","E":1790000000000,"s":"BTCUSDT_261225","p":"101300.10000000","i":"100900.12000000","P":"101290.00000000","r":"","T":0}}"#),
        Case(name: "forceOrder → liquidation at average price and filled size",
             input: #"{"stream":"btcusdt@forceOrder","data":{"e":"forceOrder","E":1568014460893,"o":{"s":"BTCUSDT","S":"SELL","o":"LIMIT","f":"IOC","q":"0.014","p":"9910","ap":"9910","X":"FILLED","l":"0.014","z":"0.014","T":1568014460893}}}"#,
             expected: [#"{"type":"liquidation","venue":"binance-futures","symbol":"BTC-USDT-PERP","side":"sell","price":"9910","size":"0.014","ts_exchange":1568014460893000000"# + recv]),
        Case(name: "forceOrder not yet filled → order price and quantity",
             input: #"{"stream":"btcusdt@forceOrder","data":{"e":"forceOrder","E":1568014460900,"o":{"s":"BTCUSDT","S":"BUY","o":"LIMIT","f":"IOC","q":"0.250","p":"9950.10","ap":"0.00","X":"NEW","l":"0","z":"0","T":1568014460899}}}"#,
             expected: [#"{"type":"liquidation","venue":"binance-futures","symbol":"BTC-USDT-PERP","side":"buy","price":"9950.10","size":"0.250","ts_exchange":1568014460899000000"# + recv]),
        Case(name: "subscribe ack", input: #"{"result":null,"id":1}"#,
             expected: ["subscribed ok=true id=1 subs=funding:BTC-USDT-PERP,liquidations:BTC-USDT-PERP msg=-"]),
        Case(name: "serverShutdown", input: #"{"stream":"!serverShutdown","data":{"e":"serverShutdown","E":1770123456789}}"#,
             expected: ["reconnect serverShutdown"]),
        Case(name: "malformed: cut inside the levels",
             input: #"{"stream":"sushiusdt@depth@100ms","data":{"e":"depthUpdate","E":1,"T":1,"s":"SUSHIUSDT","U":1,"u":2,"pu":0,"b":[["7.5"#, error: .malformedJSON),
        Case(name: "missing: depthUpdate without pu (a spot-shaped event on USD-M)",
             input: #"{"stream":"sushiusdt@depth@100ms","data":{"e":"depthUpdate","E":1,"s":"SUSHIUSDT","U":1,"u":2,"b":[],"a":[]}}"#, error: .missingField),
        Case(name: "missing: forceOrder without o", input: #"{"stream":"btcusdt@forceOrder","data":{"e":"forceOrder","E":1}}"#, error: .missingField),
        Case(name: "invalid: forceOrder side",
             input: #"{"stream":"btcusdt@forceOrder","data":{"e":"forceOrder","E":1,"o":{"s":"BTCUSDT","S":"LONG","q":"1","p":"1","ap":"1","z":"1","T":1}}}"#, error: .invalidValue),
        Case(name: "unknown symbol", input: #"{"stream":"ethusdt@markPrice","data":{"e":"markPriceUpdate","E":1,"s":"ETHUSDT","p":"1","r":"0.0001","T":2}}"#, error: .unknownSymbol),
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

    @Test("subscribe frames and routed endpoints")
    func subscribeFrames() throws {
        let btc = try Symbol("BTC-USDT-PERP"), q = try Symbol("BTC-USDT-20261225")
        var adapter = BinanceFutures(configuration: VenueAdapterConfiguration(symbols: [btc, q, try Symbol("BTC-USDT")]))
        #expect(adapter.venueSymbol(for: q) == "BTCUSDT_261225")
        #expect(adapter.venueSymbol(for: try Symbol("BTC-USDT")) == nil)
        // Sorted by normalized symbol (`BTC-USDT-20261225` < `BTC-USDT-PERP`), then channel; `.orders` is not a stream.
        let subs = Channel.allCases.map { Subscription(symbol: btc, channel: $0) } + [Subscription(symbol: q, channel: .trades)]
        #expect(adapter.subscribeFrames(for: subs).map(\.text) == [
            #"{"method":"SUBSCRIBE","params":["btcusdt_261225@aggTrade","btcusdt@aggTrade","btcusdt@depth@100ms","btcusdt@bookTicker","btcusdt@markPrice","btcusdt@forceOrder"],"id":1}"#,
        ])
        #expect(BinanceFutures.marketDataURL(for: .book) == "wss://fstream.binance.com/public/stream")
        #expect(BinanceFutures.marketDataURL(for: .funding) == "wss://fstream.binance.com/market/stream")
        #expect(BinanceFutures.spec.maxSubscriptionsPerConnection == 200)
        #expect(BinanceFutures.spec.keepAlive == [.serverPings(interval: Interval.minutes(3), pongWithin: Interval.minutes(10))])
    }

    @Test("REST snapshot: allowed limits, weights, T as exchange time")
    func restSnapshot() throws {
        let btc = try Symbol("BTC-USDT-PERP")
        let adapter = BinanceFutures(configuration: VenueAdapterConfiguration(symbols: [btc]))
        #expect(adapter.snapshotRequest(for: btc) == RESTRequest(url: "https://fapi.binance.com/fapi/v1/depth?symbol=BTCUSDT&limit=1000", weight: 20))
        let mid = BinanceFutures(configuration: VenueAdapterConfiguration(symbols: [btc], bookDepth: 300))
        #expect(mid.snapshotRequest(for: btc) == RESTRequest(url: "https://fapi.binance.com/fapi/v1/depth?symbol=BTCUSDT&limit=500", weight: 10))

        var body = #"{"lastUpdateId":1027024,"E":1589436922972,"T":1589436922959,"bids":[["4.00000000","431.00000000"]],"asks":[["4.00000200","12.00000000"]]}"#
        let message = try body.withUTF8 { try adapter.parseRESTSnapshot(symbol: btc, body: UnsafeRawBufferPointer($0), context: ParseContext(tsRecv: tsRecv)) }
        #expect(render([.book(message)]) == [#"{"type":"book","venue":"binance-futures","symbol":"BTC-USDT-PERP","snapshot":true,"bids":[["4.00000000","431.00000000"]],"asks":[["4.00000200","12.00000000"]],"ts_exchange":1589436922959000000"# + recv + " restSnapshot(lastUpdateID: 1027024)"])
    }
}
