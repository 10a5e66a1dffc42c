import MarketModel
import VenueKit

/// Bybit v5 public market data, one adapter per product category (BY-CONN): `linear`
/// (`BTC-USDT-PERP` ↔ `BTCUSDT`, USDC perps `BTC-USDC-PERP` ↔ `BTCPERP`), `inverse`
/// (`BTC-USD-PERP` ↔ `BTCUSD`) or `spot` (`BTC-USDT` ↔ `BTCUSDT`), each on its own URL
/// (``marketDataURL(category:)``; `VenueSpec` holds the linear one).
///
/// Books: `orderbook.{depth}` sends a snapshot after subscribe, then deltas with update id `u`;
/// any later snapshot — including `u == 1` after a service restart — replaces the book (BY-OB).
/// `Books` checks `u`; this adapter only extracts it. BBO and funding come from `tickers`
/// (linear/inverse; deltas omit unchanged fields, so the last values are kept per symbol); spot
/// tickers carry no bid/ask, so spot BBO comes from `orderbook.1`.
public struct Bybit: SymmetricSubscriptions, SymbolTableNaming {
    /// Bybit v5 facts (VENUES.md §5, BY-CONN, BY-OB, BY-RL).
    public static let spec = VenueSpec(
        id: .bybit, displayName: "Bybit",
        marketDataURLs: ["wss://stream.bybit.com/v5/public/linear"],
        orderEntryURL: "wss://stream.bybit.com/v5/trade",
        channelNames: [.trades: "publicTrade", .book: "orderbook.50", .bbo: "tickers", .funding: "tickers",
                       .liquidations: "allLiquidation"],
        // BY-CONN: the args of one public connection may total ≤ 21,000 characters (~750 topics).
        maxSubscriptionsPerConnection: 500,
        maxOutboundMessagesPerSecond: 10,  // not published for public streams; a conservative pace
        // BY-CONN: ping every 20 s; the server cuts a connection silent for 10 minutes.
        keepAlive: [.applicationPing(payload: "{\"req_id\":\"ping\",\"op\":\"ping\"}", every: Interval.seconds(20))],
        staleAfter: [.liquidations: Interval.hours(24)],  // allLiquidation pushes only when one happens
        connectBudget: ConnectBudget(attempts: 500, window: Interval.minutes(5)),  // BY-CONN: per domain
        book: BookSpec(bootstrap: .streamSnapshot))

    /// Topics per subscribe request: spot allows ≤ 10 args per request (BY-CONN); used for all.
    static let topicsPerFrame = 10

    /// The public stream URL of a category (`linear`, `inverse`, `spot`).
    public static func marketDataURL(category: String) -> String { "wss://stream.bybit.com/v5/public/\(category)" }

    /// Last known top of book and funding per symbol (ticker deltas omit unchanged fields).
    struct Quote { var bid, bidSize, ask, askSize, rate, mark: FixedDecimal?; var nextFunding: Int64? }

    /// The product category this adapter's connection serves.
    public let category: String
    let depth: Int
    /// The category's symbols and their names, `BTC-USDT-PERP` ↔ `BTCUSDT` (linear; ``SymbolTableNaming``).
    public internal(set) var symbols = VenueSymbolMap()
    /// Whether trades try the `LayoutReader` lane first (tests turn it off to compare lanes).
    var usesLayoutLane = true
    /// Level storage reused from one orderbook message to the next.
    var scratch = BookScratch()
    /// The subscriptions on their topics (`tickers` serves BBO and funding).
    var active = SubscriptionTable()
    var quotes: [Symbol: Quote] = [:]
    /// `req_id`s and the subscriptions each request waits to have acknowledged.
    var pending = PendingRequests()

    /// Option `category` picks the product; otherwise the first symbol's kind does. `bookDepth`
    /// may pick another documented depth (50/200, linear also 500/1000); default 50.
    public init(configuration: VenueAdapterConfiguration) {
        let first = configuration.symbols.first
        category = configuration.options["category"]
            ?? (first?.kind == .spot ? "spot" : first?.quote == "USD" ? "inverse" : "linear")
        depth = configuration.bookDepth(oneOf: category == "spot" ? [50, 200] : [50, 200, 500, 1000]) ?? 50
        for s in configuration.symbols {
            switch (category, s.kind) {
            case ("spot", .spot): symbols.insert(s, venueName: s.base + s.quote)
            case ("inverse", .perpetual) where s.quote == "USD": symbols.insert(s, venueName: s.base + s.quote)
            case ("linear", .perpetual) where s.quote != "USD": symbols.insert(s, venueName: s.base + (s.quote == "USDC" ? "PERP" : s.quote))
            default: continue
            }
        }
    }

    /// The topic for one subscription, or `nil` when the category has no such data (spot funding).
    func topic(for sub: Subscription) -> String? {
        guard let name = symbols.venueName(for: sub.symbol) else { return nil }
        switch sub.channel {
        case .trades: return "publicTrade.\(name)"
        case .book: return "orderbook.\(depth).\(name)"
        case .bbo: return category == "spot" ? "orderbook.1.\(name)" : "tickers.\(name)"
        case .funding where category != "spot": return "tickers.\(name)"
        case .liquidations where category != "spot": return "allLiquidation.\(name)"
        default: return nil
        }
    }

    /// `{"req_id":"1","op":"subscribe","args":["publicTrade.BTCUSDT","orderbook.50.BTCUSDT"]}`, or
    /// `{"req_id":"2","op":"unsubscribe","args":[...]}` (a `tickers` topic stays while BBO or funding uses it).
    /// Topics sorted (frames do not depend on the caller's order) and de-duplicated (`tickers`
    /// serves both BBO and funding), ≤ 10 per frame; each `req_id` remembers its subscriptions.
    public mutating func frames(for subscriptions: [Subscription], subscribe: Bool) -> [OutboundMessage] {
        var topics = subscriptions.compactMap { sub in topic(for: sub).map { (subscription: sub, topic: $0) } }
        for (sub, t) in topics { active.update(sub, on: t, adding: subscribe) }
        if !subscribe { topics.removeAll { active.isUsed($0.topic) } }
        return pending.frames(for: topics, maxTopics: Self.topicsPerFrame) { id, args in
            "{\"req_id\":\"\(id)\",\"op\":\"\(subscribe ? "subscribe" : "unsubscribe")\",\"args\":[\(args)]}"
        }
    }

    /// Parses one frame: a topic message (any key order — BY-OB warns `ts`/`type` order varies)
    /// or a control response:
    /// ```
    /// {"success":true,"ret_msg":"","conn_id":"3cd84cb1-4d06-4a05-930a-2efe5fc70f0f","req_id":"1","op":"subscribe"}
    /// {"success":false,"ret_msg":"Invalid topic: invalid.topic.BTCUSDT","conn_id":"...","op":"subscribe"}
    /// {"success":true,"ret_msg":"pong","conn_id":"465772b1-7630-4fdc-a492-e003e6f0f260","req_id":"ping","op":"ping"}
    /// ```
    public mutating func parse(_ message: UnsafeRawBufferPointer, context: ParseContext,
                               into output: inout VenueOutputs) throws(VenueParseError) {
        if usesLayoutLane, layoutTrades(message, context, &output) { return }
        try output.appendingAllOrNothing { output throws(VenueParseError) in try parseObject(message, context: context, into: &output) }
    }

    /// The topics whose `data` is read in place, in one pass, once `topic` has been seen (venue
    /// order puts it first); other topics, and `data` before `topic`, are captured and read after
    /// the envelope.
    enum InPlace { case none, trades(mark: VenueOutputs.Mark), book(BookData) }

    /// The `data` object of an orderbook message: `s`, `b`, `a`, `u`.
    struct BookData { var symbol: Symbol; var bids: [BookLevel]; var asks: [BookLevel]; var updateID: Int64 }

    mutating func parseObject(_ message: UnsafeRawBufferPointer, context: ParseContext,
                              into output: inout VenueOutputs) throws(VenueParseError) {
        var s = JSONScanner(message)
        try s.beginObject()
        var topic: JSONString?, type: JSONString?, op: JSONString?, data: JSONScanner?, inPlace = InPlace.none
        var ts: Int64?, cts: Int64?, success: Bool?, retMsg = "", reqID = ""
        func readData(_ s: inout JSONScanner) throws(VenueParseError) {
            // A repeated `data` replaces the earlier one (as a capture would).
            if case .trades(let mark) = inPlace { output.rollBack(to: mark) }
            inPlace = .none
            data = nil
            if let topic, topic.hasPrefix("publicTrade.") {
                inPlace = .trades(mark: output.mark)
                try parseTrades(&s, context: context, into: &output)
            } else if let topic, topic.hasPrefix("orderbook."), !topic.hasPrefix("orderbook.1.") {
                inPlace = .book(try readBookData(&s))
            } else {
                data = try s.captureValue()
            }
        }
        // Topic messages: `topic`, `type`, `ts`, `data` (one compare per key), then any order.
        inOrder: do {
            guard s.nextKey(is: "topic") else { break inOrder }
            topic = try s.readString()
            guard s.nextKey(is: "type") else { break inOrder }
            type = try s.readString()
            guard s.nextKey(is: "ts") else { break inOrder }
            ts = try s.readInt64()
            guard s.nextKey(is: "data") else { break inOrder }
            try readData(&s)
        }
        while let key = try s.nextKey() {
            if key == "topic" { topic = try s.readString() }
            else if key == "type" { type = try s.readString() }
            else if key == "data" { try readData(&s) }
            else if key == "ts" { ts = try s.readInt64() }
            else if key == "cts" { cts = try s.readInt64() }  // matching-engine time (BY-OB)
            else if key == "op" { op = try s.readString() }
            else if key == "success" { success = try s.readBool() }
            else if key == "ret_msg" { retMsg = try s.readString().string }
            else if key == "req_id" { reqID = try s.readString().string }
            else { try s.skipValue() }
        }
        try s.finish()
        if let topic {
            if case .trades = inPlace { return }
            let time = try Self.nanoseconds(cts ?? ts)
            let isSnapshot = type == "snapshot"
            if case .book(let book) = inPlace { return appendBook(book, isSnapshot: isSnapshot, time: time, context: context, into: &output) }
            guard var data else { throw .missingField("data") }
            if topic.hasPrefix("publicTrade.") {
                try parseTrades(&data, context: context, into: &output)
                try data.finish()
            }
            else if topic.hasPrefix("orderbook.1.") { try parseTop(&data, isSnapshot: isSnapshot, time: time, context: context, into: &output) }
            else if topic.hasPrefix("orderbook.") {
                let book = try readBookData(&data)
                try data.finish()
                appendBook(book, isSnapshot: isSnapshot, time: time, context: context, into: &output)
            }
            else if topic.hasPrefix("tickers.") { try parseTicker(&data, isSnapshot: isSnapshot, time: time, context: context, into: &output) }
            else if topic.hasPrefix("allLiquidation.") { try parseLiquidations(&data, context: context, into: &output) }
            else { throw .unexpected("Bybit topic '\(topic.string)'") }
        } else if let op {
            if op == "ping" || op == "pong" {
                output.append(.pong)  // public spot/linear echo op "ping" with ret_msg "pong"; others send op "pong"
            } else if op == "subscribe" || op == "unsubscribe" {
                // Spot acks say `"ret_msg":"subscribe"` on success, so the text is kept for refusals only.
                let ok = success ?? false
                output.append(.subscribed(SubscriptionAck(subscriptions: pending.take(requestID: reqID) ?? [],
                    isSuccess: ok, requestID: reqID.isEmpty ? nil : reqID, message: ok || retMsg.isEmpty ? nil : retMsg)))
            } else if success == false {
                output.append(.venueError("\(op.string): \(retMsg)"))
            } else {
                throw .unexpected("Bybit op '\(op.string)'")
            }
        } else {
            throw .unexpected("Bybit frame without topic or op")
        }
    }
}
