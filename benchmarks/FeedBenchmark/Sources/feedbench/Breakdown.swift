import MarketModel
import VenueKit

/// Where a trade message's time goes, layer by layer, on the same frames as the trade row:
/// a plain byte loop (the machine's floor), `JSONScanner.skipValue` (validate only), the
/// adapter's `parse` alone, and parse + NDJSON encode (the trade row itself).
struct Breakdown<Venue: FeedVenue> {
    let venue: Venue
    let options: BenchOptions

    func run() throws -> [(String, Summary)] {
        let set = MessageSet(venue.tradeFrames(count: options.distinctTrades, seed: options.seed))
        var adapter = try venue.makeAdapter()
        let total = options.tradesPerRun
        var sink = 0
        func repeatRuns(_ body: () throws -> Int) rethrows -> Summary {
            _ = try body()
            var runs: [Measurement] = []
            for _ in 0 ..< options.runs { runs.append(try measure(body)) }
            return Summary(runs: runs)
        }
        let bytes = try repeatRuns { forEach(set, total) { m in
            var quotes = 0
            for b in m where b == UInt8(ascii: "\"") { quotes &+= 1 }
            sink &+= quotes
        } }
        let scan = try repeatRuns { try forEach(set, total) { m throws(VenueParseError) in
            var s = JSONScanner(m)
            try s.skipValue()
            try s.finish()
        } }
        var output: [VenueOutput] = []
        output.reserveCapacity(16)
        let parse = try repeatRuns { try forEach(set, total) { m throws(VenueParseError) in
            output.removeAll(keepingCapacity: true)
            try adapter.parse(m, context: ParseContext(tsRecv: 1), into: &output)
        } }
        let encoder = NDJSONEncoder()
        var buffer: [UInt8] = []
        buffer.reserveCapacity(1 << 17)
        let trades = set.ranges.count
        var decoded: [Trade] = []
        try set.bytes.withUnsafeBytes { raw in
            for r in set.ranges {
                for o in try adapter.parse(String(decoding: raw[r], as: UTF8.self), context: ParseContext(tsRecv: 1)) {
                    if case .trade(let t) = o { decoded.append(t) }
                }
            }
        }
        guard decoded.count == trades else { throw BenchError("breakdown: \(decoded.count) trades") }
        let encode = repeatRuns {
            var done = 0
            while done < total {
                for t in decoded where done < total {
                    encoder.encode(.trade(t), seq: UInt64(done), into: &buffer)
                    if buffer.count > 1 << 16 { sink &+= buffer.count; buffer.removeAll(keepingCapacity: true) }
                    done += 1
                }
            }
            return done
        }
        var layers = [("byte loop (count quotes)", bytes), ("JSONScanner.skipValue (validate)", scan),
                      ("adapter.parse only", parse), ("NDJSONEncoder.encode only", encode)]
        if venue.name == "binance" {
            // The floor of today's primitives: one straight in-order read of an `aggTrade` frame
            // into locals, a `Trade`, and `encode(Trade)` — no payload struct, no `VenueOutput`,
            // no `MarketEvent`, no fallbacks (a frame that differs aborts the run).
            var symbols = VenueSymbolMap()
            symbols.insert(venue.symbol, venueName: "BTCUSDT")
            var seq: UInt64 = 0
            let direct = try repeatRuns { try forEach(set, total) { m throws(VenueParseError) in
                var s = JSONScanner(m)
                try s.beginObject()
                guard s.nextKey(is: "stream") else { throw .missingField("stream") }
                _ = try s.readString()
                guard s.nextKey(is: "data") else { throw .missingField("data") }
                try s.beginObject()
                guard s.nextKey(is: "e") else { throw .missingField("e") }
                guard try s.readString() == "aggTrade" else { throw .missingField("e") }
                guard s.nextKey(is: "E") else { throw .missingField("E") }
                _ = try s.readInt64()
                guard s.nextKey(is: "s") else { throw .missingField("s") }
                let symbol = try symbols.require(try s.readString())
                guard s.nextKey(is: "a") else { throw .missingField("a") }
                let id = try s.readInt64()
                guard s.nextKey(is: "p") else { throw .missingField("p") }
                let price = try s.readDecimal()
                guard s.nextKey(is: "q") else { throw .missingField("q") }
                let size = try s.readDecimal()
                guard s.nextKey(is: "f") else { throw .missingField("f") }
                try s.skipValue()
                guard s.nextKey(is: "l") else { throw .missingField("l") }
                try s.skipValue()
                guard s.nextKey(is: "T") else { throw .missingField("T") }
                let time = try s.readInt64()
                guard s.nextKey(is: "m") else { throw .missingField("m") }
                let isBuyerMaker = try s.readBool()
                guard s.nextKey(is: "M") else { throw .missingField("M") }
                try s.skipValue()
                guard try s.nextKey() == nil, try s.nextKey() == nil else { throw .missingField("}") }
                try s.finish()
                let trade = Trade(venue: .binance, symbol: symbol, price: price, size: size, side: isBuyerMaker ? .sell : .buy,
                                  tradeID: DecimalText.string(id), tsExchange: time &* 1_000_000, tsRecv: 1)
                seq &+= 1
                encoder.encode(trade, seq: seq, into: &buffer)
                if buffer.count > 1 << 16 { sink &+= buffer.count; buffer.removeAll(keepingCapacity: true) }
            } }
            layers.append(("floor: in-order read → Trade → encode(Trade)", direct))
        }
        if sink == 42 { print("") }
        return layers
    }

    /// Calls `body` on `total` messages, cycling through `set`.
    @inline(never)
    func forEach<E: Error>(_ set: MessageSet, _ total: Int, _ body: (UnsafeRawBufferPointer) throws(E) -> Void) throws(E) -> Int {
        var done = 0
        let result: Result<Void, E> = set.bytes.withUnsafeBytes { raw in
            do throws(E) {
                while done < total {
                    for r in set.ranges where done < total {
                        try body(UnsafeRawBufferPointer(rebasing: raw[r]))
                        done += 1
                    }
                }
                return .success(())
            } catch { return .failure(error) }
        }
        try result.get()
        return done
    }
}

/// Glue variants of the trade loop (experiment): how much the `VenueOutput` → `MarketEvent`
/// hand-over costs next to parsing and encoding.
struct GlueExperiment<Venue: FeedVenue> {
    let venue: Venue

    @inline(never)
    func glueCurrent(_ adapter: inout Venue.Adapter, _ set: MessageSet, _ buffer: inout [UInt8]) throws -> Int {
        let encoder = NDJSONEncoder()
        var output: [VenueOutput] = []
        output.reserveCapacity(16)
        var n = 0
        try set.bytes.withUnsafeBytes { raw in
            for range in set.ranges {
                output.removeAll(keepingCapacity: true)
                try adapter.parse(UnsafeRawBufferPointer(rebasing: raw[range]), context: ParseContext(tsRecv: 1), into: &output)
                for o in output {
                    guard case .trade(let trade) = o else { continue }
                    n += 1
                    encoder.encode(.trade(trade), seq: UInt64(n), into: &buffer)
                }
                if buffer.count > 1 << 16 { buffer.removeAll(keepingCapacity: true) }
            }
        }
        return n
    }

    @inline(never)
    func glueDirect(_ adapter: inout Venue.Adapter, _ set: MessageSet, _ buffer: inout [UInt8]) throws -> Int {
        let encoder = NDJSONEncoder()
        var output: [VenueOutput] = []
        output.reserveCapacity(16)
        var n = 0
        try set.bytes.withUnsafeBytes { raw in
            for range in set.ranges {
                output.removeAll(keepingCapacity: true)
                try adapter.parse(UnsafeRawBufferPointer(rebasing: raw[range]), context: ParseContext(tsRecv: 1), into: &output)
                for i in output.indices {
                    guard case .trade(let trade) = output[i] else { continue }
                    n += 1
                    encoder.encode(trade, seq: UInt64(n), into: &buffer)
                }
                if buffer.count > 1 << 16 { buffer.removeAll(keepingCapacity: true) }
            }
        }
        return n
    }

    @inline(never)
    func parseOnly(_ adapter: inout Venue.Adapter, _ set: MessageSet) throws -> Int {
        var output: [VenueOutput] = []
        output.reserveCapacity(16)
        var n = 0
        try set.bytes.withUnsafeBytes { raw in
            for range in set.ranges {
                output.removeAll(keepingCapacity: true)
                try adapter.parse(UnsafeRawBufferPointer(rebasing: raw[range]), context: ParseContext(tsRecv: 1), into: &output)
                n &+= output.count
            }
        }
        return n
    }

    /// The in-order read of a Binance `aggTrade` frame into locals (values typed as the adapter reads them).
    @inline(never)
    func floorRead(_ set: MessageSet, symbols: inout VenueSymbolMap) throws -> Int {
        var n = 0
        try set.bytes.withUnsafeBytes { raw in
            for range in set.ranges {
                var s = JSONScanner(UnsafeRawBufferPointer(rebasing: raw[range]))
                try s.beginObject()
                guard s.nextKey(is: "stream") else { throw VenueParseError.missingField("stream") }
                _ = try s.readString()
                guard s.nextKey(is: "data") else { throw VenueParseError.missingField("data") }
                try s.beginObject()
                guard s.nextKey(is: "e") else { throw VenueParseError.missingField("e") }
                guard try s.readString() == "aggTrade" else { throw VenueParseError.missingField("e") }
                guard s.nextKey(is: "E") else { throw VenueParseError.missingField("E") }
                n &+= Int(try s.readInt64())
                guard s.nextKey(is: "s") else { throw VenueParseError.missingField("s") }
                let symbol = try symbols.require(try s.readString())
                guard s.nextKey(is: "a") else { throw VenueParseError.missingField("a") }
                n &+= Int(try s.readInt64())
                guard s.nextKey(is: "p") else { throw VenueParseError.missingField("p") }
                n &+= Int(try s.readDecimal().mantissa)
                guard s.nextKey(is: "q") else { throw VenueParseError.missingField("q") }
                n &+= Int(try s.readDecimal().mantissa)
                guard s.nextKey(is: "f") else { throw VenueParseError.missingField("f") }
                try s.skipValue()
                guard s.nextKey(is: "l") else { throw VenueParseError.missingField("l") }
                try s.skipValue()
                guard s.nextKey(is: "T") else { throw VenueParseError.missingField("T") }
                n &+= Int(try s.readInt64())
                guard s.nextKey(is: "m") else { throw VenueParseError.missingField("m") }
                n &+= try s.readBool() ? 1 : 0
                guard s.nextKey(is: "M") else { throw VenueParseError.missingField("M") }
                try s.skipValue()
                guard try s.nextKey() == nil, try s.nextKey() == nil else { throw VenueParseError.missingField("}") }
                try s.finish()
                n &+= symbol.kind == .spot ? 1 : 0
            }
        }
        return n
    }

    /// The same walk with every value skipped (validated, not converted).
    @inline(never)
    func floorSkip(_ set: MessageSet) throws -> Int {
        var n = 0
        try set.bytes.withUnsafeBytes { raw in
            for range in set.ranges {
                var s = JSONScanner(UnsafeRawBufferPointer(rebasing: raw[range]))
                try s.beginObject()
                guard s.nextKey(is: "stream") else { throw VenueParseError.missingField("stream") }
                try s.skipValue()
                guard s.nextKey(is: "data") else { throw VenueParseError.missingField("data") }
                try s.beginObject()
                for key: StaticString in ["e", "E", "s", "a", "p", "q", "f", "l", "T", "m", "M"] {
                    guard s.nextKey(is: key) else { throw VenueParseError.missingField("\(key)") }
                    try s.skipValue()
                }
                guard try s.nextKey() == nil, try s.nextKey() == nil else { throw VenueParseError.missingField("}") }
                try s.finish()
                n &+= 1
            }
        }
        return n
    }

    func run(options: BenchOptions) throws {
        let set = MessageSet(venue.tradeFrames(count: options.distinctTrades, seed: options.seed))
        var adapter = try venue.makeAdapter()
        var buffer: [UInt8] = []
        buffer.reserveCapacity(1 << 17)
        let a = try glueCurrent(&adapter, set, &buffer)
        let b = try glueDirect(&adapter, set, &buffer)
        let c = try parseOnly(&adapter, set)
        var symbols = VenueSymbolMap()
        symbols.insert(venue.symbol, venueName: "BTCUSDT")
        let d = venue.name == "binance" ? try floorRead(set, symbols: &symbols) : 0
        let e = venue.name == "binance" ? try floorSkip(set) : 0
        print("glue \(venue.name): \(a) \(b) \(c) \(d) \(e) \(buffer.count)")
    }
}
