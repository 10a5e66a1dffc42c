import Foundation
import MarketModel
import NATS
import NIOCore
import NIOPosix

// natsbench: NATS publish throughput and end-to-end latency (see Package.swift for the command).
//
//   natsbench [--url nats://127.0.0.1:4222] [--server /usr/sbin/nats-server] [--events 1000000]
//             [--rates 1000,10000,50000] [--seconds 5]

struct Options {
    var url: String?
    var server = "/usr/sbin/nats-server"
    var events = 1_000_000
    var rates = [1_000, 10_000, 50_000]
    var seconds = 5

    init(_ args: [String]) {
        var i = 0
        func value() -> String { i += 1; return i < args.count ? args[i] : "" }
        while i < args.count {
            switch args[i] {
            case "--url": url = value()
            case "--server": server = value()
            case "--events": events = Int(value()) ?? events
            case "--rates": rates = value().split(separator: ",").compactMap { Int($0) }
            case "--seconds": seconds = Int(value()) ?? seconds
            default: fatalError("unknown option \(args[i])")
            }
            i += 1
        }
    }
}

let options = Options(Array(CommandLine.arguments.dropFirst()))

func monotonic() -> Int64 { Int64(NIODeadline.now().uptimeNanoseconds) }

func freePort() -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
    return Int(UInt16(bigEndian: address.sin_port))
}

// MARK: - Server

var serverProcess: Process?
let url: String
if let given = options.url {
    url = given
} else {
    let port = freePort()
    let p = Process()
    p.executableURL = URL(fileURLWithPath: options.server)
    p.arguments = ["-a", "127.0.0.1", "-p", String(port)]
    p.standardOutput = FileHandle.nullDevice
    p.standardError = FileHandle.nullDevice
    try p.run()
    serverProcess = p
    url = "nats://127.0.0.1:\(port)"
    usleep(300_000)
}
defer { serverProcess?.terminate() }

let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
let pubLoop = group.next()
let subLoop = group.next()

func makeConnection(_ name: String, on loop: any EventLoop) throws -> NATSConnection {
    var c = try NATSClientConfiguration(urls: [url], name: name)
    c.pendingBufferLimit = 64 << 20
    let connection = NATSConnection(configuration: c, eventLoop: loop)
    connection.start()
    try connection.waitUntilConnected().wait()
    return connection
}

func trade(_ i: Int, tsRecv: Int64) -> MarketEvent {
    .trade(Trade(venue: .binance, symbol: Symbol(unchecked: "BTC-USDT", kind: .spot),
                 price: FixedDecimal(mantissa: 5_000_010 + Int64(i & 63), scale: 2), size: FixedDecimal(mantissa: 1 + Int64(i & 7), scale: 4),
                 side: i & 1 == 0 ? .buy : .sell, tradeID: TradeID(Int64(i)), tsExchange: 1_700_000_000_000_000_000, tsRecv: tsRecv))
}

/// Counts (and optionally timestamps) messages on the subscriber's loop.
final class Sink: @unchecked Sendable {
    var count = 0
    var latencies: [Int64] = []
    var measures = false

    func receive(_ message: NATSMessage) {
        count += 1
        guard measures else { return }
        let now = monotonic()
        // `"ts_recv":<n>` (the publish time, monotonic ns) is the last field: scan back for ':'.
        let p = message.payload
        var j = p.count - 1
        while j > 0, p[j] != UInt8(ascii: ":") { j -= 1 }
        var v: Int64 = 0
        j += 1
        while j < p.count, p[j] >= 48 && p[j] <= 57 { v = v * 10 + Int64(p[j] - 48); j += 1 }
        latencies.append(now - v)
    }
}

// MARK: - Throughput

/// Publishes `total` events from the publisher's loop in batches, yielding between batches
/// so writes flush; backs off while more than 8 MiB wait in the pending buffer (never drops).
func throughput(total: Int, publisher: NATSPublisher, connection: NATSConnection) throws -> Double {
    let done = pubLoop.makePromise(of: Int64.self)
    let start = monotonic()
    final class State: @unchecked Sendable { var next = 0 }
    let state = State()
    @Sendable func step() {
        if connection.statisticsOnLoop.pendingBytes > 8 << 20 {
            pubLoop.scheduleTask(in: .microseconds(200)) { step() }
            return
        }
        let end = min(total, state.next + 512)
        var batch: [MarketEvent] = []
        batch.reserveCapacity(512)
        for i in state.next..<end { batch.append(trade(i, tsRecv: 0)) }
        publisher.publishOnLoop(batch)
        state.next = end
        if end < total {
            pubLoop.execute { step() }
        } else {
            connection.flushOnLoop()
            connection.flush().whenComplete { _ in done.succeed(monotonic()) }
        }
    }
    pubLoop.execute { step() }
    let end = try done.futureResult.wait()
    let stats = try connection.statistics().wait()
    precondition(stats.droppedMessages == 0, "benchmark dropped messages")
    return Double(total) / (Double(end - start) / 1e9)
}

let publishing = try makeConnection("bench-pub", on: pubLoop)
let publisher = NATSPublisher(connection: publishing, configuration: try NATSPublisherConfiguration(subjectPrefix: "bench"))
let sample = NDJSONEncoder().line(for: trade(123456, tsRecv: 1_700_000_000_000_000_000))
print("payload: \(sample.utf8.count - 1) bytes, subject: \(publisher.subject(for: trade(1, tsRecv: 0)) ?? "")")

_ = try throughput(total: min(100_000, options.events), publisher: publisher, connection: publishing)   // warm-up
let noSubscriber = try throughput(total: options.events, publisher: publisher, connection: publishing)
print(String(format: "throughput, no subscriber: %.0f events/s (%d events)", noSubscriber, options.events))

let subscribing = try makeConnection("bench-sub", on: subLoop)
let sink = Sink()
_ = try subscribing.subscribe(subject: "bench.md.>") { sink.receive($0) }.wait()
try subscribing.flush().wait()
let withSubscriber = try throughput(total: options.events, publisher: publisher, connection: publishing)
let deadline = monotonic() + 30_000_000_000
while try subLoop.submit({ sink.count }).wait() < options.events && monotonic() < deadline { usleep(10_000) }
let delivered = try subLoop.submit { sink.count }.wait()
print(String(format: "throughput, 1 subscriber: %.0f events/s published, %d of %d delivered", withSubscriber, delivered, options.events))

// MARK: - Latency

struct LatencyRow { var rate: Int; var count: Int; var p50: Int64; var p99: Int64; var p999: Int64; var max: Int64 }
var rows: [LatencyRow] = []
for rate in options.rates {
    try subLoop.submit { sink.latencies = []; sink.latencies.reserveCapacity(rate * options.seconds); sink.measures = true }.wait()
    // Paced: one event every 1/rate s, in ticks of 1 ms (rate/1000 events per tick, at least 1).
    let perTick = max(1, rate / 1000)
    let tick = Int64(1_000_000_000) * Int64(perTick) / Int64(rate)
    let ticks = Int64(options.seconds) * 1_000_000_000 / tick
    let done = pubLoop.makePromise(of: Void.self)
    final class Counter: @unchecked Sendable { var n: Int64 = 0; var id = 0 }
    let counter = Counter()
    let start = monotonic()
    @Sendable func fire() {
        var batch: [MarketEvent] = []
        for _ in 0..<perTick {
            counter.id += 1
            batch.append(trade(counter.id, tsRecv: monotonic()))
        }
        publisher.publishOnLoop(batch)
        publishing.flushOnLoop()
        counter.n += 1
        if counter.n >= ticks { done.succeed(()); return }
        let next = start + counter.n * tick
        pubLoop.scheduleTask(in: .nanoseconds(max(0, next - monotonic()))) { fire() }
    }
    pubLoop.execute { fire() }
    try done.futureResult.wait()
    usleep(500_000)
    let samples = try subLoop.submit { () -> [Int64] in sink.measures = false; return sink.latencies.sorted() }.wait()
    func pct(_ p: Double) -> Int64 { samples.isEmpty ? 0 : samples[min(samples.count - 1, Int(Double(samples.count) * p))] }
    let row = LatencyRow(rate: rate, count: samples.count, p50: pct(0.5), p99: pct(0.99), p999: pct(0.999), max: samples.last ?? 0)
    rows.append(row)
    print(String(format: "latency @ %d events/s: n=%d p50=%.1f µs p99=%.1f µs p99.9=%.1f µs max=%.1f µs",
                 rate, row.count, Double(row.p50) / 1e3, Double(row.p99) / 1e3, Double(row.p999) / 1e3, Double(row.max) / 1e3))
}

print("")
print("| leg | result |")
print("|---|---:|")
print(String(format: "| publish, no subscriber | %.0f events/s |", noSubscriber))
print(String(format: "| publish, 1 subscriber (our client) | %.0f events/s |", withSubscriber))
for r in rows {
    print(String(format: "| end-to-end latency @ %d events/s (n=%d) | p50 %.0f µs, p99 %.0f µs, p99.9 %.0f µs, max %.0f µs |",
                 r.rate, r.count, Double(r.p50) / 1e3, Double(r.p99) / 1e3, Double(r.p999) / 1e3, Double(r.max) / 1e3))
}
_ = try? publishing.close().wait()
_ = try? subscribing.close().wait()
try? group.syncShutdownGracefully()
