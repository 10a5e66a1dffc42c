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
        Self.raw("{\"type\":\"trade\",\"venue\":", &b)
        Self.string(e.venue.rawValue, &b)
        Self.raw(",\"symbol\":", &b)
        Self.string(e.symbol.rawValue, &b)
        Self.decimal(",\"price\":\"", e.price, &b)
        Self.decimal(",\"size\":\"", e.size, &b)
        if let side = e.side { Self.raw(side == .buy ? ",\"side\":\"buy\"" : ",\"side\":\"sell\"", &b) }
        Self.raw(",\"trade_id\":", &b)
        Self.string(e.tradeID, &b)
        trailer(tsExchange: e.tsExchange, tsRecv: e.tsRecv, seq: seq, &b)
    }

    /// `{"type":"book","venue","symbol","snapshot","bids":[[p,s]],"asks":[[p,s]],"ts_exchange","ts_recv","seq"}`.
    public func encode(_ e: BookUpdate, seq: UInt64? = nil, into b: inout [UInt8]) {
        Self.raw("{\"type\":\"book\",\"venue\":", &b)
        Self.string(e.venue.rawValue, &b)
        Self.raw(",\"symbol\":", &b)
        Self.string(e.symbol.rawValue, &b)
        Self.raw(e.isSnapshot ? ",\"snapshot\":true,\"bids\":[" : ",\"snapshot\":false,\"bids\":[", &b)
        Self.levels(e.bids, &b)
        Self.raw("],\"asks\":[", &b)
        Self.levels(e.asks, &b)
        b.append(UInt8(ascii: "]"))
        trailer(tsExchange: e.tsExchange, tsRecv: e.tsRecv, seq: seq, &b)
    }

    /// `{"type":"bbo","venue","symbol","bid","bid_size","ask","ask_size","ts_exchange","ts_recv","seq"}`.
    public func encode(_ e: BBO, seq: UInt64? = nil, into b: inout [UInt8]) {
        Self.raw("{\"type\":\"bbo\",\"venue\":", &b)
        Self.string(e.venue.rawValue, &b)
        Self.raw(",\"symbol\":", &b)
        Self.string(e.symbol.rawValue, &b)
        if let v = e.bidPrice { Self.decimal(",\"bid\":\"", v, &b) }
        if let v = e.bidSize { Self.decimal(",\"bid_size\":\"", v, &b) }
        if let v = e.askPrice { Self.decimal(",\"ask\":\"", v, &b) }
        if let v = e.askSize { Self.decimal(",\"ask_size\":\"", v, &b) }
        trailer(tsExchange: e.tsExchange, tsRecv: e.tsRecv, seq: seq, &b)
    }

    /// `{"type":"ticker","venue","symbol","last","bid","ask","volume_24h","high_24h","low_24h","ts_exchange","ts_recv","seq"}`.
    public func encode(_ e: Ticker, seq: UInt64? = nil, into b: inout [UInt8]) {
        Self.raw("{\"type\":\"ticker\",\"venue\":", &b)
        Self.string(e.venue.rawValue, &b)
        Self.raw(",\"symbol\":", &b)
        Self.string(e.symbol.rawValue, &b)
        if let v = e.last { Self.decimal(",\"last\":\"", v, &b) }
        if let v = e.bid { Self.decimal(",\"bid\":\"", v, &b) }
        if let v = e.ask { Self.decimal(",\"ask\":\"", v, &b) }
        if let v = e.volume24h { Self.decimal(",\"volume_24h\":\"", v, &b) }
        if let v = e.high24h { Self.decimal(",\"high_24h\":\"", v, &b) }
        if let v = e.low24h { Self.decimal(",\"low_24h\":\"", v, &b) }
        trailer(tsExchange: e.tsExchange, tsRecv: e.tsRecv, seq: seq, &b)
    }

    /// `{"type":"funding","venue","symbol","rate","next_funding_time","mark_price","ts_exchange","ts_recv","seq"}`.
    public func encode(_ e: Funding, seq: UInt64? = nil, into b: inout [UInt8]) {
        Self.raw("{\"type\":\"funding\",\"venue\":", &b)
        Self.string(e.venue.rawValue, &b)
        Self.raw(",\"symbol\":", &b)
        Self.string(e.symbol.rawValue, &b)
        Self.decimal(",\"rate\":\"", e.rate, &b)
        if let t = e.nextFundingTime {
            Self.raw(",\"next_funding_time\":", &b)
            FixedDecimal.writeSigned(t, into: &b)
        }
        if let v = e.markPrice { Self.decimal(",\"mark_price\":\"", v, &b) }
        trailer(tsExchange: e.tsExchange, tsRecv: e.tsRecv, seq: seq, &b)
    }

    /// `{"type":"liquidation","venue","symbol","side","price","size","ts_exchange","ts_recv","seq"}`.
    public func encode(_ e: Liquidation, seq: UInt64? = nil, into b: inout [UInt8]) {
        Self.raw("{\"type\":\"liquidation\",\"venue\":", &b)
        Self.string(e.venue.rawValue, &b)
        Self.raw(",\"symbol\":", &b)
        Self.string(e.symbol.rawValue, &b)
        Self.raw(e.side == .buy ? ",\"side\":\"buy\"" : ",\"side\":\"sell\"", &b)
        Self.decimal(",\"price\":\"", e.price, &b)
        Self.decimal(",\"size\":\"", e.size, &b)
        trailer(tsExchange: e.tsExchange, tsRecv: e.tsRecv, seq: seq, &b)
    }

    /// `{"type":"status","venue","symbol","channel","state","reason","seq"}` (no timestamps, SPEC §5).
    public func encode(_ e: StatusEvent, seq: UInt64? = nil, into b: inout [UInt8]) {
        Self.raw("{\"type\":\"status\",\"venue\":", &b)
        Self.string(e.venue.rawValue, &b)
        if let symbol = e.symbol {
            Self.raw(",\"symbol\":", &b)
            Self.string(symbol.rawValue, &b)
        }
        if let channel = e.channel {
            Self.raw(",\"channel\":", &b)
            Self.string(channel.rawValue, &b)
        }
        Self.raw(",\"state\":", &b)
        Self.string(e.state.rawValue, &b)
        Self.raw(",\"reason\":", &b)
        Self.string(e.reason, &b)
        trailer(tsExchange: nil, tsRecv: nil, seq: seq, &b)
    }

    /// `{"type":"order","client_order_id","venue","symbol","state","venue_order_id","filled_size","avg_price","reason","ts_recv","seq"}`.
    public func encode(_ e: OrderUpdate, seq: UInt64? = nil, into b: inout [UInt8]) {
        Self.raw("{\"type\":\"order\",\"client_order_id\":", &b)
        Self.string(e.clientOrderID, &b)
        Self.raw(",\"venue\":", &b)
        Self.string(e.venue.rawValue, &b)
        Self.raw(",\"symbol\":", &b)
        Self.string(e.symbol.rawValue, &b)
        Self.raw(",\"state\":", &b)
        Self.string(e.state.rawValue, &b)
        if let v = e.venueOrderID {
            Self.raw(",\"venue_order_id\":", &b)
            Self.string(v, &b)
        }
        if let v = e.filledSize { Self.decimal(",\"filled_size\":\"", v, &b) }
        if let v = e.averagePrice { Self.decimal(",\"avg_price\":\"", v, &b) }
        if let v = e.reason {
            Self.raw(",\"reason\":", &b)
            Self.string(v, &b)
        }
        trailer(tsExchange: nil, tsRecv: e.tsRecv, seq: seq, &b)
    }

    /// `{"type":"ack","id":"1"}` — the reply to a successful request.
    public func encodeAck(id: String, into b: inout [UInt8]) {
        Self.raw("{\"type\":\"ack\",\"id\":", &b)
        Self.string(id, &b)
        Self.raw("}\n", &b)
    }

    /// `{"type":"error","id":"1","code":"unknown_symbol","message":"..."}`; `id` omitted when `nil`.
    public func encodeError(id: String?, code: String, message: String, into b: inout [UInt8]) {
        Self.raw("{\"type\":\"error\"", &b)
        if let id {
            Self.raw(",\"id\":", &b)
            Self.string(id, &b)
        }
        Self.raw(",\"code\":", &b)
        Self.string(code, &b)
        Self.raw(",\"message\":", &b)
        Self.string(message, &b)
        Self.raw("}\n", &b)
    }

    // MARK: - Pieces

    @inline(__always)
    private func trailer(tsExchange: Nanoseconds?, tsRecv: Nanoseconds?, seq: UInt64?, _ b: inout [UInt8]) {
        if let t = tsExchange {
            Self.raw(",\"ts_exchange\":", &b)
            FixedDecimal.writeSigned(t, into: &b)
        }
        if includesReceiveTime, let t = tsRecv {
            Self.raw(",\"ts_recv\":", &b)
            FixedDecimal.writeSigned(t, into: &b)
        }
        if let seq {
            Self.raw(",\"seq\":", &b)
            FixedDecimal.writeUnsigned(seq, into: &b)
        }
        Self.raw("}\n", &b)
    }

    @inline(__always)
    static func raw(_ text: StaticString, _ b: inout [UInt8]) {
        text.withUTF8Buffer { b.append(contentsOf: $0) }
    }

    /// `prefix` is the whole `,"key":"` chunk, so a field costs three bulk appends.
    @inline(__always)
    static func decimal(_ prefix: StaticString, _ value: FixedDecimal, _ b: inout [UInt8]) {
        raw(prefix, &b)
        value.write(into: &b)
        b.append(UInt8(ascii: "\""))
    }

    static func levels(_ levels: [BookLevel], _ b: inout [UInt8]) {
        var first = true
        for level in levels {
            raw(first ? "[\"" : ",[\"", &b)
            first = false
            level.price.write(into: &b)
            raw("\",\"", &b)
            level.size.write(into: &b)
            raw("\"]", &b)
        }
    }

    /// Appends `text` as a JSON string literal with RFC 8259 §7 escaping. Text that needs no
    /// escaping (venue names, symbols, ids) is appended in one call.
    public static func string(_ text: String, _ b: inout [UInt8]) {
        b.append(UInt8(ascii: "\""))
        var text = text
        text.withUTF8 { utf8 in
            var clean = true
            for c in utf8 where c < 0x20 || c == UInt8(ascii: "\"") || c == UInt8(ascii: "\\") {
                clean = false
                break
            }
            if clean {
                b.append(contentsOf: utf8)
            } else {
                escape(utf8, &b)
            }
        }
        b.append(UInt8(ascii: "\""))
    }

    static func escape<C: Collection>(_ bytes: C, _ b: inout [UInt8]) where C.Element == UInt8 {
        let hex: StaticString = "0123456789abcdef"
        for c in bytes {
            switch c {
            case UInt8(ascii: "\""): b.append(UInt8(ascii: "\\")); b.append(c)
            case UInt8(ascii: "\\"): b.append(UInt8(ascii: "\\")); b.append(c)
            case 0x0A: b.append(UInt8(ascii: "\\")); b.append(UInt8(ascii: "n"))
            case 0x0D: b.append(UInt8(ascii: "\\")); b.append(UInt8(ascii: "r"))
            case 0x09: b.append(UInt8(ascii: "\\")); b.append(UInt8(ascii: "t"))
            case 0x08: b.append(UInt8(ascii: "\\")); b.append(UInt8(ascii: "b"))
            case 0x0C: b.append(UInt8(ascii: "\\")); b.append(UInt8(ascii: "f"))
            case 0x00 ..< 0x20:
                raw("\\u00", &b)
                hex.withUTF8Buffer { h in
                    b.append(h[Int(c >> 4)])
                    b.append(h[Int(c & 0xF)])
                }
            default: b.append(c)
            }
        }
    }
}
