import Foundation
import MarketModel
import Testing
import VenueKit
import Venues

// Table-driven parser tests for OKX v5: message shapes from okx.com/docs-v5 examples and the
// cryptofeed OKX.ws.1.0 capture (2022), each with the exact outputs (venue digits, taker side, ns
// times, seqId/prevSeqId, signed checksums as unsigned bit patterns), plus the fixtures/okx sessions.

/// One parser case: a frame and either its rendered outputs or the error kind it must raise.
fileprivate struct Case: Sendable, CustomTestStringConvertible {
    let name: String
    let input: String
    var expected: [String] = []
    var error: VenueParseError.Kind? = nil
    var testDescription: String { name }
}

fileprivate let symbols = ["BTC-USDT", "ETH-USDT", "BTC-USD-20220527", "BTC-USD-20220325-40000-C", "BTC-USDT-PERP", "IOST-USDT-PERP"]

/// An adapter for the symbols above that has subscribed IOST-USDT-PERP liquidations (request 1).
fileprivate func makeAdapter() throws -> OKX {
    var adapter = OKX(configuration: VenueAdapterConfiguration(symbols: try symbols.map { try Symbol($0) }))
    _ = adapter.subscribeFrames(for: [Subscription(symbol: try Symbol("IOST-USDT-PERP"), channel: .liquidations)])
    return adapter
}

/// Renders outputs as fixture-form SPEC §5 lines (no ts_recv) plus sequencing/checksum/ack details.
fileprivate func render(_ outputs: [VenueOutput]) -> [String] {
    let encoder = NDJSONEncoder(includesReceiveTime: false)
    func line(_ event: MarketEvent) -> String { String(encoder.line(for: event).dropLast()) }
    return outputs.map { output in
        switch output {
        case .trade(let e): return line(.trade(e))
        case .book(let m): return line(.book(m.update)) + " \(m.sequencing)" + (m.checksum.map { " checksum=\($0.expected) \($0.algorithm.rawValue)" } ?? "")
        case .bbo(let e): return line(.bbo(e))
        case .ticker(let e): return line(.ticker(e))
        case .funding(let e): return line(.funding(e))
        case .liquidation(let e): return line(.liquidation(e))
        case .subscribed(let a):
            return "subscribed ok=\(a.isSuccess) id=\(a.requestID ?? "-") subs=\(a.subscriptions.map(\.description).joined(separator: ",")) msg=\(a.message ?? "-")"
        case .pong: return "pong"
        case .reconnectRequested(let reason): return "reconnect \(reason)"
        case .venueError(let text): return "venueError \(text)"
        default: return "other \(output)"
        }
    }
}

@Suite("OKX v5 adapter")
struct OKXAdapterTests {
    fileprivate static let cases: [Case] = [
        Case(name: "trades: doc example (future), taker buy, ms → ns",
             input: #"{"arg":{"channel":"trades","instId":"BTC-USD-220527"},"data":[{"instId":"BTC-USD-220527","tradeId":"7849","px":"30218.8","sz":"1","side":"buy","ts":"1652459199958"}]}"#,
             expected: [#"{"type":"trade","venue":"okx","symbol":"BTC-USD-20220527","price":"30218.8","size":"1","side":"buy","trade_id":"7849","ts_exchange":1652459199958000000}"#]),
        Case(name: "trades: one push, two fills of one taker sell (count/source/seqId ignored)",
             input: #"{"arg":{"channel":"trades","instId":"BTC-USDT"},"data":[{"instId":"BTC-USDT","tradeId":"130639475","px":"8476.97","sz":"0.5","side":"sell","ts":"1597026383595","count":"2","source":"0","seqId":4002},{"instId":"BTC-USDT","tradeId":"130639476","px":"8475.55","sz":"1.0012","side":"sell","ts":"1597026383595","count":"2","source":"0","seqId":4003}]}"#,
             expected: [#"{"type":"trade","venue":"okx","symbol":"BTC-USDT","price":"8476.97","size":"0.5","side":"sell","trade_id":"130639475","ts_exchange":1597026383595000000}"#,
                        #"{"type":"trade","venue":"okx","symbol":"BTC-USDT","price":"8475.55","size":"1.0012","side":"sell","trade_id":"130639476","ts_exchange":1597026383595000000}"#]),
        Case(name: "books snapshot: doc example, prevSeqId -1, non-zero checksum passed as its bit pattern",
             input: #"{"arg":{"channel":"books","instId":"BTC-USDT"},"action":"snapshot","data":[{"asks":[["8476.98","415","0","13"],["8477","7","0","2"]],"bids":[["8476.97","256","0","12"],["8475.55","101","0","1"]],"ts":"1597026383085","checksum":-855196043,"prevSeqId":-1,"seqId":123456}]}"#,
             expected: [#"{"type":"book","venue":"okx","symbol":"BTC-USDT","snapshot":true,"bids":[["8476.97","256"],["8475.55","101"]],"asks":[["8476.98","415"],["8477","7"]],"ts_exchange":1597026383085000000} okx(seqID: 123456, prevSeqID: -1) checksum=3439771253 okx-top25-interleaved"#]),
        Case(name: "books update: current format, checksum 0 = absent, size 0 deletes",
             input: #"{"arg":{"channel":"books","instId":"BTC-USDT"},"action":"update","data":[{"asks":[["8476.98","0","0","0"],["8476.99","12","0","1"]],"bids":[["8476.97","300","0","13"]],"ts":"1597026383185","checksum":0,"prevSeqId":123456,"seqId":123459}]}"#,
             expected: [#"{"type":"book","venue":"okx","symbol":"BTC-USDT","snapshot":false,"bids":[["8476.97","300"]],"asks":[["8476.98","0"],["8476.99","12"]],"ts_exchange":1597026383185000000} okx(seqID: 123459, prevSeqID: 123456)"#]),
        Case(name: "books keep-alive: no levels, prevSeqId == seqId",
             input: #"{"arg":{"channel":"books","instId":"ETH-USDT"},"action":"update","data":[{"asks":[],"bids":[],"ts":"1597026443385","checksum":0,"prevSeqId":98004,"seqId":98004}]}"#,
             expected: [#"{"type":"book","venue":"okx","symbol":"ETH-USDT","snapshot":false,"bids":[],"asks":[],"ts_exchange":1597026443385000000} okx(seqID: 98004, prevSeqID: 98004)"#]),
        Case(name: "books: data before action (captured, read after)",
             input: #"{"arg":{"channel":"books","instId":"ETH-USDT"},"data":[{"asks":[],"bids":[["231.8","9","0","2"]],"ts":"1597026443885","checksum":0,"prevSeqId":98004,"seqId":17}],"action":"update"}"#,
             expected: [#"{"type":"book","venue":"okx","symbol":"ETH-USDT","snapshot":false,"bids":[["231.8","9"]],"asks":[],"ts_exchange":1597026443885000000} okx(seqID: 17, prevSeqID: 98004)"#]),
        Case(name: "books: 2022 capture shape (no seqId, checksum only), option symbol",
             input: #"{"arg":{"channel":"books","instId":"BTC-USD-220325-40000-C"},"action":"snapshot","data":[{"asks":[["0.0515","29","0","1"],["0.052","606","0","2"]],"bids":[["0.05","601","0","2"]],"ts":"1646003666818","checksum":-1006770939}]}"#,
             expected: [#"{"type":"book","venue":"okx","symbol":"BTC-USD-20220325-40000-C","snapshot":true,"bids":[["0.05","601"]],"asks":[["0.0515","29"],["0.052","606"]],"ts_exchange":1646003666818000000} none checksum=3288196357 okx-top25-interleaved"#]),
        Case(name: "bbo-tbt: top level of each side",
             input: #"{"arg":{"channel":"bbo-tbt","instId":"BTC-USDT"},"data":[{"asks":[["8476.98","415","0","13"]],"bids":[["8476.97","256","0","12"]],"ts":"1597026383085","seqId":123456}]}"#,
             expected: [#"{"type":"bbo","venue":"okx","symbol":"BTC-USDT","bid":"8476.97","bid_size":"256","ask":"8476.98","ask_size":"415","ts_exchange":1597026383085000000}"#]),
        Case(name: "tickers: capture shape, empty bidPx is absent",
             input: #"{"arg":{"channel":"tickers","instId":"BTC-USD-220325-40000-C"},"data":[{"instType":"OPTION","instId":"BTC-USD-220325-40000-C","last":"0.049","lastSz":"100","askPx":"0.051","askSz":"29","bidPx":"","bidSz":"","open24h":"0.0585","high24h":"0.0585","low24h":"0.049","sodUtc0":"0.049","sodUtc8":"0.049","volCcy24h":"10","vol24h":"100","ts":"1646003643198"}]}"#,
             expected: [#"{"type":"ticker","venue":"okx","symbol":"BTC-USD-20220325-40000-C","last":"0.049","ask":"0.051","volume_24h":"100","high_24h":"0.0585","low_24h":"0.049","ts_exchange":1646003643198000000}"#]),
        Case(name: "funding-rate: fundingTime is when the current rate settles",
             input: #"{"arg":{"channel":"funding-rate","instId":"BTC-USDT-SWAP"},"data":[{"instType":"SWAP","instId":"BTC-USDT-SWAP","fundingRate":"0.0001","nextFundingRate":"","fundingTime":"1744590349506","nextFundingTime":"1744619149506","method":"current_period","ts":"1744590349506"}]}"#,
             expected: [#"{"type":"funding","venue":"okx","symbol":"BTC-USDT-PERP","rate":"0.0001","next_funding_time":1744590349506000000,"ts_exchange":1744590349506000000}"#]),
        Case(name: "liquidation-orders: doc example (details before instId); other instruments skipped",
             input: #"{"arg":{"channel":"liquidation-orders","instType":"SWAP"},"data":[{"details":[{"bkLoss":"0","bkPx":"0.007831","ccy":"","posSide":"short","side":"buy","sz":"13","ts":"1692266434010"}],"instFamily":"IOST-USDT","instId":"IOST-USDT-SWAP","instType":"SWAP","uly":"IOST-USDT"},{"details":[{"bkLoss":"0","bkPx":"1.1","ccy":"","posSide":"long","side":"sell","sz":"2","ts":"1692266434011"}],"instFamily":"XRP-USDT","instId":"XRP-USDT-SWAP","instType":"SWAP","uly":"XRP-USDT"}]}"#,
             expected: [#"{"type":"liquidation","venue":"okx","symbol":"IOST-USDT-PERP","side":"buy","price":"0.007831","size":"13","ts_exchange":1692266434010000000}"#]),
        Case(name: "subscribe ack echoes our id",
             input: #"{"id":"1512","event":"subscribe","arg":{"channel":"books","instId":"BTC-USDT"},"connId":"a4d3ae55"}"#,
             expected: ["subscribed ok=true id=1512 subs=book:BTC-USDT msg=-"]),
        Case(name: "liquidation-orders ack names the instType: every symbol of it",
             input: #"{"id":"1","event":"subscribe","arg":{"channel":"liquidation-orders","instType":"SWAP"},"connId":"a4d3ae55"}"#,
             expected: ["subscribed ok=true id=1 subs=liquidations:IOST-USDT-PERP msg=-"]),
        Case(name: "2022 ack without id or connId",
             input: #"{"event":"subscribe","arg":{"channel":"trades","instId":"BTC-USD-220527"}}"#,
             expected: ["subscribed ok=true id=- subs=trades:BTC-USD-20220527 msg=-"]),
        Case(name: "unsubscribe ack: nothing to report", input: #"{"id":"2","event":"unsubscribe","arg":{"channel":"books","instId":"BTC-USDT"},"connId":"a4d3ae55"}"#),
        Case(name: "error with our id refuses that request",
             input: #"{"id":"1512","event":"error","code":"60012","msg":"Invalid request: {\"op\": \"subscribe\", \"argss\":[{ \"channel\" : \"books\", \"instId\" : \"BTC-USDT\"}]}","connId":"a4d3ae55"}"#,
             expected: [#"subscribed ok=false id=1512 subs= msg=60012: Invalid request: {"op": "subscribe", "argss":[{ "channel" : "books", "instId" : "BTC-USDT"}]}"#]),
        Case(name: "error without id", input: #"{"event":"error","code":"64003","msg":"Your trading fee tier doesn't meet the requirement to access this channel","connId":"a4d3ae55"}"#,
             expected: ["venueError 64003: Your trading fee tier doesn't meet the requirement to access this channel"]),
        Case(name: "notice 64008: service upgrade, reconnect",
             input: #"{"event":"notice","code":"64008","msg":"The connection will soon be closed for a service upgrade. Please reconnect.","connId":"a4d3ae55"}"#,
             expected: ["reconnect 64008: The connection will soon be closed for a service upgrade. Please reconnect."]),
        Case(name: "channel-conn-count-error",
             input: #"{"event":"channel-conn-count-error","channel":"orders","connCount":"30","connId":"a4d3ae55"}"#,
             expected: ["venueError channel-conn-count-error connCount 30"]),
        Case(name: "text pong answers our text ping", input: "pong", expected: ["pong"]),
        Case(name: "malformed: truncated push", input: #"{"arg":{"channel":"trades","instId":"BTC-USDT"},"data":[{"instId":"BTC-USDT","tradeId":"1306"#, error: .malformedJSON),
        Case(name: "malformed: trailing garbage", input: #"{"event":"subscribe","arg":{"channel":"trades","instId":"BTC-USDT"}}x"#, error: .malformedJSON),
        Case(name: "malformed: bare text other than pong", input: "ping", error: .malformedJSON),
        Case(name: "missing: trade without px", input: #"{"arg":{"channel":"trades","instId":"BTC-USDT"},"data":[{"tradeId":"1","sz":"1","side":"buy","ts":"1"}]}"#, error: .missingField),
        Case(name: "missing: current-format update without seqId", input: #"{"arg":{"channel":"books","instId":"BTC-USDT"},"action":"update","data":[{"asks":[],"bids":[],"ts":"1","checksum":0}]}"#, error: .missingField),
        Case(name: "missing: update without prevSeqId", input: #"{"arg":{"channel":"books","instId":"BTC-USDT"},"action":"update","data":[{"asks":[],"bids":[],"ts":"1","checksum":0,"seqId":5}]}"#, error: .missingField),
        Case(name: "missing: push without arg.instId", input: #"{"arg":{"channel":"trades"},"data":[]}"#, error: .missingField),
        Case(name: "invalid: side is not buy/sell", input: #"{"arg":{"channel":"trades","instId":"BTC-USDT"},"data":[{"tradeId":"1","px":"1","sz":"1","side":"long","ts":"1"}]}"#, error: .invalidValue),
        Case(name: "invalid: px is not a decimal", input: #"{"arg":{"channel":"trades","instId":"BTC-USDT"},"data":[{"tradeId":"1","px":"1.2.3","sz":"1","side":"buy","ts":"1"}]}"#, error: .invalidValue),
        Case(name: "invalid: action is neither snapshot nor update", input: #"{"arg":{"channel":"books","instId":"BTC-USDT"},"action":"partial","data":[{"asks":[],"bids":[],"ts":"1","checksum":0,"prevSeqId":1,"seqId":2}]}"#, error: .invalidValue),
        Case(name: "invalid: checksum outside int32", input: #"{"arg":{"channel":"books","instId":"BTC-USDT"},"action":"update","data":[{"asks":[],"bids":[],"ts":"1","checksum":4294967296,"prevSeqId":1,"seqId":2}]}"#, error: .invalidValue),
        Case(name: "unknown instId", input: #"{"arg":{"channel":"trades","instId":"DOGE-USDT"},"data":[]}"#, error: .unknownSymbol),
        Case(name: "unexpected: a channel we never subscribe", input: #"{"arg":{"channel":"candle1m","instId":"BTC-USDT"},"data":[["1597026383085","8533","8553","8527","8548","45","529","529","0"]]}"#, error: .unexpectedMessage),
        Case(name: "unexpected: unknown event", input: #"{"event":"login","code":"0","msg":""}"#, error: .unexpectedMessage),
    ]

    @Test("parse", arguments: cases)
    fileprivate func parse(_ c: Case) throws {
        var adapter = try makeAdapter()
        if let kind = c.error {
            #expect { _ = try adapter.parse(c.input, context: ParseContext(tsRecv: 1)) } throws: { ($0 as? VenueParseError)?.kind == kind }
        } else {
            #expect(render(try adapter.parse(c.input, context: ParseContext(tsRecv: 1))) == c.expected)
        }
    }

    @Test("events carry ts_recv; a failing message appends nothing (no half-parsed push)")
    func receiveTimeAndAtomicity() throws {
        var adapter = try makeAdapter()
        let outs = try adapter.parse(#"{"arg":{"channel":"trades","instId":"BTC-USDT"},"data":[{"tradeId":"9","px":"1","sz":"2","side":"buy","ts":"3"}]}"#,
                                     context: ParseContext(tsRecv: 1_700_000_000_123_456_789))
        guard case .trade(let trade) = outs.first else { Issue.record("no trade"); return }
        #expect(trade.tsRecv == 1_700_000_000_123_456_789)
        // The first fill parses, the second does not: the output keeps only what was there before.
        var output = VenueOutputs([.pong])
        var text = #"{"arg":{"channel":"trades","instId":"BTC-USDT"},"data":[{"tradeId":"9","px":"1","sz":"2","side":"buy","ts":"3"},{"tradeId":"10","px":"1","sz":"2","side":"?","ts":"3"}]}"#
        #expect(throws: VenueParseError.self) {
            try text.withUTF8 { try adapter.parse(UnsafeRawBufferPointer($0), context: ParseContext(tsRecv: 1), into: &output) }
        }
        #expect(output.count == 1)
    }

    @Test("subscribe frames: one request, channel then symbol order, liquidation-orders once per instType")
    func subscribeFrames() throws {
        let btc = try Symbol("BTC-USDT"), eth = try Symbol("ETH-USDT"), perp = try Symbol("BTC-USDT-PERP"), ethPerp = try Symbol("ETH-USDT-PERP")
        var adapter = OKX(configuration: VenueAdapterConfiguration(symbols: [btc, eth, perp, ethPerp]))
        let frames = adapter.subscribeFrames(for: [
            Subscription(symbol: perp, channel: .liquidations), Subscription(symbol: btc, channel: .book),
            Subscription(symbol: eth, channel: .trades), Subscription(symbol: btc, channel: .trades),
            Subscription(symbol: ethPerp, channel: .liquidations), Subscription(symbol: perp, channel: .funding),
            Subscription(symbol: btc, channel: .bbo), Subscription(symbol: btc, channel: .ticker),
            Subscription(symbol: btc, channel: .liquidations),   // spot: OKX has no side/bkPx for MARGIN
        ])
        #expect(frames.map(\.text) == [#"{"id":"1","op":"subscribe","args":[{"channel":"trades","instId":"BTC-USDT"},{"channel":"trades","instId":"ETH-USDT"},{"channel":"books","instId":"BTC-USDT"},{"channel":"bbo-tbt","instId":"BTC-USDT"},{"channel":"tickers","instId":"BTC-USDT"},{"channel":"funding-rate","instId":"BTC-USDT-SWAP"},{"channel":"liquidation-orders","instType":"SWAP"}]}"#])
        #expect(adapter.unsubscribeFrames(for: [Subscription(symbol: perp, channel: .liquidations)]).isEmpty)  // ETH perp still wants it
        #expect(adapter.unsubscribeFrames(for: [Subscription(symbol: ethPerp, channel: .liquidations), Subscription(symbol: btc, channel: .book)]).map(\.text)
            == [#"{"id":"2","op":"unsubscribe","args":[{"channel":"books","instId":"BTC-USDT"},{"channel":"liquidation-orders","instType":"SWAP"}]}"#])
        // Unknown symbols produce no args.
        #expect(adapter.subscribeFrames(for: [Subscription(symbol: try Symbol("XRP-USDT"), channel: .trades)]).isEmpty)
    }

    @Test("instId mapping: spot, SWAP, dated future, option")
    func symbols() throws {
        let adapter = OKX(configuration: VenueAdapterConfiguration(symbols: try ["BTC-USDT", "BTC-USDT-PERP", "BTC-USD-20261225", "BTC-USD-20261225-100000-C"].map { try Symbol($0) }))
        #expect(adapter.venueSymbol(for: try Symbol("BTC-USDT")) == "BTC-USDT")
        #expect(adapter.venueSymbol(for: try Symbol("BTC-USDT-PERP")) == "BTC-USDT-SWAP")
        #expect(adapter.venueSymbol(for: try Symbol("BTC-USD-20261225")) == "BTC-USD-261225")
        #expect(adapter.venueSymbol(for: try Symbol("BTC-USD-20261225-100000-C")) == "BTC-USD-261225-100000-C")
        #expect(adapter.symbol(forVenueSymbol: "BTC-USD-261225-100000-C") == (try Symbol("BTC-USD-20261225-100000-C")))
        #expect(adapter.symbol(forVenueSymbol: "ETH-USDT") == nil)
    }

    @Test("spec: OKX limits and keep-alive")
    func spec() {
        let spec = OKX.spec
        #expect(spec.id == .okx)
        #expect(spec.marketDataURLs == ["wss://ws.okx.com:8443/ws/v5/public"])
        #expect(spec.keepAlive == [.applicationPing(payload: "ping", every: 20_000_000_000)])
        #expect(spec.connectBudget == ConnectBudget(attempts: 3, window: 1_000_000_000))
        #expect(spec.maxSubscriptionsPerConnection == 30)
        #expect(spec.book == BookSpec(bootstrap: .streamSnapshot, checksum: .okxTop25Interleaved))
        #expect(spec.channelNames[.book] == "books" && spec.channelNames[.bbo] == "bbo-tbt" && spec.channelNames[.liquidations] == "liquidation-orders")
    }

    @Test("fixtures/okx: sends are our frames, every frame but the malformed one parses, seqIds chain, legacy CRCs verify",
          arguments: ["trades", "book", "gap-resync", "checksum-mismatch", "reconnect", "malformed"])
    func fixture(_ scenario: String) throws {
        let result = try replayOKX(scenario)
        #expect(result.parseErrors == (scenario == "malformed" ? 1 : 0))
        #expect(result.gaps == (scenario == "gap-resync" ? 1 : 0))
        #expect(result.checksumMismatches == (scenario == "checksum-mismatch" ? 1 : 0))
        #expect(result.checksumsVerified == (scenario == "checksum-mismatch" ? 5 : 0))
        #expect(result.events > 0)
    }
}

fileprivate struct SessionLine: Decodable {
    let t: Int64, ev: String
    let conn: Int?, text: String?, url: String?, symbols: [String]?, channels: [String]?
}

fileprivate struct ReplayResult { var parseErrors = 0, gaps = 0, checksumMismatches = 0, checksumsVerified = 0, events = 0 }

/// Replays fixtures/okx/<scenario>: checks every `send` against the adapter's own frames (after a
/// gap or mismatch: unsubscribe + subscribe of that book), parses every `recv`, and keeps a local
/// book per symbol to check prevSeqId chains and non-zero (legacy) checksums over the parsed digits.
fileprivate func replayOKX(_ scenario: String) throws -> ReplayResult {
    let file = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath().deletingLastPathComponent()
        .appendingPathComponent("../../fixtures/okx/\(scenario)/session.jsonl").standardized
    let lines = try String(contentsOf: file, encoding: .utf8).split(separator: "\n").map { try JSONDecoder().decode(SessionLine.self, from: Data($0.utf8)) }
    guard let config = lines.first, config.ev == "config" else { throw VenueParseError.unexpected("no config line") }
    let syms = try (config.symbols ?? []).map { try Symbol($0) }
    let subs = syms.flatMap { s in (config.channels ?? []).compactMap { Channel(rawValue: $0) }.map { Subscription(symbol: s, channel: $0) } }
    var result = ReplayResult()
    var adapters: [Int: OKX] = [:], pending: [Int: [String]] = [:]
    var books: [Symbol: (bids: [FixedDecimal: BookLevel], asks: [FixedDecimal: BookLevel], seq: Int64)] = [:]
    for line in lines.dropFirst() {
        let conn = line.conn ?? 0
        switch line.ev {
        case "connect":
            #expect(line.url == OKX.spec.marketDataURLs[0])
            var adapter = OKX(configuration: VenueAdapterConfiguration(symbols: syms))
            pending[conn] = (adapter.sessionStartFrames() + adapter.subscribeFrames(for: subs)).map(\.text)
            adapters[conn] = adapter
        case "send":
            if pending[conn, default: []].isEmpty, var adapter = adapters[conn] {
                // A resync: the pipeline unsubscribes and resubscribes the broken book.
                let frames = syms.map { Subscription(symbol: $0, channel: .book) }.map { sub -> (OKX, [String]) in
                    var copy = adapter
                    return (copy, (copy.unsubscribeFrames(for: [sub]) + copy.subscribeFrames(for: [sub])).map(\.text))
                }.first { $0.1.first == line.text }
                adapter = frames?.0 ?? adapter
                pending[conn] = frames?.1 ?? []
                adapters[conn] = adapter
            }
            #expect(line.text == pending[conn]?.first, "t=\(line.t)")
            if !(pending[conn] ?? []).isEmpty { pending[conn]?.removeFirst() }
        case "recv":
            guard var adapter = adapters[conn], let text = line.text else { continue }
            let outputs: [VenueOutput]
            do { outputs = try adapter.parse(text, context: ParseContext(tsRecv: line.t * 1_000_000, connectionID: conn)) } catch { result.parseErrors += 1; continue }
            adapters[conn] = adapter
            for case .book(let m) in outputs {
                let u = m.update
                guard case .okx(let seq, let prev) = m.sequencing else { continue }
                if u.isSnapshot { books[u.symbol] = ([:], [:], seq) }
                guard var book = books[u.symbol] else { continue }
                if !u.isSnapshot && prev != book.seq { result.gaps += 1; books[u.symbol] = nil; continue }
                for l in u.bids { book.bids[l.price] = l.size.isZero ? nil : l }
                for l in u.asks { book.asks[l.price] = l.size.isZero ? nil : l }
                book.seq = seq
                books[u.symbol] = book
                guard let checksum = m.checksum else { continue }
                let bids = book.bids.keys.sorted(by: >).prefix(25).compactMap { book.bids[$0] }
                let asks = book.asks.keys.sorted().prefix(25).compactMap { book.asks[$0] }
                var parts: [String] = []
                for i in 0 ..< 25 {
                    if i < bids.count { parts += [bids[i].price.description, bids[i].size.description] }
                    if i < asks.count { parts += [asks[i].price.description, asks[i].size.description] }
                }
                if CRC32.checksum(parts.joined(separator: ":")) == checksum.expected { result.checksumsVerified += 1 }
                else { result.checksumMismatches += 1; books[u.symbol] = nil }
            }
            result.events += outputs.count
        case "disconnect":
            adapters[conn] = nil
            books = [:]
        default: break
        }
    }
    #expect(pending.values.allSatisfy { $0.isEmpty })
    return result
}
