import MarketModel
import Testing
import VenueKit
import Venues

// Table-driven parser tests for Coinbase Advanced Trade: message shapes from VENUES.md §2 and the
// doc-derived nautilus_trader test_data (NT-CB), with exact outputs (venue digits, taker side,
// RFC 3339 → ns, the envelope sequence_num per connection).

/// One parser case: a frame and either its rendered outputs or the error kind it must raise.
fileprivate struct Case: Sendable, CustomTestStringConvertible {
    let name: String
    let input: String
    var expected: [String] = []
    var error: VenueParseError.Kind? = nil
    var testDescription: String { name }
}

fileprivate let tsRecv: Nanoseconds = 1_775_572_203_000_123_456
fileprivate let recv = ",\"ts_recv\":1775572203000123456}"

/// BTC-USD and ETH-USD, subscribed to trades, book, bbo and ticker (ETH: trades only).
fileprivate func makeAdapter() throws -> Coinbase {
    let btc = try Symbol("BTC-USD"), eth = try Symbol("ETH-USD")
    var adapter = Coinbase(configuration: VenueAdapterConfiguration(symbols: [btc, eth]))
    _ = adapter.subscribeFrames(for: [.trades, .book, .bbo, .ticker].map { Subscription(symbol: btc, channel: $0) }
        + [Subscription(symbol: eth, channel: .trades)])
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
        case .subscribed(let a):
            return "subscribed ok=\(a.isSuccess) subs=\(a.subscriptions.map(\.description).sorted().joined(separator: ",")) msg=\(a.message ?? "-")"
        case .connectionSequence(let n): return "sequence \(n)"
        case .heartbeat: return "heartbeat"
        case .venueError(let text): return "venueError \(text)"
        default: return "other \(output)"
        }
    }
}

@Suite("Coinbase Advanced Trade adapter")
struct CoinbaseAdapterTests {
    fileprivate static let cases: [Case] = [
        Case(name: "market_trades update: side is the maker, so BUY is a taker sell",
             input: #"{"channel":"market_trades","client_id":"","timestamp":"2026-04-07T14:30:02.789012Z","sequence_num":5,"events":[{"type":"update","trades":[{"trade_id":"995098700","product_id":"BTC-USD","price":"68900.50","size":"0.00150000","side":"BUY","time":"2026-04-07T14:30:02.789012Z"},{"trade_id":"995098701","product_id":"BTC-USD","price":"68900.00","size":"0.05000000","side":"SELL","time":"2026-04-07T14:30:02.800000Z"}]}]}"#,
             expected: ["sequence 5",
                        #"{"type":"trade","venue":"coinbase","symbol":"BTC-USD","price":"68900.50","size":"0.00150000","side":"sell","trade_id":"995098700","ts_exchange":1775572202789012000"# + recv,
                        #"{"type":"trade","venue":"coinbase","symbol":"BTC-USD","price":"68900.00","size":"0.05000000","side":"buy","trade_id":"995098701","ts_exchange":1775572202800000000"# + recv]),
        Case(name: "market_trades snapshot (recent history) is not re-published",
             input: #"{"channel":"market_trades","client_id":"","timestamp":"2026-04-07T14:30:00.500000Z","sequence_num":2,"events":[{"type":"snapshot","trades":[{"trade_id":"995098650","product_id":"ETH-USD","price":"3412.11","size":"0.20000000","side":"SELL","time":"2026-04-07T14:29:59.100000Z"}]}]}"#,
             expected: ["sequence 2"]),
        Case(name: "l2_data snapshot: bid/offer levels, envelope time, connection sequence",
             input: #"{"channel":"l2_data","client_id":"","timestamp":"2026-04-07T14:30:00.123456Z","sequence_num":0,"events":[{"type":"snapshot","product_id":"BTC-USD","updates":[{"side":"bid","event_time":"2026-04-07T14:30:00.123456Z","price_level":"68900.00","new_quantity":"1.50000000"},{"side":"bid","event_time":"2026-04-07T14:30:00.123456Z","price_level":"68899.50","new_quantity":"0.75000000"},{"side":"offer","event_time":"2026-04-07T14:30:00.123456Z","price_level":"68901.00","new_quantity":"0.50000000"}]}]}"#,
             expected: ["sequence 0",
                        #"{"type":"book","venue":"coinbase","symbol":"BTC-USD","snapshot":true,"bids":[["68900.00","1.50000000"],["68899.50","0.75000000"]],"asks":[["68901.00","0.50000000"]],"ts_exchange":1775572200123456000"# + recv + " connectionSequence(0)"]),
        Case(name: "l2_data update: absolute quantities, 0 removes",
             input: #"{"channel":"l2_data","client_id":"","timestamp":"2026-04-07T14:30:01.456789Z","sequence_num":1,"events":[{"type":"update","product_id":"BTC-USD","updates":[{"side":"bid","event_time":"2026-04-07T14:30:01.456789Z","price_level":"68900.00","new_quantity":"2.00000000"},{"side":"offer","event_time":"2026-04-07T14:30:01.456789Z","price_level":"68901.00","new_quantity":"0.00000000"}]}]}"#,
             expected: ["sequence 1",
                        #"{"type":"book","venue":"coinbase","symbol":"BTC-USD","snapshot":false,"bids":[["68900.00","2.00000000"]],"asks":[["68901.00","0.00000000"]],"ts_exchange":1775572201456789000"# + recv + " connectionSequence(1)"]),
        Case(name: "ticker feeds both bbo and ticker when both are subscribed",
             input: #"{"channel":"ticker","client_id":"","timestamp":"2026-04-07T14:30:03.000000Z","sequence_num":12,"events":[{"type":"snapshot","tickers":[{"type":"ticker","product_id":"BTC-USD","price":"68900.50","volume_24_h":"15328.12345678","low_24_h":"67500.00","high_24_h":"69200.00","low_52_w":"25000.00","high_52_w":"73800.00","price_percent_chg_24_h":"1.85","best_bid":"68900.00","best_bid_quantity":"1.50000000","best_ask":"68901.00","best_ask_quantity":"0.50000000"}]}]}"#,
             expected: ["sequence 12",
                        #"{"type":"bbo","venue":"coinbase","symbol":"BTC-USD","bid":"68900.00","bid_size":"1.50000000","ask":"68901.00","ask_size":"0.50000000","ts_exchange":1775572203000000000"# + recv,
                        #"{"type":"ticker","venue":"coinbase","symbol":"BTC-USD","last":"68900.50","bid":"68900.00","ask":"68901.00","volume_24h":"15328.12345678","high_24h":"69200.00","low_24h":"67500.00","ts_exchange":1775572203000000000"# + recv]),
        Case(name: "heartbeats keep the connection sequence going",
             input: #"{"channel":"heartbeats","client_id":"","timestamp":"2026-04-07T14:30:10.000000Z","sequence_num":13,"events":[{"current_time":"2026-04-07 14:30:10.000000000 +0000 UTC m=+91717.525857105","heartbeat_counter":"42"}]}"#,
             expected: ["sequence 13", "heartbeat"]),
        Case(name: "subscriptions ack lists the whole current set",
             input: #"{"channel":"subscriptions","client_id":"","timestamp":"2026-04-07T14:30:00.000000Z","sequence_num":3,"events":[{"subscriptions":{"heartbeats":["heartbeats"],"level2":["BTC-USD"],"market_trades":["BTC-USD","ETH-USD"],"ticker":["BTC-USD"]}}]}"#,
             expected: ["sequence 3", "subscribed ok=true subs=bbo:BTC-USD,book:BTC-USD,ticker:BTC-USD,trades:BTC-USD,trades:ETH-USD msg=-"]),
        Case(name: "error frame",
             input: #"{"type":"error","message":"failure to subscribe","reason":"BTC-XYZ is not a valid product"}"#,
             expected: ["venueError coinbase: failure to subscribe: BTC-XYZ is not a valid product"]),
        Case(name: "events before the envelope (key order is not relied on)",
             input: #"{"events":[{"type":"update","product_id":"BTC-USD","updates":[{"side":"offer","event_time":"2026-04-07T14:30:01.456789Z","price_level":"68901.50","new_quantity":"1.20000000"}]}],"sequence_num":7,"timestamp":"2026-04-07T14:30:01.456789Z","channel":"l2_data"}"#,
             expected: ["sequence 7",
                        #"{"type":"book","venue":"coinbase","symbol":"BTC-USD","snapshot":false,"bids":[],"asks":[["68901.50","1.20000000"]],"ts_exchange":1775572201456789000"# + recv + " connectionSequence(7)"]),
        Case(name: "a channel we do not use only advances the sequence",
             input: #"{"channel":"candles","client_id":"","timestamp":"2026-04-07T14:30:05.000000Z","sequence_num":14,"events":[{"type":"update","candles":[]}]}"#,
             expected: ["sequence 14"]),
        Case(name: "malformed: truncated frame", input: #"{"channel":"l2_data","timestamp":"2026-04-07T14:30:01.456789Z","sequence_num":1,"events":[{"type":"upd"#, error: .malformedJSON),
        Case(name: "malformed: trailing garbage", input: #"{"channel":"heartbeats","sequence_num":1,"events":[]}]"#, error: .malformedJSON),
        Case(name: "missing: l2_data without sequence_num",
             input: #"{"channel":"l2_data","timestamp":"2026-04-07T14:30:01.456789Z","events":[{"type":"update","product_id":"BTC-USD","updates":[]}]}"#, error: .missingField),
        Case(name: "missing: trade without price",
             input: #"{"channel":"market_trades","timestamp":"2026-04-07T14:30:02.789012Z","sequence_num":5,"events":[{"type":"update","trades":[{"trade_id":"1","product_id":"BTC-USD","size":"1","side":"BUY","time":"2026-04-07T14:30:02.789012Z"}]}]}"#, error: .missingField),
        Case(name: "missing: no channel", input: #"{"sequence_num":5,"events":[]}"#, error: .missingField),
        Case(name: "invalid: book side is neither bid nor offer",
             input: #"{"channel":"l2_data","timestamp":"2026-04-07T14:30:01.456789Z","sequence_num":1,"events":[{"type":"update","product_id":"BTC-USD","updates":[{"side":"ask","price_level":"1","new_quantity":"1"}]}]}"#, error: .invalidValue),
        Case(name: "invalid: timestamp is not RFC 3339",
             input: #"{"channel":"heartbeats","timestamp":"2026-04-07 14:30:10","sequence_num":1,"events":[]}"#, error: .invalidValue),
        Case(name: "invalid: a year whose nanoseconds overflow",
             input: #"{"channel":"heartbeats","timestamp":"9999-12-31T23:59:59Z","sequence_num":1,"events":[]}"#, error: .invalidValue),
        Case(name: "unknown product",
             input: #"{"channel":"l2_data","timestamp":"2026-04-07T14:30:01.456789Z","sequence_num":1,"events":[{"type":"update","product_id":"SOL-EUR","updates":[]}]}"#, error: .unknownSymbol),
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

    @Test("frames: heartbeats first, one channel per subscribe, shared ticker channel")
    func frames() throws {
        let btc = try Symbol("BTC-USD"), eth = try Symbol("ETH-USD")
        var adapter = Coinbase(configuration: VenueAdapterConfiguration(symbols: [btc, eth]))
        #expect(adapter.sessionStartFrames().map(\.text) == [#"{"type":"subscribe","channel":"heartbeats"}"#])
        let subs = [Subscription(symbol: btc, channel: .book), Subscription(symbol: btc, channel: .trades),
                    Subscription(symbol: eth, channel: .book), Subscription(symbol: btc, channel: .bbo),
                    Subscription(symbol: btc, channel: .ticker)]
        #expect(adapter.subscribeFrames(for: subs).map(\.text) == [
            #"{"type":"subscribe","product_ids":["BTC-USD","ETH-USD"],"channel":"level2"}"#,
            #"{"type":"subscribe","product_ids":["BTC-USD"],"channel":"market_trades"}"#,
            #"{"type":"subscribe","product_ids":["BTC-USD"],"channel":"ticker"}"#])
        #expect(adapter.subscribeFrames(for: [Subscription(symbol: btc, channel: .book)]).isEmpty, "already subscribed")
        #expect(adapter.unsubscribeFrames(for: [Subscription(symbol: btc, channel: .bbo)]).isEmpty, "ticker still needs the channel")
        #expect(adapter.unsubscribeFrames(for: [Subscription(symbol: btc, channel: .ticker), Subscription(symbol: eth, channel: .book)]).map(\.text) == [
            #"{"type":"unsubscribe","product_ids":["BTC-USD"],"channel":"ticker"}"#,
            #"{"type":"unsubscribe","product_ids":["ETH-USD"],"channel":"level2"}"#])
        // A book resync resubscribes level2 for a fresh snapshot (CB-ADV-L2).
        #expect(adapter.unsubscribeFrames(for: [Subscription(symbol: btc, channel: .book)]).map(\.text) == [#"{"type":"unsubscribe","product_ids":["BTC-USD"],"channel":"level2"}"#])
        #expect(adapter.subscribeFrames(for: [Subscription(symbol: btc, channel: .book)]).map(\.text) == [#"{"type":"subscribe","product_ids":["BTC-USD"],"channel":"level2"}"#])
        #expect(adapter.subscribeFrames(for: [Subscription(symbol: try Symbol("BTC-USD-PERP"), channel: .trades)]).isEmpty)
    }

    @Test("ticker feeds only the channels that were subscribed")
    func tickerGating() throws {
        let btc = try Symbol("BTC-USD")
        var adapter = Coinbase(configuration: VenueAdapterConfiguration(symbols: [btc]))
        _ = adapter.subscribeFrames(for: [Subscription(symbol: btc, channel: .bbo)])
        let message = #"{"channel":"ticker","client_id":"","timestamp":"2026-04-07T14:30:03.000000Z","sequence_num":4,"events":[{"type":"update","tickers":[{"type":"ticker","product_id":"BTC-USD","price":"68900.50","volume_24_h":"15328.12345678","low_24_h":"67500.00","high_24_h":"69200.00","best_bid":"68900.00","best_bid_quantity":"1.50000000","best_ask":"68901.00","best_ask_quantity":"0.50000000"}]}]}"#
        #expect(render(try adapter.parse(message, context: ParseContext(tsRecv: tsRecv))) == ["sequence 4",
            #"{"type":"bbo","venue":"coinbase","symbol":"BTC-USD","bid":"68900.00","bid_size":"1.50000000","ask":"68901.00","ask_size":"0.50000000","ts_exchange":1775572203000000000"# + recv])
    }

    @Test("RFC 3339 to nanoseconds", arguments: [
        ("2026-04-07T14:30:02.789012Z", Int64(1_775_572_202_789_012_000)),
        ("2023-02-09T20:32:50.714964855Z", 1_675_974_770_714_964_855),
        ("2026-04-07T15:30:02.5+01:00", 1_775_572_202_500_000_000),
        ("1970-01-01T00:00:00Z", 0),
        ("2024-02-29T23:59:59.999Z", 1_709_251_199_999_000_000),
    ])
    func rfc3339(_ text: String, _ expected: Int64) throws {
        var adapter = try makeAdapter()
        let message = #"{"channel":"market_trades","client_id":"","timestamp":"2026-04-07T14:30:02.789012Z","sequence_num":5,"events":[{"type":"update","trades":[{"trade_id":"1","product_id":"BTC-USD","price":"1","size":"1","side":"BUY","time":""# + text + #""}]}]}"#
        guard case .trade(let trade) = try adapter.parse(message, context: ParseContext(tsRecv: tsRecv)).last else {
            Issue.record("no trade")
            return
        }
        #expect(trade.tsExchange == expected)
    }

    @Test("symbols and spec facts")
    func symbolsAndSpec() throws {
        let adapter = Coinbase(configuration: VenueAdapterConfiguration(symbols: [try Symbol("BTC-USD")]))
        #expect(adapter.venueSymbol(for: try Symbol("ETH-EUR")) == "ETH-EUR")
        #expect(adapter.symbol(forVenueSymbol: "BTC-USD") == (try Symbol("BTC-USD")))
        #expect(adapter.symbol(forVenueSymbol: "BTC-PERP-INTX") == nil)
        #expect(Coinbase.spec.id == .coinbase)
        #expect(Coinbase.spec.channelNames[.book] == "level2")
        #expect(Coinbase.spec.keepAlive == [.heartbeatChannel(expectedEvery: Interval.seconds(1))])
        #expect(Coinbase.spec.maxOutboundMessagesPerSecond == 8)
        #expect(Coinbase.spec.connectBudget == ConnectBudget(attempts: 8, window: Interval.seconds(1)))
        #expect(Coinbase.spec.book == BookSpec(bootstrap: .streamSnapshot))
    }
}
