import MarketModel
import VenueKit

// Shared Binance wire helpers: spot (`Binance`) and USD-M (`BinanceFutures`) use the same
// combined-stream envelope, control responses, payload keys and REST depth body (BN-STR, BN-FUT-MS).

extension Binance {
    /// Builds `SUBSCRIBE` (`subscribe`) or `UNSUBSCRIBE` frames, sorted so the frames do not depend on
    /// the caller's order (``PendingRequests/frames(for:maxTopics:text:)``), and remembers each
    /// request id's subscriptions for the ack.
    static func requestFrames(subscribe: Bool, _ subscriptions: [Subscription], symbols: VenueSymbolMap, pending: inout PendingRequests,
                              stream: (Channel) -> String?) -> [OutboundMessage] {
        let streams = subscriptions.compactMap { sub -> (subscription: Subscription, topic: String)? in
            guard let name = symbols.venueName(for: sub.symbol), let kind = stream(sub.channel) else { return nil }
            return (sub, "\(name.lowercased())@\(kind)")  // BN-STR: stream names are lowercase
        }
        return pending.frames(for: streams, maxTopics: streamsPerFrame) { id, params in
            "{\"method\":\"\(subscribe ? "SUBSCRIBE" : "UNSUBSCRIBE")\",\"params\":[\(params)],\"id\":\(id)}"
        }
    }

    /// Reads the envelope into `payload` and returns `true` for a data frame (combined `data`,
    /// WS-API style `event`, or a raw `/ws` payload); handles control responses itself and returns
    /// `false` for them:
    /// ```
    /// {"result":null,"id":1}
    /// {"code":2,"msg":"Invalid request: request ID must be an unsigned integer","id":1}
    /// ```
    ///
    /// The payload is read in place, in one pass (routing is by the payload's own `e`, so nothing
    /// before it is needed); `levels` lends `depthUpdate` its level storage.
    static func readFrame(_ message: UnsafeRawBufferPointer, pending: inout PendingRequests,
                          levels: inout BookScratch, payload: inout BinancePayload,
                          into output: inout VenueOutputs) throws(VenueParseError) -> Bool {
        var s = JSONScanner(message)
        try s.beginObject()
        var hasData = false
        var id: Int64?, code: Int64?, text: String?
        var hasResult = false, isRaw = false
        // Combined streams put `stream` first and `data` second: one compare each.
        if s.nextKey(is: "stream") {
            _ = try s.readString()
            if s.nextKey(is: "data") {
                try payload.read(&s, levels: &levels)
                hasData = true
            }
        }
        while let key = try s.nextKey() {
            if key == "data" || key == "event" {
                payload = BinancePayload()  // a repeated payload replaces the earlier one
                try payload.read(&s, levels: &levels)
                hasData = true
            }
            else if key == "stream" { _ = try s.readString() }  // routing is by the payload's `e`
            else if key == "result" { hasResult = true; try s.skipValue() }
            else if key == "id" { if try s.peekKind() == .number { id = try s.readInt64() } else { try s.skipValue() } }
            else if key == "code" { code = try s.readInt64() }
            else if key == "msg" { text = try s.readString().string }
            else if key == "error" {  // newer error shape: {"error":{"code":2,"msg":"..."},"id":1}
                let error = try s.readErrorObject(messageKey: "msg")
                (code, text) = (error.code ?? code, error.message ?? text)
            } else { isRaw = true; try s.skipValue() }
        }
        try s.finish()
        if hasData { return true }
        if isRaw {
            var raw = JSONScanner(message)
            payload = BinancePayload()
            try payload.read(&raw, levels: &levels)
            try raw.finish()
            return true
        }
        if let code {
            let reason = "code \(code): \(text ?? "")"
            output.append(pending.refusal(id, message: reason) ?? .venueError(reason))
            return false
        }
        guard hasResult else { throw .unexpected("Binance frame without data, result or code") }
        output.append(pending.acknowledgement(id))
        return false
    }

    /// REST depth body (spot; USD-M adds `"E"` and `"T"`), or `{"code":-1121,"msg":"Invalid symbol."}`.
    static func parseDepthSnapshot(venue: VenueID, symbol: Symbol, body: UnsafeRawBufferPointer,
                                   context: ParseContext) throws(VenueParseError) -> BookMessage {
        var s = JSONScanner(body)
        try s.beginObject()
        var lastUpdateID: Int64?, time: Int64?, code: Int64?, text = ""
        var bids: [BookLevel] = [], asks: [BookLevel] = []
        while let key = try s.nextKey() {
            if key == "lastUpdateId" { lastUpdateID = try s.readInt64() }
            else if key == "bids" { try s.readLevels(into: &bids) }
            else if key == "asks" { try s.readLevels(into: &asks) }
            else if key == "T" { time = try s.readInt64() }  // USD-M matching-engine time
            else if key == "code" { code = try s.readInt64() }
            else if key == "msg" { text = try s.readString().string }
            else { try s.skipValue() }
        }
        try s.finish()
        if let code { throw .unexpected("Binance REST error \(code): \(text)") }
        guard let lastUpdateID else { throw .missingField("lastUpdateId") }
        return BookMessage(venue: venue, symbol: symbol, isSnapshot: true, bids: bids, asks: asks, tsExchange: try nanoseconds(time),
                           tsRecv: context.tsRecv, sequencing: .restSnapshot(lastUpdateID: lastUpdateID))
    }

    /// Binance times are ms since the epoch (default `timeUnit`); overflow is an error, not a trap.
    static func nanoseconds(_ ms: Int64?) throws(VenueParseError) -> Nanoseconds? {
        guard let ms else { return nil }
        let (ns, overflow) = ms.multipliedReportingOverflow(by: 1_000_000)
        guard !overflow, ms >= 0 else { throw .invalidValue("time", "\(ms) ms is out of range") }
        return ns
    }

    /// The trade lane: a combined-stream `aggTrade` in Binance's documented layout, read with one
    /// ``LayoutReader`` pass; `true` when the trade was appended, `false` (nothing appended) sends
    /// the frame to the general path (``readFrame``), which reads any key order and reports errors.
    /// Spot puts `s` before `a` and ends with `M`; USD-M puts `a` first and has no `M`:
    /// ```
    /// {"stream":"nknusdt@aggTrade","data":{"e":"aggTrade","E":1633998523963,"s":"NKNUSDT","a":15683430,"p":"0.35280000","q":"58.00000000","f":19862790,"l":19862790,"T":1633998523963,"m":false,"M":true}}
    /// {"stream":"ctkusdt@aggTrade","data":{"e":"aggTrade","E":1626992741575,"a":16599292,"s":"CTKUSDT","p":"1.01100","q":"10","f":23961322,"l":23961322,"T":1626992741421,"m":false}}
    /// ```
    static func layoutAggTrade(_ message: UnsafeRawBufferPointer, venue: VenueID, symbols: inout VenueSymbolMap,
                               context: ParseContext, into output: inout VenueOutputs) -> Bool {
        var r = LayoutReader(message)
        guard r.literal(#"{"stream":""#), r.skipString(), r.literal(#","data":{"e":"aggTrade","E":"#),
              r.skipInteger() else { return false }
        let name: JSONString, id: Int64
        if r.literal(#","s":""#) {
            guard let s = r.string(), r.literal(#","a":"#), let a = r.integer() else { return false }
            (name, id) = (s, a)
        } else {
            guard r.literal(#","a":"#), let a = r.integer(), r.literal(#","s":""#), let s = r.string() else { return false }
            (name, id) = (s, a)
        }
        guard r.literal(#","p":""#), let price = r.quotedDecimal(), r.literal(#","q":""#), let size = r.quotedDecimal(),
              r.literal(#","f":"#), r.skipInteger(), r.literal(#","l":"#), r.skipInteger(),
              r.literal(#","T":"#), let time = r.integer(), r.literal(#","m":"#), let isBuyerMaker = r.bool() else { return false }
        if r.literal(#","M":"#) { guard r.bool() != nil else { return false } }
        guard r.literal("}}"), r.isAtEnd, let symbol = symbols.lookup(name),
              let tsExchange = try? nanoseconds(time) else { return false }
        output.append(Trade(venue: venue, symbol: symbol, price: price, size: size, side: isBuyerMaker ? .sell : .buy,
                                   tradeID: TradeID(id), tsExchange: tsExchange, tsRecv: context.tsRecv))
        return true
    }
}

/// One Binance stream payload, read in any key order. Binance reuses one-letter keys with other
/// JSON types per event (`a`: agg-trade id number in `aggTrade`, ask levels in `depthUpdate`, ask
/// price string in `bookTicker`), so the value's kind decides which field it fills. Strings are
/// views into the message and live only while `parse` runs.
struct BinancePayload {
    var event: JSONString?                                    // e
    var eventTime: Int64?                                     // E
    var time: Int64?                                          // T (trade / transaction / next funding time)
    var symbol: JSONString?                                   // s
    var price: FixedDecimal?, quantity: FixedDecimal?         // p, q
    var aggregateID: Int64?, tradeID: Int64?                  // a (number), t
    var isBuyerMaker: Bool?                                   // m
    var firstUpdateID: Int64?, lastUpdateID: Int64?, previousUpdateID: Int64?  // U, u, pu
    var bids: [BookLevel] = [], asks: [BookLevel] = []        // b, a (arrays)
    var bidPrice: FixedDecimal?, bidSize: FixedDecimal?       // b (string), B
    var askPrice: FixedDecimal?, askSize: FixedDecimal?       // a (string), A
    var fundingRate: FixedDecimal?                            // r ("" on delivery contracts)
    var order: JSONScanner?                                   // o (forceOrder's order object)

    /// Reads one payload object (the caller checks what follows it). Level arrays take their
    /// storage from `levels` and leave it there for the next message.
    ///
    /// `depthUpdate` members come in Binance's documented order first (`e,E,[T,]s,U,u,[pu,]b,a`),
    /// each key matched with one compare; from the first member that differs, the general loop
    /// reads the rest in any order. (`aggTrade` frames in their documented layout never get here:
    /// they take the trade lane, ``Binance/layoutAggTrade(_:venue:symbols:context:into:)``.)
    mutating func read(_ s: inout JSONScanner, levels: inout BookScratch) throws(VenueParseError) {
        try s.beginObject()
        inOrder: do {
            guard s.nextKey(is: "e") else { break inOrder }
            event = try s.readString()
            guard s.nextKey(is: "E") else { break inOrder }
            eventTime = try s.readInt64()
            if s.nextKey(is: "T") { time = try s.readInt64() }  // USD-M depth
            guard s.nextKey(is: "s") else { break inOrder }
            symbol = try s.readString()
            if s.nextKey(is: "U") {
                firstUpdateID = try s.readInt64()
                guard s.nextKey(is: "u") else { break inOrder }
                lastUpdateID = try s.readInt64()
                if s.nextKey(is: "pu") { previousUpdateID = try s.readInt64() }
                guard s.nextKey(is: "b") else { break inOrder }
                try readB(&s, &levels)
                guard s.nextKey(is: "a") else { break inOrder }
                try readA(&s, &levels)
            }
        }
        while let key = try s.nextKey() {
            if key == "e" { event = try s.readString() }
            else if key == "E" { eventTime = try s.readInt64() }
            else if key == "T" { time = try s.readInt64() }
            else if key == "s" { symbol = try s.readString() }
            else if key == "p" { price = try s.readDecimal() }
            else if key == "q" { quantity = try s.readDecimal() }
            else if key == "t" { tradeID = try s.readInt64() }
            else if key == "m" { isBuyerMaker = try s.readBool() }
            else if key == "U" { firstUpdateID = try s.readInt64() }
            else if key == "u" { lastUpdateID = try s.readInt64() }
            else if key == "pu" { previousUpdateID = try s.readInt64() }
            else if key == "b" { try readB(&s, &levels) }
            else if key == "a" { try readA(&s, &levels) }
            else if key == "B" { bidSize = try s.readDecimal() }
            else if key == "A" { askSize = try s.readDecimal() }
            else if key == "r" { fundingRate = try s.readOptionalDecimal() }
            else if key == "o", try s.peekKind() == .object { order = try s.captureValue() }
            else { try s.skipValue() }
        }
    }

    /// `b`: bid levels (`depthUpdate`), the bid price (`bookTicker`) or a buyer order id (`trade`).
    mutating func readB(_ s: inout JSONScanner, _ levels: inout BookScratch) throws(VenueParseError) {
        switch try s.peekKind() {
        case .array: bids = try s.readLevels(reusing: &levels.bids)
        case .string: bidPrice = try s.readDecimal()
        default: try s.skipValue()  // `trade`: buyer order id
        }
    }

    /// `a`: ask levels (`depthUpdate`), the ask price (`bookTicker`) or the aggregate trade id
    /// (`aggTrade`; `trade` reuses `a` for the seller order id).
    mutating func readA(_ s: inout JSONScanner, _ levels: inout BookScratch) throws(VenueParseError) {
        switch try s.peekKind() {
        case .array: asks = try s.readLevels(reusing: &levels.asks)
        case .string: askPrice = try s.readDecimal()
        default: aggregateID = try s.readInt64()
        }
    }

    /// The payload's symbol, mapped (unknown names are an error, never a guess).
    func mappedSymbol(_ symbols: inout VenueSymbolMap) throws(VenueParseError) -> Symbol {
        try symbols.require(symbol.required("s"))
    }

    /// `aggTrade` (id `a`) or `trade` (id `t`); `m: true` = buyer was maker = the taker sold (BN-STR).
    func trade(venue: VenueID, symbols: inout VenueSymbolMap, context: ParseContext) throws(VenueParseError) -> Trade {
        let symbol = try mappedSymbol(&symbols)
        let price = try self.price.required("p")
        let size = try quantity.required("q")
        let isAggregate = event == "aggTrade"
        let id = try (isAggregate ? aggregateID : tradeID).required(isAggregate ? "a" : "t")
        return Trade(venue: venue, symbol: symbol, price: price, size: size, side: try isBuyerMaker.required("m") ? .sell : .buy,
                     tradeID: TradeID(id), tsExchange: try Binance.nanoseconds(time ?? eventTime), tsRecv: context.tsRecv)
    }

    /// A `depthUpdate` (absolute quantities, `"0.00000000"` deletes) with the venue's update ids.
    func book(venue: VenueID, symbols: inout VenueSymbolMap, time: Int64?, sequencing: BookSequencing,
              context: ParseContext) throws(VenueParseError) -> BookMessage {
        BookMessage(venue: venue, symbol: try mappedSymbol(&symbols), isSnapshot: false, bids: bids, asks: asks,
                    tsExchange: try Binance.nanoseconds(time), tsRecv: context.tsRecv, sequencing: sequencing)
    }

    /// A `bookTicker` payload.
    func bbo(venue: VenueID, symbols: inout VenueSymbolMap, time: Int64?, context: ParseContext) throws(VenueParseError) -> BBO {
        let symbol = try mappedSymbol(&symbols)
        guard let bidPrice, let bidSize, let askPrice, let askSize else { throw .missingField("b/B/a/A") }
        return BBO(venue: venue, symbol: symbol, bidPrice: bidPrice, bidSize: bidSize, askPrice: askPrice, askSize: askSize,
                   tsExchange: try Binance.nanoseconds(time), tsRecv: context.tsRecv)
    }
}
