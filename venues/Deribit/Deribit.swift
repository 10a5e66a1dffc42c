import MarketModel
import VenueKit

/// Deribit JSON-RPC 2.0 market data (VENUES.md §6): `public/subscribe` to `trades.`, `book.`
/// (`change_id`/`prev_change_id`), `ticker.` (24 h stats and perpetual funding) and `quote.`
/// (BBO) channels; liquidations ride on trades (`liquidation` flag). Keep-alive is
/// `public/set_heartbeat` plus a `public/test` answer to every `test_request`.
///
/// Channels use the `100ms` interval by default: `raw` needs an authenticated connection
/// (DB-AUTHART), which a market-data session does not have. `options["interval"]` may pick
/// `raw` or `agg2`. Instruments: `BTC-PERPETUAL` → `BTC-USD-PERP`, `BTC_USDC-PERPETUAL` →
/// `BTC-USDC-PERP`, `BTC-27DEC26` → `BTC-USD-20261227`, `BTC-27DEC26-100000-C` →
/// `BTC-USD-20261227-100000-C`, `XRP_USDC-30MAY25-2d5-C` → `XRP-USDC-20250530-2.5-C`, `BTC_USDC` → `BTC-USDC`.
public struct Deribit: SymmetricSubscriptions {
    /// Static facts from VENUES.md §6.1 (DB-HB, DB-RL, NT-DB-RL).
    public static let spec = VenueSpec(
        id: .deribit, displayName: "Deribit", marketDataURLs: ["wss://www.deribit.com/ws/api/v2"],
        channelNames: [.trades: "trades", .book: "book", .bbo: "quote", .ticker: "ticker", .funding: "ticker",
                       .liquidations: "trades"],
        // No published channel cap; subscribe cost (3000 credits each) is the real limit.
        maxSubscriptionsPerConnection: 500,
        // public/subscribe: sustained ~3.3 requests/s, burst 10 (docs public-subscribe, NT-DB-RL).
        maxOutboundMessagesPerSecond: 3,
        // DB-HB: set_heartbeat ≥ 10 s; we use 30 s, and answer test_request with public/test.
        keepAlive: [.deribitHeartbeat(interval: Interval.seconds(30))],
        book: BookSpec(bootstrap: .streamSnapshot))

    var symbols = VenueSymbolMap()
    /// Whether trades try the `LayoutReader` lane first (tests turn it off to compare lanes).
    var usesLayoutLane = true
    /// What the session asked for, each on its venue channel (`trades.…` feeds trades and
    /// liquidations, `ticker.…` ticker and funding); also the per-message "is this wanted?" check.
    var wanted = SubscriptionTable()
    /// Channel suffix: `100ms` (public), `raw` (authenticated), `agg2`.
    let interval: String
    /// JSON-RPC ids (1 and 2 are the session-start requests; everything else counts from 3) and
    /// the subscribe requests awaiting their response, to diff `result` against (DB-NOTIF).
    var pending = PendingRequests(firstID: 3)
    /// Level storage reused from one book message to the next.
    var scratch = BookScratch()

    /// Builds the instrument table; `options["interval"]` selects `100ms` (default), `raw` or `agg2`.
    public init(configuration: VenueAdapterConfiguration) {
        interval = configuration.option("interval", oneOf: ["raw", "100ms", "agg2"]) ?? "100ms"
        symbols = VenueSymbolMap(configuration.symbols) { venueSymbol(for: $0) }
    }

    /// `BTC-USD-PERP` → `BTC-PERPETUAL`; non-USD quotes use Deribit's `BASE_QUOTE` prefix; expiries
    /// are written `27DEC26` (``ExpiryDate/dayMonthYear``); strikes write `.` as `d`. (A symbol's
    /// kind fixes its number of parts: options have five, futures and perpetuals three.)
    public func venueSymbol(for symbol: Symbol) -> String? {
        let parts = symbol.rawValue.split(separator: "-")
        let prefix = parts[1] == "USD" ? "\(parts[0])" : "\(parts[0])_\(parts[1])"
        let expiry = symbol.expiry.flatMap { ExpiryDate($0)?.dayMonthYear }
        switch symbol.kind {
        case .spot: return parts[1] == "USD" ? nil : prefix
        case .perpetual: return "\(prefix)-PERPETUAL"
        case .future: return expiry.map { "\(prefix)-\($0)" }
        case .option: return expiry.map { "\(prefix)-\($0)-\(parts[3].replacing(".", with: "d"))-\(parts[4])" }
        }
    }

    /// Parses Deribit instrument names (see the type's documentation).
    public func symbol(forVenueSymbol venueSymbol: String) -> Symbol? {
        if let known = symbols.symbol(forVenueName: venueSymbol) { return known }
        let parts = venueSymbol.split(separator: "-", omittingEmptySubsequences: false)
        let pair = parts[0].split(separator: "_")
        guard let base = pair.first, pair.count <= 2 else { return nil }
        let quote = pair.count == 2 ? pair[1] : "USD"
        let expiry = parts.count > 1 ? ExpiryDate(dayMonthYear: parts[1]) : nil
        switch parts.count {
        case 1 where pair.count == 2: return try? Symbol("\(base)-\(quote)")
        case 2 where parts[1] == "PERPETUAL": return try? Symbol("\(base)-\(quote)-PERP")
        case 2: return expiry.flatMap { try? Symbol("\(base)-\(quote)-\($0)") }
        case 4 where parts[3] == "C" || parts[3] == "P":
            return expiry.flatMap { try? Symbol("\(base)-\(quote)-\($0)-\(parts[2].replacing("d", with: "."))-\(parts[3])") }
        default: return nil
        }
    }

    /// DB-HB: heartbeats every 30 s (id 1); `platform_state` (id 2) reports locks and maintenance (DB-PS).
    public func sessionStartFrames() -> [OutboundMessage] {
        [OutboundMessage(text: #"{"jsonrpc":"2.0","id":1,"method":"public/set_heartbeat","params":{"interval":30}}"#),
         OutboundMessage(text: #"{"jsonrpc":"2.0","id":2,"method":"public/subscribe","params":{"channels":["platform_state"]}}"#)]
    }

    func channel(for sub: Subscription) -> String? {
        guard let name = Self.spec.channelNames[sub.channel], let instrument = venueSymbol(for: sub.symbol) else { return nil }
        return sub.channel == .bbo ? "quote.\(instrument)" : "\(name).\(instrument).\(interval)"
    }

    /// All new channels in one `public/subscribe` (subscribe is the credit-expensive call);
    /// `public/unsubscribe` for channels no remaining subscription shares.
    public mutating func frames(for subscriptions: [Subscription], subscribe adding: Bool) -> [OutboundMessage] {
        let method = adding ? "public/subscribe" : "public/unsubscribe"
        var channels: [String] = [], requested: [Subscription] = []
        for sub in subscriptions {
            guard let name = channel(for: sub) else { continue }
            let change = wanted.update(sub, on: name, adding: adding)
            guard change != .unchanged else { continue }
            requested.append(sub)
            if change == .venueChannel { channels.append(name) }
        }
        guard !channels.isEmpty else { return [] }
        let id = pending.register(adding ? requested : [])
        let list = channels.map { "\"\($0)\"" }.joined(separator: ",")
        return [OutboundMessage(text: #"{"jsonrpc":"2.0","id":\#(id),"method":"\#(method)","params":{"channels":[\#(list)]}}"#)]
    }

    /// JSON-RPC envelope (DB-NOTIF): notifications
    /// `{"jsonrpc":"2.0","method":"subscription","params":{"channel":"book.BTC-PERPETUAL.100ms","data":{...}}}`,
    /// heartbeats `{"jsonrpc":"2.0","method":"heartbeat","params":{"type":"test_request"}}`, responses
    /// `{"jsonrpc":"2.0","id":3,"result":["book.BTC-PERPETUAL.100ms"],"usIn":..,"usOut":..,"usDiff":..,"testnet":false}` and
    /// `{"jsonrpc":"2.0","id":3,"error":{"code":10028,"message":"too_many_requests"}}`.
    public mutating func parse(_ message: UnsafeRawBufferPointer, context: ParseContext,
                               into output: inout VenueOutputs) throws(VenueParseError) {
        if usesLayoutLane, layoutTrades(message, context, &output) { return }
        try output.appendingAllOrNothing { output throws(VenueParseError) in try parseObject(message, context, &output) }
    }

    /// ``parse(_:context:into:)`` without the trade lane, inside its all-or-nothing rule.
    mutating func parseObject(_ message: UnsafeRawBufferPointer, _ context: ParseContext,
                              _ output: inout VenueOutputs) throws(VenueParseError) {
        var s = JSONScanner(message)
        try s.beginObject()
        var method: JSONString?, id: Int64?, params: JSONScanner?, result: JSONScanner?, error: JSONScanner?
        // Notifications: `jsonrpc`, `method`, `params` (one compare per key), then any order.
        if s.nextKey(is: "jsonrpc") {
            try s.skipValue()
            if s.nextKey(is: "method") {
                let m = try s.readString()
                method = m
                if s.nextKey(is: "params") { try parseNotification(&s, method: m, context, &output) }
            }
        }
        while let key = try s.nextKey() {
            if key == "method" { method = try s.readString() }
            else if key == "id" { id = try s.readInt64() }
            else if key == "params", let method { try parseNotification(&s, method: method, context, &output) }
            else if key == "params" { params = try s.captureValue() }
            else if key == "result" { result = try s.captureValue() }
            else if key == "error" { error = try s.captureValue() }
            else { try s.skipValue() }
        }
        try s.finish()
        if var params, let method { try parseNotification(&params, method: method, context, &output) }
        else if var result { try parseResult(&result, id: id, &output) }
        else if var error { try parseError(&error, id: id, &output) }
        else if method == nil { throw VenueParseError.unexpected("deribit message without method, result or error") }
    }

    // {"jsonrpc":"2.0","method":"heartbeat","params":{"type":"test_request"}} must be answered with
    // public/test or the connection is closed (DB-HB); "type":"heartbeat" only shows the link is alive.
    mutating func parseNotification(_ s: inout JSONScanner, method: JSONString, _ context: ParseContext,
                                    _ output: inout VenueOutputs) throws(VenueParseError) {
        try s.beginObject()
        if method == "heartbeat" {
            guard try s.seek(key: "type") else { throw VenueParseError.missingField("params.type") }
            if try s.readString() == "test_request" {
                output.append(.send(OutboundMessage(text: #"{"jsonrpc":"2.0","id":\#(pending.register()),"method":"public/test","params":{}}"#)))
            }
            output.append(.heartbeat)
            return try s.skipRestOfContainer(isObject: true)
        }
        guard method == "subscription" else { return try s.skipRestOfContainer(isObject: true) }
        var channel: JSONString?, data: JSONScanner?
        if s.nextKey(is: "channel") {
            let c = try s.readString()
            channel = c
            if s.nextKey(is: "data") { try parseData(&s, channel: c, context, &output) }
        }
        while let key = try s.nextKey() {
            if key == "channel" { channel = try s.readString() }
            else if key == "data", let channel { try parseData(&s, channel: channel, context, &output) }
            else if key == "data" { data = try s.captureValue() }
            else { try s.skipValue() }
        }
        guard let channel else { throw VenueParseError.missingField("params.channel") }
        if var data { try parseData(&data, channel: channel, context, &output) }
    }

    mutating func parseData(_ s: inout JSONScanner, channel: JSONString, _ context: ParseContext,
                            _ output: inout VenueOutputs) throws(VenueParseError) {
        if channel.hasPrefix("trades.") {
            try s.beginArray()
            while try s.nextElement() { try parseTrade(&s, context, &output) }
        } else if channel.hasPrefix("book.") { try parseBook(&s, context, &output) }
        else if channel.hasPrefix("ticker.") { try parseQuote(&s, isTicker: true, context, &output) }
        else if channel.hasPrefix("quote.") { try parseQuote(&s, isTicker: false, context, &output) }
        else if channel == "platform_state" { try parsePlatformState(&s, &output) }
        else { try s.skipValue() }
    }
}
