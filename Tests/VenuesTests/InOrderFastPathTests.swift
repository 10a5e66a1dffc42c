import MarketModel
import Testing
import VenueKit
import Venues

// The adapters read trade frames in the venue's documented layout through a `LayoutReader`
// lane (BitMEX rows and Binance payloads also with one key compare per member in venue order),
// and fall back to the general any-order loop when the frame differs. These tests feed each
// venue's trade frame as sent, then variants that leave the fast paths at every point (members
// reversed, whitespace everywhere, an escaped key) and require the same output; every
// truncation and a bad value must still raise a VenueParseError. LayoutLaneTests compares the
// lane with the general path directly.

/// One venue's adapter and a trade frame in the venue's own member order.
fileprivate struct FastPathCase: Sendable, CustomTestStringConvertible {
    let name: String
    let symbol: String
    let frame: String
    /// A trade key in `frame` (quoted) whose escaped spelling must read the same.
    let escapableKey: String
    var testDescription: String { name }

    func makeAdapter() throws -> any VenueAdapter {
        let s = try Symbol(symbol)
        let config = VenueAdapterConfiguration(symbols: [s])
        var adapter: any VenueAdapter
        switch name {
        case "binance": adapter = Binance(configuration: config)
        case "okx": adapter = OKX(configuration: config)
        case "bybit": adapter = Bybit(configuration: config)
        case "kraken": adapter = Kraken(configuration: config)
        case "bitmex": adapter = BitMEX(configuration: config)
        default: adapter = Deribit(configuration: config)
        }
        _ = adapter.sessionStartFrames()
        _ = adapter.subscribeFrames(for: [Subscription(symbol: s, channel: .trades)])
        return adapter
    }
}

fileprivate let cases: [FastPathCase] = [
    FastPathCase(name: "binance", symbol: "BTC-USDT",
                 frame: #"{"stream":"btcusdt@aggTrade","data":{"e":"aggTrade","E":1795219200001,"s":"BTCUSDT","a":3021456789,"p":"87412.35000000","q":"0.56304000","f":5123456789,"l":5123456791,"T":1795219200000,"m":false,"M":true}}"#,
                 escapableKey: #""q""#),
    FastPathCase(name: "okx", symbol: "BTC-USDT",
                 frame: #"{"arg":{"channel":"trades","instId":"BTC-USDT"},"data":[{"instId":"BTC-USDT","tradeId":"730639474","px":"87412.4","sz":"0.66614607","side":"buy","ts":"1795219200000","count":"2","source":"0"}]}"#,
                 escapableKey: #""sz""#),
    FastPathCase(name: "bybit", symbol: "BTC-USDT-PERP",
                 frame: #"{"topic":"publicTrade.BTCUSDT","type":"snapshot","ts":1795219200002,"data":[{"T":1795219200000,"s":"BTCUSDT","S":"Sell","v":"2.304","p":"87412.40","L":"ZeroMinusTick","i":"6fb77fdb-0663-63fb-d873-a3180359e776","BT":false,"RPI":false,"seq":178328461700}]}"#,
                 escapableKey: #""v""#),
    FastPathCase(name: "kraken", symbol: "BTC-USD",
                 frame: #"{"channel":"trade","type":"update","data":[{"symbol":"BTC/USD","side":"buy","price":87412.4,"qty":0.66614607,"ord_type":"market","trade_id":80218208,"timestamp":"2026-11-21T00:00:00.000450Z"}]}"#,
                 escapableKey: #""qty""#),
    FastPathCase(name: "bitmex", symbol: "BTC-USD-PERP",
                 frame: #"{"table":"trade","action":"insert","data":[{"timestamp":"2026-11-21T00:00:00.000Z","symbol":"XBTUSD","side":"Buy","size":30400,"price":87412.6,"tickDirection":"ZeroMinusTick","trdMatchID":"00000000-006d-1000-0000-6fb77fdb0663","grossValue":34777833,"homeNotional":0.34777833,"foreignNotional":30400,"trdType":"Regular"}]}"#,
                 escapableKey: #""trdMatchID""#),
    FastPathCase(name: "deribit", symbol: "BTC-USD-PERP",
                 frame: #"{"jsonrpc":"2.0","method":"subscription","params":{"channel":"trades.BTC-PERPETUAL.100ms","data":[{"trade_seq":271252854,"trade_id":"403691824","timestamp":1795219200000,"tick_direction":3,"price":87413.0,"mark_price":87411.16,"instrument_name":"BTC-PERPETUAL","index_price":87408.10,"direction":"sell","amount":3040.0,"contracts":304.0}]}}"#,
                 escapableKey: #""amount""#),
]

/// The innermost object holding the trade's members, with its members in reverse order
/// (values are flat in these frames: strings, numbers, booleans).
fileprivate func reversedTrade(_ text: String) -> String {
    let chars = Array(text)
    // The last `{` opens the trade object; its members end at the first `}` after it.
    guard let open = chars.lastIndex(of: "{"), let close = chars[open...].firstIndex(of: "}") else { return text }
    var members: [String] = [], current = "", inString = false, escaped = false
    for c in chars[(open + 1) ..< close] {
        if inString {
            if escaped { escaped = false } else if c == "\\" { escaped = true } else if c == "\"" { inString = false }
        } else if c == "\"" {
            inString = true
        } else if c == "," {
            members.append(current)
            current = ""
            continue
        }
        current.append(c)
    }
    members.append(current)
    return String(chars[...open]) + members.reversed().joined(separator: ",") + String(chars[close...])
}

/// The trade lines an adapter produces for `frame` (empty if it yields none).
fileprivate func trades(_ c: FastPathCase, _ frame: String) throws -> [String] {
    var adapter = try c.makeAdapter()
    return try adapter.parse(frame, context: ParseContext(tsRecv: 1)).compactMap {
        guard case .trade(let t) = $0 else { return nil }
        return NDJSONEncoder().line(for: .trade(t))
    }
}

@Suite("In-order fast paths fall back to the general parser")
struct InOrderFastPathTests {
    @Test("the documented order yields exactly one trade", arguments: cases)
    fileprivate func documentedOrder(_ c: FastPathCase) throws {
        #expect(try trades(c, c.frame).count == 1)
    }

    @Test("reordered members, whitespace and an escaped key read the same", arguments: cases)
    fileprivate func variants(_ c: FastPathCase) throws {
        let expected = try trades(c, c.frame)
        let reordered = reversedTrade(c.frame)
        #expect(reordered != c.frame)
        #expect(try trades(c, reordered) == expected, "reversed members")
        #expect(try trades(c, spaced(c.frame)) == expected, "whitespace")
        // `\u0061` for the key's first letter: the fast path's byte compare fails, the general
        // loop decodes the key and matches it.
        let key = c.escapableKey.dropFirst().dropLast()
        let first = key.unicodeScalars.first!.value
        let escapedKey = "\"\\u00" + String(first, radix: 16) + key.dropFirst() + "\""
        let escaped = c.frame.replacingOccurrences(of: c.escapableKey + ":", with: escapedKey + ":")
        #expect(escaped != c.frame)
        #expect(try trades(c, escaped) == expected, "escaped key")
    }

    @Test("every truncation and a bad value raise a VenueParseError", arguments: cases)
    fileprivate func malformed(_ c: FastPathCase) throws {
        let chars = Array(c.frame)
        for n in 0 ..< chars.count {
            let prefix = String(chars[..<n])
            #expect(throws: VenueParseError.self, "prefix of \(n) characters") { _ = try trades(c, prefix) }
        }
        // A member's value broken in place: the fast path must not accept what the general one refuses.
        let broken = c.frame.replacingOccurrences(of: c.escapableKey + ":", with: c.escapableKey + ":x")
        #expect(throws: VenueParseError.self) { _ = try trades(c, broken) }
    }
}
