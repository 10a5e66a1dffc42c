import Foundation
import MarketModel
import Testing
import VenueKit
import Venues

// Table-driven parser tests for Kraken spot WebSocket v2: message shapes from docs.kraken.com
// (trade, book, ticker, heartbeat, ping, status pages; book-checksum-v2 example) and VENUES.md §3,
// each with exact outputs (JSON-number digits kept, RFC 3339 → ns, unsigned CRC-32), plus the
// fixtures/kraken sessions with the top-10 checksum recomputed from the parsed digits.

/// One parser case: a frame and either its rendered outputs or the error kind it must raise.
fileprivate struct Case: Sendable, CustomTestStringConvertible {
    let name: String
    let input: String
    var expected: [String] = []
    var error: VenueParseError.Kind? = nil
    var testDescription: String { name }
}

/// An adapter for BTC-USD and ETH-USD; ETH-USD's ticker serves both bbo and ticker.
fileprivate func makeAdapter() throws -> Kraken {
    let btc = try Symbol("BTC-USD"), eth = try Symbol("ETH-USD")
    var adapter = Kraken(configuration: VenueAdapterConfiguration(symbols: [btc, eth]))
    _ = adapter.subscribeFrames(for: [Subscription(symbol: btc, channel: .bbo), Subscription(symbol: eth, channel: .bbo),
                                      Subscription(symbol: eth, channel: .ticker)])
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
        case .subscribed(let a):
            return "subscribed ok=\(a.isSuccess) id=\(a.requestID ?? "-") subs=\(a.subscriptions.map(\.description).joined(separator: ",")) msg=\(a.message ?? "-")"
        case .heartbeat: return "heartbeat"
        case .pong: return "pong"
        case .venueError(let text): return "venueError \(text)"
        default: return "other \(output)"
        }
    }
}

fileprivate let docSnapshot = #"{"channel":"book","type":"snapshot","data":[{"symbol":"BTC/USD","bids":[{"price":45283.5,"qty":0.10000000},{"price":45283.4,"qty":1.54582015},{"price":45282.1,"qty":0.10000000},{"price":45281.0,"qty":0.10000000},{"price":45280.3,"qty":1.54592586},{"price":45279.0,"qty":0.07990000},{"price":45277.6,"qty":0.03310103},{"price":45277.5,"qty":0.30000000},{"price":45277.3,"qty":1.54602737},{"price":45276.6,"qty":0.15445238}],"asks":[{"price":45285.2,"qty":0.00100000},{"price":45286.4,"qty":1.54571953},{"price":45286.6,"qty":1.54571109},{"price":45289.6,"qty":1.54560911},{"price":45290.2,"qty":0.15890660},{"price":45291.8,"qty":1.54553491},{"price":45294.7,"qty":0.04454749},{"price":45296.1,"qty":0.35380000},{"price":45297.5,"qty":0.09945542},{"price":45299.5,"qty":0.18772827}],"checksum":3310070434,"timestamp":"2023-10-06T17:35:55.440295Z"}]}"#

@Suite("Kraken v2 adapter")
struct KrakenAdapterTests {
    fileprivate static let cases: [Case] = [
        Case(name: "trade update: doc example, two trades, taker sides, JSON-number digits kept",
             input: #"{"channel":"trade","type":"update","data":[{"symbol":"BTC/USD","side":"buy","price":105944.20,"qty":0.00027625,"ord_type":"limit","trade_id":10218208,"timestamp":"2023-10-06T17:35:55.440295Z"},{"symbol":"BTC/USD","side":"sell","price":105910.50,"qty":0.00012460,"ord_type":"market","trade_id":10218209,"timestamp":"2023-10-06T17:35:56.123456Z"}]}"#,
             expected: [#"{"type":"trade","venue":"kraken","symbol":"BTC-USD","price":"105944.20","size":"0.00027625","side":"buy","trade_id":"10218208","ts_exchange":1696613755440295000}"#,
                        #"{"type":"trade","venue":"kraken","symbol":"BTC-USD","price":"105910.50","size":"0.00012460","side":"sell","trade_id":"10218209","ts_exchange":1696613756123456000}"#]),
        Case(name: "trade snapshot (if requested) is parsed the same way",
             input: #"{"channel":"trade","type":"snapshot","data":[{"symbol":"ETH/USD","side":"sell","price":1641.25,"qty":2,"ord_type":"market","trade_id":7,"timestamp":"2023-10-06T17:35:55Z"}]}"#,
             expected: [#"{"type":"trade","venue":"kraken","symbol":"ETH-USD","price":"1641.25","size":"2","side":"sell","trade_id":"7","ts_exchange":1696613755000000000}"#]),
        Case(name: "book snapshot: official checksum example 3310070434, 45281.0 keeps its digits",
             input: docSnapshot,
             expected: [#"{"type":"book","venue":"kraken","symbol":"BTC-USD","snapshot":true,"bids":[["45283.5","0.10000000"],["45283.4","1.54582015"],["45282.1","0.10000000"],["45281.0","0.10000000"],["45280.3","1.54592586"],["45279.0","0.07990000"],["45277.6","0.03310103"],["45277.5","0.30000000"],["45277.3","1.54602737"],["45276.6","0.15445238"]],"asks":[["45285.2","0.00100000"],["45286.4","1.54571953"],["45286.6","1.54571109"],["45289.6","1.54560911"],["45290.2","0.15890660"],["45291.8","1.54553491"],["45294.7","0.04454749"],["45296.1","0.35380000"],["45297.5","0.09945542"],["45299.5","0.18772827"]],"ts_exchange":1696613755440295000} none checksum=3310070434 kraken-v2-top10"#]),
        Case(name: "book update: VENUES example, empty asks, qty 0 deletes",
             input: #"{"channel":"book","type":"update","data":[{"symbol":"BTC/USD","bids":[{"price":105944.20,"qty":0.250},{"price":105940.0,"qty":0}],"asks":[],"checksum":2114181697,"timestamp":"2023-10-06T17:35:56.123456Z"}]}"#,
             expected: [#"{"type":"book","venue":"kraken","symbol":"BTC-USD","snapshot":false,"bids":[["105944.20","0.250"],["105940.0","0"]],"asks":[],"ts_exchange":1696613756123456000} none checksum=2114181697 kraken-v2-top10"#]),
        Case(name: "ticker (bbo trigger) → bbo",
             input: #"{"channel":"ticker","type":"update","data":[{"symbol":"BTC/USD","bid":105944.20,"bid_qty":2.5,"ask":105944.30,"ask_qty":3.2,"last":105899.40,"volume":163.28908096,"vwap":105904.39279,"low":104711.00,"high":106613.10,"change":250.00,"change_pct":0.24,"timestamp":"2022-12-25T09:30:59.123456Z"}]}"#,
             expected: [#"{"type":"bbo","venue":"kraken","symbol":"BTC-USD","bid":"105944.20","bid_size":"2.5","ask":"105944.30","ask_size":"3.2","ts_exchange":1671960659123456000}"#]),
        Case(name: "ticker serving bbo and ticker → both (no timestamp: older ticker shape)",
             input: #"{"channel":"ticker","type":"snapshot","data":[{"symbol":"ETH/USD","bid":1641.25,"bid_qty":3.5,"ask":1641.26,"ask_qty":0.418,"last":1641.25,"volume":20512.55,"vwap":1630.1,"low":1610.00,"high":1650.99,"change":12.50,"change_pct":0.77}]}"#,
             expected: [#"{"type":"bbo","venue":"kraken","symbol":"ETH-USD","bid":"1641.25","bid_size":"3.5","ask":"1641.26","ask_size":"0.418"}"#,
                        #"{"type":"ticker","venue":"kraken","symbol":"ETH-USD","last":"1641.25","bid":"1641.25","ask":"1641.26","volume_24h":"20512.55","high_24h":"1650.99","low_24h":"1610.00"}"#]),
        Case(name: "heartbeat", input: #"{"channel":"heartbeat"}"#, expected: ["heartbeat"]),
        Case(name: "pong", input: #"{"method":"pong","req_id":42,"time_in":"2023-09-25T09:05:00.123456Z","time_out":"2023-09-25T09:05:00.123500Z"}"#, expected: ["pong"]),
        Case(name: "status online (type after data; connection_id exceeds Int64)",
             input: #"{"channel":"status","data":[{"api_version":"v2","connection_id":12393906104898154338,"system":"online","version":"2.0.0"}],"type":"update"}"#),
        Case(name: "status maintenance is reported",
             input: #"{"channel":"status","data":[{"api_version":"v2","connection_id":12393906104898154338,"system":"maintenance","version":"2.0.0"}],"type":"update"}"#,
             expected: ["venueError kraken system status: maintenance"]),
        Case(name: "book subscribe ack",
             input: #"{"method":"subscribe","result":{"channel":"book","depth":10,"snapshot":true,"symbol":"BTC/USD"},"success":true,"time_in":"2023-10-06T17:35:55.102934Z","time_out":"2023-10-06T17:35:55.103012Z","req_id":1}"#,
             expected: ["subscribed ok=true id=1 subs=book:BTC-USD msg=-"]),
        Case(name: "ticker ack confirms what that ticker serves",
             input: #"{"method":"subscribe","result":{"channel":"ticker","symbol":"ETH/USD","snapshot":true},"success":true,"time_in":"2023-09-25T09:04:31.742599Z","time_out":"2023-09-25T09:04:31.742648Z","req_id":3}"#,
             expected: ["subscribed ok=true id=3 subs=bbo:ETH-USD,ticker:ETH-USD msg=-"]),
        Case(name: "subscribe refusal",
             input: #"{"error":"Currency pair not supported XBT/USD","method":"subscribe","success":false,"symbol":"XBT/USD","time_in":"2023-09-25T09:04:31.742599Z","time_out":"2023-09-25T09:04:31.742648Z","req_id":4}"#,
             expected: ["subscribed ok=false id=4 subs= msg=Currency pair not supported XBT/USD"]),
        Case(name: "unsubscribe ack: nothing to report",
             input: #"{"method":"unsubscribe","result":{"channel":"book","depth":10,"symbol":"BTC/USD"},"success":true,"time_in":"2023-10-06T17:35:56.202934Z","time_out":"2023-10-06T17:35:56.203012Z","req_id":2}"#),
        Case(name: "rate limit error", input: #"{"error":"Exceeded msg rate","method":"subscribe","success":false,"time_in":"2023-09-25T09:04:31.742599Z","time_out":"2023-09-25T09:04:31.742648Z"}"#,
             expected: ["subscribed ok=false id=- subs= msg=Exceeded msg rate"]),
        Case(name: "error for an unparsable request", input: #"{"error":"Malformed request","method":"error","success":false}"#,
             expected: ["venueError error: Malformed request"]),
        Case(name: "malformed: truncated", input: #"{"channel":"trade","type":"update","data":[{"symbol":"BTC/USD","side":"sell","price":45283.5,"qty"#, error: .malformedJSON),
        Case(name: "malformed: a price that is not a JSON number", input: #"{"channel":"trade","type":"update","data":[{"symbol":"BTC/USD","side":"sell","price":45283.5.1,"qty":1,"trade_id":1,"timestamp":"2023-10-06T17:35:55Z"}]}"#, error: .malformedJSON),
        Case(name: "missing: book without checksum", input: #"{"channel":"book","type":"update","data":[{"symbol":"BTC/USD","bids":[],"asks":[],"timestamp":"2023-10-06T17:35:55Z"}]}"#, error: .missingField),
        Case(name: "missing: trade without trade_id", input: #"{"channel":"trade","type":"update","data":[{"symbol":"BTC/USD","side":"buy","price":1,"qty":1,"timestamp":"2023-10-06T17:35:55Z"}]}"#, error: .missingField),
        Case(name: "missing: level without qty", input: #"{"channel":"book","type":"update","data":[{"symbol":"BTC/USD","bids":[{"price":1}],"asks":[],"checksum":1}]}"#, error: .missingField),
        Case(name: "missing: book push without data", input: #"{"channel":"book","type":"update"}"#, error: .missingField),
        Case(name: "invalid: timestamp is not RFC 3339 UTC", input: #"{"channel":"trade","type":"update","data":[{"symbol":"BTC/USD","side":"buy","price":1,"qty":1,"trade_id":1,"timestamp":"2023-10-06 17:35:55+02:00"}]}"#, error: .invalidValue),
        Case(name: "invalid: checksum above UInt32", input: #"{"channel":"book","type":"update","data":[{"symbol":"BTC/USD","bids":[],"asks":[],"checksum":4294967296}]}"#, error: .invalidValue),
        Case(name: "invalid: side", input: #"{"channel":"trade","type":"update","data":[{"symbol":"BTC/USD","side":"b","price":1,"qty":1,"trade_id":1,"timestamp":"2023-10-06T17:35:55Z"}]}"#, error: .invalidValue),
        Case(name: "invalid: type", input: #"{"channel":"book","type":"partial","data":[]}"#, error: .invalidValue),
        Case(name: "unknown symbol (v1 name)", input: #"{"channel":"trade","type":"update","data":[{"symbol":"XBT/USD","side":"buy","price":1,"qty":1,"trade_id":1,"timestamp":"2023-10-06T17:35:55Z"}]}"#, error: .unknownSymbol),
        Case(name: "unexpected: a channel we never subscribe", input: #"{"channel":"ohlc","type":"update","data":[{"symbol":"BTC/USD","open":1}]}"#, error: .unexpectedMessage),
        Case(name: "unexpected: neither method nor channel", input: #"{"req_id":1}"#, error: .unexpectedMessage),
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

    @Test("RFC 3339 → ns: fractions of 0-9 digits, leap day", arguments: [
        ("2023-10-06T17:35:55.440295Z", Int64(1_696_613_755_440_295_000)), ("2023-10-06T17:35:55Z", 1_696_613_755_000_000_000),
        ("1970-01-01T00:00:00.5Z", 500_000_000), ("2024-02-29T23:59:59.999999999Z", 1_709_251_199_999_999_999),
    ])
    func timestamps(_ text: String, _ ns: Int64) throws {
        var adapter = try makeAdapter()
        let outs = try adapter.parse(#"{"channel":"trade","type":"update","data":[{"symbol":"BTC/USD","side":"buy","price":1,"qty":1,"trade_id":1,"timestamp":"\#(text)"}]}"#,
                                     context: ParseContext(tsRecv: 7))
        guard case .trade(let trade) = outs.first else { Issue.record("no trade"); return }
        #expect(trade.tsExchange == ns)
        #expect(trade.tsRecv == 7)
    }

    @Test("the parsed digits reproduce the official checksum (what Books will compute)")
    func checksumFromParsedDigits() throws {
        var adapter = try makeAdapter()
        guard case .book(let m) = try adapter.parse(docSnapshot, context: ParseContext(tsRecv: 1)).first else { Issue.record("no book"); return }
        #expect(krakenChecksum(asks: m.update.asks, bids: m.update.bids) == m.checksum?.expected)
    }

    @Test("subscribe frames: one request per channel, trades without snapshot, depth 10, bbo trigger, ticker once per symbol")
    func subscribeFrames() throws {
        let btc = try Symbol("BTC-USD"), eth = try Symbol("ETH-USD")
        var adapter = Kraken(configuration: VenueAdapterConfiguration(symbols: [btc, eth, try Symbol("BTC-USDT-PERP")], bookDepth: 25))
        let frames = adapter.subscribeFrames(for: [
            Subscription(symbol: eth, channel: .book), Subscription(symbol: btc, channel: .book), Subscription(symbol: btc, channel: .trades),
            Subscription(symbol: eth, channel: .ticker), Subscription(symbol: btc, channel: .ticker), Subscription(symbol: btc, channel: .bbo),
            Subscription(symbol: try Symbol("BTC-USDT-PERP"), channel: .trades),   // not a Kraken spot pair: skipped
        ])
        #expect(frames.map(\.text) == [
            #"{"method":"subscribe","params":{"channel":"trade","symbol":["BTC/USD"],"snapshot":false},"req_id":1}"#,
            #"{"method":"subscribe","params":{"channel":"book","symbol":["BTC/USD","ETH/USD"],"depth":10},"req_id":2}"#,
            #"{"method":"subscribe","params":{"channel":"ticker","symbol":["BTC/USD"],"event_trigger":"bbo"},"req_id":3}"#,
            #"{"method":"subscribe","params":{"channel":"ticker","symbol":["ETH/USD"]},"req_id":4}"#,
        ])
        // BTC's ticker still serves `.ticker`: unsubscribing bbo sends nothing; the last user unsubscribes.
        #expect(adapter.unsubscribeFrames(for: [Subscription(symbol: btc, channel: .bbo)]).isEmpty)
        #expect(adapter.unsubscribeFrames(for: [Subscription(symbol: btc, channel: .ticker), Subscription(symbol: btc, channel: .book)]).map(\.text) == [
            #"{"method":"unsubscribe","params":{"channel":"book","symbol":["BTC/USD"],"depth":10},"req_id":5}"#,
            #"{"method":"unsubscribe","params":{"channel":"ticker","symbol":["BTC/USD"]},"req_id":6}"#,
        ])
        #expect(adapter.venueSymbol(for: btc) == "BTC/USD")
        #expect(adapter.symbol(forVenueSymbol: "ETH/USD") == eth)
    }

    @Test("spec: Kraken limits, keep-alive and book rules")
    func spec() {
        let spec = Kraken.spec
        #expect(spec.id == .kraken)
        #expect(spec.marketDataURLs == ["wss://ws.kraken.com/v2"])
        #expect(spec.keepAlive == [.applicationPing(payload: #"{"method":"ping"}"#, every: 20_000_000_000), .heartbeatChannel(expectedEvery: 1_000_000_000)])
        #expect(spec.connectBudget == ConnectBudget(attempts: 150, window: 600_000_000_000))
        #expect(spec.book == BookSpec(bootstrap: .streamSnapshot, maxDepth: 10, checksum: .krakenTop10))
    }

    @Test("fixtures/kraken: sends are our frames, every frame but the malformed one parses, checksums verify except where constructed not to",
          arguments: ["trades", "book", "gap-resync", "checksum-mismatch", "reconnect", "malformed"])
    func fixture(_ scenario: String) throws {
        let result = try replayKraken(scenario)
        #expect(result.parseErrors == (scenario == "malformed" ? 1 : 0))
        #expect(result.checksumMismatches == (["gap-resync", "checksum-mismatch"].contains(scenario) ? 1 : 0))
        let verified = ["trades": 0, "book": 6, "gap-resync": 4, "checksum-mismatch": 7, "reconnect": 4, "malformed": 3]
        #expect(result.checksumsVerified == verified[scenario])
        #expect(result.events > 0)
    }
}

/// Kraken v2 top-10 checksum over the parsed levels (asks low→high, then bids high→low).
fileprivate func krakenChecksum(asks: [BookLevel], bids: [BookLevel]) -> UInt32 {
    var text: [UInt8] = []
    for level in asks.sorted(by: { $0.price < $1.price }).prefix(10) + bids.sorted(by: { $0.price > $1.price }).prefix(10) {
        level.price.writeKrakenChecksumDigits(into: &text)
        level.size.writeKrakenChecksumDigits(into: &text)
    }
    return CRC32.checksum(text)
}

fileprivate struct SessionLine: Decodable {
    let t: Int64, ev: String
    let conn: Int?, text: String?, url: String?, symbols: [String]?, channels: [String]?
}

fileprivate struct ReplayResult { var parseErrors = 0, checksumMismatches = 0, checksumsVerified = 0, events = 0 }

/// Replays fixtures/kraken/<scenario>: sends against the adapter's frames (after a mismatch:
/// unsubscribe + subscribe of that book), parses every recv, and maintains each book (qty 0
/// deletes, truncation to depth 10) to check every checksum over the parsed digits.
fileprivate func replayKraken(_ scenario: String) throws -> ReplayResult {
    let file = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath().deletingLastPathComponent()
        .appendingPathComponent("../../fixtures/kraken/\(scenario)/session.jsonl").standardized
    let lines = try String(contentsOf: file, encoding: .utf8).split(separator: "\n").map { try JSONDecoder().decode(SessionLine.self, from: Data($0.utf8)) }
    guard let config = lines.first, config.ev == "config" else { throw VenueParseError.unexpected("no config line") }
    let syms = try (config.symbols ?? []).map { try Symbol($0) }
    let subs = syms.flatMap { s in (config.channels ?? []).compactMap { Channel(rawValue: $0) }.map { Subscription(symbol: s, channel: $0) } }
    var result = ReplayResult()
    var adapters: [Int: Kraken] = [:], pending: [Int: [String]] = [:]
    var books: [Symbol: (bids: [FixedDecimal: BookLevel], asks: [FixedDecimal: BookLevel])] = [:]
    for line in lines.dropFirst() {
        let conn = line.conn ?? 0
        switch line.ev {
        case "connect":
            #expect(line.url == Kraken.spec.marketDataURLs[0])
            var adapter = Kraken(configuration: VenueAdapterConfiguration(symbols: syms))
            pending[conn] = (adapter.sessionStartFrames() + adapter.subscribeFrames(for: subs)).map(\.text)
            adapters[conn] = adapter
        case "send":
            if pending[conn, default: []].isEmpty, let adapter = adapters[conn] {
                let resync = syms.map { Subscription(symbol: $0, channel: .book) }.map { sub -> (Kraken, [String]) in
                    var copy = adapter
                    return (copy, (copy.unsubscribeFrames(for: [sub]) + copy.subscribeFrames(for: [sub])).map(\.text))
                }.first { $0.1.first == line.text }
                adapters[conn] = resync?.0 ?? adapter
                pending[conn] = resync?.1 ?? []
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
                if u.isSnapshot { books[u.symbol] = ([:], [:]) }
                guard var book = books[u.symbol], let checksum = m.checksum else { continue }
                for l in u.bids { book.bids[l.price] = l.size.isZero ? nil : l }
                for l in u.asks { book.asks[l.price] = l.size.isZero ? nil : l }
                // Levels pushed out of the subscribed depth get no delete: truncate (Books' maxDepth).
                for k in book.bids.keys.sorted(by: >).dropFirst(10) { book.bids[k] = nil }
                for k in book.asks.keys.sorted().dropFirst(10) { book.asks[k] = nil }
                books[u.symbol] = book
                if krakenChecksum(asks: Array(book.asks.values), bids: Array(book.bids.values)) == checksum.expected { result.checksumsVerified += 1 }
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
