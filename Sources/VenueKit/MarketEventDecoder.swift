import MarketModel

/// Reads SPEC §5 event lines back into ``MarketEvent``s — for tests, fixture comparison and tools
/// (cold path). Tolerant: keys in any order, unknown keys ignored, `ts_recv` and `seq` optional
/// (fixtures omit them, SPEC §6; a missing `ts_recv` reads as 0). Comparing decoded events makes
/// fixture checks independent of key order and of `1.50` vs `1.5` (decimals compare numerically).
public enum MarketEventDecoder {
    /// Decodes one line (a trailing `\n` is fine).
    public static func decode(_ line: String) throws(VenueParseError) -> MarketEvent {
        var copy = line
        var result: Result<MarketEvent, VenueParseError> = .failure(.unexpected("empty line"))
        copy.withUTF8 { utf8 in
            result = Result { () throws(VenueParseError) -> MarketEvent in try decode(UnsafeRawBufferPointer(utf8)) }
        }
        return try result.get()
    }

    /// Decodes one line from bytes.
    public static func decode(_ bytes: UnsafeRawBufferPointer) throws(VenueParseError) -> MarketEvent {
        var f = Fields()
        var s = JSONScanner(bytes)
        try s.beginObject()
        while let key = try s.nextKey() {
            try f.read(key.string, from: &s)
        }
        try s.finish()
        guard let type = f.strings["type"] else { throw .missingField("type") }
        switch type {
        case "trade":
            return .trade(Trade(venue: try f.venue(), symbol: try f.symbol(), price: try f.decimal("price"), size: try f.decimal("size"),
                                side: try f.side("side"), tradeID: TradeID(f.strings["trade_id"] ?? ""), tsExchange: f.ints["ts_exchange"],
                                tsRecv: f.ints["ts_recv"] ?? 0))
        case "book":
            return .book(BookUpdate(venue: try f.venue(), symbol: try f.symbol(), isSnapshot: f.bools["snapshot"] ?? false,
                                    bids: f.levels["bids"] ?? [], asks: f.levels["asks"] ?? [], tsExchange: f.ints["ts_exchange"],
                                    tsRecv: f.ints["ts_recv"] ?? 0))
        case "bbo":
            return .bbo(BBO(venue: try f.venue(), symbol: try f.symbol(), bidPrice: f.decimals["bid"], bidSize: f.decimals["bid_size"],
                            askPrice: f.decimals["ask"], askSize: f.decimals["ask_size"], tsExchange: f.ints["ts_exchange"],
                            tsRecv: f.ints["ts_recv"] ?? 0))
        case "ticker":
            return .ticker(Ticker(venue: try f.venue(), symbol: try f.symbol(), last: f.decimals["last"], bid: f.decimals["bid"],
                                  ask: f.decimals["ask"], volume24h: f.decimals["volume_24h"], high24h: f.decimals["high_24h"],
                                  low24h: f.decimals["low_24h"], tsExchange: f.ints["ts_exchange"], tsRecv: f.ints["ts_recv"] ?? 0))
        case "funding":
            return .funding(Funding(venue: try f.venue(), symbol: try f.symbol(), rate: try f.decimal("rate"),
                                    nextFundingTime: f.ints["next_funding_time"], markPrice: f.decimals["mark_price"],
                                    tsExchange: f.ints["ts_exchange"], tsRecv: f.ints["ts_recv"] ?? 0))
        case "liquidation":
            guard let side = try f.side("side") else { throw .missingField("side") }
            return .liquidation(Liquidation(venue: try f.venue(), symbol: try f.symbol(), side: side, price: try f.decimal("price"),
                                            size: try f.decimal("size"), tsExchange: f.ints["ts_exchange"], tsRecv: f.ints["ts_recv"] ?? 0))
        case "status":
            guard let text = f.strings["state"], let state = StreamState(rawValue: text) else { throw .invalidValue("state", "unknown state") }
            var channel: Channel?
            if let c = f.strings["channel"] {
                guard let parsed = Channel(rawValue: c) else { throw .invalidValue("channel", "unknown channel '\(c)'") }
                channel = parsed
            }
            return .status(StatusEvent(venue: try f.venue(), symbol: try f.optionalSymbol(), channel: channel, state: state,
                                       reason: f.strings["reason"] ?? ""))
        case "order":
            guard let text = f.strings["state"], let state = OrderState(rawValue: text) else { throw .invalidValue("state", "unknown order state") }
            guard let id = f.strings["client_order_id"] else { throw .missingField("client_order_id") }
            return .order(OrderUpdate(clientOrderID: id, venue: try f.venue(), symbol: try f.symbol(), state: state,
                                      venueOrderID: f.strings["venue_order_id"], filledSize: f.decimals["filled_size"],
                                      averagePrice: f.decimals["avg_price"], reason: f.strings["reason"], tsRecv: f.ints["ts_recv"] ?? 0))
        default:
            throw .invalidValue("type", "unknown event type '\(type)'")
        }
    }

    /// The fields of one line, by JSON type.
    struct Fields {
        var strings: [String: String] = [:]
        var decimals: [String: FixedDecimal] = [:]
        var ints: [String: Int64] = [:]
        var bools: [String: Bool] = [:]
        var levels: [String: [BookLevel]] = [:]

        static let decimalKeys: Set<String> = ["price", "size", "bid", "bid_size", "ask", "ask_size", "last", "volume_24h",
                                               "high_24h", "low_24h", "rate", "mark_price", "filled_size", "avg_price"]

        mutating func read(_ key: String, from s: inout JSONScanner) throws(VenueParseError) {
            switch try s.peekKind() {
            case .string where Fields.decimalKeys.contains(key):
                decimals[key] = try s.readDecimal()
            case .string:
                strings[key] = try s.readString().string
            case .number:
                ints[key] = try s.readInt64()
            case .bool:
                bools[key] = try s.readBool()
            case .array where key == "bids" || key == "asks":
                var out: [BookLevel] = []
                try s.readLevels(into: &out)
                levels[key] = out
            case .null:
                _ = try s.consumeNull()
            case .array, .object:
                try s.skipValue()
            }
        }

        func venue() throws(VenueParseError) -> VenueID {
            guard let v = strings["venue"] else { throw .missingField("venue") }
            return VenueID(rawValue: v)
        }

        func symbol() throws(VenueParseError) -> Symbol {
            guard let s = try optionalSymbol() else { throw .missingField("symbol") }
            return s
        }

        func optionalSymbol() throws(VenueParseError) -> Symbol? {
            guard let text = strings["symbol"] else { return nil }
            do {
                return try Symbol(text)
            } catch {
                throw .invalidValue("symbol", error.reason)
            }
        }

        func decimal(_ key: String) throws(VenueParseError) -> FixedDecimal {
            guard let d = decimals[key] else { throw .missingField(key) }
            return d
        }

        func side(_ key: String) throws(VenueParseError) -> Side? {
            guard let text = strings[key] else { return nil }
            guard let side = Side(rawValue: text) else { throw .invalidValue(key, "expected buy or sell") }
            return side
        }
    }
}
