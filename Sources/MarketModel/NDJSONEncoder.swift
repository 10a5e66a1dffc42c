/// Encodes normalized events as SPEC §5 NDJSON lines, appending to a caller-owned, reusable byte
/// buffer (no Foundation, no per-field `String` work).
///
/// Each call appends exactly one JSON object followed by `\n`. Keys come in SPEC §5 order;
/// decimals are JSON strings in the venue's digits (see ``FixedDecimal/write(into:)``);
/// timestamps are integers. Optional fields that are `nil` are omitted, as is `ts_exchange` when
/// the venue gave none. Fixtures compare lines without `ts_recv` and `seq` (SPEC §6): set
/// ``includesReceiveTime`` to `false` and pass `seq: nil`.
///
/// Shapes for the channels SPEC §5 does not spell out (`ticker`, `funding`, `liquidation`) are
/// documented on ``Ticker``, ``Funding`` and ``Liquidation`` and in docs/venuekit-api.md.
public struct NDJSONEncoder: Sendable {
    /// Whether `ts_recv` is written (turn off to compare with fixtures).
    public var includesReceiveTime: Bool

    /// Creates an encoder.
    public init(includesReceiveTime: Bool = true) {
        self.includesReceiveTime = includesReceiveTime
    }

    /// Appends the line for any event; `seq` is the per-subscriber counter, omitted when `nil`.
    public func encode(_ event: MarketEvent, seq: UInt64? = nil, into buffer: inout [UInt8]) {
        switch event {
        case .trade(let e): encode(e, seq: seq, into: &buffer)
        case .book(let e): encode(e, seq: seq, into: &buffer)
        case .bbo(let e): encode(e, seq: seq, into: &buffer)
        case .ticker(let e): encode(e, seq: seq, into: &buffer)
        case .funding(let e): encode(e, seq: seq, into: &buffer)
        case .liquidation(let e): encode(e, seq: seq, into: &buffer)
        case .status(let e): encode(e, seq: seq, into: &buffer)
        case .order(let e): encode(e, seq: seq, into: &buffer)
        }
    }

    /// Convenience for cold paths and tests: the line as a `String` (with its trailing `\n`).
    public func line(for event: MarketEvent, seq: UInt64? = nil) -> String {
        var buffer: [UInt8] = []
        encode(event, seq: seq, into: &buffer)
        return String(decoding: buffer, as: UTF8.self)
    }

    /// `{"type":"trade","venue","symbol","price","size","side","trade_id","ts_exchange","ts_recv","seq"}`.
    public func encode(_ e: Trade, seq: UInt64? = nil, into b: inout [UInt8]) {
        let bound = 200 + LineWriter.maxLength(of: e.venue) + LineWriter.maxLength(of: e.symbol)
            + LineWriter.maxLength(of: e.tradeID) + 2 * LineWriter.maxDecimalLength + 3 * LineWriter.maxIntegerLength
        LineWriter.append(maxLength: bound, to: &b) { w in
            w.raw("{\"type\":\"trade\",\"venue\":")
            w.venue(e.venue)
            w.raw(",\"symbol\":")
            w.symbol(e.symbol)
            w.raw(",\"price\":\"")
            w.decimal(e.price)
            w.raw("\",\"size\":\"")
            w.decimal(e.size)
            w.byte(UInt8(ascii: "\""))
            if let side = e.side { w.raw(side == .buy ? ",\"side\":\"buy\"" : ",\"side\":\"sell\"") }
            w.raw(",\"trade_id\":")
            w.tradeID(e.tradeID)
            trailer(tsExchange: e.tsExchange, tsRecv: e.tsRecv, seq: seq, &w)
        }
    }

    /// `{"type":"book","venue","symbol","snapshot","bids":[[p,s]],"asks":[[p,s]],"ts_exchange","ts_recv","seq"}`.
    public func encode(_ e: BookUpdate, seq: UInt64? = nil, into b: inout [UInt8]) {
        let bound = 200 + LineWriter.maxLength(of: e.venue) + LineWriter.maxLength(of: e.symbol)
            + (e.bids.count + e.asks.count) * (2 * LineWriter.maxDecimalLength + 8) + 3 * LineWriter.maxIntegerLength
        LineWriter.append(maxLength: bound, to: &b) { w in
            w.raw("{\"type\":\"book\",\"venue\":")
            w.venue(e.venue)
            w.raw(",\"symbol\":")
            w.symbol(e.symbol)
            w.raw(e.isSnapshot ? ",\"snapshot\":true,\"bids\":[" : ",\"snapshot\":false,\"bids\":[")
            Self.levels(e.bids, &w)
            w.raw("],\"asks\":[")
            Self.levels(e.asks, &w)
            w.byte(UInt8(ascii: "]"))
            trailer(tsExchange: e.tsExchange, tsRecv: e.tsRecv, seq: seq, &w)
        }
    }

    /// `{"type":"bbo","venue","symbol","bid","bid_size","ask","ask_size","ts_exchange","ts_recv","seq"}`.
    public func encode(_ e: BBO, seq: UInt64? = nil, into b: inout [UInt8]) {
        let bound = 200 + LineWriter.maxLength(of: e.venue) + LineWriter.maxLength(of: e.symbol)
            + 4 * LineWriter.maxDecimalLength + 3 * LineWriter.maxIntegerLength
        LineWriter.append(maxLength: bound, to: &b) { w in
            w.raw("{\"type\":\"bbo\",\"venue\":")
            w.venue(e.venue)
            w.raw(",\"symbol\":")
            w.symbol(e.symbol)
            if let v = e.bidPrice { Self.decimal(",\"bid\":\"", v, &w) }
            if let v = e.bidSize { Self.decimal(",\"bid_size\":\"", v, &w) }
            if let v = e.askPrice { Self.decimal(",\"ask\":\"", v, &w) }
            if let v = e.askSize { Self.decimal(",\"ask_size\":\"", v, &w) }
            trailer(tsExchange: e.tsExchange, tsRecv: e.tsRecv, seq: seq, &w)
        }
    }

    /// `{"type":"ticker","venue","symbol","last","bid","ask","volume_24h","high_24h","low_24h","ts_exchange","ts_recv","seq"}`.
    public func encode(_ e: Ticker, seq: UInt64? = nil, into b: inout [UInt8]) {
        let bound = 250 + LineWriter.maxLength(of: e.venue) + LineWriter.maxLength(of: e.symbol)
            + 6 * LineWriter.maxDecimalLength + 3 * LineWriter.maxIntegerLength
        LineWriter.append(maxLength: bound, to: &b) { w in
            w.raw("{\"type\":\"ticker\",\"venue\":")
            w.venue(e.venue)
            w.raw(",\"symbol\":")
            w.symbol(e.symbol)
            if let v = e.last { Self.decimal(",\"last\":\"", v, &w) }
            if let v = e.bid { Self.decimal(",\"bid\":\"", v, &w) }
            if let v = e.ask { Self.decimal(",\"ask\":\"", v, &w) }
            if let v = e.volume24h { Self.decimal(",\"volume_24h\":\"", v, &w) }
            if let v = e.high24h { Self.decimal(",\"high_24h\":\"", v, &w) }
            if let v = e.low24h { Self.decimal(",\"low_24h\":\"", v, &w) }
            trailer(tsExchange: e.tsExchange, tsRecv: e.tsRecv, seq: seq, &w)
        }
    }

    /// `{"type":"funding","venue","symbol","rate","next_funding_time","mark_price","ts_exchange","ts_recv","seq"}`.
    public func encode(_ e: Funding, seq: UInt64? = nil, into b: inout [UInt8]) {
        let bound = 250 + LineWriter.maxLength(of: e.venue) + LineWriter.maxLength(of: e.symbol)
            + 2 * LineWriter.maxDecimalLength + 4 * LineWriter.maxIntegerLength
        LineWriter.append(maxLength: bound, to: &b) { w in
            w.raw("{\"type\":\"funding\",\"venue\":")
            w.venue(e.venue)
            w.raw(",\"symbol\":")
            w.symbol(e.symbol)
            Self.decimal(",\"rate\":\"", e.rate, &w)
            if let t = e.nextFundingTime {
                w.raw(",\"next_funding_time\":")
                w.signed(t)
            }
            if let v = e.markPrice { Self.decimal(",\"mark_price\":\"", v, &w) }
            trailer(tsExchange: e.tsExchange, tsRecv: e.tsRecv, seq: seq, &w)
        }
    }

    /// `{"type":"liquidation","venue","symbol","side","price","size","ts_exchange","ts_recv","seq"}`.
    public func encode(_ e: Liquidation, seq: UInt64? = nil, into b: inout [UInt8]) {
        let bound = 200 + LineWriter.maxLength(of: e.venue) + LineWriter.maxLength(of: e.symbol)
            + 2 * LineWriter.maxDecimalLength + 3 * LineWriter.maxIntegerLength
        LineWriter.append(maxLength: bound, to: &b) { w in
            w.raw("{\"type\":\"liquidation\",\"venue\":")
            w.venue(e.venue)
            w.raw(",\"symbol\":")
            w.symbol(e.symbol)
            w.raw(e.side == .buy ? ",\"side\":\"buy\"" : ",\"side\":\"sell\"")
            Self.decimal(",\"price\":\"", e.price, &w)
            Self.decimal(",\"size\":\"", e.size, &w)
            trailer(tsExchange: e.tsExchange, tsRecv: e.tsRecv, seq: seq, &w)
        }
    }

    /// `{"type":"status","venue","symbol","channel","state","reason","seq"}` (no timestamps, SPEC §5).
    public func encode(_ e: StatusEvent, seq: UInt64? = nil, into b: inout [UInt8]) {
        let bound = 200 + LineWriter.maxLength(of: e.venue) + (e.symbol.map(LineWriter.maxLength(of:)) ?? 2)
            + LineWriter.maxStringLength(e.reason) + 2 * LineWriter.maxIntegerLength
        LineWriter.append(maxLength: bound, to: &b) { w in
            w.raw("{\"type\":\"status\",\"venue\":")
            w.venue(e.venue)
            if let symbol = e.symbol {
                w.raw(",\"symbol\":")
                w.symbol(symbol)
            }
            if let channel = e.channel {
                w.raw(",\"channel\":")
                w.string(channel.rawValue)
            }
            w.raw(",\"state\":")
            w.string(e.state.rawValue)
            w.raw(",\"reason\":")
            w.string(e.reason)
            trailer(tsExchange: nil, tsRecv: nil, seq: seq, &w)
        }
    }

    /// `{"type":"order","client_order_id","venue","symbol","state","venue_order_id","filled_size","avg_price","reason","ts_recv","seq"}`.
    public func encode(_ e: OrderUpdate, seq: UInt64? = nil, into b: inout [UInt8]) {
        let bound = 300 + LineWriter.maxStringLength(e.clientOrderID) + LineWriter.maxLength(of: e.venue)
            + LineWriter.maxLength(of: e.symbol) + LineWriter.maxStringLength(e.venueOrderID ?? "")
            + LineWriter.maxStringLength(e.reason ?? "") + 2 * LineWriter.maxDecimalLength + 2 * LineWriter.maxIntegerLength
        LineWriter.append(maxLength: bound, to: &b) { w in
            w.raw("{\"type\":\"order\",\"client_order_id\":")
            w.string(e.clientOrderID)
            w.raw(",\"venue\":")
            w.venue(e.venue)
            w.raw(",\"symbol\":")
            w.symbol(e.symbol)
            w.raw(",\"state\":")
            w.string(e.state.rawValue)
            if let v = e.venueOrderID {
                w.raw(",\"venue_order_id\":")
                w.string(v)
            }
            if let v = e.filledSize { Self.decimal(",\"filled_size\":\"", v, &w) }
            if let v = e.averagePrice { Self.decimal(",\"avg_price\":\"", v, &w) }
            if let v = e.reason {
                w.raw(",\"reason\":")
                w.string(v)
            }
            trailer(tsExchange: nil, tsRecv: e.tsRecv, seq: seq, &w)
        }
    }

    /// `{"type":"ack","id":"1"}` — the reply to a successful request.
    public func encodeAck(id: String, into b: inout [UInt8]) {
        LineWriter.append(maxLength: 32 + LineWriter.maxStringLength(id), to: &b) { w in
            w.raw("{\"type\":\"ack\",\"id\":")
            w.string(id)
            w.raw("}\n")
        }
    }

    /// `{"type":"error","id":"1","code":"unknown_symbol","message":"..."}`; `id` omitted when `nil`.
    public func encodeError(id: String?, code: String, message: String, into b: inout [UInt8]) {
        let bound = 64 + LineWriter.maxStringLength(id ?? "") + LineWriter.maxStringLength(code) + LineWriter.maxStringLength(message)
        LineWriter.append(maxLength: bound, to: &b) { w in
            w.raw("{\"type\":\"error\"")
            if let id {
                w.raw(",\"id\":")
                w.string(id)
            }
            w.raw(",\"code\":")
            w.string(code)
            w.raw(",\"message\":")
            w.string(message)
            w.raw("}\n")
        }
    }

    // MARK: - Pieces

    @inline(always)
    private func trailer(tsExchange: Nanoseconds?, tsRecv: Nanoseconds?, seq: UInt64?, _ w: inout LineWriter) {
        if let t = tsExchange {
            w.raw(",\"ts_exchange\":")
            w.signed(t)
        }
        if includesReceiveTime, let t = tsRecv {
            w.raw(",\"ts_recv\":")
            w.signed(t)
        }
        if let seq {
            w.raw(",\"seq\":")
            w.unsigned(seq)
        }
        w.raw("}\n")
    }

    /// `prefix` is the whole `,"key":"` chunk.
    @inline(always)
    static func decimal(_ prefix: StaticString, _ value: FixedDecimal, _ w: inout LineWriter) {
        w.raw(prefix)
        w.decimal(value)
        w.byte(UInt8(ascii: "\""))
    }

    static func levels(_ levels: [BookLevel], _ w: inout LineWriter) {
        var first = true
        for level in levels {
            w.raw(first ? "[\"" : ",[\"")
            first = false
            w.decimal(level.price)
            w.raw("\",\"")
            w.decimal(level.size)
            w.raw("\"]")
        }
    }

    /// Appends `text` as a JSON string literal with RFC 8259 §7 escaping.
    public static func string(_ text: String, _ b: inout [UInt8]) {
        LineWriter.append(maxLength: LineWriter.maxStringLength(text), to: &b) { w in w.string(text) }
    }
}
