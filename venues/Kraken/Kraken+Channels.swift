// Kraken spot WebSocket v2 channel parsers (trade, book, ticker). Message examples:
// docs.kraken.com spot-websocket-v2 pages and VENUES.md §3.
import MarketModel
import VenueKit

extension Kraken {
    mutating func parseData(_ s: inout JSONScanner, _ channel: JSONString, _ type: JSONString, _ context: ParseContext,
                            _ output: inout VenueOutputs) throws(VenueParseError) {
        guard channel == "trade" || channel == "book" || channel == "ticker" || channel == "status" else {
            throw .unexpected("kraken channel '\(channel.string)'")
        }
        guard type == "snapshot" || type == "update" else { throw .invalidValue("type", "expected snapshot or update") }
        try s.beginArray()
        while try s.nextElement() {
            try s.beginObject()
            if channel == "trade" { output.append(try trade(&s, context)) }
            else if channel == "book" { output.append(.book(try book(&s, isSnapshot: type == "snapshot", context))) }
            else if channel == "ticker" { try ticker(&s, context, &output) }
            else { try status(&s, &output) }
        }
    }

    // {"channel":"trade","type":"update","data":[{"symbol":"BTC/USD","side":"buy","price":105944.20,"qty":0.00027625,
    //  "ord_type":"limit","trade_id":10218208,"timestamp":"2023-10-06T17:35:55.440295Z"}]}   (side = taker side)
    mutating func trade(_ s: inout JSONScanner, _ context: ParseContext) throws(VenueParseError) -> Trade {
        var symbol: Symbol?, side: Side?, price: Price?, size: Size?, id: Int64?, ts: Int64?
        while let key = try s.nextKey() {
            if key == "symbol" { symbol = try symbols.require(try s.readString()) }
            else if key == "side" { side = try s.readSide(field: "side") }
            else if key == "price" { price = try s.readDecimal() }
            else if key == "qty" { size = try s.readDecimal() }
            else if key == "trade_id" { id = try s.readInt64() }
            else if key == "timestamp" { ts = try clock.nanoseconds(try s.readString()) }
            else { try s.skipValue() }
        }
        return Trade(venue: .kraken, symbol: try symbol.required("symbol"), price: try price.required("price"), size: try size.required("qty"),
                     side: try side.required("side"), tradeID: TradeID(try id.required("trade_id")), tsExchange: try ts.required("timestamp"),
                     tsRecv: context.tsRecv)
    }

    // {"channel":"book","type":"snapshot","data":[{"symbol":"BTC/USD","bids":[{"price":45283.5,"qty":0.10000000}],
    //  "asks":[{"price":45285.2,"qty":0.00100000}],"checksum":3310070434,"timestamp":"2023-10-06T17:35:55.440295Z"}]}
    // {"channel":"book","type":"update","data":[{"symbol":"BTC/USD","bids":[{"price":105944.20,"qty":0.250}],"asks":[],
    //  "checksum":2114181697,"timestamp":"2023-10-06T17:35:56.440295Z"}]}
    mutating func book(_ s: inout JSONScanner, isSnapshot: Bool, _ context: ParseContext) throws(VenueParseError) -> BookMessage {
        var symbol: Symbol?, checksum: Int64?, ts: Int64?
        var (bids, asks) = scratch.take()
        inOrder: do {
            guard s.nextKey(is: "symbol") else { break inOrder }
            symbol = try symbols.require(try s.readString())
            guard s.nextKey(is: "bids") else { break inOrder }
            try Self.levels(&s, into: &bids)
            guard s.nextKey(is: "asks") else { break inOrder }
            try Self.levels(&s, into: &asks)
            guard s.nextKey(is: "checksum") else { break inOrder }
            checksum = try s.readInt64()
            guard s.nextKey(is: "timestamp") else { break inOrder }
            ts = try clock.nanoseconds(try s.readString())
        }
        while let key = try s.nextKey() {
            if key == "symbol" { symbol = try symbols.require(try s.readString()) }
            else if key == "bids" { try Self.levels(&s, into: &bids) }
            else if key == "asks" { try Self.levels(&s, into: &asks) }
            else if key == "checksum" { checksum = try s.readInt64() }
            else if key == "timestamp" { ts = try clock.nanoseconds(try s.readString()) }
            else { try s.skipValue() }
        }
        scratch.keep(bids, asks)
        let crc = try checksum.required("checksum")
        guard 0 ... Int64(UInt32.max) ~= crc else { throw .invalidValue("checksum", "not an unsigned 32-bit value") }
        // No sequence numbers in v2: the checksum is the only integrity check [KR-CS2].
        return BookMessage(venue: .kraken, symbol: try symbol.required("symbol"), isSnapshot: isSnapshot, bids: bids, asks: asks,
                           tsExchange: ts, tsRecv: context.tsRecv, sequencing: .none,
                           checksum: BookChecksum(expected: UInt32(crc), algorithm: .krakenTop10))
    }

    /// `[{"price":45283.5,"qty":0.10000000},...]`: JSON numbers kept with their wire digits
    /// (the checksum is computed over them); `qty` 0 deletes. (Kraken keeps this loop rather than
    /// `BookLevelForm.readLevels`: the shared one measured ~90 instructions more per update here.)
    static func levels(_ s: inout JSONScanner, into levels: inout [BookLevel]) throws(VenueParseError) {
        try s.beginArray()
        try LevelSink.collect { sink throws(VenueParseError) in
            while try s.nextElement() { sink.append(try level(&s), into: &levels) }
            sink.flush(into: &levels)
        }
    }

    /// One `{"price":P,"qty":Q}` element.
    @inline(__always)
    static func level(_ s: inout JSONScanner) throws(VenueParseError) -> BookLevel {
        // Kraken's compact form in one pass (key compares are fixed words); anything else (other
        // order, extra keys, whitespace, errors) rewinds and takes the general loop below.
        if let level = s.attempt({ s -> BookLevel? in
            guard s.consume(#"{"price":"#), let price = s.readCompactDecimal(), s.consume(#","qty":"#),
                  let size = s.readCompactDecimal(), s.consume("}") else { return nil }
            return BookLevel(price: price, size: size)
        }) {
            return level
        }
        var price: Price?, size: Size?
        try s.beginObject()
        if s.nextKey(is: "price") {
            price = try s.readDecimal()
            if s.nextKey(is: "qty") { size = try s.readDecimal() }
        }
        while let key = try s.nextKey() {
            if key == "price" { price = try s.readDecimal() }
            else if key == "qty" { size = try s.readDecimal() }
            else { try s.skipValue() }
        }
        return BookLevel(price: try price.required("price"), size: try size.required("qty"))
    }

    // {"channel":"ticker","type":"snapshot","data":[{"symbol":"BTC/USD","bid":105944.20,"bid_qty":2.5,"ask":105944.30,
    //  "ask_qty":3.2,"last":105899.40,"volume":163.28908096,"vwap":105904.39279,"low":104711.00,"high":106613.10,
    //  "change":250.00,"change_pct":0.24,"timestamp":"2022-12-25T09:30:59.123456Z"}]}
    // Every field is a number (never null), so a value that is not one is an error.
    static let tickerKeys = QuoteFields.Keys(bid: "bid", bidSize: "bid_qty", ask: "ask", askSize: "ask_qty", last: "last", volume24h: "volume",
                                             high24h: "high", low24h: "low", allowsAbsent: false)

    mutating func ticker(_ s: inout JSONScanner, _ context: ParseContext, _ output: inout VenueOutputs) throws(VenueParseError) {
        var symbol: Symbol?, q = QuoteFields()
        while let key = try s.nextKey() {
            if try q.read(key, from: &s, keys: Self.tickerKeys) { continue }
            if key == "symbol" { symbol = try symbols.require(try s.readString()) }
            else if key == "timestamp" { q.tsExchange = try clock.nanoseconds(try s.readString()) }
            else { try s.skipValue() }
        }
        let sym = try symbol.required("symbol"), use = tickerChannels(for: sym)
        q.append(to: &output, bbo: use.contains(.bbo), ticker: use.contains(.ticker), venue: .kraken, symbol: sym, tsRecv: context.tsRecv)
    }
}
