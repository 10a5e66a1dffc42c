// OKX v5 channel parsers (trades, books, bbo-tbt, tickers, funding-rate, liquidation-orders).
// Message examples: okx.com/docs-v5 and VENUES.md §4.
import MarketModel
import VenueKit

extension OKX {
    /// One push = one channel and instrument (`arg.instId`), except `liquidation-orders`, which
    /// carries every instrument of an `instType`.
    mutating func parseData(_ s: inout JSONScanner, _ channel: JSONString, _ instID: JSONString?, _ action: JSONString?,
                            _ context: ParseContext, _ output: inout VenueOutputs) throws(VenueParseError) {
        if channel == "liquidation-orders" { return try parseLiquidations(&s, context, &output) }
        guard channel == "trades" || channel == "books" || channel == "bbo-tbt" || channel == "tickers" || channel == "funding-rate" else {
            throw .unexpected("okx channel '\(channel.string)'")
        }
        guard let instID else { throw .missingField("arg.instId") }
        let symbol = try symbols.require(instID)
        try s.beginArray()
        while try s.nextElement() {
            try s.beginObject()
            if channel == "trades" { output.append(try Self.trade(&s, symbol, context)) }
            else if channel == "books" { output.append(.book(try Self.book(&s, symbol, action, context, &scratch))) }
            else if channel == "bbo-tbt" { output.append(.bbo(try Self.bbo(&s, symbol, context))) }
            else if channel == "tickers" { output.append(.ticker(try Self.ticker(&s, symbol, context))) }
            else { output.append(.funding(try Self.funding(&s, symbol, context))) }
        }
    }

    // {"arg":{"channel":"trades","instId":"BTC-USD-220527"},"data":[{"instId":"BTC-USD-220527","tradeId":"7849",
    //  "px":"30218.8","sz":"1","side":"buy","ts":"1652459199958","count":"1"}]}   (side = taker side)
    static func trade(_ s: inout JSONScanner, _ symbol: Symbol, _ context: ParseContext) throws(VenueParseError) -> Trade {
        var price: Price?, size: Size?, side: Side?, id: String?, ts: Int64?
        while let key = try s.nextKey() {
            if key == "px" { price = try s.readDecimal() }
            else if key == "sz" { size = try s.readDecimal() }
            else if key == "side" { side = try s.readSide(field: "side") }
            else if key == "tradeId" { id = try s.readString().string }
            else if key == "ts" { ts = try s.readMilliseconds("ts") }
            else { try s.skipValue() }
        }
        return Trade(venue: .okx, symbol: symbol, price: try price.required("px"), size: try size.required("sz"), side: try side.required("side"),
                     tradeID: TradeID(try id.required("tradeId")), tsExchange: try ts.required("ts"), tsRecv: context.tsRecv)
    }

    // {"arg":{"channel":"books","instId":"BTC-USDT"},"action":"snapshot","data":[{"asks":[["8476.98","415","0","13"]],
    //  "bids":[["8476.97","256","0","12"]],"ts":"1597026383085","checksum":-855196043,"prevSeqId":-1,"seqId":123456}]}
    static func book(_ s: inout JSONScanner, _ symbol: Symbol, _ action: JSONString?, _ context: ParseContext,
                     _ scratch: inout BookScratch) throws(VenueParseError) -> BookMessage {
        guard let action, action == "snapshot" || action == "update" else { throw .invalidValue("action", "expected snapshot or update") }
        var ts: Int64?, seq: Int64?, prev: Int64?, checksum: Int64 = 0
        var (bids, asks) = scratch.take()
        inOrder: do {
            guard s.nextKey(is: "asks") else { break inOrder }
            try s.readLevels(into: &asks)
            guard s.nextKey(is: "bids") else { break inOrder }
            try s.readLevels(into: &bids)
            guard s.nextKey(is: "ts") else { break inOrder }
            ts = try s.readMilliseconds("ts")
            guard s.nextKey(is: "checksum") else { break inOrder }
            checksum = try s.readInt64()
            guard s.nextKey(is: "prevSeqId") else { break inOrder }
            prev = try s.readInt64()
            guard s.nextKey(is: "seqId") else { break inOrder }
            seq = try s.readInt64()
        }
        while let key = try s.nextKey() {
            if key == "asks" { try s.readLevels(into: &asks) }        // [px, sz, "0" (deprecated), numOrders]
            else if key == "bids" { try s.readLevels(into: &bids) }
            else if key == "ts" { ts = try s.readMilliseconds("ts") }
            else if key == "seqId" { seq = try s.readInt64() }
            else if key == "prevSeqId" { prev = try s.readInt64() }
            else if key == "checksum" { checksum = try s.readInt64() }
            else { try s.skipValue() }
        }
        scratch.keep(bids, asks)
        guard Int64(Int32.min) ... Int64(Int32.max) ~= checksum else { throw .invalidValue("checksum", "not a signed 32-bit value") }
        let sequencing: BookSequencing
        if let seq { sequencing = .okx(seqID: seq, prevSeqID: try prev.required("prevSeqId")) }
        else if checksum != 0 { sequencing = .none }  // pre-seqId captures: the checksum is the only check
        else { throw .missingField("seqId") }
        // 0 means "no checksum" in the current format [OKX-BOOK]; a signed int32 otherwise.
        let crc = checksum == 0 ? nil : BookChecksum(expected: UInt32(truncatingIfNeeded: checksum), algorithm: .okxTop25Interleaved)
        return BookMessage(venue: .okx, symbol: symbol, isSnapshot: action == "snapshot", bids: bids, asks: asks,
                           tsExchange: try ts.required("ts"), tsRecv: context.tsRecv, sequencing: sequencing, checksum: crc)
    }

    // {"arg":{"channel":"bbo-tbt","instId":"BTC-USDT"},"data":[{"asks":[["8476.98","415","0","13"]],
    //  "bids":[["8476.97","256","0","12"]],"ts":"1597026383085","seqId":123456}]}
    static func bbo(_ s: inout JSONScanner, _ symbol: Symbol, _ context: ParseContext) throws(VenueParseError) -> BBO {
        var bids: [BookLevel] = [], asks: [BookLevel] = [], ts: Int64?
        while let key = try s.nextKey() {
            if key == "asks" { try s.readLevels(into: &asks) }
            else if key == "bids" { try s.readLevels(into: &bids) }
            else if key == "ts" { ts = try s.readMilliseconds("ts") }
            else { try s.skipValue() }
        }
        return BBO(venue: .okx, symbol: symbol, bidPrice: bids.first?.price, bidSize: bids.first?.size, askPrice: asks.first?.price,
                   askSize: asks.first?.size, tsExchange: try ts.required("ts"), tsRecv: context.tsRecv)
    }

    // {"arg":{"channel":"tickers","instId":"BTC-USD-220527"},"data":[{"instType":"FUTURES","instId":"BTC-USD-220527",
    //  "last":"30218.8","lastSz":"1","askPx":"30220.1","askSz":"3","bidPx":"30210.4","bidSz":"4","open24h":"29571.4",
    //  "high24h":"31003.3","low24h":"27930.8","volCcy24h":"2620.289","vol24h":"779573","ts":"1652459223003"}]}
    static func ticker(_ s: inout JSONScanner, _ symbol: Symbol, _ context: ParseContext) throws(VenueParseError) -> Ticker {
        var t = Ticker(venue: .okx, symbol: symbol, tsExchange: nil, tsRecv: context.tsRecv)
        while let key = try s.nextKey() {
            if key == "last" { t.last = try s.readOptionalDecimal() }   // "" when absent
            else if key == "bidPx" { t.bid = try s.readOptionalDecimal() }
            else if key == "askPx" { t.ask = try s.readOptionalDecimal() }
            else if key == "vol24h" { t.volume24h = try s.readOptionalDecimal() }  // base ccy (spot) / contracts
            else if key == "high24h" { t.high24h = try s.readOptionalDecimal() }
            else if key == "low24h" { t.low24h = try s.readOptionalDecimal() }
            else if key == "ts" { t.tsExchange = try s.readMilliseconds("ts") }
            else { try s.skipValue() }
        }
        return t
    }

    // {"arg":{"channel":"funding-rate","instId":"BTC-USDT-SWAP"},"data":[{"instType":"SWAP","instId":"BTC-USDT-SWAP",
    //  "fundingRate":"0.0001","nextFundingRate":"","fundingTime":"1744590349506","nextFundingTime":"1744619149506","ts":"1744590349506"}]}
    static func funding(_ s: inout JSONScanner, _ symbol: Symbol, _ context: ParseContext) throws(VenueParseError) -> Funding {
        var rate: FixedDecimal?, settles: Int64?, ts: Int64?
        while let key = try s.nextKey() {
            if key == "fundingRate" { rate = try s.readDecimal() }
            // `fundingTime` is when the current `fundingRate` settles; `nextFundingTime` is the period after.
            else if key == "fundingTime" { settles = try s.readMilliseconds("fundingTime") }
            else if key == "ts" { ts = try s.readMilliseconds("ts") }
            else { try s.skipValue() }
        }
        return Funding(venue: .okx, symbol: symbol, rate: try rate.required("fundingRate"), nextFundingTime: settles,
                       tsExchange: ts, tsRecv: context.tsRecv)
    }

    // {"arg":{"channel":"liquidation-orders","instType":"SWAP"},"data":[{"details":[{"bkLoss":"0","bkPx":"0.007831",
    //  "ccy":"","posSide":"short","side":"buy","sz":"13","ts":"1692266434010"}],"instFamily":"IOST-USDT",
    //  "instId":"IOST-USDT-SWAP","instType":"SWAP","uly":"IOST-USDT"}]}
    mutating func parseLiquidations(_ s: inout JSONScanner, _ context: ParseContext, _ output: inout VenueOutputs) throws(VenueParseError) {
        try s.beginArray()
        while try s.nextElement() {
            try s.beginObject()
            var details: JSONScanner?, symbol: Symbol?
            while let key = try s.nextKey() {
                if key == "details" { details = try s.captureValue() }  // precedes instId in OKX's example
                else if key == "instId" { symbol = symbols.lookup(try s.readString()) }
                else { try s.skipValue() }
            }
            guard var d = details else { throw .missingField("details") }
            // The channel carries every instrument of the type: keep the subscribed ones only.
            guard let symbol, liquidations.channels(for: symbol).contains(.liquidations) else { continue }
            try d.beginArray()
            while try d.nextElement() {
                try d.beginObject()
                var side: Side?, price: Price?, size: Size?, ts: Int64?
                while let key = try d.nextKey() {
                    if key == "side" { side = try d.readSide(field: "side") }  // the liquidation order's side
                    else if key == "bkPx" { price = try d.readDecimal() }
                    else if key == "sz" { size = try d.readDecimal() }         // contracts for SWAP/FUTURES
                    else if key == "ts" { ts = try d.readMilliseconds("ts") }
                    else { try d.skipValue() }
                }
                output.append(.liquidation(Liquidation(venue: .okx, symbol: symbol, side: try side.required("side"),
                    price: try price.required("bkPx"), size: try size.required("sz"), tsExchange: ts, tsRecv: context.tsRecv)))
            }
        }
    }
}
