import MarketModel
import VenueKit

/// Coinbase Advanced Trade market data (VENUES.md §2): one channel per subscribe message,
/// `market_trades`, `level2` (delivered as `l2_data`), `ticker` for BBO and 24 h stats, and the
/// `heartbeats` channel that keeps idle subscriptions open. Every message carries an envelope
/// `sequence_num` counted per connection across all channels, reported as
/// ``VenueOutput/connectionSequence(_:)``; the book has no sequence of its own.
public struct Coinbase: SymmetricSubscriptions {
    /// Static facts from VENUES.md §2.1 (CB-ADV-OV, CB-ADV-CH, CB-ADV-RL).
    public static let spec = VenueSpec(
        id: .coinbase, displayName: "Coinbase Advanced Trade",
        marketDataURLs: ["wss://advanced-trade-ws.coinbase.com"],
        channelNames: [.trades: "market_trades", .book: "level2", .bbo: "ticker", .ticker: "ticker"],
        // No published per-connection cap; 100 products × channels keeps one socket's level2 load sane.
        maxSubscriptionsPerConnection: 100,
        // CB-ADV-RL: 8 unauthenticated messages per second per IP.
        maxOutboundMessagesPerSecond: 8,
        // CB-ADV-CH: `heartbeats` sends one message per second; without it idle channels close in 60-90 s.
        keepAlive: [.heartbeatChannel(expectedEvery: Interval.seconds(1))],
        // CB-ADV-RL: 8 connections per second per IP.
        connectBudget: ConnectBudget(attempts: 8, window: Interval.seconds(1)),
        book: BookSpec(bootstrap: .streamSnapshot))

    var symbols = VenueSymbolMap()
    /// Whether trades try the `LayoutReader` lane first (tests turn it off to compare lanes).
    var usesLayoutLane = true
    /// The trade lane's RFC 3339 reader (remembers the last date and hour).
    var clock = RFC3339Clock()
    /// What the session asked for, each on its `channel product` pair: decides which of
    /// bbo/ticker a `ticker` message feeds and when a shared venue channel may really be unsubscribed.
    var wanted = SubscriptionTable()
    /// Level storage reused from one book message to the next.
    var scratch = BookScratch()

    /// Builds the product table (`BTC-USD` is both the normalized and the venue name).
    public init(configuration: VenueAdapterConfiguration) {
        symbols = VenueSymbolMap(configuration.symbols) { venueSymbol(for: $0) }
    }

    /// Spot products only: Advanced Trade product ids are `BASE-QUOTE`, as normalized.
    public func venueSymbol(for symbol: Symbol) -> String? { symbol.kind == .spot ? symbol.rawValue : nil }

    /// `BTC-USD` → `BTC-USD` (spot).
    public func symbol(forVenueSymbol venueSymbol: String) -> Symbol? {
        symbols.symbol(forVenueName: venueSymbol) ?? (try? Symbol(venueSymbol)).flatMap { $0.kind == .spot ? $0 : nil }
    }

    /// CB-ADV-CH: subscribe `heartbeats` first (no products needed); it also meets the
    /// "subscribe within 5 s" rule before any product subscription is due.
    public func sessionStartFrames() -> [OutboundMessage] {
        [OutboundMessage(text: #"{"type":"subscribe","channel":"heartbeats"}"#)]
    }

    /// One frame per venue channel (CB-ADV-OV: one channel per subscribe message), listing the
    /// products not already subscribed on it (bbo and ticker share `ticker`); unsubscribes a venue
    /// channel for a product only when nothing else still needs it.
    public mutating func frames(for subscriptions: [Subscription], subscribe adding: Bool) -> [OutboundMessage] {
        let type = adding ? "subscribe" : "unsubscribe"
        var order: [String] = []
        var products: [String: [String]] = [:]
        for sub in subscriptions {
            guard let channel = Self.spec.channelNames[sub.channel], let product = venueSymbol(for: sub.symbol),
                  wanted.update(sub, on: "\(channel) \(product)", adding: adding) == .venueChannel else { continue }
            if products[channel] == nil { order.append(channel) }
            products[channel, default: []].append(product)
        }
        return order.map { channel in
            let ids = products[channel, default: []].map { "\"\($0)\"" }.joined(separator: ",")
            return OutboundMessage(text: #"{"type":"\#(type)","product_ids":[\#(ids)],"channel":"\#(channel)"}"#)
        }
    }

    /// The envelope shared by every channel (NT-CB, CB-ADV-L2):
    /// `{"channel":"l2_data","client_id":"","timestamp":"2026-04-07T14:30:01.456789Z","sequence_num":1,"events":[...]}`;
    /// errors: `{"type":"error","message":"failure to subscribe","reason":"..."}`.
    public mutating func parse(_ message: UnsafeRawBufferPointer, context: ParseContext,
                               into output: inout VenueOutputs) throws(VenueParseError) {
        if usesLayoutLane, layoutTrades(message, context, &output) { return }
        let mark = output.mark
        do throws(VenueParseError) {
            var s = JSONScanner(message)
            try s.beginObject()
            var channel: JSONString?, ts: Nanoseconds?, seq: Int64?, events: JSONScanner?
            var isError = false, isDone = false, text = ""
            // Venue order: `channel`, `client_id`, `timestamp`, `sequence_num`, `events` (one
            // compare per key), then any order.
            inOrder: do {
                guard s.nextKey(is: "channel") else { break inOrder }
                channel = try s.readString()
                if s.nextKey(is: "client_id") { try s.skipValue() }
                guard s.nextKey(is: "timestamp") else { break inOrder }
                ts = try clock.nanoseconds(s.readString())
                guard s.nextKey(is: "sequence_num") else { break inOrder }
                seq = try s.readInt64()
                guard let channel, s.nextKey(is: "events") else { break inOrder }
                try parseEvents(&s, channel: channel, seq: seq, ts: ts, context, &output)
                isDone = true
            }
            while let key = try s.nextKey() {
                if key == "channel" { channel = try s.readString() }
                else if key == "timestamp" { ts = try clock.nanoseconds(s.readString()) }
                else if key == "sequence_num" { seq = try s.readInt64() }
                else if key == "events" {
                    // Venue order puts the envelope first: parse in place; otherwise read it later.
                    if let channel, ts != nil, seq != nil {
                        try parseEvents(&s, channel: channel, seq: seq, ts: ts, context, &output)
                        isDone = true
                    } else { events = try s.captureValue() }
                } else if key == "type" { isError = try s.readString() == "error" }
                else if key == "message" || key == "reason" {
                    text += (text.isEmpty ? "" : ": ") + (try s.readString()).string
                } else { try s.skipValue() }
            }
            try s.finish()
            if isError { return output.append(.venueError("coinbase: \(text)")) }
            guard let channel else { throw VenueParseError.missingField("channel") }
            guard !isDone else { return }
            guard var events else { throw VenueParseError.missingField("events") }
            try parseEvents(&events, channel: channel, seq: seq, ts: ts, context, &output)
        } catch {
            output.rollBack(to: mark)
            throw error
        }
    }

    /// Dispatches the `events` array by channel, after reporting the envelope's `sequence_num`.
    mutating func parseEvents(_ s: inout JSONScanner, channel: JSONString, seq: Int64?, ts: Nanoseconds?,
                              _ context: ParseContext, _ output: inout VenueOutputs) throws(VenueParseError) {
        if let seq { output.append(.connectionSequence(seq)) }
        try s.beginArray()
        while try s.nextElement() {
            if channel == "l2_data" {
                guard let seq else { throw VenueParseError.missingField("sequence_num") }
                try parseBook(&s, seq: seq, ts: ts, context, &output)
            } else if channel == "market_trades" { try parseTrades(&s, context, &output) }
            else if channel == "ticker" || channel == "ticker_batch" { try parseTickers(&s, ts: ts, context, &output) }
            else if channel == "subscriptions" { try parseAck(&s, &output) }
            else if channel == "heartbeats" { try s.skipValue(); output.append(.heartbeat) }
            else { try s.skipValue() }  // candles, status...: CB-ADV-OV says ignore what you don't use
        }
    }

    // {"type":"snapshot","product_id":"BTC-USD","updates":[{"side":"bid","event_time":"2026-04-07T14:30:00.123456Z",
    //  "price_level":"68900.00","new_quantity":"1.50000000"},{"side":"offer",...}]}
    // new_quantity is absolute, "0" removes (CB-ADV-L2). The envelope timestamp is the message's
    // exchange time: per-level event_time values are not monotonic across messages.
    mutating func parseBook(_ s: inout JSONScanner, seq: Int64, ts: Nanoseconds?, _ context: ParseContext,
                            _ output: inout VenueOutputs) throws(VenueParseError) {
        var symbol: Symbol?, isSnapshot = false
        var (bids, asks) = scratch.take()
        defer { scratch.keep(bids, asks) }
        func readUpdates(_ s: inout JSONScanner) throws(VenueParseError) {
            try s.beginArray()
            var repeats = UpdateRepeats()
            try LevelSink.collect { bidSink throws(VenueParseError) in
                try LevelSink.collect { askSink throws(VenueParseError) in
                    while try s.nextElement() {
                        let (isBid, level) = try Self.update(&s, &repeats)
                        if isBid { bidSink.append(level, into: &bids) } else { askSink.append(level, into: &asks) }
                    }
                    bidSink.flush(into: &bids)
                    askSink.flush(into: &asks)
                }
            }
        }
        try s.beginObject()
        inOrder: do {
            guard s.nextKey(is: "type") else { break inOrder }
            isSnapshot = try s.readString() == "snapshot"
            guard s.nextKey(is: "product_id") else { break inOrder }
            symbol = try symbols.require(s.readString())
            guard s.nextKey(is: "updates") else { break inOrder }
            try readUpdates(&s)
        }
        while let key = try s.nextKey() {
            if key == "type" { isSnapshot = try s.readString() == "snapshot" }
            else if key == "product_id" { symbol = try symbols.require(s.readString()) }
            else if key == "updates" { try readUpdates(&s) }
            else { try s.skipValue() }
        }
        guard let symbol else { throw VenueParseError.missingField("product_id") }
        output.append(.book(BookMessage(venue: Self.spec.id, symbol: symbol, isSnapshot: isSnapshot, bids: bids, asks: asks,
                                        tsExchange: ts, tsRecv: context.tsRecv, sequencing: .connectionSequence(seq))))
    }

    /// What the updates of one message repeat: the last compact bid's and offer's head
    /// (`{"side":"bid","event_time":"…","price_level":"`) as offsets and counts into the message
    /// (0: none yet), and the last `event_time` text for heads that repeat only the time.
    struct UpdateRepeats {
        var bidHeadStart = 0, bidHeadCount = 0, askHeadStart = 0, askHeadCount = 0
        var eventTime: JSONString?
    }

    /// One element of `updates`: its side (`true` for `bid`) and level.
    @inline(__always)
    static func update(_ s: inout JSONScanner, _ repeats: inout UpdateRepeats) throws(VenueParseError) -> (isBid: Bool, level: BookLevel) {
        // The venue's compact form in one pass: the head (side, time, key) compared as whole
        // words with the last head of that side (the updates of a message share their time),
        // else fixed-word compares for the keys and the time string skipped without a key lookup.
        // Anything else rewinds and takes the general loop below (which also reports errors).
        if let update = s.attempt({ s -> (isBid: Bool, level: BookLevel)? in
            let isBid: Bool
            if s.consumeRepeat(ofBytesAt: repeats.bidHeadStart, count: repeats.bidHeadCount) { isBid = true }
            else if s.consumeRepeat(ofBytesAt: repeats.askHeadStart, count: repeats.askHeadCount) { isBid = false }
            else {
                let start = s.position
                guard s.consume(#"{"side":""#) else { return nil }
                if s.consume(#"bid","event_time":"#) { isBid = true }
                else if s.consume(#"offer","event_time":"#) { isBid = false }
                else { return nil }
                if let last = repeats.eventTime, s.consumeString(sameAs: last) {
                    // The same time text as the previous update: validated then.
                } else {
                    guard let time = s.readCompactString() else { return nil }
                    repeats.eventTime = time
                }
                guard s.consume(#","price_level":"#) else { return nil }
                // A validated stretch, whether or not the rest of this update succeeds.
                if isBid { (repeats.bidHeadStart, repeats.bidHeadCount) = (start, s.position - start) }
                else { (repeats.askHeadStart, repeats.askHeadCount) = (start, s.position - start) }
            }
            guard let price = s.readCompactDecimal(),
                  s.consume(#","new_quantity":"#), let size = s.readCompactDecimal(), s.consume("}") else { return nil }
            return (isBid, BookLevel(price: price, size: size))
        }) {
            return update
        }
        var isBid: Bool?, price: Price?, size: Size?
        func readSide(_ s: inout JSONScanner) throws(VenueParseError) -> Bool? {
            let side = try s.readString()
            return side == "bid" ? true : side == "offer" ? false : nil
        }
        try s.beginObject()
        // Venue order: `side`, `event_time`, `price_level`, `new_quantity`, then any order.
        inOrder: do {
            guard s.nextKey(is: "side") else { break inOrder }
            isBid = try readSide(&s)
            guard s.nextKey(is: "event_time") else { break inOrder }
            try s.skipValue()
            guard s.nextKey(is: "price_level") else { break inOrder }
            price = try s.readDecimal()
            guard s.nextKey(is: "new_quantity") else { break inOrder }
            size = try s.readDecimal()
        }
        while let k = try s.nextKey() {
            if k == "side" { isBid = try readSide(&s) }
            else if k == "price_level" { price = try s.readDecimal() }
            else if k == "new_quantity" { size = try s.readDecimal() }
            else { try s.skipValue() }
        }
        guard let isBid else { throw VenueParseError.invalidValue("side", "expected bid or offer") }
        guard let price, let size else { throw VenueParseError.missingField("price_level/new_quantity") }
        return (isBid, BookLevel(price: price, size: size))
    }

    // {"type":"update","trades":[{"trade_id":"995098700","product_id":"BTC-USD","price":"68900.50",
    //  "size":"0.00150000","side":"BUY","time":"2026-04-07T14:30:02.789012Z"}]}
    // The first event after subscribing is a "snapshot" of recent history: skipped, because it
    // repeats prints already published (and would again after every reconnect).
    // `side` is the MAKER side, as on the Exchange `match` feed (Coinbase Exchange docs; observed
    // live on Advanced Trade, VENUES.md open question): the taker is the opposite side.
    mutating func parseTrades(_ s: inout JSONScanner, _ context: ParseContext, _ output: inout VenueOutputs) throws(VenueParseError) {
        var type: JSONString?, trades: JSONScanner?, isParsed = false
        try s.beginObject()
        if s.nextKey(is: "type") {
            let t = try s.readString()
            type = t
            if s.nextKey(is: "trades") {
                try parseTradeList(&s, isSnapshot: t == "snapshot", context, &output)
                isParsed = true
            }
        }
        while let key = try s.nextKey() {
            if key == "type" { type = try s.readString() }
            else if key == "trades", let type {
                try parseTradeList(&s, isSnapshot: type == "snapshot", context, &output)
                isParsed = true
            } else if key == "trades" { trades = try s.captureValue() }
            else { try s.skipValue() }
        }
        if var trades { try parseTradeList(&trades, isSnapshot: type.map { $0 == "snapshot" } ?? false, context, &output) }
        else if !isParsed { throw VenueParseError.missingField("trades") }
    }

    mutating func parseTradeList(_ t: inout JSONScanner, isSnapshot: Bool, _ context: ParseContext,
                                 _ output: inout VenueOutputs) throws(VenueParseError) {
        try t.beginArray()
        while try t.nextElement() {
            var symbol: Symbol?, price: Price?, size: Size?, side: Side?, id = "", time: Nanoseconds?
            func readSide(_ t: inout JSONScanner) throws(VenueParseError) -> Side {
                let maker = try t.readString()
                guard maker == "BUY" || maker == "SELL" else { throw VenueParseError.invalidValue("side", "expected BUY or SELL") }
                return maker == "BUY" ? .sell : .buy
            }
            try t.beginObject()
            while let key = try t.nextKey() {
                if key == "product_id" { symbol = try symbols.require(t.readString()) }
                else if key == "price" { price = try t.readDecimal() }
                else if key == "size" { size = try t.readDecimal() }
                else if key == "trade_id" { id = try t.readString().string }
                else if key == "time" { time = try clock.nanoseconds(t.readString()) }
                else if key == "side" { side = try readSide(&t) }
                else { try t.skipValue() }
            }
            guard let symbol, let price, let size, !id.isEmpty else { throw VenueParseError.missingField("product_id/price/size/trade_id") }
            if isSnapshot { continue }
            output.append(Trade(venue: Self.spec.id, symbol: symbol, price: price, size: size, side: side,
                                       tradeID: TradeID(id), tsExchange: time, tsRecv: context.tsRecv))
        }
    }

    // {"type":"update","tickers":[{"type":"ticker","product_id":"BTC-USD","price":"68900.50","volume_24_h":"15328.12345678",
    //  "low_24_h":"67500.00","high_24_h":"69200.00","best_bid":"68900.00","best_bid_quantity":"1.50000000",
    //  "best_ask":"68901.00","best_ask_quantity":"0.50000000"}]}
    // Sent on every match (CB-ADV-CH), so it is a trade-driven BBO, not every top-of-book change.
    static let tickerKeys = QuoteFields.Keys(bid: "best_bid", bidSize: "best_bid_quantity", ask: "best_ask", askSize: "best_ask_quantity",
                                             last: "price", volume24h: "volume_24_h", high24h: "high_24_h", low24h: "low_24_h")

    mutating func parseTickers(_ s: inout JSONScanner, ts: Nanoseconds?, _ context: ParseContext,
                               _ output: inout VenueOutputs) throws(VenueParseError) {
        try s.beginObject()
        guard try s.seek(key: "tickers") else { throw VenueParseError.missingField("tickers") }
        try s.beginArray()
        while try s.nextElement() {
            var symbol: Symbol?, q = QuoteFields()
            q.tsExchange = ts
            try s.beginObject()
            while let key = try s.nextKey() {
                if try q.read(key, from: &s, keys: Self.tickerKeys) { continue }
                if key == "product_id" { symbol = try symbols.require(s.readString()) }
                else { try s.skipValue() }
            }
            guard let symbol else { throw VenueParseError.missingField("product_id") }
            let use = wanted.channels(for: symbol)
            q.append(to: &output, bbo: use.contains(.bbo), ticker: use.contains(.ticker), venue: Self.spec.id, symbol: symbol,
                     tsRecv: context.tsRecv)
        }
        try s.skipRestOfContainer(isObject: true)
    }

    // {"subscriptions":{"level2":["BTC-USD"],"market_trades":["BTC-USD","ETH-USD"],"heartbeats":["heartbeats"]}}
    // The full current set after each (un)subscribe; products we were not configured for are left out.
    func parseAck(_ s: inout JSONScanner, _ output: inout VenueOutputs) throws(VenueParseError) {
        var confirmed: [Subscription] = []
        try s.beginObject()
        guard try s.seek(key: "subscriptions") else { throw VenueParseError.missingField("subscriptions") }
        try s.beginObject()
        while let channel = try s.nextKey() {
            let kinds: [Channel] = channel == "level2" ? [.book] : channel == "market_trades" ? [.trades]
                : channel == "ticker" ? [.bbo, .ticker] : []
            for name in try s.readStrings() {
                guard let symbol = symbols.symbol(forVenueName: name) else { continue }
                // `ticker` serves both bbo and ticker: confirm only the ones that were asked for.
                for kind in kinds where kinds.count == 1 || wanted.contains(Subscription(symbol: symbol, channel: kind)) {
                    confirmed.append(Subscription(symbol: symbol, channel: kind))
                }
            }
        }
        try s.skipRestOfContainer(isObject: true)
        output.append(.subscribed(SubscriptionAck(subscriptions: confirmed)))
    }
}
