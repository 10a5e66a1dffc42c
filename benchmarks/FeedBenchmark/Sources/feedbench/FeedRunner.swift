import Books
import MarketModel
import VenueKit

/// Drives one venue's adapter over generated messages: the two measured loops and the checks
/// that make the numbers trustworthy (every trade frame yields a trade; every depth run stays
/// live — no gap, no checksum failure, no resync — and ends on the generator's book).
struct FeedRunner<Venue: FeedVenue> {
    let venue: Venue
    let options: BenchOptions

    func run() throws -> FeedResult {
        var sink = 0
        // Trades: adapter.parse → Trade → NDJSONEncoder into a reused buffer.
        let trades = MessageSet(venue.tradeFrames(count: options.distinctTrades, seed: options.seed))
        var adapter = try venue.makeAdapter()
        let check = try tradeLoop(&adapter, trades, total: trades.count, sink: &sink)  // also the warm-up
        guard check == trades.count else { throw BenchError("\(venue.name): \(check) trades from \(trades.count) trade frames") }
        let normalized = try normalizeLoop(&adapter, trades, total: trades.count, sink: &sink)
        guard normalized == trades.count else { throw BenchError("\(venue.name): \(normalized) normalized trades from \(trades.count) frames") }
        // Both trade rows, alternated run by run so that they see the same host conditions.
        var tradeRuns: [Measurement] = [], normalizeRuns: [Measurement] = []
        for _ in 0 ..< options.runs {
            tradeRuns.append(try measure { try tradeLoop(&adapter, trades, total: options.tradesPerRun, sink: &sink) })
            normalizeRuns.append(try measure { try normalizeLoop(&adapter, trades, total: options.tradesPerRun, sink: &sink) })
        }

        // Depth: bootstrap untimed, then adapter.parse → BookSet.handle over every delta.
        let session = venue.depthSession(updates: options.depthUpdates, seed: options.seed ^ 0xD3)
        var depthRuns: [Measurement] = []
        for run in 0 ... options.runs {  // run 0 is the check (and warm-up)
            var books = try bootstrap(&adapter, session)
            var problems: [BookAction] = []
            let m = try measure { try depthLoop(&adapter, session.deltas, &books, problems: &problems) }
            guard problems.isEmpty else {
                throw BenchError("\(venue.name): depth run raised \(problems.count) status actions, first: \(problems[0])")
            }
            if run == 0 { try verify(books, against: session.finalBook) } else { depthRuns.append(m) }
            sink &+= books[venue.symbol]?.book.bids.count ?? 0
        }
        // The same deltas through the adapter alone: the split between parsing and Books.
        var parseRuns: [Measurement] = []
        for _ in 0 ..< options.runs {
            _ = try bootstrap(&adapter, session)  // BitMEX: the id map the deltas refer to
            parseRuns.append(try measure { try parseLoop(&adapter, session.deltas, sink: &sink) })
        }
        // The same deltas into one `BookSynchronizer` held directly (no `BookSet` dictionary):
        // isolates what the per-symbol routing costs.
        var directRuns: [Measurement] = []
        for _ in 0 ..< options.runs {
            var sync = try bootstrapDirect(&adapter, session)
            directRuns.append(try measure { try directLoop(&adapter, session.deltas, &sync) })
            guard sync.phase == .live else { throw BenchError("\(venue.name): direct synchronizer left live") }
        }
        func perUpdate(_ runs: [Measurement]) -> Summary {
            Summary(runs: runs.map { var u = $0; u.messages /= session.framesPerUpdate; return u })
        }
        return FeedResult(name: venue.name, tradeBytes: trades.averageSize, depthBytes: session.deltas.averageSize,
                          trades: Summary(runs: tradeRuns), normalizedTrades: Summary(runs: normalizeRuns), depth: perUpdate(depthRuns), depthParseOnly: perUpdate(parseRuns),
                          depthDirect: perUpdate(directRuns),
                          framesPerUpdate: session.framesPerUpdate, checksumNote: session.checksumNote, sink: sink)
    }

    /// The measured trade loop over `total` frames (cycling through `set`). Returns the number of
    /// trades encoded, which the check requires to equal the number of frames.
    @inline(never)
    func tradeLoop(_ adapter: inout Venue.Adapter, _ set: MessageSet, total: Int, sink: inout Int) throws -> Int {
        let encoder = NDJSONEncoder()
        var buffer: [UInt8] = []
        buffer.reserveCapacity(1 << 17)
        var seq: UInt64 = 0
        let trades = try eachTrade(&adapter, set, total: total) { trade in
            seq &+= 1
            encoder.encode(.trade(trade), seq: seq, into: &buffer)
        } afterFrame: {
            if buffer.count > 1 << 16 { sink &+= buffer.count; buffer.removeAll(keepingCapacity: true) }
        }
        sink &+= buffer.count
        return trades
    }

    /// The normalizing half of ``tradeLoop(_:_:total:sink:)``: adapter.parse → `Trade`, with each
    /// trade's price, size and time folded into `sink` (so nothing is optimized away) instead of
    /// encoded. Returns the number of trades.
    @inline(never)
    func normalizeLoop(_ adapter: inout Venue.Adapter, _ set: MessageSet, total: Int, sink: inout Int) throws -> Int {
        try eachTrade(&adapter, set, total: total) { trade in
            sink &+= Int(truncatingIfNeeded: trade.price.mantissa &+ trade.size.mantissa &+ (trade.tsExchange ?? 0))
                &+ Int(truncatingIfNeeded: trade.tradeID.number ?? 1)
        } afterFrame: {}
    }

    /// Parses `total` frames (cycling through `set`) and hands every trade to `body`; returns how
    /// many there were. Inlined into each measured loop.
    @inline(__always)
    func eachTrade(_ adapter: inout Venue.Adapter, _ set: MessageSet, total: Int, _ body: (Trade) -> Void,
                   afterFrame: () -> Void) throws -> Int {
        var output = VenueOutputs(capacity: 16)
        var trades = 0, done = 0
        try set.bytes.withUnsafeBytes { raw in
            while done < total {
                for range in set.ranges {
                    if done == total { break }
                    output.removeAll(keepingCapacity: true)
                    try adapter.parse(UnsafeRawBufferPointer(rebasing: raw[range]),
                                      context: ParseContext(tsRecv: 1_795_219_200_000_000_000 &+ Int64(done)), into: &output)
                    // As FeedPipeline.receive hands them on: borrowed through the buffer.
                    output.trades.withUnsafeBufferPointer { buffer in
                        for i in buffer.indices {
                            body(buffer[i])
                            trades += 1
                        }
                    }
                    afterFrame()
                    done += 1
                }
            }
        }
        return trades
    }

    /// A `BookSynchronizer` holding the session's snapshot (untimed).
    func bootstrapDirect(_ adapter: inout Venue.Adapter, _ session: DepthSession) throws -> BookSynchronizer {
        var sync = BookSynchronizer(configuration: .init(venue: Venue.Adapter.spec.id, symbol: venue.symbol, book: Venue.Adapter.spec.book))
        var actions: [BookAction] = []
        let context = ParseContext(tsRecv: 1_795_219_200_000_000_000)
        switch session.bootstrap {
        case .rest(let body):
            var text = body
            sync.handle(try text.withUTF8 { try adapter.parseRESTSnapshot(symbol: venue.symbol, body: UnsafeRawBufferPointer($0), context: context) },
                        into: &actions)
        case .frame(let frame):
            for p in session.preamble { _ = try adapter.parse(p, context: context) }
            for case .book(let m) in try adapter.parse(frame, context: context) { sync.handle(m, into: &actions) }
        }
        return sync
    }

    /// The depth loop with the synchronizer held directly (per-connection sequence not checked).
    @inline(never)
    func directLoop(_ adapter: inout Venue.Adapter, _ set: MessageSet, _ sync: inout BookSynchronizer) throws -> Int {
        var output = VenueOutputs(capacity: 16)
        var actions: [BookAction] = []
        actions.reserveCapacity(16)
        var frames = 0
        try set.bytes.withUnsafeBytes { raw in
            for range in set.ranges {
                output.removeAll(keepingCapacity: true)
                try adapter.parse(UnsafeRawBufferPointer(rebasing: raw[range]),
                                  context: ParseContext(tsRecv: 1_795_219_200_000_000_000 &+ Int64(frames)), into: &output)
                for case .book(let message) in output.others { sync.handle(message, into: &actions) }
                actions.removeAll(keepingCapacity: true)
                frames += 1
            }
        }
        return frames
    }

    /// The depth frames through `parse` only (no Books).
    @inline(never)
    func parseLoop(_ adapter: inout Venue.Adapter, _ set: MessageSet, sink: inout Int) throws -> Int {
        var output = VenueOutputs(capacity: 16)
        var frames = 0
        try set.bytes.withUnsafeBytes { raw in
            for range in set.ranges {
                output.removeAll(keepingCapacity: true)
                try adapter.parse(UnsafeRawBufferPointer(rebasing: raw[range]),
                                  context: ParseContext(tsRecv: 1_795_219_200_000_000_000 &+ Int64(frames)), into: &output)
                sink &+= output.count
                frames += 1
            }
        }
        return frames
    }

    /// A fresh `BookSet` holding the session's snapshot (untimed).
    func bootstrap(_ adapter: inout Venue.Adapter, _ session: DepthSession) throws -> BookSet {
        var books = BookSet(venue: Venue.Adapter.spec.id, spec: Venue.Adapter.spec.book)
        var actions: [BookAction] = []
        let context = ParseContext(tsRecv: 1_795_219_200_000_000_000)
        switch session.bootstrap {
        case .rest(let body):
            var text = body
            let message = try text.withUTF8 { try adapter.parseRESTSnapshot(symbol: venue.symbol, body: UnsafeRawBufferPointer($0), context: context) }
            books.handle(message, into: &actions)
        case .frame(let frame):
            for p in session.preamble { _ = try adapter.parse(p, context: context) }
            for output in try adapter.parse(frame, context: context) {
                if case .book(let m) = output { books.handle(m, into: &actions) }
                if case .connectionSequence(let n) = output { books.observeConnectionSequence(n, into: &actions) }
            }
        }
        guard books[venue.symbol]?.phase == .live else { throw BenchError("\(venue.name): snapshot did not make the book live: \(actions)") }
        return books
    }

    /// The measured depth loop: every output goes where the pipeline sends it (book messages and
    /// per-connection sequence numbers to Books); status actions are collected as problems.
    @inline(never)
    func depthLoop(_ adapter: inout Venue.Adapter, _ set: MessageSet, _ books: inout BookSet,
                   problems: inout [BookAction]) throws -> Int {
        var output = VenueOutputs(capacity: 16)
        var actions: [BookAction] = []
        actions.reserveCapacity(16)
        var frames = 0
        try set.bytes.withUnsafeBytes { raw in
            for range in set.ranges {
                output.removeAll(keepingCapacity: true)
                try adapter.parse(UnsafeRawBufferPointer(rebasing: raw[range]),
                                  context: ParseContext(tsRecv: 1_795_219_200_000_000_000 &+ Int64(frames)), into: &output)
                // As FeedPipeline.receive: the message's sequence number first, then its outputs,
                // borrowed through the buffer.
                if let n = output.connectionSequence { books.observeConnectionSequence(n, into: &actions) }
                output.others.withUnsafeBufferPointer { buffer in
                    for i in buffer.indices {
                        switch buffer[i] {
                        case .book(let message): books.handle(message, into: &actions)
                        case .connectionSequence(let n): books.observeConnectionSequence(n, into: &actions)
                        default: break
                        }
                    }
                }
                for action in actions {
                    if case .publish = action { continue }
                    problems.append(action)
                }
                actions.removeAll(keepingCapacity: true)
                frames += 1
            }
        }
        return frames
    }

    /// The book after run 0 must be the generator's, level for level.
    func verify(_ books: BookSet, against expected: SyntheticBook) throws {
        guard let book = books[venue.symbol]?.book else { throw BenchError("\(venue.name): no book") }
        for isBid in [true, false] {
            let got = isBid ? book.bids.bestFirst : book.asks.bestFirst
            let want = expected.levels(isBid: isBid).map { BookLevel(price: $0.price, size: $0.level.size) }
            guard got == want else {
                throw BenchError("\(venue.name): final \(isBid ? "bids" : "asks") differ: \(got.count) vs \(want.count) levels, first \(got.prefix(3)) vs \(want.prefix(3))")
            }
        }
    }
}

/// Sizes of a benchmark run.
struct BenchOptions {
    var runs = 7
    var tradesPerRun = 400_000
    var distinctTrades = 8_192
    var depthUpdates = 20_000
    var seed: UInt64 = 0x4D61_726B_6574_4D75  // "MarketMu"
}

/// One venue's numbers.
struct FeedResult {
    var name: String
    var tradeBytes: Int
    var depthBytes: Int
    var trades: Summary
    /// adapter.parse → `Trade` only (the normalized event, not encoded).
    var normalizedTrades: Summary
    var depth: Summary
    var depthParseOnly: Summary
    var depthDirect: Summary
    var framesPerUpdate: Int
    var checksumNote: String
    var sink: Int
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
