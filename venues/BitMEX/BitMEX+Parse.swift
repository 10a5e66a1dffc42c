import MarketModel
import VenueKit

extension BitMEX {
    /// Parses one frame: the text `pong`; the welcome `{"info":"Welcome to the BitMEX Realtime API.",...}`;
    /// acks `{"success":true,"subscribe":"trade:XBTUSD","request":{"op":"subscribe","args":["trade:XBTUSD"]}}`;
    /// errors `{"status":400,"error":"Unknown table: tradeBin5dm","meta":{},"request":{"op":"subscribe","args":[...]}}`;
    /// table data `{"table":"trade","action":"insert","data":[...]}` (partials add keys/types/filter).
    public mutating func parse(_ message: UnsafeRawBufferPointer, context: ParseContext,
                               into output: inout VenueOutputs) throws(VenueParseError) {
        if message.count == 4, message.elementsEqual("pong".utf8) { return output.append(.pong) }
        if usesLayoutLane, layoutTrades(message, context, &output) { return }
        rows.removeAll(keepingCapacity: true)
        rowSymbols.removeAll(keepingCapacity: true)
        try output.appendingAllOrNothing { output throws(VenueParseError) in
            var s = JSONScanner(message)
            try s.beginObject()
            var table: JSONString?, action: LevelIDMap.Action?, data: JSONScanner?, hasData = false, filter: Symbol?
            var topic: JSONString?, isSuccess = false, status: Int64?, error: String?, request: JSONScanner?, retry = ""
            // Table data: `table`, `action`, `data` (one compare per key), then any order.
            if s.nextKey(is: "table") {
                let t = try s.readString()
                table = t
                if s.nextKey(is: "action") {
                    let a = Self.action(try s.readString())
                    action = a
                    if s.nextKey(is: "data") {
                        try parseRows(&s, table: t, action: a, context, &output)
                        hasData = true
                    }
                }
            }
            while let key = try s.nextKey() {
                if key == "table" { table = try s.readString() }
                else if key == "action" { action = Self.action(try s.readString()) }
                else if key == "data", let table, let action { try parseRows(&s, table: table, action: action, context, &output); hasData = true }
                else if key == "data" { data = try s.captureValue(); hasData = true }
                else if key == "filter" {
                    if let name = try s.readMember("symbol", { s throws(VenueParseError) in try s.readString() }) { filter = symbols.lookup(name) }
                } else if key == "success" { isSuccess = try s.readBool() }
                else if key == "subscribe" { topic = try s.readString() }
                else if key == "status" { status = try s.readInt64() }
                else if key == "error" { error = try s.readString().string }
                else if key == "request" { request = try s.captureValue() }
                else if key == "meta", try s.peekKind() == .object {
                    let seconds = try s.readMember("retryAfter") { s throws(VenueParseError) in try s.readInt64() }
                    if let seconds { retry = " (retry after \(seconds) s)" }
                } else { try s.skipValue() }
            }
            try s.finish()
            if let table {
                guard let action, hasData else { throw VenueParseError.missingField("action/data") }
                if var data { try parseRows(&data, table: table, action: action, context, &output) }
                if table.hasPrefix("orderBookL2") { applyBook(action: action, filter: filter, context, &output) }
            } else if let error {
                let text = "bitmex \(status.map(String.init) ?? "error"): \(error)\(retry)"
                output.append(.venueError(text))
                if var request, let refused = try topics(&request, op: "subscribe") {
                    output.append(.refused(refused, message: text))
                }
            } else if let topic, isSuccess, let sub = subscription(topic: topic.string) {
                output.append(.acknowledged([sub]))
            }
        }
    }

    /// `trade:XBTUSD` → trades of BTC-USD-PERP.
    func subscription(topic: String) -> Subscription? {
        let parts = topic.split(separator: ":")
        guard parts.count == 2, let symbol = symbols.symbol(forVenueName: String(parts[1])) else { return nil }
        let table = parts[0] == "orderBookL2" ? "orderBookL2_25" : parts[0]
        return Self.spec.channelNames.first { $0.value == table }.map { Subscription(symbol: symbol, channel: $0.key) }
    }

    /// The topics of an echoed `request` when its op is `op` (`args` is an array or one string).
    func topics(_ s: inout JSONScanner, op: StaticString) throws(VenueParseError) -> [Subscription]? {
        var isOp = false, subs: [Subscription] = []
        try s.beginObject()
        while let key = try s.nextKey() {
            if key == "op" { isOp = try s.readString() == op }
            else if key == "args", try s.peekKind() == .string { subs += [subscription(topic: try s.readString().string)].compactMap { $0 } }
            else if key == "args" {
                try s.beginArray()
                while try s.nextElement() {
                    guard try s.peekKind() == .string else { try s.skipValue(); continue }
                    if let sub = subscription(topic: try s.readString().string) { subs.append(sub) }
                }
            } else { try s.skipValue() }
        }
        return isOp ? subs : nil
    }

    /// The fields of any table row this adapter reads.
    struct Fields {
        var symbol: Symbol?, id: Int64?, side: Side?, size: Size?, price: Price?, ts: Nanoseconds?, matchID = ""
        var bid: Price?, bidSize: Size?, ask: Price?, askSize: Size?, rate: FixedDecimal?, interval: Nanoseconds?
    }

    /// Reads one row. `lastTime` is the previous row's `timestamp` text and value: the rows of a
    /// message usually share it, so equal text is not parsed again.
    mutating func readFields(_ s: inout JSONScanner, _ lastTime: inout (text: JSONString, ns: Nanoseconds)?) throws(VenueParseError) -> Fields {
        var f = Fields()
        func readTime(_ s: inout JSONScanner) throws(VenueParseError) -> Nanoseconds {
            let text = try s.readString()
            if let last = lastTime, text.hasSameBytes(as: last.text) { return last.ns }
            let ns = try clock.nanoseconds(text)
            lastTime = (text, ns)
            return ns
        }
        try s.beginObject()
        // The two hot row shapes in BitMEX's order (one compare per key), then any order:
        // trade `timestamp,symbol,side,size,price,…` and book `symbol,id,side,size,price,timestamp`.
        inOrder: do {
            if s.nextKey(is: "timestamp") { f.ts = try readTime(&s) }
            guard s.nextKey(is: "symbol") else { break inOrder }
            f.symbol = try symbols.require(s.readString())
            if s.nextKey(is: "id") { f.id = try s.readInt64() }
            guard s.nextKey(is: "side") else { break inOrder }
            f.side = try s.readSide(field: "side", buy: "Buy", sell: "Sell", quotingValue: false)
            guard s.nextKey(is: "size") else { break inOrder }
            f.size = try s.readOptionalDecimal()
            guard s.nextKey(is: "price") else { break inOrder }
            f.price = try s.readOptionalDecimal()
            if s.nextKey(is: "timestamp") { f.ts = try readTime(&s) }
            // Trade rows go on with `tickDirection,trdMatchID,grossValue,homeNotional,foreignNotional,trdType`.
            guard s.nextKey(is: "tickDirection") else { break inOrder }
            try s.skipValue()
            guard s.nextKey(is: "trdMatchID") else { break inOrder }
            f.matchID = try s.readString().string
            while s.nextKey(is: "grossValue") || s.nextKey(is: "homeNotional") || s.nextKey(is: "foreignNotional")
                || s.nextKey(is: "trdType") { try s.skipValue() }
        }
        while let key = try s.nextKey() {
            if key == "symbol" { f.symbol = try symbols.require(s.readString()) }
            else if key == "id" { f.id = try s.readInt64() }
            else if key == "side" { f.side = try s.readSide(field: "side", buy: "Buy", sell: "Sell", quotingValue: false) }
            else if key == "size" || key == "leavesQty" { f.size = try s.readOptionalDecimal() }
            else if key == "price" { f.price = try s.readOptionalDecimal() }
            else if key == "timestamp" { f.ts = try readTime(&s) }
            else if key == "trdMatchID" { f.matchID = try s.readString().string }
            else if key == "bidPrice" { f.bid = try s.readOptionalDecimal() }
            else if key == "bidSize" { f.bidSize = try s.readOptionalDecimal() }
            else if key == "askPrice" { f.ask = try s.readOptionalDecimal() }
            else if key == "askSize" { f.askSize = try s.readOptionalDecimal() }
            else if key == "fundingRate" { f.rate = try s.readOptionalDecimal() }
            // "2000-01-01T08:00:00.000Z" encodes an 8 h interval as an offset from 2000-01-01.
            else if key == "fundingInterval" { f.interval = try RFC3339.nanoseconds(s.readString()) - 946_684_800_000_000_000 }
            else { try s.skipValue() }
        }
        return f
    }

    /// A table message's `action`: `partial` is the table's image (for the L2 tables, the id map's
    /// snapshot), `insert`/`update`/`delete` its changes.
    static func action(_ word: JSONString) -> LevelIDMap.Action {
        word == "partial" ? .snapshot : word == "insert" ? .insert : word == "update" ? .update : word == "delete" ? .delete : .other
    }

    mutating func parseRows(_ s: inout JSONScanner, table: JSONString, action: LevelIDMap.Action, _ context: ParseContext,
                            _ output: inout VenueOutputs) throws(VenueParseError) {
        // Partials of trade and liquidation replay history (recent prints, open liquidation
        // orders) that a reconnect would repeat; only inserts are new events.
        let isBook = table.hasPrefix("orderBookL2"), isTrade = table == "trade"
        let isHistory = action == .snapshot && (isTrade || table == "liquidation")
        if isHistory || action != .insert && action != .snapshot && !isBook { return try s.skipValue() }
        try s.beginArray()
        var repeats = RowRepeats()
        while try s.nextElement() {
            if isBook, appendCompactBookRow(&s, &repeats) { continue }
            let f = try readFields(&s, &repeats.time)
            let symbol = try f.symbol.required("symbol")
            if isBook { try appendRow(f, symbol: symbol, action: action) }
            else if isTrade { try emitTrade(f, symbol: symbol, context, &output) }
            // quote: {"timestamp":"2024-11-22T22:44:25.085Z","symbol":"BCHUSDT","bidSize":103000,"bidPrice":487.55,
            //  "askPrice":488.25,"askSize":50000}; its partial is the current quote, so it is published too.
            else if table == "quote" {
                output.append(.bbo(BBO(venue: Self.spec.id, symbol: symbol, bidPrice: f.bid, bidSize: f.bidSize, askPrice: f.ask,
                                       askSize: f.askSize, tsExchange: f.ts, tsRecv: context.tsRecv)))
            } else if table == "funding" { try emitFunding(f, symbol: symbol, context, &output) }
            else if table == "liquidation" { try emitLiquidation(f, symbol: symbol, context, &output) }
        }
    }

    // {"timestamp":"2024-11-24T08:15:38.704Z","symbol":"XBTUSD","side":"Sell","size":100,"price":98570.9,
    //  "tickDirection":"ZeroPlusTick","trdMatchID":"00000000-006d-1000-0000-000e8737d536","grossValue":101450,...}
    // `side` is the aggressor; `size` is in contracts.
    func emitTrade(_ f: Fields, symbol: Symbol, _ context: ParseContext, _ output: inout VenueOutputs) throws(VenueParseError) {
        guard let price = f.price, let size = f.size, let side = f.side, !f.matchID.isEmpty else {
            throw VenueParseError.missingField("price/size/side/trdMatchID")
        }
        output.append(Trade(venue: Self.spec.id, symbol: symbol, price: price, size: size, side: side,
                                   tradeID: TradeID(f.matchID), tsExchange: f.ts, tsRecv: context.tsRecv))
    }

    // {"timestamp":"2024-11-25T04:00:00.000Z","symbol":"XBTUSD","fundingInterval":"2000-01-01T08:00:00.000Z",
    //  "fundingRate":0.0001,"fundingRateDaily":0.0003}: the rate charged at `timestamp`; the next
    //  funding is one interval later.
    func emitFunding(_ f: Fields, symbol: Symbol, _ context: ParseContext, _ output: inout VenueOutputs) throws(VenueParseError) {
        guard let rate = f.rate else { throw VenueParseError.missingField("fundingRate") }
        let next = f.ts.flatMap { ts in f.interval.flatMap { ts.addingReportingOverflow($0).overflow ? nil : ts + $0 } }
        output.append(.funding(Funding(venue: Self.spec.id, symbol: symbol, rate: rate, nextFundingTime: next,
                                       tsExchange: f.ts, tsRecv: context.tsRecv)))
    }

    // {"orderID":"550e8400-e29b-41d4-a716-446655440099","symbol":"XBTUSD","side":"Buy","price":95000.0,"leavesQty":1000}
    // A new liquidation order (insert); `side` Sell liquidates a long. No timestamp is sent.
    func emitLiquidation(_ f: Fields, symbol: Symbol, _ context: ParseContext, _ output: inout VenueOutputs) throws(VenueParseError) {
        guard let price = f.price, let size = f.size, let side = f.side else { throw VenueParseError.missingField("price/leavesQty/side") }
        output.append(.liquidation(Liquidation(venue: Self.spec.id, symbol: symbol, side: side, price: price, size: size,
                                               tsExchange: nil, tsRecv: context.tsRecv)))
    }
}
