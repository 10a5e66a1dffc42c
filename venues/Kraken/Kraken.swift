// Kraken spot WebSocket v2 public market data. Facts: shared VENUES.md §3 and docs.kraken.com
// (spot-websocket-v2 trade/book/ticker/heartbeat/ping/status pages, book-checksum-v2 guide).
import MarketModel
import VenueKit

/// Kraken spot WebSocket v2 adapter (`kraken`): JSON objects `{"channel","type","data":[...]}`,
/// prices and quantities as JSON numbers with the pair's full precision, RFC 3339 times, books
/// without sequence numbers but with a CRC-32 of the top 10 levels on every message.
public struct Kraken: SymmetricSubscriptions, SymbolTableNaming {
    /// Kraken's facts (VENUES.md §3.1): the message rate limit is dynamic ("Exceeded msg rate"), so
    /// 5/s is a conservative budget; no published subscription cap (200 is ours); Cloudflare allows
    /// ~150 (re)connects per rolling 10 min per IP (docs.kraken.com spot WS intro); heartbeats ~1/s
    /// once subscribed, and an app-level `ping` keeps an otherwise quiet connection open.
    public static let spec = VenueSpec(
        id: .kraken, displayName: "Kraken",
        marketDataURLs: ["wss://ws.kraken.com/v2"],
        restBaseURL: "https://api.kraken.com", orderEntryURL: "wss://ws-auth.kraken.com/v2",
        channelNames: [.trades: "trade", .book: "book", .bbo: "ticker", .ticker: "ticker"],
        maxSubscriptionsPerConnection: 200, maxOutboundMessagesPerSecond: 5,
        keepAlive: [.applicationPing(payload: #"{"method":"ping"}"#, every: Interval.seconds(20)),
                    .heartbeatChannel(expectedEvery: Interval.seconds(1))],
        staleAfter: [.book: Interval.seconds(60), .bbo: Interval.seconds(60), .trades: Interval.minutes(5), .ticker: Interval.minutes(5)],
        connectBudget: ConnectBudget(attempts: 150, window: Interval.minutes(10)),
        // The checksum covers the top 10 levels and no delete is sent for levels pushed out of the
        // subscribed depth, so the local book is truncated to exactly the depth we subscribe.
        book: BookSpec(bootstrap: .streamSnapshot, maxDepth: Kraken.bookDepth, checksum: .krakenTop10))

    /// The subscribed book depth. Fixed to `BookSpec.maxDepth` (a static fact) because Books must
    /// truncate to the depth the venue maintains; a configured `bookDepth` is therefore ignored.
    static let bookDepth = 10

    /// The spot pairs and their `BASE/QUOTE` names (``SymbolTableNaming``).
    public internal(set) var symbols = VenueSymbolMap()
    /// Whether trades try the `LayoutReader` lane first (tests turn it off to compare lanes).
    var usesLayoutLane = true
    /// The trade lane's RFC 3339 reader (remembers the last date and hour).
    var clock = RFC3339Clock()
    /// The `bbo`/`ticker` subscriptions, each on its symbol's `ticker` channel (subscribed once).
    var tickerUse = SubscriptionTable()
    /// Level storage reused from one book message to the next.
    var scratch = BookScratch()
    /// Our next `req_id` (echoed in acks).
    var nextRequestID = 1

    /// Builds the `BASE/QUOTE` table (v2 uses `BTC/USD`, not v1's `XBT/USD`); spot only.
    public init(configuration: VenueAdapterConfiguration) {
        symbols = VenueSymbolMap(configuration.symbols) { $0.kind == .spot ? "\($0.base)/\($0.quote)" : nil }
    }

    /// One request per channel, all symbols in its `symbol` list:
    /// `{"method":"subscribe","params":{"channel":"book","symbol":["BTC/USD"],"depth":10},"req_id":2}`;
    /// `unsubscribe` the same way (same channel and depth).
    public mutating func frames(for subscriptions: [Subscription], subscribe isSubscribe: Bool) -> [OutboundMessage] {
        var trade: [String] = [], book: [String] = [], bbo: [String] = [], ticker: [String] = []
        // Channel order puts `.bbo` before `.ticker`, so a symbol wanting both gets the bbo trigger.
        for sub in subscriptions.sorted(by: Subscription.channelThenSymbol) {
            guard let name = symbols.venueName(for: sub.symbol) else { continue }
            switch sub.channel {
            case .trades: trade.append(name)
            case .book: book.append(name)
            case .bbo, .ticker:
                // bbo and ticker share Kraken's `ticker` channel: (un)subscribe it for its first/last user.
                guard tickerUse.update(sub, on: name, adding: isSubscribe) == .venueChannel else { continue }
                if isSubscribe && sub.channel == .bbo { bbo.append(name) } else { ticker.append(name) }
            default: continue
            }
        }
        let verb = isSubscribe ? "subscribe" : "unsubscribe"
        var frames: [OutboundMessage] = []
        // Trades without the 50-trade snapshot: it replays old trades on every reconnect.
        for (channel, names, extra) in [("trade", trade, isSubscribe ? #","snapshot":false"# : ""),
                                        ("book", book, ",\"depth\":\(Self.bookDepth)"),
                                        // `event_trigger: bbo` publishes on every best bid/offer change (ticker page).
                                        ("ticker", bbo, #","event_trigger":"bbo""#), ("ticker", ticker, "")] where !names.isEmpty {
            let list = names.map { "\"\($0)\"" }.joined(separator: ",")
            frames.append(OutboundMessage(text: "{\"method\":\"\(verb)\",\"params\":{\"channel\":\"\(channel)\",\"symbol\":[\(list)]\(extra)},\"req_id\":\(nextRequestID)}"))
            nextRequestID += 1
        }
        return frames
    }

    /// Parses one Kraken v2 message: a method response (ack, pong, error) or a channel push.
    public mutating func parse(_ message: UnsafeRawBufferPointer, context: ParseContext,
                               into output: inout VenueOutputs) throws(VenueParseError) {
        if usesLayoutLane, layoutTrades(message, context, &output) { return }
        try output.appendingAllOrNothing { output throws(VenueParseError) in try parseObject(message, context, &output) }
    }

    // {"method":"subscribe","result":{"channel":"ticker","symbol":"BTC/USD","snapshot":true},"success":true,
    //  "time_in":"2023-09-25T09:04:31.742599Z","time_out":"2023-09-25T09:04:31.742648Z","req_id":1}
    // {"error":"Currency pair not supported XBT/USD","method":"subscribe","success":false,"symbol":"XBT/USD",...}
    // {"method":"pong","req_id":42,"time_in":"2023-09-25T09:05:00.123456Z","time_out":"2023-09-25T09:05:00.123500Z"}
    // {"channel":"heartbeat"}
    // {"channel":"status","data":[{"api_version":"v2","connection_id":12393906104898154338,"system":"online","version":"2.0.0"}],"type":"update"}
    mutating func parseObject(_ message: UnsafeRawBufferPointer, _ context: ParseContext,
                              _ output: inout VenueOutputs) throws(VenueParseError) {
        var s = JSONScanner(message)
        try s.beginObject()
        var channel: JSONString?, type: JSONString?, method: JSONString?, success = false
        var error: String?, requestID: String?, result: JSONScanner?, deferred: JSONScanner?, sawData = false
        // Channel pushes: `channel`, `type`, `data` (one compare per key), then any order.
        if s.nextKey(is: "channel") {
            channel = try s.readString()
            if s.nextKey(is: "type") {
                type = try s.readString()
                if let channel, let type, s.nextKey(is: "data") {
                    sawData = true
                    try parseData(&s, channel, type, context, &output)
                }
            }
        }
        while let key = try s.nextKey() {
            if key == "channel" { channel = try s.readString() }
            else if key == "type" { type = try s.readString() }
            else if key == "data" {
                sawData = true
                if let channel, let type { try parseData(&s, channel, type, context, &output) }
                else { deferred = try s.captureValue() }   // `status` sends `type` after `data`
            }
            else if key == "method" { method = try s.readString() }
            else if key == "success" { success = try s.readBool() }
            else if key == "result" { result = try s.captureValue() }
            else if key == "error" { error = try s.readString().string }
            else if key == "req_id" { requestID = String(try s.readInt64()) }
            else { try s.skipValue() }
        }
        try s.finish()
        if let method {
            if method == "pong" { return output.append(.pong) }
            guard method == "subscribe" else {
                // unsubscribe acks need no action; refusals and other errors are reported.
                if let error { output.append(.venueError("\(method.string): \(error)")) }
                else if method != "unsubscribe" { throw .unexpected("kraken method '\(method.string)'") }
                return
            }
            guard success, var result else {
                return output.append(.subscribed(SubscriptionAck(isSuccess: false, requestID: requestID, message: error ?? "subscribe failed")))
            }
            output.append(.subscribed(SubscriptionAck(subscriptions: try acked(&result), requestID: requestID)))
        } else if let channel {
            if channel == "heartbeat" { return output.append(.heartbeat) }
            guard sawData, let type else { throw .missingField("data/type") }
            if var deferred { try parseData(&deferred, channel, type, context, &output) }
        } else if let error {
            output.append(.venueError(error))   // {"error":"Malformed request","method":...} / "Exceeded msg rate"
        } else {
            throw .unexpected("kraken message without method or channel")
        }
    }

    /// The subscriptions a successful ack's `result` confirms.
    mutating func acked(_ r: inout JSONScanner) throws(VenueParseError) -> [Subscription] {
        var channel: String?, symbol: Symbol?
        try r.beginObject()
        while let key = try r.nextKey() {
            if key == "channel" { channel = try r.readString().string }
            else if key == "symbol" { symbol = try symbols.require(try r.readString()) }
            else { try r.skipValue() }
        }
        guard let channel, let symbol else { throw .missingField("result.channel/symbol") }
        switch channel {
        case "trade": return [Subscription(symbol: symbol, channel: .trades)]
        case "book": return [Subscription(symbol: symbol, channel: .book)]
        case "ticker":
            let use = tickerChannels(for: symbol)
            return [Channel.bbo, .ticker].filter { use.contains($0) }.map { Subscription(symbol: symbol, channel: $0) }
        default: return []   // a channel we never request (e.g. status) confirms nothing of ours
        }
    }

    // {"channel":"status","data":[{"api_version":"v2","connection_id":12393906104898154338,"system":"online",
    //  "version":"2.0.0"}],"type":"update"}
    /// `status` says whether the engine is `online`; anything else (maintenance, cancel_only,
    /// post_only) is reported so operators see why data may pause [KR-STATUS].
    func status(_ s: inout JSONScanner, _ output: inout VenueOutputs) throws(VenueParseError) {
        while let key = try s.nextKey() {
            if key == "system" {
                let system = try s.readString()
                if system != "online" { output.append(.venueError("kraken system status: \(system.string)")) }
            } else { try s.skipValue() }   // connection_id exceeds Int64: never read as a number
        }
    }

    /// The `ticker` channel's users for `symbol`; `bbo` alone when none is recorded (a ticker
    /// message for a symbol we did not subscribe here, e.g. in a replayed capture).
    mutating func tickerChannels(for symbol: Symbol) -> SubscriptionIndex.Channels {
        let use = tickerUse.channels(for: symbol)
        return use.isEmpty ? SubscriptionIndex.Channels(.bbo) : use
    }
}
