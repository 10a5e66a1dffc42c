import MarketModel
import VenueKit

/// Channel parsers for ``Deribit``: trades (+ liquidations), book, quote/ticker (+ funding),
/// platform state, and JSON-RPC results and errors. Book levels are Deribit's own form
/// (``BookLevelForm``).
extension Deribit: BookLevelForm {
    // {"timestamp":1765531356452,"price":92294.5,"amount":10.0,"direction":"sell","instrument_name":"BTC-PERPETUAL",
    //  "trade_seq":271252854,"mark_price":92287.11,"tick_direction":2,"contracts":1.0,"trade_id":"403691824","liquidation":"T"}
    // `direction` is the taker side; `amount` is USD for inverse contracts, coin for options (NT-DB).
    // `liquidation`: "M" maker, "T" taker, "MT" both sides were liquidation orders.
    mutating func parseTrade(_ s: inout JSONScanner, _ context: ParseContext, _ output: inout VenueOutputs) throws(VenueParseError) {
        var symbol: Symbol?, price: Price?, amount: Size?, side: Side?, id = "", ts: Nanoseconds?, liquidation: JSONString?
        try s.beginObject()
        while let key = try s.nextKey() {
            if key == "instrument_name" { symbol = try symbols.require(s.readString()) }
            else if key == "price" { price = try s.readDecimal() }
            else if key == "amount" { amount = try s.readDecimal() }
            else if key == "trade_id" { id = try s.peekKind() == .number ? DecimalText.string(s.readInt64()) : s.readString().string }
            else if key == "timestamp" { ts = try s.readMilliseconds("timestamp") }
            else if key == "direction" { side = try s.readSide(field: "direction") }
            else if key == "liquidation" { liquidation = try s.readString() }
            else { try s.skipValue() }
        }
        guard let symbol, let price, let amount, let side, !id.isEmpty else {
            throw VenueParseError.missingField("instrument_name/price/amount/direction/trade_id")
        }
        let use = wanted.channels(for: symbol)
        if use.contains(.trades) {
            output.append(Trade(venue: Self.spec.id, symbol: symbol, price: price, size: amount, side: side,
                                       tradeID: TradeID(id), tsExchange: ts, tsRecv: context.tsRecv))
        }
        guard use.contains(.liquidations) else { return }
        let orders = [(liquidation == "T" || liquidation == "MT", side), (liquidation == "M" || liquidation == "MT", side.opposite)]
        for (isLiquidated, orderSide) in orders where isLiquidated {
            output.append(.liquidation(Liquidation(venue: Self.spec.id, symbol: symbol, side: orderSide, price: price,
                                                   size: amount, tsExchange: ts, tsRecv: context.tsRecv)))
        }
    }

    // {"type":"change","timestamp":1626993724337,"prev_change_id":33195894355,"change_id":33195894358,
    //  "instrument_name":"BTC-24SEP21-8000-P","bids":[["new",0.0005,4.0]],"asks":[["delete",0.001,0.0]]}
    // The snapshot lists every level as "new" and has no prev_change_id (DB-BOOK); Books checks the chain.
    mutating func parseBook(_ s: inout JSONScanner, _ context: ParseContext, _ output: inout VenueOutputs) throws(VenueParseError) {
        var symbol: Symbol?, isSnapshot = false, changeID: Int64?, prevID: Int64?, ts: Nanoseconds?
        var (bids, asks) = scratch.take()
        try s.beginObject()
        inOrder: do {
            guard s.nextKey(is: "type") else { break inOrder }
            isSnapshot = try s.readString() == "snapshot"
            guard s.nextKey(is: "timestamp") else { break inOrder }
            ts = try s.readMilliseconds("timestamp")
            if s.nextKey(is: "prev_change_id") { prevID = try s.consumeNull() ? nil : s.readInt64() }
            guard s.nextKey(is: "instrument_name") else { break inOrder }
            symbol = try symbols.require(s.readString())
            guard s.nextKey(is: "change_id") else { break inOrder }
            changeID = try s.readInt64()
            guard s.nextKey(is: "bids") else { break inOrder }
            try Self.readLevels(&s, into: &bids)
            guard s.nextKey(is: "asks") else { break inOrder }
            try Self.readLevels(&s, into: &asks)
        }
        while let key = try s.nextKey() {
            if key == "instrument_name" { symbol = try symbols.require(s.readString()) }
            else if key == "type" { isSnapshot = try s.readString() == "snapshot" }
            else if key == "change_id" { changeID = try s.readInt64() }
            else if key == "prev_change_id" { prevID = try s.consumeNull() ? nil : s.readInt64() }
            else if key == "timestamp" { ts = try s.readMilliseconds("timestamp") }
            else if key == "bids" { try Self.readLevels(&s, into: &bids) }
            else if key == "asks" { try Self.readLevels(&s, into: &asks) }
            else { try s.skipValue() }
        }
        scratch.keep(bids, asks)
        guard let symbol, let changeID else { throw VenueParseError.missingField("instrument_name/change_id") }
        guard isSnapshot || prevID != nil else { throw VenueParseError.missingField("prev_change_id") }
        output.append(.book(BookMessage(venue: Self.spec.id, symbol: symbol, isSnapshot: isSnapshot, bids: bids, asks: asks, tsExchange: ts,
                                        tsRecv: context.tsRecv, sequencing: .deribit(changeID: changeID, prevChangeID: isSnapshot ? nil : prevID))))
    }

    /// One `["new"|"change"|"delete", price, amount]` element of `bids` or `asks`; a delete is size 0
    /// (its `0.0` keeps the venue digits).
    @inline(__always)
    public static func readLevel(_ s: inout JSONScanner) throws(VenueParseError) -> BookLevel {
        // Deribit's compact form (`["change",92294.5,10.0]`) in one pass: the action and the commas are
        // fixed words, the numbers one-pass decimals. Anything else (whitespace, a fourth element,
        // escapes, errors) rewinds and takes the general reader below, which decides.
        if let level = s.attempt({ s -> BookLevel? in
            let isDelete = s.consume(#"["delete","#)
            guard isDelete || s.consume(#"["change","#) || s.consume(#"["new","#), let price = s.readCompactDecimal(),
                  s.consume(","), let amount = s.readCompactDecimal(), s.consume("]") else { return nil }
            return BookLevel(price: price, size: isDelete && !amount.isZero ? .zero : amount)
        }) {
            return level
        }
        try s.beginArray()
        guard try s.nextElement() else { throw VenueParseError.missingField("level action") }
        let action = try s.readString()
        guard action == "new" || action == "change" || action == "delete" else {
            throw VenueParseError.invalidValue("level action", "expected new, change or delete")
        }
        guard try s.nextElement() else { throw VenueParseError.missingField("level price") }
        let price = try s.readDecimal()
        guard try s.nextElement() else { throw VenueParseError.missingField("level amount") }
        let amount = try s.readDecimal()
        try s.skipRestOfContainer(isObject: false)
        return BookLevel(price: price, size: action == "delete" && !amount.isZero ? .zero : amount)
    }

    // quote.BTC-PERPETUAL: {"timestamp":1765541767174,"instrument_name":"BTC-PERPETUAL","best_ask_price":92288.5,
    //  "best_bid_price":92288.0,"best_ask_amount":99470.0,"best_bid_amount":133440.0}
    // ticker.BTC-PERPETUAL.100ms adds "last_price","mark_price","stats":{"high","low","volume"},"current_funding",
    //  "funding_8h":0.00001742 (perpetuals). Funding accrues continuously; funding_8h is the 8-hour rate,
    //  comparable with other venues' per-interval rates, so there is no next funding time.
    static let quoteKeys = QuoteFields.Keys(bid: "best_bid_price", bidSize: "best_bid_amount", ask: "best_ask_price", askSize: "best_ask_amount",
                                            last: "last_price")
    /// The members of the ticker's `stats` object.
    static let statsKeys = QuoteFields.Keys(volume24h: "volume", high24h: "high", low24h: "low")

    mutating func parseQuote(_ s: inout JSONScanner, isTicker: Bool, _ context: ParseContext,
                             _ output: inout VenueOutputs) throws(VenueParseError) {
        var symbol: Symbol?, q = QuoteFields(), mark: Price?, funding: FixedDecimal?
        try s.beginObject()
        while let key = try s.nextKey() {
            if try q.read(key, from: &s, keys: Self.quoteKeys) { continue }
            if key == "instrument_name" { symbol = try symbols.require(s.readString()) }
            else if key == "timestamp" { q.tsExchange = try s.readMilliseconds("timestamp") }
            else if key == "mark_price" { mark = try s.readOptionalDecimal() }
            else if key == "funding_8h" { funding = try s.readOptionalDecimal() }
            else if key == "stats" {
                try s.beginObject()
                while let k = try s.nextKey() {
                    if try !q.read(k, from: &s, keys: Self.statsKeys) { try s.skipValue() }
                }
            } else { try s.skipValue() }
        }
        guard let symbol else { throw VenueParseError.missingField("instrument_name") }
        // An empty side shows as a null price or a zero amount (illiquid options).
        if q.bidSize?.isZero ?? true { (q.bid, q.bidSize) = (nil, nil) }
        if q.askSize?.isZero ?? true { (q.ask, q.askSize) = (nil, nil) }
        // `quote.` feeds the BBO; `ticker.` the ticker and the funding rate.
        let use = wanted.channels(for: symbol)
        q.append(to: &output, bbo: !isTicker && use.contains(.bbo), ticker: isTicker && use.contains(.ticker), venue: Self.spec.id,
                 symbol: symbol, tsRecv: context.tsRecv)
        if isTicker, let funding, use.contains(.funding) {
            output.append(.funding(Funding(venue: Self.spec.id, symbol: symbol, rate: funding, nextFundingTime: nil,
                                           markPrice: mark, tsExchange: q.tsExchange, tsRecv: context.tsRecv)))
        }
    }

    // {"price_index":"sol_usdc","locked":true} (DB-PS): instruments on a locked index stop trading;
    // the connection stays up, so this is reported, not reconnected. (`maintenance` is read in case
    // the channel announces platform maintenance that way; the field name is unverified.)
    func parsePlatformState(_ s: inout JSONScanner, _ output: inout VenueOutputs) throws(VenueParseError) {
        var index = "platform", isLocked = false, isMaintenance = false
        try s.beginObject()
        while let key = try s.nextKey() {
            if key == "price_index" { index = try s.readString().string }
            else if key == "locked" { isLocked = try s.readBool() }
            else if key == "maintenance" { isMaintenance = try s.readBool() }
            else { try s.skipValue() }
        }
        if isLocked { output.append(.venueError("deribit platform_state: \(index) locked")) }
        if isMaintenance { output.append(.venueError("deribit platform_state: maintenance")) }
    }

    // {"jsonrpc":"2.0","id":3,"result":["trades.BTC-PERPETUAL.100ms","book.BTC-PERPETUAL.100ms"],...}: `result`
    // lists what was really subscribed, the rest was refused (DB-NOTIF). public/test answers
    // {"version":"1.2.26"}; set_heartbeat answers "ok".
    mutating func parseResult(_ s: inout JSONScanner, id: Int64?, _ output: inout VenueOutputs) throws(VenueParseError) {
        guard let id, let requested = pending.take(id) else {
            guard try s.peekKind() == .object else { return }
            if try s.readMember("version", { s throws(VenueParseError) in try s.skipValue() }) != nil { output.append(.pong) }
            return
        }
        // The channel each subscription was requested on is its `channel(for:)` (a pure function of it).
        let accepted = Set(try s.readStrings())
        let ok = requested.filter { accepted.contains(channel(for: $0) ?? "") }, refused = requested.filter { !ok.contains($0) }
        output.append(.acknowledged(ok, requestID: String(id)))
        if !refused.isEmpty { output.append(.refused(refused, requestID: String(id), message: "not in public/subscribe result")) }
    }

    // {"jsonrpc":"2.0","id":3,"error":{"code":10028,"message":"too_many_requests","data":null}}: 10028 also
    // ends the session (DB-RL); the session layer sees the close and reconnects within its budget.
    mutating func parseError(_ s: inout JSONScanner, id: Int64?, _ output: inout VenueOutputs) throws(VenueParseError) {
        let error = try s.readErrorObject(messageKey: "message")
        let message = "deribit error \(error.code ?? 0): \(error.message ?? "")"
        output.append(.venueError(message))
        if let refusal = pending.refusal(id, message: message) { output.append(refusal) }
    }
}
