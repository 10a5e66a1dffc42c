import CMallocCounter
import Foundation

// feedbench: per-venue normalized trades/s and 20-level depth updates/s on one core
// (benchmarks/FEED.md explains the method and holds the results).
//   feedbench [--runs N] [--trades N] [--updates N] [--venue NAME]... [--no-foundation]
//   feedbench --breakdown NAME...     layers of the trade path (byte loop, scanner, parse, encode)
//   feedbench --experiment-bookset    BookSet routing variants on Binance depth
//   feedbench --experiment-symbols N  Binance trades rotating through N symbols on one connection
//   feedbench --dump NAME...          print two trade frames and two depth deltas of a venue
//   feedbench --write-corpus DIR      write every venue's frames to DIR/<venue>.txt (differential checks)
//   feedbench --spaced ...            the same rows with a space after every `,` and `:` of the timed
//                                     frames: no adapter fast path matches, the general parsers alone

let targetTradesPerSecond = 3_000_000.0
let targetUpdatesPerSecond = 300_000.0

var options = BenchOptions()
var onlyVenues: [String] = []
var includesFoundation = true
var breakdownVenues: [String] = []
var dumpVenues: [String] = []
var corpusDirectory: String?
var rotatedSymbols: Int?
var arguments = CommandLine.arguments.dropFirst()
while let arg = arguments.popFirst() {
    func int() -> Int {
        guard let v = arguments.popFirst().flatMap(Int.init) else { fatalError("\(arg) needs an integer") }
        return v
    }
    switch arg {
    case "--runs": options.runs = int()
    case "--trades": options.tradesPerRun = int()
    case "--updates": options.depthUpdates = int()
    case "--venue": onlyVenues.append(arguments.popFirst() ?? "")
    case "--no-foundation": includesFoundation = false
    case "--experiment-bookset", "--experiment-glue": break
    case "--experiment-symbols": rotatedSymbols = int()
    case "--breakdown": breakdownVenues.append(arguments.popFirst() ?? "")
    case "--dump": dumpVenues.append(arguments.popFirst() ?? "")
    case "--write-corpus": corpusDirectory = arguments.popFirst()
    case "--spaced": spacedFrames = true
    default:
        print("usage: feedbench [--runs N] [--trades N per run] [--updates N per run] [--venue NAME]... [--no-foundation] [--breakdown NAME]... [--experiment-bookset] [--experiment-symbols N] [--dump NAME]... [--write-corpus DIR] [--spaced]")
        exit(arg == "--help" ? 0 : 2)
    }
}

if spacedFrames { print("frames spaced (--spaced): the general parsers alone, no adapter fast path matches") }

func loadAverage() -> String {
    (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").prefix(3).joined(separator: " ") ?? "?"
}

@MainActor func selected(_ name: String) -> Bool { onlyVenues.isEmpty || onlyVenues.contains(name) }

var results: [FeedResult] = []
@MainActor func bench<V: FeedVenue>(_ venue: V) {
    guard selected(venue.name) else { return }
    do {
        let r = try FeedRunner(venue: venue, options: options).run()
        results.append(r)
        let rate = { (ns: Double) in String(format: "%.2fM", 1e3 / ns) }
        print("\(venue.name): trades \(rate(r.normalizedTrades.medianCPU))/s normalized (\(String(format: "%.0f", r.normalizedTrades.medianCPU)) ns), \(rate(r.trades.medianCPU))/s encoded (\(String(format: "%.0f", r.trades.medianCPU)) ns), depth \(String(format: "%.0fk", 1e6 / r.depth.medianCPU))/s (\(String(format: "%.0f", r.depth.medianCPU)) ns)  [load \(loadAverage())]")
    } catch {
        print("\(venue.name): FAILED: \(error)")
        exit(1)
    }
}

@MainActor func breakdown<V: FeedVenue>(_ venue: V) throws {
    guard breakdownVenues.contains(venue.name) else { return }
    print("breakdown \(venue.name) (ns/msg, thread CPU, median (min)):")
    for (label, s) in try Breakdown(venue: venue, options: options).run() {
        print("  \(label): \(String(format: "%.0f (%.0f)", s.medianCPU, s.minCPU)), allocs/msg \(String(format: "%.2f", s.allocationsPerMessage))")
    }
}

if CommandLine.arguments.contains("--experiment-bookset") {
    let runner = FeedRunner(venue: BinanceFeed(), options: options)
    for (label, summary) in [("BookSet.handle code", try runner.routingExperiment(RoutingAsInBookSet.self)),
                             ("index(forKey:) instead of == nil", try runner.routingExperiment(RoutingWithoutNilCompare.self)),
                             ("index + values[index].handle", try runner.routingExperiment(RoutingByIndex.self))] {
        print("binance depth, \(label): \(String(format: "%.0f (%.0f)", summary.medianCPU, summary.minCPU)) ns/update, \(String(format: "%.1f", summary.allocationsPerMessage)) allocs/update")
    }
    exit(0)
}

if let rotatedSymbols {
    let summary = try SymbolRotation(symbolCount: rotatedSymbols, options: options).run()
    print("binance trades rotating through \(rotatedSymbols) symbols: \(String(format: "%.2fM", 1e3 / summary.medianCPU))/s normalized (\(String(format: "%.0f", summary.medianCPU)) ns), \(String(format: "%.2f", summary.allocationsPerMessage)) allocs/trade  [load \(loadAverage())]")
    exit(0)
}

/// `--dump NAME`: two trade frames and two depth deltas of a venue, to see what is measured.
@MainActor func dump<V: FeedVenue>(_ venue: V) {
    guard dumpVenues.contains(venue.name) else { return }
    print("\(venue.name) trade frames:")
    // Through `MessageSet`, as the timed runs see them (spaced with `--spaced`).
    let trades = MessageSet(venue.tradeFrames(count: 2, seed: options.seed))
    trades.bytes.withUnsafeBytes { raw in
        for r in trades.ranges { print("  \(String(decoding: raw[r], as: UTF8.self))") }
    }
    let session = venue.depthSession(updates: 2, seed: options.seed ^ 0xD3)
    print("\(venue.name) depth frames:")
    session.deltas.bytes.withUnsafeBytes { raw in
        for r in session.deltas.ranges.prefix(2 * session.framesPerUpdate) { print("  \(String(decoding: raw[r], as: UTF8.self))") }
    }
}

/// `--write-corpus DIR`: each venue's setup, trade and depth frames as `DIR/<venue>.txt`, one per
/// line (`symbol`, `channel`, `setup`, `frame`, `rest` records), for differential checks of parsers.
@MainActor func writeCorpus<V: FeedVenue>(_ venue: V, to directory: String) throws {
    var lines = ["symbol \(venue.symbol.rawValue) \(venue.symbol.kind.rawValue)"]
    lines += venue.channels.map { "channel \($0.rawValue)" }
    lines += venue.setupFrames().map { "setup \($0)" }
    lines += venue.tradeFrames(count: 300, seed: options.seed).map { "frame \($0)" }
    let session = venue.depthSession(updates: 300, seed: options.seed ^ 0xD3)
    switch session.bootstrap {
    case .frame(let frame): lines.append("frame \(frame)")
    case .rest(let body): lines.append("rest \(body)")
    }
    session.deltas.bytes.withUnsafeBytes { raw in
        for r in session.deltas.ranges { lines.append("frame \(String(decoding: raw[r], as: UTF8.self))") }
    }
    try (lines.joined(separator: "\n") + "\n").write(toFile: "\(directory)/\(venue.name).txt", atomically: true, encoding: .utf8)
}

if let corpusDirectory {
    try writeCorpus(BinanceFeed(), to: corpusDirectory)
    try writeCorpus(BinanceFuturesFeed(), to: corpusDirectory)
    try writeCorpus(CoinbaseFeed(), to: corpusDirectory)
    try writeCorpus(KrakenFeed(), to: corpusDirectory)
    try writeCorpus(OKXFeed(withChecksum: true), to: corpusDirectory)
    try writeCorpus(BybitFeed(), to: corpusDirectory)
    try writeCorpus(DeribitFeed(), to: corpusDirectory)
    try writeCorpus(BitMEXFeed(), to: corpusDirectory)
    try writeCorpus(BitfinexFeed(), to: corpusDirectory)
    exit(0)
}

if !dumpVenues.isEmpty {
    dump(BinanceFeed())
    dump(BinanceFuturesFeed())
    dump(CoinbaseFeed())
    dump(KrakenFeed())
    dump(OKXFeed(withChecksum: true))
    dump(BybitFeed())
    dump(DeribitFeed())
    dump(BitMEXFeed())
    dump(BitfinexFeed())
    exit(0)
}

if CommandLine.arguments.contains("--experiment-glue") {
    try GlueExperiment(venue: BinanceFeed()).run(options: options)
    try GlueExperiment(venue: OKXFeed(withChecksum: true)).run(options: options)
    exit(0)
}

if !breakdownVenues.isEmpty {
    try breakdown(BinanceFeed())
    try breakdown(KrakenFeed())
    try breakdown(BybitFeed())
    try breakdown(BitMEXFeed())
    try breakdown(CoinbaseFeed())
    exit(0)
}

let startLoad = loadAverage()
print("feedbench: runs=\(options.runs) trades/run=\(options.tradesPerRun) updates/run=\(options.depthUpdates) seed=0x\(String(options.seed, radix: 16)) load=\(startLoad)")

bench(BinanceFeed())
bench(BinanceFuturesFeed())
bench(CoinbaseFeed())
bench(KrakenFeed())
bench(OKXFeed(withChecksum: true))
bench(OKXFeed(withChecksum: false))
bench(BybitFeed())
bench(DeribitFeed())
bench(BitMEXFeed())
bench(BitfinexFeed())

var reference: Summary?
if includesFoundation {
    let frames = BinanceFeed().tradeFrames(count: options.distinctTrades, seed: options.seed)
    reference = try FoundationReference.run(frames: frames, runs: options.runs, perRun: max(10_000, options.tradesPerRun / 10))
}
let endLoad = loadAverage()
guard feedbench_malloc_counter_active() != 0 else { fatalError("malloc counter not active: allocation counts would be wrong") }

// Markdown tables (rates from the median thread-CPU ns per message; min in parentheses).
func f(_ v: Double, _ digits: Int = 0) -> String { String(format: "%.\(digits)f", v) }
func millions(_ ns: Double) -> String { f(1e3 / ns, 2) + "M" }
func thousands(_ ns: Double) -> String { f(1e6 / ns, 0) + "k" }
func verdict(_ ns: Double, _ target: Double) -> String {
    let rate = 1e9 / ns
    return rate >= target ? "✅ \(f(rate / target, 2))×" : "❌ \(f(rate / target, 2))×"
}

print("")
print("### Trades: normalized (adapter.parse → Trade) and encoded (→ NDJSONEncoder line); target ≥ 3M msg/s")
print("")
print("| venue | bytes/msg | normalized msg/s (median) | ns/msg median (min) | vs 3M | encoded msg/s (median) | ns/msg median (min) | wall ns/msg median | allocs/msg | vs 3M |")
print("|---|---:|---:|---:|---|---:|---:|---:|---:|---|")
for r in results {
    let t = r.trades, n = r.normalizedTrades
    print("| \(r.name) | \(r.tradeBytes) | \(millions(n.medianCPU)) | \(f(n.medianCPU)) (\(f(n.minCPU))) | \(verdict(n.medianCPU, targetTradesPerSecond)) | \(millions(t.medianCPU)) | \(f(t.medianCPU)) (\(f(t.minCPU))) | \(f(t.medianWall)) | \(f(t.allocationsPerMessage, 2)) | \(verdict(t.medianCPU, targetTradesPerSecond)) |")
}
if let reference {
    print("| *reference: Foundation JSONDecoder, Binance aggTrade → Decodable (decode only)* | \(results.first { $0.name == "binance" }?.tradeBytes ?? 0) | \(millions(reference.medianCPU)) | \(f(reference.medianCPU)) (\(f(reference.minCPU))) | \(verdict(reference.medianCPU, targetTradesPerSecond)) | | | \(f(reference.medianWall)) | \(f(reference.allocationsPerMessage, 2)) | |")
}
print("")
print("### Depth: 20-level updates, adapter.parse → BookSet.handle incl. book apply (target ≥ 300k/s)")
print("")
print("| venue | bytes/frame | frames/update | updates/s (median) | ns/update median (min) | of which parse | same, BookSynchronizer direct | wall ns/update median | allocs/update: total / parse / direct | checks | vs 300k |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---|")
for r in results {
    let d = r.depth
    print("| \(r.name) | \(r.depthBytes) | \(r.framesPerUpdate) | \(thousands(d.medianCPU)) | \(f(d.medianCPU)) (\(f(d.minCPU))) | \(f(r.depthParseOnly.medianCPU)) | \(f(r.depthDirect.medianCPU)) | \(f(d.medianWall)) | \(f(d.allocationsPerMessage, 1)) / \(f(r.depthParseOnly.allocationsPerMessage, 1)) / \(f(r.depthDirect.allocationsPerMessage, 1)) | \(r.checksumNote) | \(verdict(d.medianCPU, targetUpdatesPerSecond)) |")
}
print("")
print("load average (1/5/15 min): start \(startLoad), end \(endLoad); sink \(results.reduce(0) { $0 &+ $1.sink })")
