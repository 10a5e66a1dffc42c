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
        var output = VenueOutputs(capacity: 16)
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
        let layers = [("byte loop (count quotes)", bytes), ("JSONScanner.skipValue (validate)", scan),
                      ("adapter.parse only", parse), ("NDJSONEncoder.encode only", encode)]
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

/// Where a trade's instructions go besides parsing and encoding (`--experiment-glue`; run under
/// callgrind with `--toggle-collect='*glue*fU_*'` etc., see FEED.md "Session 5"): the trade row's
/// loop, `parse` alone, and for Binance the floor of today's scanner primitives — one straight
/// in-order read of an `aggTrade` frame into locals (no payload struct, no `Trade`), and the same
/// walk with every value skipped.
struct GlueExperiment<Venue: FeedVenue> {
    let venue: Venue

    /// Calls `body` on every frame of `set` (inlined, so each caller is its own measured function).
    @inline(__always)
    func frames(_ set: MessageSet, _ body: (UnsafeRawBufferPointer) throws -> Void) rethrows {
        try set.bytes.withUnsafeBytes { raw in
            for range in set.ranges { try body(UnsafeRawBufferPointer(rebasing: raw[range])) }
        }
    }

    /// Parses every frame of `set` into one reused output array and hands it to `body` (inlined).
    @inline(__always)
    func parsed(_ adapter: inout Venue.Adapter, _ set: MessageSet, _ body: (VenueOutputs) -> Void) throws {
        var output = VenueOutputs(capacity: 16)
        try frames(set) { frame in
            output.removeAll(keepingCapacity: true)
            try adapter.parse(frame, context: ParseContext(tsRecv: 1), into: &output)
            body(output)
        }
    }

    /// The trade row's loop: parse → `VenueOutput` → `MarketEvent` → encode.
    @inline(never)
    func glue(_ adapter: inout Venue.Adapter, _ set: MessageSet, _ buffer: inout [UInt8]) throws -> Int {
        let encoder = NDJSONEncoder()
        var n = 0
        try parsed(&adapter, set) { output in
            for trade in output.trades {
                n += 1
                encoder.encode(.trade(trade), seq: UInt64(n), into: &buffer)
            }
            if buffer.count > 1 << 16 { buffer.removeAll(keepingCapacity: true) }
        }
        return n
    }

    /// `adapter.parse` alone.
    @inline(never)
    func parseOnly(_ adapter: inout Venue.Adapter, _ set: MessageSet) throws -> Int {
        var n = 0
        try parsed(&adapter, set) { n &+= $0.count }
        return n
    }

    /// The in-order read of a Binance `aggTrade` frame into locals.
    @inline(never)
    func floorRead(_ set: MessageSet, symbols: inout VenueSymbolMap) throws -> Int {
        try floor(set, symbols: &symbols, skipping: false)
    }

    /// The same walk with every value skipped (validated, not converted).
    @inline(never)
    func floorSkip(_ set: MessageSet, symbols: inout VenueSymbolMap) throws -> Int {
        try floor(set, symbols: &symbols, skipping: true)
    }

    @inline(__always)
    func floor(_ set: MessageSet, symbols: inout VenueSymbolMap, skipping: Bool) throws -> Int {
        let keys: [StaticString] = ["e", "E", "s", "a", "p", "q", "f", "l", "T", "m", "M"]
        var n = 0
        try frames(set) { frame in
            var s = JSONScanner(frame)
            try s.beginObject()
            guard s.nextKey(is: "stream") else { throw VenueParseError.missingField("stream") }
            try s.skipValue()
            guard s.nextKey(is: "data") else { throw VenueParseError.missingField("data") }
            try s.beginObject()
            if skipping {
                for key in keys {
                    guard s.nextKey(is: key) else { throw VenueParseError.missingField("\(key)") }
                    try s.skipValue()
                }
            } else {
                guard s.nextKey(is: "e"), try s.readString() == "aggTrade" else { throw VenueParseError.missingField("e") }
                guard s.nextKey(is: "E") else { throw VenueParseError.missingField("E") }
                n &+= Int(try s.readInt64())
                guard s.nextKey(is: "s") else { throw VenueParseError.missingField("s") }
                n &+= try symbols.require(try s.readString()).kind == .spot ? 1 : 0
                guard s.nextKey(is: "a") else { throw VenueParseError.missingField("a") }
                n &+= Int(try s.readInt64())
                guard s.nextKey(is: "p") else { throw VenueParseError.missingField("p") }
                n &+= Int(try s.readDecimal().mantissa)
                guard s.nextKey(is: "q") else { throw VenueParseError.missingField("q") }
                n &+= Int(try s.readDecimal().mantissa)
                for key: StaticString in ["f", "l"] {
                    guard s.nextKey(is: key) else { throw VenueParseError.missingField("\(key)") }
                    try s.skipValue()
                }
                guard s.nextKey(is: "T") else { throw VenueParseError.missingField("T") }
                n &+= Int(try s.readInt64())
                guard s.nextKey(is: "m") else { throw VenueParseError.missingField("m") }
                n &+= try s.readBool() ? 1 : 0
                guard s.nextKey(is: "M") else { throw VenueParseError.missingField("M") }
                try s.skipValue()
            }
            guard try s.nextKey() == nil, try s.nextKey() == nil else { throw VenueParseError.missingField("}") }
            try s.finish()
        }
        return n
    }

    func run(options: BenchOptions) throws {
        let set = MessageSet(venue.tradeFrames(count: options.distinctTrades, seed: options.seed))
        var adapter = try venue.makeAdapter()
        var buffer: [UInt8] = []
        buffer.reserveCapacity(1 << 17)
        var symbols = VenueSymbolMap()
        symbols.insert(venue.symbol, venueName: "BTCUSDT")
        let trades = try glue(&adapter, set, &buffer)
        let outputs = try parseOnly(&adapter, set)
        let read = venue.name == "binance" ? try floorRead(set, symbols: &symbols) : 0
        let skipped = venue.name == "binance" ? try floorSkip(set, symbols: &symbols) : 0
        print("glue \(venue.name): \(set.ranges.count) frames, \(trades) trades, \(outputs) outputs (checksums \(read) \(skipped) \(buffer.count))")
    }
}
