import MarketModel
import Testing
import VenueKit
import Venues

// Table-driven parser tests for Deribit JSON-RPC: message shapes from VENUES.md §6 (DB-BOOK,
// DB-HB, DB-PS) and the doc-derived nautilus_trader test_data (NT-DB), with exact outputs (number
// digits as sent, taker direction, ms → ns, change_id / prev_change_id, JSON-RPC ids).

/// One parser case: a frame and either its rendered outputs or the error kind it must raise.
fileprivate struct Case: Sendable, CustomTestStringConvertible {
    let name: String
    let input: String
    var expected: [String] = []
    var error: VenueParseError.Kind? = nil
    var testDescription: String { name }
}

fileprivate let tsRecv: Nanoseconds = 1_765_531_356_500_000_001
fileprivate let recv = ",\"ts_recv\":1765531356500000001}"

/// BTC-PERPETUAL on every channel plus the BTC-24SEP21-8000-P book; the subscribe went out as id 3.
fileprivate func makeAdapter() throws -> Deribit {
    let perp = try Symbol("BTC-USD-PERP"), put = try Symbol("BTC-USD-20210924-8000-P")
    var adapter = Deribit(configuration: VenueAdapterConfiguration(symbols: [perp, put]))
    _ = adapter.subscribeFrames(for: [.trades, .liquidations, .book, .bbo, .ticker, .funding].map { Subscription(symbol: perp, channel: $0) }
        + [Subscription(symbol: put, channel: .book)])
    return adapter
}

/// Renders outputs as SPEC §5 lines (plus sequencing, ack and control details) for exact comparison.
fileprivate func render(_ outputs: [VenueOutput]) -> [String] {
    let encoder = NDJSONEncoder()
    func line(_ event: MarketEvent) -> String { String(encoder.line(for: event).dropLast()) }
    return outputs.map { output in
        switch output {
        case .trade(let e): return line(.trade(e))
        case .book(let m): return line(.book(m.update)) + " \(m.sequencing)"
        case .bbo(let e): return line(.bbo(e))
        case .ticker(let e): return line(.ticker(e))
        case .funding(let e): return line(.funding(e))
        case .liquidation(let e): return line(.liquidation(e))
        case .subscribed(let a):
            return "subscribed ok=\(a.isSuccess) id=\(a.requestID ?? "-") subs=\(a.subscriptions.map(\.description).sorted().joined(separator: ",")) msg=\(a.message ?? "-")"
        case .heartbeat: return "heartbeat"
        case .pong: return "pong"
        case .send(let m): return "send \(m.text)"
        case .venueError(let text): return "venueError \(text)"
        default: return "other \(output)"
        }
    }
}

@Suite("Deribit adapter")
struct DeribitAdapterTests {
    fileprivate static let cases: [Case] = [
        Case(name: "trades: direction is the taker, numbers keep their digits",
             input: #"{"jsonrpc":"2.0","method":"subscription","params":{"channel":"trades.BTC-PERPETUAL.100ms","data":[{"timestamp":1765531356452,"price":92294.5,"amount":10.0,"direction":"sell","index_price":92276.75,"instrument_name":"BTC-PERPETUAL","trade_seq":271252854,"mark_price":92287.11,"tick_direction":2,"contracts":1.0,"trade_id":"403691824"},{"timestamp":1765531356452,"price":92288.5,"amount":750.0,"direction":"buy","index_price":92276.75,"instrument_name":"BTC-PERPETUAL","trade_seq":271252855,"mark_price":92287.11,"tick_direction":2,"contracts":75.0,"trade_id":"403691825"}]}}"#,
             expected: [#"{"type":"trade","venue":"deribit","symbol":"BTC-USD-PERP","price":"92294.5","size":"10.0","side":"sell","trade_id":"403691824","ts_exchange":1765531356452000000"# + recv,
                        #"{"type":"trade","venue":"deribit","symbol":"BTC-USD-PERP","price":"92288.5","size":"750.0","side":"buy","trade_id":"403691825","ts_exchange":1765531356452000000"# + recv]),
        // A message's other outputs come before its trades (`VenueOutputs`): the liquidation, then the trade.
        Case(name: "trade flagged liquidation T: the taker's order was the liquidation",
             input: #"{"jsonrpc":"2.0","method":"subscription","params":{"channel":"trades.BTC-PERPETUAL.100ms","data":[{"timestamp":1765531356452,"price":92100.0,"amount":25000.0,"direction":"sell","instrument_name":"BTC-PERPETUAL","trade_seq":271252860,"tick_direction":1,"trade_id":"403691830","liquidation":"T"}]}}"#,
             expected: [#"{"type":"liquidation","venue":"deribit","symbol":"BTC-USD-PERP","side":"sell","price":"92100.0","size":"25000.0","ts_exchange":1765531356452000000"# + recv,
                        #"{"type":"trade","venue":"deribit","symbol":"BTC-USD-PERP","price":"92100.0","size":"25000.0","side":"sell","trade_id":"403691830","ts_exchange":1765531356452000000"# + recv]),
        Case(name: "trade flagged liquidation M: the resting order (opposite side) was liquidated",
             input: #"{"jsonrpc":"2.0","method":"subscription","params":{"channel":"trades.BTC-PERPETUAL.100ms","data":[{"timestamp":1765531356452,"price":92105.5,"amount":100.0,"direction":"buy","instrument_name":"BTC-PERPETUAL","trade_seq":271252861,"tick_direction":0,"trade_id":"403691831","liquidation":"M"}]}}"#,
             expected: [#"{"type":"liquidation","venue":"deribit","symbol":"BTC-USD-PERP","side":"sell","price":"92105.5","size":"100.0","ts_exchange":1765531356452000000"# + recv,
                        #"{"type":"trade","venue":"deribit","symbol":"BTC-USD-PERP","price":"92105.5","size":"100.0","side":"buy","trade_id":"403691831","ts_exchange":1765531356452000000"# + recv]),
        Case(name: "trade flagged liquidation MT: both orders were liquidations",
             input: #"{"jsonrpc":"2.0","method":"subscription","params":{"channel":"trades.BTC-PERPETUAL.100ms","data":[{"timestamp":1765531356452,"price":92090.0,"amount":500.0,"direction":"sell","instrument_name":"BTC-PERPETUAL","trade_seq":271252862,"tick_direction":1,"trade_id":"403691832","liquidation":"MT"}]}}"#,
             expected: [#"{"type":"liquidation","venue":"deribit","symbol":"BTC-USD-PERP","side":"sell","price":"92090.0","size":"500.0","ts_exchange":1765531356452000000"# + recv,
                        #"{"type":"liquidation","venue":"deribit","symbol":"BTC-USD-PERP","side":"buy","price":"92090.0","size":"500.0","ts_exchange":1765531356452000000"# + recv,
                        #"{"type":"trade","venue":"deribit","symbol":"BTC-USD-PERP","price":"92090.0","size":"500.0","side":"sell","trade_id":"403691832","ts_exchange":1765531356452000000"# + recv]),
        Case(name: "book snapshot: every level 'new', no prev_change_id",
             input: #"{"jsonrpc":"2.0","method":"subscription","params":{"channel":"book.BTC-PERPETUAL.100ms","data":{"type":"snapshot","timestamp":1699999999000,"instrument_name":"BTC-PERPETUAL","change_id":123456789,"bids":[["new",42500.0,1000.0],["new",42499.5,500.0]],"asks":[["new",42501.0,800.0],["new",42501.5,600.0]]}}}"#,
             expected: [#"{"type":"book","venue":"deribit","symbol":"BTC-USD-PERP","snapshot":true,"bids":[["42500.0","1000.0"],["42499.5","500.0"]],"asks":[["42501.0","800.0"],["42501.5","600.0"]],"ts_exchange":1699999999000000000"# + recv + " deribit(changeID: 123456789, prevChangeID: nil)"]),
        Case(name: "book change: new/change/delete with prev_change_id",
             input: #"{"jsonrpc":"2.0","method":"subscription","params":{"channel":"book.BTC-PERPETUAL.100ms","data":{"type":"change","timestamp":1699999999500,"prev_change_id":123456789,"instrument_name":"BTC-PERPETUAL","change_id":123456790,"bids":[["change",42500.0,950.0],["new",42498.5,300.0]],"asks":[["delete",42501.0,0.0],["change",42501.5,700.0]]}}}"#,
             expected: [#"{"type":"book","venue":"deribit","symbol":"BTC-USD-PERP","snapshot":false,"bids":[["42500.0","950.0"],["42498.5","300.0"]],"asks":[["42501.0","0.0"],["42501.5","700.0"]],"ts_exchange":1699999999500000000"# + recv + " deribit(changeID: 123456790, prevChangeID: Optional(123456789))"]),
        Case(name: "option book change (DB-BOOK example)",
             input: #"{"params":{"channel":"book.BTC-24SEP21-8000-P.100ms","data":{"type":"change","timestamp":1626993724337,"prev_change_id":33195894355,"change_id":33195894358,"instrument_name":"BTC-24SEP21-8000-P","bids":[],"asks":[["delete",0.001,0.0]]}},"method":"subscription","jsonrpc":"2.0"}"#,
             expected: [#"{"type":"book","venue":"deribit","symbol":"BTC-USD-20210924-8000-P","snapshot":false,"bids":[],"asks":[["0.001","0.0"]],"ts_exchange":1626993724337000000"# + recv + " deribit(changeID: 33195894358, prevChangeID: Optional(33195894355))"]),
        Case(name: "quote: best bid/offer",
             input: #"{"jsonrpc":"2.0","method":"subscription","params":{"channel":"quote.BTC-PERPETUAL","data":{"timestamp":1765541767174,"instrument_name":"BTC-PERPETUAL","best_ask_price":92288.5,"best_bid_price":92288.0,"best_ask_amount":99470.0,"best_bid_amount":133440.0}}}"#,
             expected: [#"{"type":"bbo","venue":"deribit","symbol":"BTC-USD-PERP","bid":"92288.0","bid_size":"133440.0","ask":"92288.5","ask_size":"99470.0","ts_exchange":1765541767174000000"# + recv]),
        Case(name: "quote with an empty bid side",
             input: #"{"jsonrpc":"2.0","method":"subscription","params":{"channel":"quote.BTC-PERPETUAL","data":{"timestamp":1765541767174,"instrument_name":"BTC-PERPETUAL","best_ask_price":92288.5,"best_bid_price":null,"best_ask_amount":99470.0,"best_bid_amount":0.0}}}"#,
             expected: [#"{"type":"bbo","venue":"deribit","symbol":"BTC-USD-PERP","ask":"92288.5","ask_size":"99470.0","ts_exchange":1765541767174000000"# + recv]),
        Case(name: "ticker: 24 h stats and the perpetual's 8 h funding rate",
             input: #"{"jsonrpc":"2.0","method":"subscription","params":{"channel":"ticker.BTC-PERPETUAL.100ms","data":{"timestamp":1765541474086,"state":"open","stats":{"high":93612.0,"low":89277.5,"price_change":2.3275,"volume":11897.27640428,"volume_usd":1092371540.0,"volume_notional":1092371540.0},"index_price":92263.55,"instrument_name":"BTC-PERPETUAL","last_price":92283.5,"settlement_price":92464.66,"min_price":90897.5,"max_price":93666.5,"open_interest":1132329370.0,"mark_price":92281.78,"interest_value":0.0028213400122472977,"best_ask_price":92284.0,"best_bid_price":92283.5,"estimated_delivery_price":92263.55,"best_ask_amount":186520.0,"best_bid_amount":117660.0,"current_funding":0.0,"funding_8h":0.00001742}}}"#,
             expected: [#"{"type":"ticker","venue":"deribit","symbol":"BTC-USD-PERP","last":"92283.5","bid":"92283.5","ask":"92284.0","volume_24h":"11897.27640428","high_24h":"93612.0","low_24h":"89277.5","ts_exchange":1765541474086000000"# + recv,
                        #"{"type":"funding","venue":"deribit","symbol":"BTC-USD-PERP","rate":"0.00001742","mark_price":"92281.78","ts_exchange":1765541474086000000"# + recv]),
        Case(name: "test_request is answered with public/test (next JSON-RPC id)",
             input: #"{"jsonrpc":"2.0","method":"heartbeat","params":{"type":"test_request"}}"#,
             expected: [#"send {"jsonrpc":"2.0","id":4,"method":"public/test","params":{}}"#, "heartbeat"]),
        Case(name: "plain heartbeat",
             input: #"{"jsonrpc":"2.0","method":"heartbeat","params":{"type":"heartbeat"}}"#, expected: ["heartbeat"]),
        Case(name: "subscribe result confirms every requested channel",
             input: #"{"jsonrpc":"2.0","id":3,"result":["trades.BTC-PERPETUAL.100ms","book.BTC-PERPETUAL.100ms","quote.BTC-PERPETUAL","ticker.BTC-PERPETUAL.100ms","book.BTC-24SEP21-8000-P.100ms"],"usIn":1765531356000000,"usOut":1765531356001000,"usDiff":1000,"testnet":false}"#,
             expected: ["subscribed ok=true id=3 subs=bbo:BTC-USD-PERP,book:BTC-USD-20210924-8000-P,book:BTC-USD-PERP,funding:BTC-USD-PERP,liquidations:BTC-USD-PERP,ticker:BTC-USD-PERP,trades:BTC-USD-PERP msg=-"]),
        Case(name: "a channel missing from the result was refused",
             input: #"{"jsonrpc":"2.0","id":3,"result":["trades.BTC-PERPETUAL.100ms","book.BTC-PERPETUAL.100ms","quote.BTC-PERPETUAL","ticker.BTC-PERPETUAL.100ms"],"usIn":1,"usOut":2,"usDiff":1,"testnet":false}"#,
             expected: ["subscribed ok=true id=3 subs=bbo:BTC-USD-PERP,book:BTC-USD-PERP,funding:BTC-USD-PERP,liquidations:BTC-USD-PERP,ticker:BTC-USD-PERP,trades:BTC-USD-PERP msg=-",
                        "subscribed ok=false id=3 subs=book:BTC-USD-20210924-8000-P msg=not in public/subscribe result"]),
        Case(name: "error answering the subscribe (credits exhausted)",
             input: #"{"jsonrpc":"2.0","id":3,"error":{"code":10028,"message":"too_many_requests","data":null}}"#,
             expected: ["venueError deribit error 10028: too_many_requests",
                        "subscribed ok=false id=3 subs=bbo:BTC-USD-PERP,book:BTC-USD-20210924-8000-P,book:BTC-USD-PERP,funding:BTC-USD-PERP,liquidations:BTC-USD-PERP,ticker:BTC-USD-PERP,trades:BTC-USD-PERP msg=deribit error 10028: too_many_requests"]),
        Case(name: "public/test answer is the pong",
             input: #"{"jsonrpc":"2.0","id":4,"result":{"version":"1.2.26"},"usIn":1,"usOut":2,"usDiff":1,"testnet":false}"#, expected: ["pong"]),
        Case(name: "set_heartbeat answer carries nothing",
             input: #"{"jsonrpc":"2.0","id":1,"result":"ok","usIn":1,"usOut":2,"usDiff":1,"testnet":false}"#, expected: []),
        Case(name: "platform_state: an index is locked",
             input: #"{"jsonrpc":"2.0","method":"subscription","params":{"channel":"platform_state","data":{"price_index":"sol_usdc","locked":true}}}"#,
             expected: ["venueError deribit platform_state: sol_usdc locked"]),
        Case(name: "malformed: truncated frame", input: #"{"jsonrpc":"2.0","method":"subscription","params":{"channel":"book.BTC-PERPETUAL.100ms","data":{"type":"chan"#, error: .malformedJSON),
        Case(name: "malformed: trailing garbage", input: #"{"jsonrpc":"2.0","method":"heartbeat","params":{"type":"heartbeat"}}x"#, error: .malformedJSON),
        Case(name: "missing: change without prev_change_id",
             input: #"{"jsonrpc":"2.0","method":"subscription","params":{"channel":"book.BTC-PERPETUAL.100ms","data":{"type":"change","timestamp":1,"instrument_name":"BTC-PERPETUAL","change_id":5,"bids":[],"asks":[]}}}"#, error: .missingField),
        Case(name: "missing: trade without direction",
             input: #"{"jsonrpc":"2.0","method":"subscription","params":{"channel":"trades.BTC-PERPETUAL.100ms","data":[{"timestamp":1,"price":1.5,"amount":10.0,"instrument_name":"BTC-PERPETUAL","trade_id":"1"}]}}"#, error: .missingField),
        Case(name: "invalid: unknown level action",
             input: #"{"jsonrpc":"2.0","method":"subscription","params":{"channel":"book.BTC-PERPETUAL.100ms","data":{"type":"change","timestamp":1,"prev_change_id":4,"instrument_name":"BTC-PERPETUAL","change_id":5,"bids":[["upsert",1.0,1.0]],"asks":[]}}}"#, error: .invalidValue),
        Case(name: "invalid: direction", input: #"{"jsonrpc":"2.0","method":"subscription","params":{"channel":"trades.BTC-PERPETUAL.100ms","data":[{"timestamp":1,"price":1.5,"amount":10.0,"direction":"long","instrument_name":"BTC-PERPETUAL","trade_id":"1"}]}}"#, error: .invalidValue),
        Case(name: "invalid: timestamp overflows ns",
             input: #"{"jsonrpc":"2.0","method":"subscription","params":{"channel":"quote.BTC-PERPETUAL","data":{"timestamp":9223372036854775,"instrument_name":"BTC-PERPETUAL","best_ask_price":1.0,"best_bid_price":1.0,"best_ask_amount":1.0,"best_bid_amount":1.0}}}"#, error: .invalidValue),
        Case(name: "unknown instrument",
             input: #"{"jsonrpc":"2.0","method":"subscription","params":{"channel":"quote.ETH-PERPETUAL","data":{"timestamp":1,"instrument_name":"ETH-PERPETUAL","best_ask_price":1.0,"best_bid_price":1.0,"best_ask_amount":1.0,"best_bid_amount":1.0}}}"#, error: .unknownSymbol),
        Case(name: "unexpected: neither method, result nor error", input: #"{"jsonrpc":"2.0","id":9}"#, error: .unexpectedMessage),
    ]

    @Test("parse", arguments: cases)
    fileprivate func parse(_ c: Case) throws {
        var adapter = try makeAdapter()
        if let kind = c.error {
            var output = VenueOutputs([.heartbeat])
            var text = c.input
            #expect { try text.withUTF8 { try adapter.parse(UnsafeRawBufferPointer($0), context: ParseContext(tsRecv: tsRecv), into: &output) } }
                throws: { ($0 as? VenueParseError)?.kind == kind }
            #expect(output.count == 1, "a failed message leaves no partial outputs behind")
        } else {
            #expect(render(try adapter.parse(c.input, context: ParseContext(tsRecv: tsRecv))) == c.expected)
        }
    }

    @Test("frames: heartbeat + platform_state first, one subscribe for all channels, shared channels")
    func frames() throws {
        let perp = try Symbol("BTC-USD-PERP"), eth = try Symbol("ETH-USDC-PERP")
        var adapter = Deribit(configuration: VenueAdapterConfiguration(symbols: [perp, eth]))
        #expect(adapter.sessionStartFrames().map(\.text) == [
            #"{"jsonrpc":"2.0","id":1,"method":"public/set_heartbeat","params":{"interval":30}}"#,
            #"{"jsonrpc":"2.0","id":2,"method":"public/subscribe","params":{"channels":["platform_state"]}}"#])
        #expect(adapter.subscribeFrames(for: [Subscription(symbol: perp, channel: .trades), Subscription(symbol: perp, channel: .liquidations),
                                              Subscription(symbol: eth, channel: .book), Subscription(symbol: eth, channel: .bbo)]).map(\.text)
            == [#"{"jsonrpc":"2.0","id":3,"method":"public/subscribe","params":{"channels":["trades.BTC-PERPETUAL.100ms","book.ETH_USDC-PERPETUAL.100ms","quote.ETH_USDC-PERPETUAL"]}}"#])
        #expect(adapter.unsubscribeFrames(for: [Subscription(symbol: perp, channel: .trades)]).isEmpty, "liquidations still need trades")
        #expect(adapter.unsubscribeFrames(for: [Subscription(symbol: perp, channel: .liquidations), Subscription(symbol: eth, channel: .book)]).map(\.text)
            == [#"{"jsonrpc":"2.0","id":4,"method":"public/unsubscribe","params":{"channels":["trades.BTC-PERPETUAL.100ms","book.ETH_USDC-PERPETUAL.100ms"]}}"#])
        var raw = Deribit(configuration: VenueAdapterConfiguration(symbols: [perp], options: ["interval": "raw"]))
        #expect(raw.subscribeFrames(for: [Subscription(symbol: perp, channel: .book)]).map(\.text)
            == [#"{"jsonrpc":"2.0","id":3,"method":"public/subscribe","params":{"channels":["book.BTC-PERPETUAL.raw"]}}"#])
    }

    @Test("instrument names", arguments: [
        ("BTC-PERPETUAL", "BTC-USD-PERP"), ("BTC_USDC-PERPETUAL", "BTC-USDC-PERP"), ("BTC-27DEC26", "BTC-USD-20261227"),
        ("ETH-3JAN25", "ETH-USD-20250103"), ("BTC-27DEC26-100000-C", "BTC-USD-20261227-100000-C"),
        ("XRP_USDC-30MAY25-2d5-P", "XRP-USDC-20250530-2.5-P"), ("BTC_USDC", "BTC-USDC"),
    ])
    func instruments(_ venue: String, _ normalized: String) throws {
        let adapter = Deribit(configuration: VenueAdapterConfiguration(symbols: []))
        let symbol = try Symbol(normalized)
        #expect(adapter.symbol(forVenueSymbol: venue) == symbol)
        #expect(adapter.venueSymbol(for: symbol) == venue)
    }

    @Test("symbols and spec facts")
    func symbolsAndSpec() throws {
        let adapter = Deribit(configuration: VenueAdapterConfiguration(symbols: []))
        #expect(adapter.symbol(forVenueSymbol: "BTC-FS-27DEC26_PERP") == nil)
        #expect(adapter.symbol(forVenueSymbol: "BTC-27XYZ26") == nil)
        #expect(adapter.venueSymbol(for: try Symbol("BTC-USD")) == nil)
        #expect(Deribit.spec.keepAlive == [.deribitHeartbeat(interval: Interval.seconds(30))])
        #expect(Deribit.spec.maxOutboundMessagesPerSecond == 3)
        #expect(Deribit.spec.channelNames[.funding] == "ticker")
        #expect(Deribit.spec.book == BookSpec(bootstrap: .streamSnapshot))
    }
}
