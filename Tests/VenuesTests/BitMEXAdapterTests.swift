import MarketModel
import Testing
import VenueKit
import Venues

// Table-driven parser tests for BitMEX: message shapes from VENUES.md §7, BitMEX's api-connectors
// fixtures (BMX-AC: welcome, acks, partials) and the nautilus_trader test_data rows (2023+ L2 schema
// with price on every row), with exact outputs; the L2 id → price translation is tested as sessions.

/// One parser case: a frame and either its rendered outputs or the error kind it must raise.
fileprivate struct Case: Sendable, CustomTestStringConvertible {
    let name: String
    let input: String
    var expected: [String] = []
    var error: VenueParseError.Kind? = nil
    var testDescription: String { name }
}

fileprivate let tsRecv: Nanoseconds = 1_732_436_790_000_000_007
fileprivate let recv = ",\"ts_recv\":1732436790000000007}"

/// XBTUSD (BTC-USD-PERP) on every channel, plus XBTUSDT.
fileprivate func makeAdapter() throws -> BitMEX {
    let xbt = try Symbol("BTC-USD-PERP"), usdt = try Symbol("BTC-USDT-PERP")
    var adapter = BitMEX(configuration: VenueAdapterConfiguration(symbols: [xbt, usdt]))
    _ = adapter.subscribeFrames(for: [.book, .trades, .bbo, .funding, .liquidations].map { Subscription(symbol: xbt, channel: $0) })
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
        case .funding(let e): return line(.funding(e))
        case .liquidation(let e): return line(.liquidation(e))
        case .subscribed(let a): return "subscribed ok=\(a.isSuccess) subs=\(a.subscriptions.map(\.description).joined(separator: ",")) msg=\(a.message ?? "-")"
        case .pong: return "pong"
        case .send(let m): return "send \(m.text)"
        case .venueError(let text): return "venueError \(text)"
        case .bookInvalidated(let symbol, let reason): return "bookInvalidated \(symbol) \(reason)"
        default: return "other \(output)"
        }
    }
}

/// The XBTUSD orderBookL2_25 partial used by the book sessions (two levels a side, sells first as BitMEX sends them).
fileprivate let partial = #"{"table":"orderBookL2_25","action":"partial","keys":["symbol","id","side"],"types":{"symbol":"symbol","id":"long","side":"symbol","size":"long","price":"float","timestamp":"timestamp","transactTime":"timestamp"},"foreignKeys":{"symbol":"instrument","side":"side"},"attributes":{"symbol":"parted","id":"sorted"},"filter":{"symbol":"XBTUSD"},"data":[{"symbol":"XBTUSD","id":62400580205,"side":"Sell","size":33000,"price":98459.9,"timestamp":"2024-11-24T08:26:22.356Z","transactTime":"2024-11-24T08:26:22.275Z"},{"symbol":"XBTUSD","id":62400580300,"side":"Sell","size":1500,"price":98459.5,"timestamp":"2024-11-24T08:26:22.356Z","transactTime":"2024-11-24T08:26:22.275Z"},{"symbol":"XBTUSD","id":62400580410,"side":"Buy","size":200,"price":98458.1,"timestamp":"2024-11-24T08:26:22.356Z","transactTime":"2024-11-24T08:26:22.275Z"},{"symbol":"XBTUSD","id":62400580500,"side":"Buy","size":74100,"price":98457.5,"timestamp":"2024-11-24T08:26:22.356Z","transactTime":"2024-11-24T08:26:22.275Z"}]}"#
fileprivate let snapshot = #"{"type":"book","venue":"bitmex","symbol":"BTC-USD-PERP","snapshot":true,"bids":[["98458.1","200"],["98457.5","74100"]],"asks":[["98459.5","1500"],["98459.9","33000"]],"ts_exchange":1732436782356000000"# + recv + " none"

@Suite("BitMEX adapter")
struct BitMEXAdapterTests {
    fileprivate static let cases: [Case] = [
        Case(name: "welcome frame carries nothing",
             input: #"{"info":"Welcome to the BitMEX Realtime API.","version":"2.0.0","timestamp":"2026-01-26T08:17:40.000Z","docs":"https://www.bitmex.com/app/wsAPI","heartbeatEnabled":false,"limit":{},"appName":"ws-feedhandler-7d9c8b6f5-abcde"}"#),
        Case(name: "pong", input: "pong", expected: ["pong"]),
        Case(name: "one ack per topic",
             input: #"{"success":true,"subscribe":"orderBookL2_25:XBTUSD","request":{"op":"subscribe","args":["orderBookL2_25:XBTUSD","trade:XBTUSD"]}}"#,
             expected: ["subscribed ok=true subs=book:BTC-USD-PERP msg=-"]),
        Case(name: "unsubscribe ack carries nothing",
             input: #"{"success":true,"unsubscribe":"trade:XBTUSD","request":{"op":"unsubscribe","args":["trade:XBTUSD"]}}"#),
        Case(name: "error refusing a subscribe",
             input: #"{"status":400,"error":"Unknown table: tradeBin5dm","meta":{},"request":{"op":"subscribe","args":["tradeBin5dm:XBTUSD","quote:XBTUSD"]}}"#,
             expected: ["venueError bitmex 400: Unknown table: tradeBin5dm", "subscribed ok=false subs=bbo:BTC-USD-PERP msg=bitmex 400: Unknown table: tradeBin5dm"]),
        Case(name: "rate limit error with retryAfter, args as one string",
             input: #"{"status":429,"error":"Rate limit exceeded, retry in 1 seconds.","meta":{"retryAfter":1},"request":{"op":"subscribe","args":"trade:XBTUSD"}}"#,
             expected: ["venueError bitmex 429: Rate limit exceeded, retry in 1 seconds. (retry after 1 s)",
                        "subscribed ok=false subs=trades:BTC-USD-PERP msg=bitmex 429: Rate limit exceeded, retry in 1 seconds. (retry after 1 s)"]),
        Case(name: "trade partial is history and is skipped",
             input: #"{"table":"trade","action":"partial","keys":[],"types":{"timestamp":"timestamp","symbol":"symbol","side":"symbol","size":"long","price":"float"},"foreignKeys":{"symbol":"instrument","side":"side"},"attributes":{"timestamp":"sorted","symbol":"grouped"},"filter":{"symbol":"XBTUSD"},"data":[{"timestamp":"2024-11-24T08:15:30.100Z","symbol":"XBTUSD","side":"Buy","size":8,"price":98571,"tickDirection":"ZeroMinusTick","trdMatchID":"27f4fd76-6413-9b93-4faa-b2fd03d84581","grossValue":8116,"homeNotional":0.00008116,"foreignNotional":8}]}"#),
        Case(name: "trade insert: side is the aggressor, size in contracts",
             input: #"{"table":"trade","action":"insert","data":[{"timestamp":"2024-11-24T08:15:38.704Z","symbol":"XBTUSD","side":"Sell","size":100,"price":98570.9,"tickDirection":"ZeroPlusTick","trdMatchID":"00000000-006d-1000-0000-000e8737d536","grossValue":101450,"homeNotional":0.0010145,"foreignNotional":100.0,"trdType":"Regular"}]}"#,
             expected: [#"{"type":"trade","venue":"bitmex","symbol":"BTC-USD-PERP","price":"98570.9","size":"100","side":"sell","trade_id":"00000000-006d-1000-0000-000e8737d536","ts_exchange":1732436138704000000"# + recv]),
        Case(name: "quote insert",
             input: #"{"table":"quote","action":"insert","data":[{"timestamp":"2024-11-24T08:26:23.012Z","symbol":"XBTUSD","bidSize":200,"bidPrice":98458.1,"askPrice":98459.5,"askSize":1500}]}"#,
             expected: [#"{"type":"bbo","venue":"bitmex","symbol":"BTC-USD-PERP","bid":"98458.1","bid_size":"200","ask":"98459.5","ask_size":"1500","ts_exchange":1732436783012000000"# + recv]),
        Case(name: "funding: next funding one interval after the charge",
             input: #"{"table":"funding","action":"insert","data":[{"timestamp":"2024-11-25T04:00:00.000Z","symbol":"XBTUSD","fundingInterval":"2000-01-01T08:00:00.000Z","fundingRate":0.0001,"fundingRateDaily":0.0003}]}"#,
             expected: [#"{"type":"funding","venue":"bitmex","symbol":"BTC-USD-PERP","rate":"0.0001","next_funding_time":1732536000000000000,"ts_exchange":1732507200000000000"# + recv]),
        Case(name: "liquidation insert (no timestamp)",
             input: #"{"table":"liquidation","action":"insert","data":[{"orderID":"550e8400-e29b-41d4-a716-446655440099","symbol":"XBTUSD","side":"Buy","price":95000.0,"leavesQty":1000}]}"#,
             expected: [#"{"type":"liquidation","venue":"bitmex","symbol":"BTC-USD-PERP","side":"buy","price":"95000.0","size":"1000""# + recv]),
        Case(name: "liquidation update (remaining quantity) is not a new liquidation",
             input: #"{"table":"liquidation","action":"update","data":[{"orderID":"550e8400-e29b-41d4-a716-446655440099","symbol":"XBTUSD","leavesQty":400}]}"#),
        Case(name: "book deltas before the partial are ignored",
             input: #"{"table":"orderBookL2_25","action":"update","data":[{"symbol":"XBTUSD","id":62400580205,"side":"Sell","size":32000,"price":98459.9,"timestamp":"2024-11-24T08:26:23.012Z"}]}"#),
        Case(name: "book partial: sorted best first, id map built", input: partial, expected: [snapshot]),
        Case(name: "empty partial is still an image",
             input: #"{"table":"orderBookL2_25","action":"partial","keys":["symbol","id","side"],"types":{},"foreignKeys":{},"attributes":{},"filter":{"symbol":"XBTUSD"},"data":[]}"#,
             expected: [#"{"type":"book","venue":"bitmex","symbol":"BTC-USD-PERP","snapshot":true,"bids":[],"asks":[]"# + recv + " none"]),
        Case(name: "malformed: truncated frame", input: #"{"table":"trade","action":"insert","data":[{"timestamp":"2024-11"#, error: .malformedJSON),
        Case(name: "malformed: trailing garbage", input: #"{"success":true,"subscribe":"trade:XBTUSD"}}"#, error: .malformedJSON),
        Case(name: "malformed: bare word other than pong", input: "ping", error: .malformedJSON),
        Case(name: "missing: insert row without price",
             input: #"{"table":"orderBookL2_25","action":"insert","data":[{"symbol":"XBTUSD","id":1,"side":"Buy","size":5,"timestamp":"2024-11-24T08:26:23.012Z"}]}"#, error: .missingField),
        Case(name: "missing: trade without trdMatchID",
             input: #"{"table":"trade","action":"insert","data":[{"timestamp":"2024-11-24T08:15:38.704Z","symbol":"XBTUSD","side":"Sell","size":100,"price":98570.9}]}"#, error: .missingField),
        Case(name: "missing: table without data", input: #"{"table":"trade","action":"insert"}"#, error: .missingField),
        Case(name: "invalid: side", input: #"{"table":"trade","action":"insert","data":[{"timestamp":"2024-11-24T08:15:38.704Z","symbol":"XBTUSD","side":"Long","size":1,"price":1,"trdMatchID":"x"}]}"#, error: .invalidValue),
        Case(name: "unknown symbol", input: #"{"table":"quote","action":"insert","data":[{"timestamp":"2024-11-22T22:44:25.085Z","symbol":"BCHUSDT","bidSize":103000,"bidPrice":487.55,"askPrice":488.25,"askSize":50000}]}"#, error: .unknownSymbol),
    ]

    @Test("parse", arguments: cases)
    fileprivate func parse(_ c: Case) throws {
        var adapter = try makeAdapter()
        if let kind = c.error {
            var output = VenueOutputs([.pong])
            var text = c.input
            #expect { try text.withUTF8 { try adapter.parse(UnsafeRawBufferPointer($0), context: ParseContext(tsRecv: tsRecv), into: &output) } }
                throws: { ($0 as? VenueParseError)?.kind == kind }
            #expect(output.count == 1, "a failed message leaves no partial outputs behind")
        } else {
            #expect(render(try adapter.parse(c.input, context: ParseContext(tsRecv: tsRecv))) == c.expected)
        }
    }

    @Test("L2 ids become price-level deltas")
    func bookDeltas() throws {
        var adapter = try makeAdapter()
        let steps: [(String, [String])] = [
            (partial, [snapshot]),
            // insert: a new bid level
            (#"{"table":"orderBookL2_25","action":"insert","data":[{"symbol":"XBTUSD","id":62400580600,"side":"Buy","size":5000,"price":98458.5,"timestamp":"2024-11-24T08:26:23.012Z","transactTime":"2024-11-24T08:26:22.990Z"}]}"#,
             [#"{"type":"book","venue":"bitmex","symbol":"BTC-USD-PERP","snapshot":false,"bids":[["98458.5","5000"]],"asks":[],"ts_exchange":1732436783012000000"# + recv + " none"]),
            // update: size only; the price comes from the id map
            (#"{"table":"orderBookL2_25","action":"update","data":[{"symbol":"XBTUSD","id":62400580205,"side":"Sell","size":32000,"price":98459.9,"timestamp":"2024-11-24T08:26:23.518Z"},{"symbol":"XBTUSD","id":62400580410,"side":"Buy","size":150,"price":98458.1,"timestamp":"2024-11-24T08:26:23.518Z"}]}"#,
             [#"{"type":"book","venue":"bitmex","symbol":"BTC-USD-PERP","snapshot":false,"bids":[["98458.1","150"]],"asks":[["98459.9","32000"]],"ts_exchange":1732436783518000000"# + recv + " none"]),
            // delete: the row's id gives side and price; size 0 deletes
            (#"{"table":"orderBookL2_25","action":"delete","data":[{"symbol":"XBTUSD","id":62400580300,"side":"Sell","price":98459.5,"timestamp":"2024-11-24T08:26:24.101Z"}]}"#,
             [#"{"type":"book","venue":"bitmex","symbol":"BTC-USD-PERP","snapshot":false,"bids":[],"asks":[["98459.5","0"]],"ts_exchange":1732436784101000000"# + recv + " none"]),
            // an update whose price differs from the id's: the level moved, so the old price is cleared
            (#"{"table":"orderBookL2_25","action":"update","data":[{"symbol":"XBTUSD","id":62400580500,"side":"Buy","size":74100,"price":98457,"timestamp":"2024-11-24T08:26:24.101Z"}]}"#,
             [#"{"type":"book","venue":"bitmex","symbol":"BTC-USD-PERP","snapshot":false,"bids":[["98457.5","0"],["98457","74100"]],"asks":[],"ts_exchange":1732436784101000000"# + recv + " none"]),
            // a delete for an id we no longer hold: the book diverged → Books resyncs this symbol
            (#"{"table":"orderBookL2_25","action":"delete","data":[{"symbol":"XBTUSD","id":62400580300,"side":"Sell","price":98459.5,"timestamp":"2024-11-24T08:26:24.101Z"}]}"#,
             ["bookInvalidated BTC-USD-PERP gap: delete for unknown id 62400580300"]),
            // until the new partial arrives, deltas are dropped
            (#"{"table":"orderBookL2_25","action":"update","data":[{"symbol":"XBTUSD","id":62400580205,"side":"Sell","size":1,"price":98459.9,"timestamp":"2024-11-24T08:26:24.200Z"}]}"#, []),
            (partial, [snapshot]),
        ]
        for (input, expected) in steps {
            #expect(render(try adapter.parse(input, context: ParseContext(tsRecv: tsRecv))) == expected)
        }
    }

    @Test("a partial whose rows carry no timestamp has no venue time (not 1970)")
    func partialWithoutTimes() throws {
        var adapter = try makeAdapter()
        let untimed = #"{"table":"orderBookL2_25","action":"partial","data":[{"symbol":"XBTUSD","id":62400580410,"side":"Buy","size":200,"price":98458.1}]}"#
        #expect(render(try adapter.parse(untimed, context: ParseContext(tsRecv: tsRecv)))
            == [#"{"type":"book","venue":"bitmex","symbol":"BTC-USD-PERP","snapshot":true,"bids":[["98458.1","200"]],"asks":[]"# + recv + " none"])
    }

    @Test("a malformed book message leaves the id map untouched")
    func malformedKeepsState() throws {
        var adapter = try makeAdapter()
        _ = try adapter.parse(partial, context: ParseContext(tsRecv: tsRecv))
        let bad = #"{"table":"orderBookL2_25","action":"delete","data":[{"symbol":"XBTUSD","id":62400580300,"side":"Sell","price":98459.5},{"symbol":"XBTUSD"}]}"#
        #expect(throws: VenueParseError.missingField("id")) { _ = try adapter.parse(bad, context: ParseContext(tsRecv: tsRecv)) }
        let delete = #"{"table":"orderBookL2_25","action":"delete","data":[{"symbol":"XBTUSD","id":62400580300,"side":"Sell","price":98459.5}]}"#
        #expect(render(try adapter.parse(delete, context: ParseContext(tsRecv: tsRecv)))
            == [#"{"type":"book","venue":"bitmex","symbol":"BTC-USD-PERP","snapshot":false,"bids":[],"asks":[["98459.5","0"]]"# + recv + " none"])
    }

    @Test("frames: one subscribe with every topic; full depth on request")
    func frames() throws {
        let xbt = try Symbol("BTC-USD-PERP"), fut = try Symbol("BTC-USDT-20261225")
        var adapter = BitMEX(configuration: VenueAdapterConfiguration(symbols: [xbt, fut]))
        #expect(adapter.sessionStartFrames().isEmpty)
        #expect(adapter.subscribeFrames(for: [Subscription(symbol: xbt, channel: .book), Subscription(symbol: xbt, channel: .trades),
                                              Subscription(symbol: fut, channel: .bbo), Subscription(symbol: xbt, channel: .ticker)]).map(\.text)
            == [#"{"op":"subscribe","args":["orderBookL2_25:XBTUSD","trade:XBTUSD","quote:XBTUSDTZ26"]}"#])
        #expect(adapter.unsubscribeFrames(for: [Subscription(symbol: xbt, channel: .trades)]).map(\.text) == [#"{"op":"unsubscribe","args":["trade:XBTUSD"]}"#])
        var deep = BitMEX(configuration: VenueAdapterConfiguration(symbols: [xbt], bookDepth: 1000))
        #expect(deep.subscribeFrames(for: [Subscription(symbol: xbt, channel: .book)]).map(\.text) == [#"{"op":"subscribe","args":["orderBookL2:XBTUSD"]}"#])
    }

    @Test("symbols", arguments: [
        ("XBTUSD", "BTC-USD-PERP"), ("ETHUSD", "ETH-USD-PERP"), ("XBTUSDT", "BTC-USDT-PERP"), ("SOLUSDT", "SOL-USDT-PERP"),
        ("XBTEUR", "BTC-EUR-PERP"), ("XBTZ26", "BTC-USD-20261225"), ("XBTUSDTH26", "BTC-USDT-20260327"),
        ("ETHUSDM26", "ETH-USD-20260626"), ("ETHZ25", "ETH-BTC-20251226"), ("XBT_USDT", "BTC-USDT"),
    ])
    func symbols(_ venue: String, _ normalized: String) throws {
        let adapter = BitMEX(configuration: VenueAdapterConfiguration(symbols: []))
        #expect(adapter.symbol(forVenueSymbol: venue) == (try Symbol(normalized)))
        #expect(adapter.venueSymbol(for: try Symbol(normalized)) == venue)
    }

    @Test("spec facts and unmapped symbols")
    func spec() throws {
        let adapter = BitMEX(configuration: VenueAdapterConfiguration(symbols: []))
        #expect(adapter.venueSymbol(for: try Symbol("BTC-USD-20261224")) == nil, "not a last Friday")
        #expect(adapter.venueSymbol(for: try Symbol("BTC-USD-20261225-100000-C")) == nil)
        #expect(adapter.symbol(forVenueSymbol: ".BXBT") == nil)
        #expect(BitMEX.spec.keepAlive == [.applicationPing(payload: "ping", every: Interval.seconds(5))])
        #expect(BitMEX.spec.connectBudget == ConnectBudget(attempts: 60, window: Interval.hours(1)))
        #expect(BitMEX.spec.book == BookSpec(bootstrap: .streamSnapshot, crossedTolerance: 2))
        #expect(BitMEX.spec.channelNames[.book] == "orderBookL2_25")
    }
}
