import Fanout
import MarketModel
import NIOCore
import NIOPosix
import SessionPool
import Synchronization
import Transport
import VenueKit
import Venues
#if canImport(Glibc)
import Glibc
#endif

struct Options {
    var leg = "e2e"
    var rate = 100_000.0
    var subscribers = 10
    var warmup = 2.0
    var seconds = 5.0
    var sameLoop = false
    var batch = 64
    var window = 512
    var openLoop = false
    var label = ""
    /// `threads`: one blocking reader thread per subscriber; `epoll`: one thread for all of them.
    var readers = "threads"
}

/// Starts reading `subscribers` the way `options.readers` says.
func startReaders(_ subscribers: [Subscriber], _ options: Options) {
    if options.readers == "epoll" {
        startEpollReader(subscribers)
    } else {
        for s in subscribers { s.start() }
    }
}

let benchSymbols = ["BTC-USDT", "ETH-USDT", "SOL-USDT", "XRP-USDT"].map { Symbol(unchecked: $0, kind: .spot) }

func catalog() -> Catalog {
    Catalog([.binance: Catalog.Venue(channels: [.trades], symbols: Set(benchSymbols))])
}

/// Trades shaped like the Binance adapter's output (same digits as the venue frames).
func templateTrades(count: Int) -> [Trade] {
    (0 ..< count).map { i in
        let cents = Int64(8_741_235 + (i * 7919) % 600 - 300)
        return Trade(venue: .binance, symbol: benchSymbols[i % benchSymbols.count],
                     price: FixedDecimal(mantissa: cents * 1_000_000, scale: 8),
                     size: FixedDecimal(mantissa: Int64((i * 104_729) % 150_000 + 1) * 1000, scale: 8),
                     side: i % 2 == 0 ? .buy : .sell, tradeID: TradeID(Int64(3_021_456_789 + i)), tsExchange: 0, tsRecv: 0)
    }
}

@inline(__always) func indexTime(_ k: Int) -> Int64 { (indexBaseMillis + Int64(k)) * 1_000_000 }

final class HubSink: VenueSessionSink, @unchecked Sendable {
    let hub: FanoutHub
    init(hub: FanoutHub) { self.hub = hub }
    func publish(_ events: [MarketEvent]) { hub.publish(contentsOf: events) }
    func log(venue: VenueID, _ message: String, isError: Bool) {
        if isError { print("  [pool] \(venue): \(message)") }
    }
}

/// A hub + Unix socket server and `count` connected, subscribed, acknowledged subscribers.
struct FanoutRig {
    let group: MultiThreadedEventLoopGroup
    let hub: FanoutHub
    let server: FanoutServer
    let path: String
    let subscribers: [Subscriber]

    static func make(subscribers count: Int, threads: Int, window: Window, recordsLatency: Bool, options: Options) async throws -> FanoutRig {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: threads)
        let hub = FanoutHub(catalog: catalog(), eventLoop: group.next())
        let path = "/tmp/fanoutbench-\(getpid()).sock"
        let server = FanoutServer(path: path, hub: hub)
        try await server.start()
        var subscribers: [Subscriber] = []
        for _ in 0 ..< count {
            subscribers.append(Subscriber(fd: connectSubscriber(path: path), window: window, recordsLatency: recordsLatency))
        }
        startReaders(subscribers, options)
        let deadline = monotonicNow() + 10_000_000_000
        while subscribers.contains(where: { !$0.acked.load(ordering: .acquiring) }) {
            precondition(monotonicNow() < deadline, "subscribers not acknowledged")
            sleepSeconds(0.005)
        }
        return FanoutRig(group: group, hub: hub, server: server, path: path, subscribers: subscribers)
    }

    func statistics() async throws -> String {
        let stats = try await hub.statistics().get()
        let peak = stats.subscribers.map(\.queue.peakQueuedEvents).max() ?? 0
        let lag = stats.subscribers.map(\.queue.lagEpisodes).reduce(0, +)
        let conflated = stats.subscribers.map(\.queue.conflatedUpdates).reduce(0, +)
        let overflowed = stats.subscribers.filter(\.queue.overflowed).count
        return "hub: peak_queued=\(peak) lag_episodes=\(lag) conflated=\(conflated) overflowed=\(overflowed) connected=\(stats.subscribers.count)"
    }

    func stop() async {
        await server.shutdown(drainFor: .milliseconds(300))
    }
}

/// Waits until every subscriber saw `total` trades (or finished, or `timeout` passed).
func waitForDelivery(_ subscribers: [Subscriber], total: Int, timeout: Double) -> Bool {
    let deadline = monotonicNow() + Int64(timeout * 1e9)
    while monotonicNow() < deadline {
        if subscribers.allSatisfy({ $0.tradesSeen.load(ordering: .acquiring) >= total || $0.finished.load(ordering: .acquiring) }) {
            return subscribers.allSatisfy { $0.tradesSeen.load(ordering: .acquiring) >= total }
        }
        sleepSeconds(0.01)
    }
    return false
}

func header(_ options: Options, _ what: String) {
    print("== \(what) [\(options.label)] readers=\(options.readers) load=\(loadAverage()) rate=\(Int(options.rate))/s subscribers=\(options.subscribers) "
        + "warmup=\(options.warmup)s measured=\(options.seconds)s")
}

/// Schedules the run: returns (monotonic start, total messages) and sets the window.
func schedule(_ options: Options, _ window: Window) -> (Int64, Int) {
    let total = Int(options.rate * (options.warmup + options.seconds))
    let mono = monotonicNow(), real = realtimeNow()
    let t0 = mono + 20_000_000
    let realStart = real + (t0 - mono)
    window.start.store(realStart + Int64(options.warmup * 1e9), ordering: .releasing)
    window.end.store(realStart + Int64((options.warmup + options.seconds) * 1e9), ordering: .releasing)
    return (t0, total)
}

func reportLatency(_ leg: String, _ options: Options, _ subscribers: [Subscriber], total: Int, delivered: Bool,
                   pacing: (batches: Int, maxBurst: Int), cpu: Double, elapsed: Double, extra: String) {
    let report = SubscriberReport(subscribers)
    print("  latency \(leg): \(report.histogram.summary())")
    print("  delivered=\(delivered) trades/sub min=\(report.trades.min() ?? 0) of \(total); \(report.integrity)")
    print("  pacing: \(pacing.batches) writes, \(String(format1: Double(total) / Double(max(pacing.batches, 1)), digits: 2)) msgs/write, "
        + "max burst \(pacing.maxBurst); subscriber reads=\(report.reads) (\(String(format1: Double(report.reads) / Double(subscribers.count) / elapsed, digits: 0))/s each); "
        + "process CPU \(String(format1: cpu / elapsed * 100, digits: 0))% of one core; \(extra)")
    let h = report.histogram
    print("RESULT leg=\(leg) label=\(options.label) readers=\(options.readers) rate=\(Int(options.rate)) subs=\(options.subscribers) n=\(h.total) "
        + "p50=\(String(format1: h.quantile(0.5) / 1000, digits: 1)) p90=\(String(format1: h.quantile(0.9) / 1000, digits: 1)) "
        + "p99=\(String(format1: h.quantile(0.99) / 1000, digits: 1)) p999=\(String(format1: h.quantile(0.999) / 1000, digits: 1)) "
        + "max=\(String(format1: Double(h.maxValue) / 1000, digits: 1)) gaps=\(report.gaps) seq_errors=\(report.seqErrors) "
        + "delivered=\(delivered) cpu=\(String(format1: cpu / elapsed * 100, digits: 0)) load=\(loadAverage().split(separator: " ")[0])")
}

// MARK: - Legs

/// Full path: loopback venue (real Binance frames over a real WebSocket) → VenueSessionPool
/// (WebSocketConnection → FeedPipeline<Binance>, `ts_recv` stamped at frame read) → FanoutHub →
/// FanoutServer Unix socket → subscriber `read`.
func runEndToEnd(_ options: Options) async throws {
    header(options, "e2e: venue WebSocket frame read → subscriber read (VenueSessionPool → FeedPipeline → FanoutHub → Unix socket)")
    let window = Window()
    let rig = try await FanoutRig.make(subscribers: options.subscribers, threads: options.sameLoop ? 1 : 2, window: window, recordsLatency: true, options: options)
    let venue = VenueServer()
    let poolLoop = options.sameLoop ? rig.hub.eventLoop : rig.group.next()
    let sink = HubSink(hub: rig.hub)
    let pool = VenueSessionPool<Binance>(configuration: VenueSessionConfiguration(
        symbols: benchSymbols, channels: [.trades], marketDataURLs: [venue.url]), eventLoop: poolLoop, sink: sink)
    pool.start()
    venue.acceptClient()
    sleepSeconds(0.3)
    let (t0, total) = schedule(options, window)
    let cpu0 = processCPUSeconds()
    let pacing = venue.send(rate: options.rate, total: total, startMonotonic: t0)
    let elapsed = Double(monotonicNow() - t0) / 1e9
    let cpu = processCPUSeconds() - cpu0
    let delivered = waitForDelivery(rig.subscribers, total: total, timeout: 10)
    let counters = try await pool.snapshotCounters().get()
    let stats = try await rig.statistics()
    reportLatency("e2e", options, rig.subscribers, total: total, delivered: delivered, pacing: pacing, cpu: cpu, elapsed: elapsed,
                  extra: "pool messages=\(counters.messages) parse_errors=\(counters.parseErrors) opens=\(counters.opens); \(stats)")
    pool.stop()
    await rig.stop()
}

/// Hub leg: a paced publisher thread stamps `ts_recv` and calls `hub.publish` (one call per event,
/// as the pool publishes each frame's events) → FanoutHub → Unix socket → subscriber `read`.
func runHub(_ options: Options) async throws {
    header(options, "hub: hub.publish (ts_recv stamped just before) → subscriber read")
    let window = Window()
    let rig = try await FanoutRig.make(subscribers: options.subscribers, threads: 1, window: window, recordsLatency: true, options: options)
    let templates = templateTrades(count: 4096)
    let (t0, total) = schedule(options, window)
    let cpu0 = processCPUSeconds()
    let hub = rig.hub
    let pacing = pace(rate: options.rate, total: total, startMonotonic: t0) { range in
        for k in range {
            var trade = templates[k % templates.count]
            trade.tsExchange = indexTime(k)
            trade.tsRecv = realtimeNow()
            hub.publish(.trade(trade))
        }
    }
    let elapsed = Double(monotonicNow() - t0) / 1e9
    let cpu = processCPUSeconds() - cpu0
    let delivered = waitForDelivery(rig.subscribers, total: total, timeout: 10)
    let stats = try await rig.statistics()
    reportLatency("hub", options, rig.subscribers, total: total, delivered: delivered, pacing: pacing, cpu: cpu, elapsed: elapsed, extra: stats)
    await rig.stop()
}

/// Raw socket floor: one writer thread, the same trade lines (encoded by MarketModel's encoder,
/// `ts_recv` stamped just before the write) written to `subscribers` Unix socketpairs — one
/// `write` per reader per wake-up, no hub — read by the same subscriber code.
func runFloor(_ options: Options) async throws {
    header(options, "floor: one writer thread → N Unix sockets (same lines, no hub)")
    let window = Window()
    var writers: [Int32] = []
    var subscribers: [Subscriber] = []
    for _ in 0 ..< options.subscribers {
        var fds: [Int32] = [0, 0]
        precondition(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &fds) == 0)
        writers.append(fds[0])
        let s = Subscriber(fd: fds[1], window: window, recordsLatency: true)
        s.start()
        subscribers.append(s)
    }
    // Line prefixes up to `,"ts_exchange":` from the real encoder.
    let encoder = NDJSONEncoder()
    let prefixes: [[UInt8]] = templateTrades(count: 4096).map { trade in
        var bytes: [UInt8] = []
        encoder.encode(trade, into: &bytes)
        let marker = Array(#","ts_exchange":"#.utf8)
        let at = (0 ... bytes.count - marker.count).first { Array(bytes[$0 ..< $0 + marker.count]) == marker }!
        return Array(bytes[..<at])
    }
    let (t0, total) = schedule(options, window)
    let cpu0 = processCPUSeconds()
    var out: [UInt8] = []
    out.reserveCapacity(1 << 16)
    let pacing = pace(rate: options.rate, total: total, startMonotonic: t0) { range in
        out.removeAll(keepingCapacity: true)
        let stamp = UInt64(realtimeNow())
        for k in range {
            out += prefixes[k % prefixes.count]
            out += #","ts_exchange":"#.utf8
            appendDecimal(UInt64(indexTime(k)), to: &out)
            out += #","ts_recv":"#.utf8
            appendDecimal(stamp, to: &out)
            out += #","seq":"#.utf8
            appendDecimal(UInt64(k + 1), to: &out)
            out += "}\n".utf8
        }
        out.withUnsafeBytes { raw in
            for fd in writers { writeAll(fd, raw.baseAddress!, raw.count) }
        }
    }
    let elapsed = Double(monotonicNow() - t0) / 1e9
    let cpu = processCPUSeconds() - cpu0
    let delivered = waitForDelivery(subscribers, total: total, timeout: 10)
    reportLatency("floor", options, subscribers, total: total, delivered: delivered, pacing: pacing, cpu: cpu, elapsed: elapsed, extra: "")
    for fd in writers { close(fd) }
}

/// Throughput: `subscribers` (default 100) subscribers of every trade; a publisher thread calls
/// `hub.publish(contentsOf:)` with batches of `batch` trades as fast as it may. Closed loop
/// (default): it stays at most `window` trades ahead of the slowest subscriber, so no queue ever
/// reaches the lagging mark (1,024) — the sustainable rate. `--open-loop`: it only waits for the hub
/// loop to route what it already published, so slow subscribers lag and the slow-consumer policy
/// runs; the check is that every subscriber's trades are a gap-free prefix.
func runThroughput(_ options: Options) async throws {
    let mode = options.openLoop ? "open loop (bounded only by the hub loop)" : "closed loop (≤ \(options.window) trades ahead of the slowest subscriber)"
    print("== throughput [\(options.label)] load=\(loadAverage()) subscribers=\(options.subscribers) batch=\(options.batch) \(mode) \(options.seconds)s")
    let window = Window()
    let rig = try await FanoutRig.make(subscribers: options.subscribers, threads: 1, window: window, recordsLatency: true, options: options)
    let templates = templateTrades(count: 4096)
    let hub = rig.hub
    let routed = Atomic<Int>(0)
    let subscribers = rig.subscribers
    var published = 0
    var events: [MarketEvent] = []
    events.reserveCapacity(options.batch)
    let realStart = realtimeNow()
    // Latency under load is sampled after the first second.
    window.start.store(realStart + 1_000_000_000, ordering: .releasing)
    window.end.store(.max, ordering: .releasing)
    let cpu0 = processCPUSeconds()
    let t0 = monotonicNow()
    let stopAt = t0 + Int64(options.seconds * 1e9)
    var waits = 0
    while monotonicNow() < stopAt {
        // Flow control.
        while true {
            let ahead: Int
            if options.openLoop {
                ahead = (published - routed.load(ordering: .acquiring)) <= 8 * options.batch ? 0 : Int.max
            } else {
                var slowest = Int.max
                for s in subscribers where !s.finished.load(ordering: .relaxed) {
                    slowest = min(slowest, s.tradesSeen.load(ordering: .relaxed))
                }
                ahead = slowest == Int.max ? 0 : published - slowest
            }
            if ahead <= options.window || (options.openLoop && ahead == 0) { break }
            waits += 1
            sched_yield()
        }
        events.removeAll(keepingCapacity: true)
        let stamp = realtimeNow()
        for k in published ..< published + options.batch {
            var trade = templates[k % templates.count]
            trade.tsExchange = indexTime(k)
            trade.tsRecv = stamp
            events.append(.trade(trade))
        }
        hub.publish(contentsOf: events)
        published += options.batch
        let n = options.batch
        hub.eventLoop.execute { routed.add(n, ordering: .releasing) }
    }
    let publishSeconds = Double(monotonicNow() - t0) / 1e9
    let delivered = waitForDelivery(subscribers, total: published, timeout: 20)
    let cpu = processCPUSeconds() - cpu0
    let report = SubscriberReport(subscribers)
    let perSub = subscribers.map { s -> Double in
        let n = s.tradesSeen.load(ordering: .acquiring)
        let span = Double(s.lastTradeAt - realStart) / 1e9
        return span > 0 ? Double(n) / span : 0
    }.sorted()
    let lastAt = subscribers.map(\.lastTradeAt).max() ?? realStart
    let aggregateSpan = Double(lastAt - realStart) / 1e9
    let aggregate = Double(report.trades.reduce(0, +)) / aggregateSpan
    let stats = try await rig.statistics()
    func k(_ v: Double) -> String { String(format1: v / 1000, digits: 1) + "k" }
    print("  published \(published) trades in \(String(format1: publishSeconds, digits: 2)) s (\(k(Double(published) / publishSeconds))/s), publisher waits \(waits)")
    print("  delivered per subscriber: min \(k(perSub.first ?? 0))/s median \(k(perSub[perSub.count / 2]))/s max \(k(perSub.last ?? 0))/s; "
        + "aggregate \(String(format1: aggregate / 1e6, digits: 2))M lines/s (\(String(format1: Double(report.bytes) / aggregateSpan / 1e6, digits: 0)) MB/s)")
    print("  all delivered=\(delivered) trades/sub min=\(report.trades.min() ?? 0) max=\(report.trades.max() ?? 0) of \(published); \(report.integrity)")
    print("  latency under load (publish → read, after 1 s): \(report.histogram.summary())")
    print("  process CPU \(String(format1: cpu / aggregateSpan * 100, digits: 0))% of one core; \(stats)")
    print("RESULT leg=throughput label=\(options.label) mode=\(options.openLoop ? "open" : "closed") subs=\(options.subscribers) "
        + "per_sub_median=\(Int(perSub[perSub.count / 2])) per_sub_min=\(Int(perSub.first ?? 0)) aggregate=\(Int(aggregate)) "
        + "gaps=\(report.gaps) seq_errors=\(report.seqErrors) disconnected=\(report.disconnected) stale=\(report.stale) "
        + "p50=\(String(format1: report.histogram.quantile(0.5) / 1000, digits: 1)) p99=\(String(format1: report.histogram.quantile(0.99) / 1000, digits: 1)) "
        + "load=\(loadAverage().split(separator: " ")[0])")
    await rig.stop()
}
