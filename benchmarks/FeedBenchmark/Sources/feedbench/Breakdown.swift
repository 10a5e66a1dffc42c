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
        if sink == 42 { print("") }
        return [("byte loop (count quotes)", bytes), ("JSONScanner.skipValue (validate)", scan),
                ("adapter.parse only", parse), ("NDJSONEncoder.encode only", encode)]
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
