import MarketModel
import VenueKit

// The per-topic parsers of `Bybit` (one small parser per topic, each under a real message from
// the bybit-exchange/docs v5 pages).
extension Bybit {
    /// `publicTrade`: `{"topic":"publicTrade.BTCUSDT","type":"snapshot","ts":1672304486868,"data":[{"T":1672304486865,"s":"BTCUSDT","S":"Buy","v":"0.001","p":"16578.50","L":"PlusTick","i":"20f43950-d8dd-5b31-9112-a178eb6023af","BT":false,"seq":1783284617}]}`
    /// — `S` is the taker side, `i` the trade id, `T` the fill time (BY-TRADE).
    /// Appends straight to `output`; the caller rolls back to its mark on error (never half a batch).
    mutating func parseTrades(_ s: inout JSONScanner, context: ParseContext, into output: inout VenueOutputs) throws(VenueParseError) {
        try s.beginArray()
        while try s.nextElement() {
            var symbol: Symbol?, side: Side?, size: Size?, price: Price?, id: String?, time: Int64?
            try s.beginObject()
            while let key = try s.nextKey() {
                if key == "s" { symbol = try symbols.require(try s.readString()) }
                else if key == "S" { side = try s.readSide(field: "S", buy: "Buy", sell: "Sell") }
                else if key == "v" { size = try s.readDecimal() }
                else if key == "p" { price = try s.readDecimal() }
                else if key == "i" { id = try s.readString().string }
                else if key == "T" { time = try s.readInt64() }
                else { try s.skipValue() }
            }
            guard let symbol, let side, let size, let price, let id else { throw .missingField("s/S/v/p/i") }
            output.append(Trade(venue: Self.spec.id, symbol: symbol, price: price, size: size, side: side, tradeID: TradeID(id),
                                       tsExchange: try Self.nanoseconds(time), tsRecv: context.tsRecv))
        }
    }

    /// `orderbook.50`: `{"topic":"orderbook.50.BTCUSDT","type":"snapshot","ts":1672304484978,"data":{"s":"BTCUSDT","b":[["16493.50","0.006"]],"a":[["16611.00","0.029"]],"u":18521288,"seq":7961638724},"cts":1672304484976}`
    mutating func appendBook(_ book: BookData, isSnapshot: Bool, time: Nanoseconds?, context: ParseContext,
                             into output: inout VenueOutputs) {
        // BY-OB: `u == 1` is a snapshot after a service restart — overwrite the book.
        output.append(.book(BookMessage(venue: Self.spec.id, symbol: book.symbol, isSnapshot: isSnapshot || book.updateID == 1,
                                        bids: book.bids, asks: book.asks, tsExchange: time, tsRecv: context.tsRecv,
                                        sequencing: .bybit(updateID: book.updateID))))
    }

    /// Spot `orderbook.1`: `{"topic":"orderbook.1.BTCUSDT","ts":1673853746003,"type":"snapshot","data":{"s":"BTCUSDT","b":[["21109.77","0.852"]],"a":[["21109.78","1.406"]],"u":2876701,"seq":31004823045},"cts":1673853746001}`
    /// as BBO: each side is the first level, `"0"` size empties it; a delta
    /// without a side leaves it unchanged.
    mutating func parseTop(_ s: inout JSONScanner, isSnapshot: Bool, time: Nanoseconds?, context: ParseContext,
                           into output: inout VenueOutputs) throws(VenueParseError) {
        let book = try readBookData(&s)
        try s.finish()
        var q = isSnapshot ? Quote() : quotes[book.symbol] ?? Quote()
        if let b = book.bids.first { (q.bid, q.bidSize) = b.size.isZero ? (nil, nil) : (b.price, b.size) }
        if let a = book.asks.first { (q.ask, q.askSize) = a.size.isZero ? (nil, nil) : (a.price, a.size) }
        quotes[book.symbol] = q
        output.append(.bbo(BBO(venue: Self.spec.id, symbol: book.symbol, bidPrice: q.bid, bidSize: q.bidSize, askPrice: q.ask,
                               askSize: q.askSize, tsExchange: time, tsRecv: context.tsRecv)))
    }

    /// The `data` object of an orderbook message: `s`, `b`, `a`, `u` (`seq` is validated, unused).
    /// The level arrays reuse the adapter's scratch storage (see `LevelScratch`).
    mutating func readBookData(_ s: inout JSONScanner) throws(VenueParseError) -> BookData {
        var symbol: Symbol?, u: Int64?
        var (bids, asks) = scratch.take()
        try s.beginObject()
        inOrder: do {
            guard s.nextKey(is: "s") else { break inOrder }
            symbol = try symbols.require(try s.readString())
            guard s.nextKey(is: "b") else { break inOrder }
            try s.readLevels(into: &bids)
            guard s.nextKey(is: "a") else { break inOrder }
            try s.readLevels(into: &asks)
            guard s.nextKey(is: "u") else { break inOrder }
            u = try s.readInt64()
        }
        while let key = try s.nextKey() {
            if key == "s" { symbol = try symbols.require(try s.readString()) }
            else if key == "b" { try s.readLevels(into: &bids) }
            else if key == "a" { try s.readLevels(into: &asks) }
            else if key == "u" { u = try s.readInt64() }
            else { try s.skipValue() }
        }
        scratch.keep(bids, asks)
        guard let symbol else { throw .missingField("data.s") }
        guard let u else { throw .missingField("data.u") }
        return BookData(symbol: symbol, bids: bids, asks: asks, updateID: u)
    }

    /// `tickers` (linear): `{"topic":"tickers.BTCUSDT","type":"snapshot","data":{"symbol":"BTCUSDT","markPrice":"17217.33","nextFundingTime":"1673280000000","fundingRate":"-0.000212","bid1Price":"17215.50","bid1Size":"84.489","ask1Price":"17216.00","ask1Size":"83.020",...},"cs":24987956059,"ts":1673272861686}`
    /// A delta carries only changed fields (BY-TICKER): BBO is emitted when a bid/ask field came,
    /// funding when the rate or next time came, each only if subscribed.
    mutating func parseTicker(_ s: inout JSONScanner, isSnapshot: Bool, time: Nanoseconds?, context: ParseContext,
                              into output: inout VenueOutputs) throws(VenueParseError) {
        var symbol: Symbol?, sawTop = false, sawFunding = false
        var fields = Quote()  // what this message carried
        try s.beginObject()
        while let key = try s.nextKey() {
            if key == "symbol" { symbol = try symbols.require(try s.readString()) }
            else if key == "bid1Price" { fields.bid = try s.readOptionalDecimal(); sawTop = true }
            else if key == "bid1Size" { fields.bidSize = try s.readOptionalDecimal(); sawTop = true }
            else if key == "ask1Price" { fields.ask = try s.readOptionalDecimal(); sawTop = true }
            else if key == "ask1Size" { fields.askSize = try s.readOptionalDecimal(); sawTop = true }
            else if key == "fundingRate" { fields.rate = try s.readOptionalDecimal(); sawFunding = true }
            else if key == "nextFundingTime" { fields.nextFunding = try Self.optionalMillis(&s); sawFunding = true }
            else if key == "markPrice" { fields.mark = try s.readOptionalDecimal() }
            else { try s.skipValue() }
        }
        try s.finish()
        guard let symbol else { throw .missingField("data.symbol") }
        var q = isSnapshot ? fields : quotes[symbol] ?? Quote()
        if !isSnapshot {
            q.bid = fields.bid ?? q.bid; q.bidSize = fields.bidSize ?? q.bidSize
            q.ask = fields.ask ?? q.ask; q.askSize = fields.askSize ?? q.askSize
            q.rate = fields.rate ?? q.rate; q.mark = fields.mark ?? q.mark; q.nextFunding = fields.nextFunding ?? q.nextFunding
        }
        quotes[symbol] = q
        if sawTop, active.contains(Subscription(symbol: symbol, channel: .bbo)) {
            output.append(.bbo(BBO(venue: Self.spec.id, symbol: symbol, bidPrice: q.bid, bidSize: q.bidSize, askPrice: q.ask,
                                   askSize: q.askSize, tsExchange: time, tsRecv: context.tsRecv)))
        }
        if sawFunding, let rate = q.rate, active.contains(Subscription(symbol: symbol, channel: .funding)) {
            output.append(.funding(Funding(venue: Self.spec.id, symbol: symbol, rate: rate, nextFundingTime: try Self.nanoseconds(q.nextFunding),
                                           markPrice: q.mark, tsExchange: time, tsRecv: context.tsRecv)))
        }
    }

    /// `allLiquidation`: `{"topic":"allLiquidation.ROSEUSDT","type":"snapshot","ts":1739502303204,"data":[{"T":1739502302929,"s":"ROSEUSDT","S":"Sell","v":"20000","p":"0.04499"}]}`
    /// `S` is the *position* side ("Buy" = a long was liquidated, BY-ALLLIQ), so the liquidation
    /// order's side is the opposite; `p` is the bankruptcy price, `v` the executed size.
    mutating func parseLiquidations(_ s: inout JSONScanner, context: ParseContext, into output: inout VenueOutputs) throws(VenueParseError) {
        try s.beginArray()
        while try s.nextElement() {
            var symbol: Symbol?, side: Side?, size: Size?, price: Price?, time: Int64?
            try s.beginObject()
            while let key = try s.nextKey() {
                if key == "s" { symbol = try symbols.require(try s.readString()) }
                else if key == "S" { side = try s.readSide(field: "S", buy: "Buy", sell: "Sell").opposite }
                else if key == "v" { size = try s.readDecimal() }
                else if key == "p" { price = try s.readDecimal() }
                else if key == "T" { time = try s.readInt64() }
                else { try s.skipValue() }
            }
            guard let symbol, let side, let size, let price else { throw .missingField("s/S/v/p") }
            output.append(.liquidation(Liquidation(venue: Self.spec.id, symbol: symbol, side: side, price: price, size: size,
                                                   tsExchange: try Self.nanoseconds(time), tsRecv: context.tsRecv)))
        }
        try s.finish()   // a failure here is rolled back by `parse` (appendingAllOrNothing)
    }

    /// A ms time sent as a string that may be `""` or `"0"` (no funding on that contract) → `nil`.
    static func optionalMillis(_ s: inout JSONScanner) throws(VenueParseError) -> Int64? {
        guard try s.peekKind() == .string else { return try s.readInt64() }
        let text = try s.readString()
        guard !text.isEmpty else { return nil }
        let ms = try text.int64()
        return ms > 0 ? ms : nil
    }

    /// Bybit times are ms since the epoch; overflow is an error, not a trap.
    static func nanoseconds(_ ms: Int64?) throws(VenueParseError) -> Nanoseconds? {
        guard let ms else { return nil }
        guard ms >= 0 else { throw .invalidValue("time", "\(ms) ms is out of range") }
        return try VenueTime.nanoseconds(milliseconds: ms, "time")
    }
}
