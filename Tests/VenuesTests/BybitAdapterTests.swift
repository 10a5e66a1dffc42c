import MarketModel
import Testing
import VenueKit
import Venues

// Table-driven parser tests for Bybit v5: message shapes from the bybit-exchange/docs v5 pages
// (publicTrade, orderbook, tickers, all-liquidation, connect), with exact outputs.

/// One parser case: earlier frames (`prelude`, outputs ignored), a frame, and either its rendered
/// outputs or the error kind it must raise.
fileprivate struct Case: Sendable, CustomTestStringConvertible {
    let name: String
    var prelude: [String] = []
    let input: String
    var expected: [String] = []
    var error: VenueParseError.Kind? = nil
    var testDescription: String { name }
}

fileprivate let tsRecv: Nanoseconds = 1_700_000_000_123_456_789
fileprivate let recv = ",\"ts_recv\":1700000000123456789}"

/// A linear adapter for BTC and ROSE perpetuals; request "1" subscribed every BTC channel and
/// ROSE liquidations.
fileprivate func makeLinear() throws -> Bybit {
    let btc = try Symbol("BTC-USDT-PERP"), rose = try Symbol("ROSE-USDT-PERP")
    var adapter = Bybit(configuration: VenueAdapterConfiguration(symbols: [btc, rose]))
    _ = adapter.subscribeFrames(for: [.trades, .book, .bbo, .funding, .liquidations].map { Subscription(symbol: btc, channel: $0) }
                                + [Subscription(symbol: rose, channel: .liquidations)])
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
        case .pong: return "pong"
        case .venueError(let text): return "venueError \(text)"
        default: return "other \(output)"
        }
    }
}

fileprivate let tickerSnapshot = #"{"topic":"tickers.BTCUSDT","type":"snapshot","data":{"symbol":"BTCUSDT","tickDirection":"PlusTick","price24hPcnt":"0.017103","lastPrice":"17216.00","prevPrice24h":"16926.50","highPrice24h":"17281.50","lowPrice24h":"16915.00","prevPrice1h":"17238.00","markPrice":"17217.33","indexPrice":"17227.36","openInterest":"68744.761","openInterestValue":"1183601235.91","turnover24h":"1570383121.943499","volume24h":"91705.276","nextFundingTime":"1673280000000","fundingRate":"-0.000212","bid1Price":"17215.50","bid1Size":"84.489","ask1Price":"17216.00","ask1Size":"83.020"},"cs":24987956059,"ts":1673272861686}"#
fileprivate let bookSnapshot = #"{"topic":"orderbook.50.BTCUSDT","type":"snapshot","ts":1672304484978,"data":{"s":"BTCUSDT","b":[["16493.50","0.006"],["16493.00","0.100"]],"a":[["16611.00","0.029"],["16612.00","0.213"]],"u":18521288,"seq":7961638724},"cts":1672304484976}"#

@Suite("Bybit v5 adapter")
struct BybitAdapterTests {
    fileprivate static let cases: [Case] = [
        Case(name: "publicTrade: taker Buy, string id, fill time T",
             input: #"{"topic":"publicTrade.BTCUSDT","type":"snapshot","ts":1672304486868,"data":[{"T":1672304486865,"s":"BTCUSDT","S":"Buy","v":"0.001","p":"16578.50","L":"PlusTick","i":"20f43950-d8dd-5b31-9112-a178eb6023af","BT":false,"seq":1783284617}]}"#,
             expected: [#"{"type":"trade","venue":"bybit","symbol":"BTC-USDT-PERP","price":"16578.50","size":"0.001","side":"buy","trade_id":"20f43950-d8dd-5b31-9112-a178eb6023af","ts_exchange":1672304486865000000"# + recv]),
        Case(name: "publicTrade batch: two trades, one message",
             input: #"{"topic":"publicTrade.BTCUSDT","type":"snapshot","ts":1672304486900,"data":[{"T":1672304486890,"s":"BTCUSDT","S":"Sell","v":"0.250","p":"16578.00","L":"MinusTick","i":"a1b2c3d4-0000-5b31-9112-a178eb6023b0","BT":false,"seq":1783284618},{"T":1672304486890,"s":"BTCUSDT","S":"Sell","v":"1.003","p":"16577.50","L":"MinusTick","i":"a1b2c3d4-0000-5b31-9112-a178eb6023b1","BT":false,"seq":1783284618}]}"#,
             expected: [#"{"type":"trade","venue":"bybit","symbol":"BTC-USDT-PERP","price":"16578.00","size":"0.250","side":"sell","trade_id":"a1b2c3d4-0000-5b31-9112-a178eb6023b0","ts_exchange":1672304486890000000"# + recv,
                        #"{"type":"trade","venue":"bybit","symbol":"BTC-USDT-PERP","price":"16577.50","size":"1.003","side":"sell","trade_id":"a1b2c3d4-0000-5b31-9112-a178eb6023b1","ts_exchange":1672304486890000000"# + recv]),
        Case(name: "orderbook snapshot: u extracted, cts is the exchange time",
             input: bookSnapshot,
             expected: [#"{"type":"book","venue":"bybit","symbol":"BTC-USDT-PERP","snapshot":true,"bids":[["16493.50","0.006"],["16493.00","0.100"]],"asks":[["16611.00","0.029"],["16612.00","0.213"]],"ts_exchange":1672304484976000000"# + recv + " bybit(updateID: 18521288)"]),
        Case(name: "orderbook delta: size 0 deletes, data before topic",
             input: #"{"data":{"s":"BTCUSDT","b":[["16493.50","0"]],"a":[["16611.00","0.500"]],"u":18521289,"seq":7961638730},"cts":1672304485010,"ts":1672304485012,"type":"delta","topic":"orderbook.50.BTCUSDT"}"#,
             expected: [#"{"type":"book","venue":"bybit","symbol":"BTC-USDT-PERP","snapshot":false,"bids":[["16493.50","0"]],"asks":[["16611.00","0.500"]],"ts_exchange":1672304485010000000"# + recv + " bybit(updateID: 18521289)"]),
        Case(name: "orderbook u == 1 after a service restart is a snapshot even if typed delta",
             input: #"{"topic":"orderbook.50.BTCUSDT","type":"delta","ts":1672304500000,"data":{"s":"BTCUSDT","b":[["16490.00","1.000"]],"a":[["16495.00","2.000"]],"u":1,"seq":7961640000},"cts":1672304499998}"#,
             expected: [#"{"type":"book","venue":"bybit","symbol":"BTC-USDT-PERP","snapshot":true,"bids":[["16490.00","1.000"]],"asks":[["16495.00","2.000"]],"ts_exchange":1672304499998000000"# + recv + " bybit(updateID: 1)"]),
        Case(name: "tickers snapshot → BBO and funding",
             input: tickerSnapshot,
             expected: [#"{"type":"bbo","venue":"bybit","symbol":"BTC-USDT-PERP","bid":"17215.50","bid_size":"84.489","ask":"17216.00","ask_size":"83.020","ts_exchange":1673272861686000000"# + recv,
                        #"{"type":"funding","venue":"bybit","symbol":"BTC-USDT-PERP","rate":"-0.000212","next_funding_time":1673280000000000000,"mark_price":"17217.33","ts_exchange":1673272861686000000"# + recv]),
        Case(name: "tickers delta with only the bid keeps the last ask",
             prelude: [tickerSnapshot],
             input: #"{"topic":"tickers.BTCUSDT","type":"delta","data":{"symbol":"BTCUSDT","bid1Price":"17215.00","bid1Size":"12.100"},"cs":24987956060,"ts":1673272861786}"#,
             expected: [#"{"type":"bbo","venue":"bybit","symbol":"BTC-USDT-PERP","bid":"17215.00","bid_size":"12.100","ask":"17216.00","ask_size":"83.020","ts_exchange":1673272861786000000"# + recv]),
        Case(name: "tickers delta with only markPrice emits nothing",
             prelude: [tickerSnapshot],
             input: #"{"topic":"tickers.BTCUSDT","type":"delta","data":{"symbol":"BTCUSDT","markPrice":"17218.01","indexPrice":"17228.00"},"cs":24987956061,"ts":1673272861886}"#),
        Case(name: "tickers delta with a new rate keeps next time, uses the new mark",
             prelude: [tickerSnapshot],
             input: #"{"topic":"tickers.BTCUSDT","type":"delta","data":{"symbol":"BTCUSDT","markPrice":"17219.50","fundingRate":"-0.000198"},"cs":24987956062,"ts":1673272861986}"#,
             expected: [#"{"type":"funding","venue":"bybit","symbol":"BTC-USDT-PERP","rate":"-0.000198","next_funding_time":1673280000000000000,"mark_price":"17219.50","ts_exchange":1673272861986000000"# + recv]),
        Case(name: "tickers snapshot without funding (rate \"\", next time \"0\") → BBO only",
             input: #"{"topic":"tickers.BTCUSDT","type":"snapshot","data":{"symbol":"BTCUSDT","lastPrice":"17216.00","markPrice":"17217.33","nextFundingTime":"0","fundingRate":"","bid1Price":"17215.50","bid1Size":"84.489","ask1Price":"17216.00","ask1Size":"83.020"},"cs":24987956059,"ts":1673272861686}"#,
             expected: [#"{"type":"bbo","venue":"bybit","symbol":"BTC-USDT-PERP","bid":"17215.50","bid_size":"84.489","ask":"17216.00","ask_size":"83.020","ts_exchange":1673272861686000000"# + recv]),
        Case(name: "allLiquidation: S is the position side, so Sell → a buy order",
             input: #"{"topic":"allLiquidation.ROSEUSDT","type":"snapshot","ts":1739502303204,"data":[{"T":1739502302929,"s":"ROSEUSDT","S":"Sell","v":"20000","p":"0.04499"}]}"#,
             expected: [#"{"type":"liquidation","venue":"bybit","symbol":"ROSE-USDT-PERP","side":"buy","price":"0.04499","size":"20000","ts_exchange":1739502302929000000"# + recv]),
        Case(name: "subscribe ack echoes req_id",
             input: #"{"success":true,"ret_msg":"","conn_id":"3cd84cb1-4d06-4a05-930a-2efe5fc70f0f","req_id":"1","op":"subscribe"}"#,
             expected: ["subscribed ok=true id=1 subs=trades:BTC-USDT-PERP,book:BTC-USDT-PERP,bbo:BTC-USDT-PERP,funding:BTC-USDT-PERP,liquidations:BTC-USDT-PERP,liquidations:ROSE-USDT-PERP msg=-"]),
        Case(name: "spot-style ack (ret_msg \"subscribe\") is a plain success",
             input: #"{"success":true,"ret_msg":"subscribe","conn_id":"2324d924-aa4d-45b0-a858-7b8be29ab52b","req_id":"10001","op":"subscribe"}"#,
             expected: ["subscribed ok=true id=10001 subs= msg=-"]),
        Case(name: "subscribe refusal",
             input: #"{"success":false,"ret_msg":"Invalid topic: invalid.topic.BTCUSDT","conn_id":"3cd84cb1-4d06-4a05-930a-2efe5fc70f0f","op":"subscribe"}"#,
             expected: ["subscribed ok=false id=- subs= msg=Invalid topic: invalid.topic.BTCUSDT"]),
        Case(name: "linear pong (op ping, ret_msg pong)",
             input: #"{"success":true,"ret_msg":"pong","conn_id":"465772b1-7630-4fdc-a492-e003e6f0f260","req_id":"ping","op":"ping"}"#, expected: ["pong"]),
        Case(name: "option/private pong (op pong)", input: #"{"args":["1672916271846"],"op":"pong"}"#, expected: ["pong"]),
        Case(name: "malformed: truncated", input: #"{"topic":"publicTrade.BTCUSDT","data":[{"T":1672304486865,"s":"BTC"#, error: .malformedJSON),
        Case(name: "missing: orderbook without u",
             input: #"{"topic":"orderbook.50.BTCUSDT","type":"delta","ts":1,"data":{"s":"BTCUSDT","b":[],"a":[],"seq":1}}"#, error: .missingField),
        Case(name: "missing: topic without data", input: #"{"topic":"publicTrade.BTCUSDT","type":"snapshot","ts":1}"#, error: .missingField),
        Case(name: "invalid: trade side",
             input: #"{"topic":"publicTrade.BTCUSDT","type":"snapshot","ts":1,"data":[{"T":1,"s":"BTCUSDT","S":"Long","v":"1","p":"1","i":"x"}]}"#, error: .invalidValue),
        Case(name: "unknown symbol", input: #"{"topic":"publicTrade.ETHUSDT","type":"snapshot","ts":1,"data":[{"T":1,"s":"ETHUSDT","S":"Buy","v":"1","p":"1","i":"x"}]}"#, error: .unknownSymbol),
        Case(name: "unexpected topic", input: #"{"topic":"kline.1.BTCUSDT","type":"snapshot","ts":1,"data":[]}"#, error: .unexpectedMessage),
        Case(name: "unexpected: neither topic nor op", input: #"{"success":true}"#, error: .unexpectedMessage),
    ]

    @Test("parse (linear)", arguments: cases)
    fileprivate func parse(_ c: Case) throws {
        var adapter = try makeLinear()
        for frame in c.prelude { _ = try adapter.parse(frame, context: ParseContext(tsRecv: 1)) }
        if let kind = c.error {
            #expect { _ = try adapter.parse(c.input, context: ParseContext(tsRecv: tsRecv)) } throws: { ($0 as? VenueParseError)?.kind == kind }
        } else {
            #expect(render(try adapter.parse(c.input, context: ParseContext(tsRecv: tsRecv))) == c.expected)
        }
    }

    @Test("linear subscribe: tickers shared by BBO and funding, kept while either is subscribed")
    func linearFrames() throws {
        let btc = try Symbol("BTC-USDT-PERP"), usdc = try Symbol("BTC-USDC-PERP")
        var adapter = Bybit(configuration: VenueAdapterConfiguration(symbols: [btc, usdc, try Symbol("BTC-USDT")]))
        #expect(adapter.category == "linear")
        #expect(adapter.venueSymbol(for: usdc) == "BTCPERP")
        #expect(adapter.venueSymbol(for: try Symbol("BTC-USDT")) == nil)
        let frames = adapter.subscribeFrames(for: [.funding, .bbo, .book, .trades].map { Subscription(symbol: btc, channel: $0) })
        #expect(frames.map(\.text) == [#"{"req_id":"1","op":"subscribe","args":["publicTrade.BTCUSDT","orderbook.50.BTCUSDT","tickers.BTCUSDT"]}"#])
        #expect(adapter.unsubscribeFrames(for: [Subscription(symbol: btc, channel: .bbo)]).isEmpty)
        #expect(adapter.unsubscribeFrames(for: [Subscription(symbol: btc, channel: .funding)]).map(\.text)
            == [#"{"req_id":"2","op":"unsubscribe","args":["tickers.BTCUSDT"]}"#])
        #expect(Bybit.spec.keepAlive == [.applicationPing(payload: #"{"req_id":"ping","op":"ping"}"#, every: Interval.seconds(20))])
    }

    @Test("spot: ≤ 10 args per request, BBO from orderbook.1, no funding topic")
    func spot() throws {
        let symbols = try (0 ..< 12).map { try Symbol("C\($0)-USDT") }
        var adapter = Bybit(configuration: VenueAdapterConfiguration(symbols: symbols, bookDepth: 200))
        #expect(adapter.category == "spot")
        #expect(Bybit.marketDataURL(category: adapter.category) == "wss://stream.bybit.com/v5/public/spot")
        let frames = adapter.subscribeFrames(for: symbols.map { Subscription(symbol: $0, channel: .book) } + [Subscription(symbol: symbols[0], channel: .funding)])
        #expect(frames.count == 2)
        #expect(frames[1].text == #"{"req_id":"2","op":"subscribe","args":["orderbook.200.C8USDT","orderbook.200.C9USDT"]}"#)

        let btc = try Symbol("BTC-USDT")
        var spot = Bybit(configuration: VenueAdapterConfiguration(symbols: [btc]))
        #expect(spot.subscribeFrames(for: [Subscription(symbol: btc, channel: .bbo)]).map(\.text)
            == [#"{"req_id":"1","op":"subscribe","args":["orderbook.1.BTCUSDT"]}"#])
        let top = #"{"topic":"orderbook.1.BTCUSDT","ts":1673853746003,"type":"snapshot","data":{"s":"BTCUSDT","b":[["21109.77","0.852"]],"a":[["21109.78","1.406"]],"u":2876701,"seq":31004823045},"cts":1673853746001}"#
        #expect(render(try spot.parse(top, context: ParseContext(tsRecv: tsRecv))) == [
            #"{"type":"bbo","venue":"bybit","symbol":"BTC-USDT","bid":"21109.77","bid_size":"0.852","ask":"21109.78","ask_size":"1.406","ts_exchange":1673853746001000000"# + recv])
        let emptied = #"{"topic":"orderbook.1.BTCUSDT","ts":1673853746103,"type":"delta","data":{"s":"BTCUSDT","b":[],"a":[["21109.78","0"]],"u":2876702,"seq":31004823046},"cts":1673853746101}"#
        #expect(render(try spot.parse(emptied, context: ParseContext(tsRecv: tsRecv))) == [
            #"{"type":"bbo","venue":"bybit","symbol":"BTC-USDT","bid":"21109.77","bid_size":"0.852","ts_exchange":1673853746101000000"# + recv])
    }
}
