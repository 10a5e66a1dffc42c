// Bitfinex WebSocket v2 public market data. Facts: shared VENUES.md §8 and docs.bitfinex.com
// (ws-general, ws-public books/trades/ticker, ws-websocket-checksum); SEQ_ALL shapes from the
// cryptofeed BITFINEX.ws.11.0 capture.
import MarketModel
import VenueKit

/// Bitfinex v2 public adapter (`bitfinex`): events are JSON objects, data are arrays
/// `[CHAN_ID, BODY, SEQ]` keyed by the `chanId` the `subscribed` event assigned; numbers are JSON
/// numbers in JavaScript's shortest form (`1.7023900800000002`, `5e-7`), kept exactly.
public struct Bitfinex: SymbolTableNaming {
    /// Bitfinex's facts (VENUES.md §8.1): 20 connections/min on api-pub; 25 channels per
    /// connection; `[CHAN_ID,"hb"]` on idle channels (every 15 s); no published outbound message
    /// rate, so 5/s is a conservative budget. Without bulk updates one level changes per message,
    /// so a book may look crossed for a few messages in a burst (the tolerance stays for a venue
    /// that refuses the flag).
    public static let spec = VenueSpec(
        id: .bitfinex, displayName: "Bitfinex",
        marketDataURLs: ["wss://api-pub.bitfinex.com/ws/2"],
        restBaseURL: "https://api-pub.bitfinex.com", orderEntryURL: "wss://api.bitfinex.com/ws/2",
        channelNames: [.trades: "trades", .book: "book", .ticker: "ticker"],
        maxSubscriptionsPerConnection: 25, maxOutboundMessagesPerSecond: 5,
        keepAlive: [.heartbeatChannel(expectedEvery: Interval.seconds(15))],
        staleAfter: [.book: Interval.seconds(60), .trades: Interval.minutes(5), .ticker: Interval.minutes(5)],
        connectBudget: ConnectBudget(attempts: 20, window: Interval.minutes(1)),
        book: BookSpec(bootstrap: .streamSnapshot, checksum: .bitfinexTop25, crossedTolerance: 64))

    /// `conf` flags: SEQ_ALL (65536, a per-socket sequence on every channel message) + CHECKSUM
    /// (131072, `[CHAN_ID,"cs",int32]` over the top 25 levels) [CF-CODE][BFX-CS] + BULK_UPDATES
    /// (536870912: "Bulk updates can be enabled using a conf event flag of 536870912",
    /// docs.bitfinex.com/reference/ws-public-books). With bulk updates the book changes of one
    /// venue update arrive as one `[CHAN_ID,[[PRICE,COUNT,AMOUNT],...],SEQ]` frame instead of one
    /// frame per level, so a 20-level change is one message (one parse, one `Books` apply, one
    /// SEQ) instead of twenty. That shape is the snapshot's, so the adapter tells them apart per
    /// channel: the first book message after `subscribed` is the snapshot (`awaitingSnapshot`).
    /// If the venue refuses the flags (`conf` status not OK) it keeps sending one level per
    /// frame, which is still read.
    static let confFlags = 65_536 + 131_072 + 536_870_912

    /// A subscribed data feed.
    enum Feed: String, Sendable { case trades, book, ticker }
    /// One subscription's identity, to find its `chanId` for `unsubscribe`.
    struct FeedKey: Hashable, Sendable { var symbol: Symbol; var feed: Feed }

    /// The configured symbols and their `t…` names (``SymbolTableNaming``).
    public internal(set) var symbols = VenueSymbolMap()
    /// Whether trades try the `LayoutReader` lane first (tests turn it off to compare lanes).
    var usesLayoutLane = true
    /// `chanId` → feed, from `subscribed` events (ids are per connection).
    var feeds: [Int64: FeedKey] = [:] { didSet { lastFeed = nil } }
    /// The last `chanId` looked up and its feed (data messages of one channel come in runs).
    var lastFeed: (chanID: Int64, key: FeedKey?)?
    var chanIDs: [FeedKey: Int64] = [:]
    /// Book `chanId`s subscribed whose snapshot has not arrived yet: their next array-of-levels
    /// message is the snapshot; after it, the same shape is a bulk update. A short list (one
    /// entry per book being subscribed, empty once the snapshots are in), so the per-frame check
    /// is an `isEmpty` test.
    var awaitingSnapshot: [Int64] = []
    /// P0 book length: 25 (the checksum's depth, the venue default), or 100/250 if configured.
    let bookLength: Int
    /// Level storage reused from one book frame to the next.
    var bidScratch = LevelScratch(), askScratch = LevelScratch()

    /// Builds the symbol table: `tBTCUSD`; `t`+`BASE:QUOTE` when a code is longer than 3 letters;
    /// USDT is `UST` on Bitfinex; perpetuals `tBTCF0:USTF0`. `options["symbol.BTC-USD"]` overrides.
    public init(configuration: VenueAdapterConfiguration) {
        bookLength = configuration.bookDepth(oneOf: [100, 250]) ?? 25
        symbols = VenueSymbolMap(configuration.symbols) { configuration.options["symbol.\($0.rawValue)"] ?? Self.pair(for: $0) }
    }

    static func pair(for symbol: Symbol) -> String? {
        func code(_ c: String) -> String { c == "USDT" ? "UST" : c }
        let (base, quote): (String, String)
        switch symbol.kind {
        case .spot: (base, quote) = (code(symbol.base), code(symbol.quote))
        case .perpetual: (base, quote) = (code(symbol.base) + "F0", code(symbol.quote) + "F0")
        default: return nil
        }
        return base.count == 3 && quote.count == 3 ? "t\(base)\(quote)" : "t\(base):\(quote)"
    }

    /// `{"event":"conf","flags":537067520}` before any subscription.
    public func sessionStartFrames() -> [OutboundMessage] {
        [OutboundMessage(text: "{\"event\":\"conf\",\"flags\":\(Self.confFlags)}")]
    }

    /// One `subscribe` per channel and symbol (Bitfinex takes no batches):
    /// `{"event":"subscribe","channel":"book","symbol":"tBTCUSD","prec":"P0","freq":"F0","len":"25"}`.
    public mutating func subscribeFrames(for subscriptions: [Subscription]) -> [OutboundMessage] {
        subscriptions.sorted(by: Subscription.channelThenSymbol).compactMap { sub in
            guard let name = symbols.venueName(for: sub.symbol), let channel = Self.spec.channelNames[sub.channel] else { return nil }
            let book = sub.channel == .book ? ",\"prec\":\"P0\",\"freq\":\"F0\",\"len\":\"\(bookLength)\"" : ""
            return OutboundMessage(text: "{\"event\":\"subscribe\",\"channel\":\"\(channel)\",\"symbol\":\"\(name)\"\(book)}")
        }
    }

    /// `{"event":"unsubscribe","chanId":232957}` for each subscription whose `subscribed` arrived.
    public mutating func unsubscribeFrames(for subscriptions: [Subscription]) -> [OutboundMessage] {
        subscriptions.sorted(by: Subscription.channelThenSymbol).compactMap { sub in
            guard let feed = Feed(rawValue: Self.spec.channelNames[sub.channel] ?? ""),
                  let id = chanIDs[FeedKey(symbol: sub.symbol, feed: feed)] else { return nil }
            return OutboundMessage(text: "{\"event\":\"unsubscribe\",\"chanId\":\(id)}")
        }
    }

    /// Parses one Bitfinex message: an event object or a channel array.
    public mutating func parse(_ message: UnsafeRawBufferPointer, context: ParseContext,
                               into output: inout VenueOutputs) throws(VenueParseError) {
        if usesLayoutLane, layoutTrade(message, context, &output) || layoutBook(message, context, &output) { return }
        let mark = output.mark
        var s = JSONScanner(message)
        do throws(VenueParseError) {
            var snapshotOf: Int64?
            if try s.peekKind() == .object { try parseEvent(&s, &output) } else { snapshotOf = try parseChannel(&s, context, &output) }
            try s.finish()
            // Only a snapshot frame that parsed completely ends the wait: a rejected one leaves
            // the channel waiting, so its next level array is not taken for an update.
            if let snapshotOf { awaitingSnapshot.removeAll { $0 == snapshotOf } }
        } catch {
            output.rollBack(to: mark)
            throw error
        }
    }

    /// What a channel message carried, held until its trailing sequence number is read.
    /// Book levels are held apart (see `parseChannel`), not in a case of this enum.
    enum Body { case heartbeat, ignored, trade(Trade), checksum(Int64), ticker(Ticker) }

    /// The levels of one book frame, held until its trailing sequence number is read.
    typealias Levels = (bids: [BookLevel], asks: [BookLevel], isSnapshot: Bool)

    // [232957,[[60400,1,0.68826974],[60397,1,1.17989099],...,[60407,1,-0.5]],526]   book snapshot, SEQ 526
    // [232957,[60418,1,0.6879704],527]   [232957,[60403,0,1],528]   set a bid / delete a bid
    // [232957,[[60418,1,0.6879704],[60403,0,1]],529]   the same two changes as one bulk update (BULK_UPDATES)
    // [232957,"cs",-1582707309,529]      [232959,"te",[401597395,1574694478808,0.005,7245.3],530]
    // [232959,"tu",[401597395,1574694478808,0.005,7245.3],531]      [232959,"hb",532]
    /// Returns the `chanId` when the message was that book channel's snapshot.
    mutating func parseChannel(_ s: inout JSONScanner, _ context: ParseContext, _ output: inout VenueOutputs) throws(VenueParseError) -> Int64? {
        try s.beginArray()
        guard try s.nextElement() else { throw .unexpected("empty channel message") }
        let chanID = try s.readInt64()
        guard try s.nextElement() else { throw .missingField("message body") }
        var body = Body.ignored
        // Book frames (one level each, ~20 per venue update) keep their levels out of `Body`:
        // `Body` is as large as a `Trade`, and moving it through the switch below cost an
        // outlined copy and a `memcpy` per frame.
        var book: Levels?
        let key = feedKey(chanID)
        if try s.peekKind() == .string {
            let tag = try s.readString()
            if tag == "hb" { body = .heartbeat }
            else {
                guard try s.nextElement() else { throw .missingField("'\(tag.string)' payload") }
                if tag == "te", let key { try s.beginArray(); body = .trade(try Self.trade(&s, key.symbol, context)) }
                else if tag == "cs", key != nil { body = .checksum(try s.readInt64()) }
                else { try s.skipValue() }   // `tu` repeats a `te` with the final trade id: ignored
            }
        } else if let key {
            switch key.feed {
            case .book: book = try levels(&s, chanID: chanID)
            case .ticker: body = .ticker(try Self.ticker(&s, key.symbol, context))
            case .trades: try s.skipValue()   // the snapshot of past trades: replayed on every subscribe
            }
        } else {
            try s.skipValue()   // a channel we no longer map (after `unsubscribed`): keep its SEQ only
        }
        // SEQ_ALL appends a per-socket sequence number to every channel message, `hb` included
        // [BFX-ISS]; arrays may grow at the end, so anything after it is skipped [BFX-GEN].
        var seq: Int64?
        if try s.nextElement() {
            seq = try s.readInt64()
            while try s.nextElement() { try s.skipValue() }
        }
        if let seq { output.append(.connectionSequence(seq)) }
        let sequencing = seq.map { BookSequencing.connectionSequence($0) } ?? .none
        if let book, let key {
            let update = BookUpdate(venue: .bitfinex, symbol: key.symbol, isSnapshot: book.isSnapshot, bids: book.bids, asks: book.asks,
                                    tsExchange: nil, tsRecv: context.tsRecv)
            output.append(.book(BookMessage(update: update, sequencing: sequencing)))
            return book.isSnapshot ? chanID : nil
        }
        switch body {
        case .heartbeat: output.append(.heartbeat)
        case .ignored: break
        case let .trade(trade): output.append(trade)
        case let .ticker(ticker): output.append(.ticker(ticker))
        case let .checksum(value):
            guard let key, Int64(Int32.min) ... Int64(Int32.max) ~= value else { throw .invalidValue("cs", "not a signed 32-bit value") }
            let update = BookUpdate(venue: .bitfinex, symbol: key.symbol, isSnapshot: false, bids: [], asks: [], tsExchange: nil, tsRecv: context.tsRecv)
            output.append(.book(BookMessage(update: update, sequencing: sequencing,
                                            checksum: BookChecksum(expected: UInt32(truncatingIfNeeded: value), algorithm: .bitfinexTop25))))
        }
        return nil
    }

    /// `[ID, MTS, AMOUNT, PRICE]` (after the opening `[`): AMOUNT > 0 a taker buy, < 0 a taker sell.
    static func trade(_ s: inout JSONScanner, _ symbol: Symbol, _ context: ParseContext) throws(VenueParseError) -> Trade {
        guard try s.nextElement() else { throw .missingField("ID") }
        let id = try s.readInt64()
        guard try s.nextElement() else { throw .missingField("MTS") }
        let (ts, overflow) = try s.readInt64().multipliedReportingOverflow(by: 1_000_000)
        guard !overflow else { throw .invalidValue("MTS", "milliseconds out of range") }
        guard try s.nextElement() else { throw .missingField("AMOUNT") }
        let amount = try s.readDecimal()
        guard try s.nextElement() else { throw .missingField("PRICE") }
        let price = try s.readDecimal()
        while try s.nextElement() { try s.skipValue() }
        return Trade(venue: .bitfinex, symbol: symbol, price: price, size: amount.magnitude, side: amount.isNegative ? .sell : .buy,
                     tradeID: TradeID(id), tsExchange: ts, tsRecv: context.tsRecv)
    }

    // [232950,[278200,1.7023900800000002,282030,2.2626931299999997,-66440,-0.1903,282780,32.20946748,402510,231840],3]
    // = [BID, BID_SIZE, ASK, ASK_SIZE, DAILY_CHANGE, DAILY_CHANGE_RELATIVE, LAST_PRICE, VOLUME, HIGH, LOW].
    // BID_SIZE/ASK_SIZE sum the top 25 levels, so the ticker is no BBO source.
    static func ticker(_ s: inout JSONScanner, _ symbol: Symbol, _ context: ParseContext) throws(VenueParseError) -> Ticker {
        var values: [FixedDecimal?] = []
        try s.beginArray()
        while try s.nextElement() {
            if values.count < 10 { values.append(try s.readOptionalDecimal()) } else { try s.skipValue() }
        }
        guard values.count >= 10 else { throw .missingField("ticker LOW (10 fields expected)") }
        return Ticker(venue: .bitfinex, symbol: symbol, last: values[6], bid: values[0], ask: values[2], volume24h: values[7],
                      high24h: values[8], low24h: values[9], tsExchange: nil, tsRecv: context.tsRecv)
    }

    // {"event":"info","version":2,"serverId":"083bd8d4-aca7-4690-a573-eabfc8103de8","platform":{"status":1}}
    // {"event":"info","code":20051,"msg":"Stopping. Please try to reconnect"}
    // {"event":"conf","status":"OK","flags":537067520}
    // {"event":"subscribed","channel":"book","chanId":232957,"symbol":"tTESTBTC:TESTUSD","prec":"P0","freq":"F0","len":"100","pair":"TESTBTC:TESTUSD"}
    // {"event":"unsubscribed","status":"OK","chanId":232957}
    // {"event":"error","msg":"symbol: invalid","code":10300,"channel":"trades","symbol":"tBTCXXX"}
    mutating func parseEvent(_ s: inout JSONScanner, _ output: inout VenueOutputs) throws(VenueParseError) {
        var event: JSONString?, channel: JSONString?, symbol: JSONString?, status: JSONString?, text = ""
        var chanID: Int64?, code: Int64?, platform: Int64?
        try s.beginObject()
        while let key = try s.nextKey() {
            if key == "event" { event = try s.readString() }
            else if key == "channel" { channel = try s.readString() }
            else if key == "symbol" { symbol = try s.readString() }
            else if key == "chanId" { chanID = try s.readInt64() }
            else if key == "code" { code = try s.readInt64() }
            else if key == "msg" { text = try s.readString().string }
            else if key == "status" { status = try s.readString() }
            else if key == "platform" {
                try s.beginObject()
                while let k = try s.nextKey() { if k == "status" { platform = try s.readInt64() } else { try s.skipValue() } }
            } else { try s.skipValue() }
        }
        guard let event else { throw .missingField("event") }
        let feed = channel.flatMap { Feed(rawValue: $0.string) }
        if event == "subscribed" {
            guard let feed, let symbol, let chanID else { throw .missingField("channel/symbol/chanId") }
            let key = FeedKey(symbol: try symbols.require(symbol), feed: feed)
            (feeds[chanID], chanIDs[key]) = (key, chanID)
            // A new subscription (also a resubscribe that got its old id back) starts with a snapshot.
            if feed == .book, !awaitingSnapshot.contains(chanID) { awaitingSnapshot.append(chanID) }
            output.append(.subscribed(SubscriptionAck(subscriptions: [Subscription(symbol: key.symbol, channel: Self.channel(of: feed))])))
        } else if event == "unsubscribed" {
            if let chanID, let key = feeds.removeValue(forKey: chanID) { chanIDs[key] = nil }
            awaitingSnapshot.removeAll { $0 == chanID }
        } else if event == "info" {
            // 20051: server restart, reconnect; 20061: maintenance over, resubscribe everything (a
            // fresh connection does that); 20060: maintenance started; platform.status 0 = maintenance.
            if code == 20051 || code == 20061 { output.append(.reconnectRequested(reason: "\(code ?? 0): \(text)")) }
            else if let code { output.append(.venueError("info \(code): \(text)")) }
            else if platform == 0 { output.append(.venueError("platform status 0 (maintenance)")) }
        } else if event == "conf" {
            if let status, status != "OK" { output.append(.venueError("conf flags refused: \(status.string)")) }
        } else if event == "error" {
            let message = "\(code ?? 0): \(text)"
            if let feed, let name = symbol, let sym = symbols.lookup(name) {
                output.append(.subscribed(SubscriptionAck(subscriptions: [Subscription(symbol: sym, channel: Self.channel(of: feed))],
                                                          isSuccess: false, message: message)))
            } else {
                output.append(.venueError(message))
            }
        } else if event == "pong" {
            output.append(.pong)
        } else {
            throw .unexpected("bitfinex event '\(event.string)'")
        }
    }

    static func channel(of feed: Feed) -> Channel {
        switch feed { case .trades: .trades; case .book: .book; case .ticker: .ticker }
    }
}
