/// Venue-agnostic looks at frame bytes, for fault injection: is it a book delta, does it mention a
/// symbol, where is its checksum. Heuristics over the shapes in VENUES.md, kept here as data so
/// the simulator needs no adapter (Replay sits below the venue layer).
public enum FrameInspector {
    // MARK: Book deltas

    /// Markers that alone identify a book delta.
    private static let deltaMarkers: [[UInt8]] = [
        "\"e\":\"depthUpdate\"",   // Binance, Binance futures
        "\"type\":\"delta\"",      // Bybit orderbook.*
        "\"type\":\"change\"",     // Deribit book.*
    ].map { Array($0.utf8) }

    /// Pairs of markers that together identify a book delta.
    private static let deltaMarkerPairs: [([UInt8], [UInt8])] = [
        ("\"action\":\"update\"", "\"books"),               // OKX books, books5, books-l2-tbt
        ("\"channel\":\"book\"", "\"type\":\"update\""),    // Kraken v2
        ("\"channel\":\"l2_data\"", "\"type\":\"update\""), // Coinbase Advanced Trade
        ("\"table\":\"orderBook", "\"action\":\"update\""), // BitMEX orderBookL2*
        ("\"table\":\"orderBook", "\"action\":\"insert\""),
        ("\"table\":\"orderBook", "\"action\":\"delete\""),
    ].map { (Array($0.0.utf8), Array($0.1.utf8)) }

    /// Whether `payload` is an incremental book update (dropping one makes a sequence gap).
    /// Bitfinex updates are `[chanId,[price,count,amount],seq]` (a snapshot is `[chanId,[[…`).
    public static func isBookDelta(_ payload: [UInt8]) -> Bool {
        if deltaMarkers.contains(where: { payload.contains($0) }) { return true }
        if deltaMarkerPairs.contains(where: { payload.contains($0.0) && payload.contains($0.1) }) { return true }
        return isBitfinexLevelUpdate(payload)
    }

    private static func isBitfinexLevelUpdate(_ payload: [UInt8]) -> Bool {
        guard payload.first == UInt8(ascii: "[") else { return false }
        var i = 1
        while i < payload.count, isDigit(payload[i]) { i += 1 }
        guard i > 1, i + 2 < payload.count, payload[i] == UInt8(ascii: ","), payload[i + 1] == UInt8(ascii: "[") else { return false }
        let next = payload[i + 2]
        return isDigit(next) || next == UInt8(ascii: "-")
    }

    // MARK: Symbols

    /// The spellings venues use for a normalized symbol (`BTC-USDT`, `BTC-USD-PERP`): `BTCUSDT`,
    /// `btcusdt`, `BTC/USDT`, `BTC_USDT`, `tBTCUSD`, BitMEX's `XBT`, Deribit's `BTC-PERPETUAL`.
    public static func spellings(of symbol: String) -> [String] {
        let parts = symbol.split(separator: "-").map(String.init)
        guard parts.count >= 2 else { return [symbol] }
        var bases = [parts[0]]
        if parts[0] == "BTC" { bases.append("XBT") }
        let quote = parts[1]
        var result: [String] = [symbol]
        for base in bases {
            for separator in ["", "-", "/", "_"] {
                result.append(base + separator + quote)
                result.append((base + separator + quote).lowercased())
            }
            result.append("t" + base + quote)
            result.append("t" + base + ":" + quote)
        }
        if parts.count >= 3 && parts[2] == "PERP" {
            result.append(parts[0] + "-PERPETUAL")
            result.append(parts[0] + "_" + quote + "-PERPETUAL")
            result.append(parts[0] + "-" + quote + "-SWAP")
        }
        var seen = Set<String>()
        return result.filter { seen.insert($0).inserted }
    }

    /// Whether `payload` names one of `spellings` as a whole token: bounded by quotes or the
    /// separators venues put around symbols in topic names (`btcusdt@depth`, `orderbook.50.BTCUSDT`,
    /// `orderBookL2_25:XBTUSD`).
    public static func mentions(_ payload: [UInt8], anyOf spellings: [String]) -> Bool {
        for spelling in spellings {
            let needle = Array(spelling.utf8)
            guard !needle.isEmpty, needle.count <= payload.count else { continue }
            var searchStart = payload.startIndex
            while let range = payload[searchStart...].firstRange(of: needle) {
                let before = range.lowerBound > 0 ? payload[range.lowerBound - 1] : UInt8(ascii: "\"")
                let after = range.upperBound < payload.count ? payload[range.upperBound] : UInt8(ascii: "\"")
                if isTokenBoundary(before) && isTokenBoundary(after) { return true }
                searchStart = range.lowerBound + 1
            }
        }
        return false
    }

    private static func isTokenBoundary(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "@"), UInt8(ascii: "."), UInt8(ascii: ":"), UInt8(ascii: ","),
             UInt8(ascii: " "), UInt8(ascii: "["), UInt8(ascii: "]"): true
        default: false
        }
    }

    /// Whether the frame answers a (un)subscribe request: such acks are never silenced, so the
    /// client sees its subscription confirmed and then no data, which is the failure to simulate.
    public static func isSubscriptionAck(_ payload: [UInt8]) -> Bool {
        payload.contains(Array("subscribe".utf8))
    }

    /// Whether the frame looks like trade data (not an ack): a `trade` word in any case (Binance
    /// `aggTrade`, OKX `trades`, Bybit `publicTrade`, Coinbase `market_trades`, BitMEX `"table":"trade"`,
    /// Deribit `trades.`, Kraken `"channel":"trade"`) or Bitfinex's `"te"`; not an ack, not BitMEX's
    /// `partial` (trade history, which normalizes to nothing). A heuristic for ordering the demo's
    /// recordings, never for correctness.
    public static func looksLikeTrades(_ payload: [UInt8]) -> Bool {
        guard !isSubscriptionAck(payload), payload.firstRange(of: Array("\"action\":\"partial\"".utf8)) == nil else { return false }
        if payload.firstRange(of: Array("\"te\"".utf8)) != nil { return true }
        let lowered = payload.map { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") ? $0 + 32 : $0 }
        return lowered.firstRange(of: Array("trade".utf8)) != nil
    }

    /// `chanId` of a Bitfinex `subscribed` event (`{"event":"subscribed",…,"chanId":232957,…}`).
    public static func channelID(_ payload: [UInt8]) -> Int? {
        guard let range = payload.firstRange(of: Array("\"chanId\":".utf8)) else { return nil }
        var i = range.upperBound
        var value = 0
        let start = i
        while i < payload.count, isDigit(payload[i]), i - start < 18 {
            value = value * 10 + Int(payload[i] - UInt8(ascii: "0"))
            i += 1
        }
        return i > start ? value : nil
    }

    /// Whether a Bitfinex channel frame (`[chanId,…`) belongs to `channelID`.
    public static func isChannelFrame(_ payload: [UInt8], channelID: Int) -> Bool {
        let prefix = Array("[\(channelID),".utf8)
        return payload.starts(with: prefix)
    }

    // MARK: Checksums

    /// `payload` with one digit of its first checksum changed, or `nil` if it carries none.
    /// Fields: `"checksum":N` (Kraken, OKX) and Bitfinex's `[chanId,"cs",N,…]`. The last digit's
    /// low bit is flipped, so the number keeps its length and range (Kraken's are unsigned 32-bit).
    public static func corruptingChecksum(_ payload: [UInt8]) -> [UInt8]? {
        for marker in ["\"checksum\":", "\"cs\","] {
            guard let range = payload.firstRange(of: Array(marker.utf8)) else { continue }
            var i = range.upperBound
            while i < payload.count, payload[i] == UInt8(ascii: " ") { i += 1 }
            let isNegative = i < payload.count && payload[i] == UInt8(ascii: "-")
            if isNegative { i += 1 }
            let digitsStart = i
            while i < payload.count, isDigit(payload[i]) { i += 1 }
            guard i > digitsStart else { continue }
            var corrupted = payload
            let last = i - 1
            var digit = (payload[last] - UInt8(ascii: "0")) ^ 1
            // "-1" would become "-0"; keep it a different non-zero number.
            if isNegative && digitsStart == last && digit == 0 { digit = 3 }
            corrupted[last] = UInt8(ascii: "0") + digit
            return corrupted
        }
        return nil
    }

    // MARK: Malformed and oversized frames

    /// The first half of `payload`, cut on a UTF-8 boundary: a JSON value's proper prefix is never
    /// valid JSON, yet it is valid UTF-8, so the client's adapter (not its WebSocket layer) must cope.
    public static func truncated(_ payload: [UInt8]) -> [UInt8] {
        guard payload.count >= 4 else { return Array("{\"".utf8) }
        var end = payload.count / 2
        while end > 0, payload[end] & 0xC0 == 0x80 { end -= 1 }
        return Array(payload[..<end])
    }

    /// A valid JSON text frame of exactly `size` bytes (at least 16): `{"oversized":"xxxx…"}`.
    public static func oversizedPayload(size: Int) -> [UInt8] {
        let head = Array("{\"oversized\":\"".utf8)
        let tail = Array("\"}".utf8)
        let fill = Swift.max(size, head.count + tail.count) - head.count - tail.count
        var payload = head
        payload.reserveCapacity(head.count + fill + tail.count)
        payload.append(contentsOf: repeatElement(UInt8(ascii: "x"), count: fill))
        payload.append(contentsOf: tail)
        return payload
    }

    // MARK: Venue notices and client heartbeats

    /// Whether a recorded frame is a venue's "this connection will be cut" notice: Binance
    /// `serverShutdown`, Bitfinex info code 20051, OKX notice code 64008.
    public static func isShutdownNotice(_ payload: [UInt8]) -> Bool {
        payload.contains(Array("serverShutdown".utf8))
            || payload.contains(Array("\"code\":20051".utf8))
            || payload.contains(Array("\"code\":\"64008\"".utf8))
    }

    /// Whether a client message is an application heartbeat rather than a request the venue
    /// answers from the recording: `ping` (OKX, BitMEX), `{"op":"ping"}` (Bybit),
    /// `{"method":"ping"}` (Kraken), `{"event":"ping"}` (Bitfinex), Deribit `public/test`.
    public static func isClientHeartbeat(_ payload: [UInt8]) -> Bool {
        if payload == Array("ping".utf8) { return true }
        guard payload.count < 256, !payload.contains(Array("subscribe".utf8)) else { return false }
        return payload.contains(Array("\"ping\"".utf8)) || payload.contains(Array("public/test".utf8))
    }

    @inline(__always)
    private static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
}
