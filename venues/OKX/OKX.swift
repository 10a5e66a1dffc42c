// OKX v5 public market data. Facts: shared VENUES.md §4 and okx.com/docs-v5 (order book, trades,
// tickers, funding-rate and liquidation-orders channels; "WebSocket connect" overview).
import MarketModel
import VenueKit

/// OKX v5 public WebSocket adapter (`okx`): JSON pushes keyed by `arg` (channel + instrument),
/// every number a string, books sequenced by `seqId`/`prevSeqId`.
public struct OKX: SymmetricSubscriptions, SymbolTableNaming {
    /// OKX's limits (VENUES.md §4.1): 3 connects/s per IP; the server cuts a connection after 30 s
    /// without traffic, so we send the text `ping` after 20 s of silence; < 30 depth channels
    /// advised per connection (order book channel notes) — used as the subscription cap; 480
    /// (un)subscribe requests per hour per connection, so one request carries all args of a call.
    public static let spec = VenueSpec(
        id: .okx, displayName: "OKX",
        marketDataURLs: ["wss://ws.okx.com:8443/ws/v5/public"],
        restBaseURL: "https://www.okx.com", orderEntryURL: "wss://ws.okx.com:8443/ws/v5/private",
        channelNames: [.trades: "trades", .book: "books", .bbo: "bbo-tbt", .ticker: "tickers",
                       .funding: "funding-rate", .liquidations: "liquidation-orders"],
        maxSubscriptionsPerConnection: 30, maxOutboundMessagesPerSecond: 2,
        keepAlive: [.applicationPing(payload: "ping", every: Interval.seconds(20))],
        // Books resend a no-change keep-alive after ~60 s idle; funding pushes every 30-90 s;
        // liquidations are sporadic.
        staleAfter: [.book: Interval.seconds(75), .bbo: Interval.seconds(75), .ticker: Interval.seconds(75), .trades: Interval.minutes(2),
                     .funding: Interval.minutes(3), .liquidations: Interval.hours(1)],
        connectBudget: ConnectBudget(attempts: 3, window: Interval.seconds(1)),
        // `checksum` is deprecated (always 0) but older captures carry it; Books checks it only
        // when a message has one.
        book: BookSpec(bootstrap: .streamSnapshot, checksum: .okxTop25Interleaved))

    /// The configured symbols and their `instId`s (``SymbolTableNaming``).
    public internal(set) var symbols = VenueSymbolMap()
    /// Whether trades try the `LayoutReader` lane first (tests turn it off to compare lanes).
    var usesLayoutLane = true
    /// `liquidation-orders` is subscribed per `instType`, not per instrument: the symbols that
    /// want it, on `liquidation-orders:SWAP` etc., so the channel is subscribed once and
    /// unsubscribed with the last symbol.
    var liquidations = SubscriptionTable()
    /// The `id` of our next request (≤ 32 alphanumerics, echoed in acks and errors).
    var nextRequestID = 1
    /// Level storage reused from one book message to the next.
    var scratch = BookScratch()

    /// Builds the `instId` table from the configured symbols.
    public init(configuration: VenueAdapterConfiguration) {
        symbols = VenueSymbolMap(configuration.symbols, venueName: Self.instID)
    }

    /// `BTC-USDT`, `BTC-USDT-PERP` → `BTC-USDT-SWAP`, `BTC-USD-20261225` → `BTC-USD-261225`,
    /// options `BTC-USD-261225-100000-C`.
    static func instID(for symbol: Symbol) -> String? {
        let p = symbol.rawValue.split(separator: "-")
        switch symbol.kind {
        case .spot where p.count == 2: return symbol.rawValue
        case .perpetual where p.count == 3: return "\(p[0])-\(p[1])-SWAP"
        case .future where p.count == 3: return "\(p[0])-\(p[1])-\(p[2].dropFirst(2))"
        case .option where p.count == 5: return "\(p[0])-\(p[1])-\(p[2].dropFirst(2))-\(p[3])-\(p[4])"
        default: return nil
        }
    }

    /// The `instType` of `liquidation-orders`: `side`/`bkPx` exist only for SWAP and FUTURES.
    static func instType(for kind: SymbolKind) -> String? {
        kind == .perpetual ? "SWAP" : kind == .future ? "FUTURES" : nil
    }

    /// `{"id":"1","op":"subscribe","args":[{"channel":"books","instId":"BTC-USDT"},...]}`;
    /// `{"id":"2","op":"unsubscribe","args":[...]}`.
    public mutating func frames(for subscriptions: [Subscription], subscribe: Bool) -> [OutboundMessage] {
        let op = subscribe ? "subscribe" : "unsubscribe"
        var args: [String] = []
        for sub in subscriptions.sorted(by: Subscription.channelThenSymbol) {
            guard let channel = Self.spec.channelNames[sub.channel], let inst = symbols.venueName(for: sub.symbol) else { continue }
            guard sub.channel == .liquidations else {
                args.append("{\"channel\":\"\(channel)\",\"instId\":\"\(inst)\"}")
                continue
            }
            guard let type = Self.instType(for: sub.symbol.kind),
                  liquidations.update(sub, on: "\(channel):\(type)", adding: op == "subscribe") == .venueChannel else { continue }
            args.append("{\"channel\":\"\(channel)\",\"instType\":\"\(type)\"}")
        }
        // The args of one request must stay under 64 KB [SLINKY]; batch up to ~60 KB each.
        return OutboundMessage.batches(args, maxBytes: 60_000).map { batch in
            defer { nextRequestID += 1 }
            return OutboundMessage(text: "{\"id\":\"\(nextRequestID)\",\"op\":\"\(op)\",\"args\":[\(batch.joined(separator: ","))]}")
        }
    }

    /// Parses one OKX frame: the text `pong`, an event (ack, error, notice) or a data push.
    public mutating func parse(_ message: UnsafeRawBufferPointer, context: ParseContext,
                               into output: inout VenueOutputs) throws(VenueParseError) {
        // Our text `ping` is answered by the bare text `pong`, not JSON [OKX-CONN].
        if message.count == 4, message.elementsEqual("pong".utf8) { return output.append(.pong) }
        if usesLayoutLane, layoutTrades(message, context, &output) { return }
        try output.appendingAllOrNothing { output throws(VenueParseError) in try parseObject(message, context, &output) }
    }

    // {"arg":{"channel":"books","instId":"BTC-USDT"},"action":"snapshot","data":[...]}
    // {"id":"1512","event":"subscribe","arg":{"channel":"books","instId":"BTC-USDT"},"connId":"a4d3ae55"}
    // {"id":"1512","event":"error","code":"60012","msg":"Invalid request: {...}","connId":"a4d3ae55"}
    // {"event":"notice","code":"64008","msg":"The connection will soon be closed for a service upgrade. Please reconnect.","connId":"a4d3ae55"}
    mutating func parseObject(_ message: UnsafeRawBufferPointer, _ context: ParseContext,
                              _ output: inout VenueOutputs) throws(VenueParseError) {
        var s = JSONScanner(message)
        try s.beginObject()
        var channel: JSONString?, instID: JSONString?, instType: JSONString?, action: JSONString?, event: JSONString?
        var code = "", text = "", requestID: String?, deferred: JSONScanner?, sawData = false
        // Data pushes: `arg` {`channel`, `instId`}, [`action`], `data` (one compare per key), then
        // any order.
        inOrder: do {
            guard s.nextKey(is: "arg") else { break inOrder }
            try s.beginObject()
            if s.nextKey(is: "channel") {
                channel = try s.readString()
                if s.nextKey(is: "instId") { instID = try s.readString() }
            }
            while let k = try s.nextKey() {
                if k == "channel" { channel = try s.readString() }
                else if k == "instId" { instID = try s.readString() }
                else if k == "instType" { instType = try s.readString() }
                else { try s.skipValue() }
            }
            if s.nextKey(is: "action") { action = try s.readString() }
            guard let channel, action != nil || channel != "books", s.nextKey(is: "data") else { break inOrder }
            sawData = true
            try parseData(&s, channel, instID, action, context, &output)
        }
        while let key = try s.nextKey() {
            if key == "arg" {
                try s.beginObject()
                while let k = try s.nextKey() {
                    if k == "channel" { channel = try s.readString() }
                    else if k == "instId" { instID = try s.readString() }
                    else if k == "instType" { instType = try s.readString() }
                    else { try s.skipValue() }
                }
            } else if key == "data" {
                sawData = true
                // `action` precedes `data` in OKX pushes; capture for a later read if it did not.
                if let channel, action != nil || channel != "books" {
                    try parseData(&s, channel, instID, action, context, &output)
                } else {
                    deferred = try s.captureValue()
                }
            } else if key == "action" { action = try s.readString() }
            else if key == "event" { event = try s.readString() }
            else if key == "code" { code = try s.readIdentifier() }
            else if key == "msg" { text = try s.readString().string }
            else if key == "id" { requestID = try s.readIdentifier() }
            else if key == "connCount" { text = "connCount \(try s.readIdentifier())" }
            else { try s.skipValue() }
        }
        try s.finish()
        if var deferred { return try parseData(&deferred, try channel.required("arg.channel"), instID, action, context, &output) }
        if sawData { return }
        guard let event else { throw .unexpected("okx frame without event or data") }
        if event == "subscribe" {
            let subs = try acked(try channel.required("arg.channel"), instID, instType)
            output.append(.acknowledged(subs, requestID: requestID))
        } else if event == "unsubscribe" {
            return  // nothing to report: the subscription is gone
        } else if event == "error" {
            // Errors carry no `arg`; our request `id` is the only link to the refused subscribe.
            let what = "\(code): \(text)"
            output.append(requestID == nil ? .venueError(what) : .refused(requestID: requestID, message: what))
        } else if event == "notice" && code == "64008" {
            output.append(.reconnectRequested(reason: "\(code): \(text)"))  // service upgrade in ~30 s
        } else if event == "notice" || event == "channel-conn-count-error" {
            output.append(.venueError("\(event.string) \(code.isEmpty ? text : "\(code): \(text)")"))
        } else {
            throw .unexpected("okx event '\(event.string)'")
        }
    }

    /// The subscriptions an ack confirms (`liquidation-orders`: every symbol of its `instType`).
    mutating func acked(_ channel: JSONString, _ instID: JSONString?, _ instType: JSONString?) throws(VenueParseError) -> [Subscription] {
        guard let normalized = Self.spec.channelNames.first(where: { channel.equals($0.value) })?.key else {
            throw .unexpected("okx channel '\(channel.string)'")
        }
        if normalized == .liquidations {
            return liquidations.subscriptions(on: "\(channel.string):\(instType?.string ?? "")")
        }
        return [Subscription(symbol: try symbols.require(try instID.required("arg.instId")), channel: normalized)]
    }
}
