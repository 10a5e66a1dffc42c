// orderlatency — local socket → venue wire latency of an order with an empty queue (issue #6).
//
// The real path in one process: a client writes `order.place` on the Unix socket → FanoutServer /
// FanoutHub → OrderGateway (Orders core: validation, lanes, throttle, ledger; the venue's router
// builds and signs the frame) → WebSocket client → a loopback TCP tap → the simulated venue.
// The tap timestamps the arrival of the order's bytes with CLOCK_REALTIME, the same clock the
// client reads just before its write(2); the tap adds nothing to the measured leg (it timestamps
// on receipt, then forwards). Orders are sequential: the next is written only after the previous
// one's terminal update came back, so the queue is always empty. The throttle is given limits
// far above the sample rate (and the simulator's limiter is off), so it never holds an order.
//
// Usage (from the repository root, after the build in Package.swift):
//   orderlatency [--samples N] [--warmup N] [--venue binance|deribit|okx|bybit|kraken|bitfinex] [--fixtures DIR]
import Fanout
import Foundation
import MarketModel
import NIOCore
import NIOPosix
import OrderGateway
import Orders
import Replay
import Transport
import VenueKit
import Venues
#if canImport(Glibc)
import Glibc
#endif

func realtimeNow() -> Int64 {
    var spec = timespec()
    clock_gettime(CLOCK_REALTIME, &spec)
    return Int64(spec.tv_sec) * 1_000_000_000 + Int64(spec.tv_nsec)
}

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data(("orderlatency: " + message + "\n").utf8))
    exit(1)
}

// MARK: Arguments

var samples = 5000
var warmup = 200
var venueName = "binance"
var fixtures = "fixtures"
var arguments = CommandLine.arguments.dropFirst().makeIterator()
while let argument = arguments.next() {
    switch argument {
    case "--samples": samples = arguments.next().flatMap(Int.init) ?? samples
    case "--warmup": warmup = arguments.next().flatMap(Int.init) ?? warmup
    case "--venue": venueName = arguments.next() ?? venueName
    case "--fixtures": fixtures = arguments.next() ?? fixtures
    default: fail("unknown argument \(argument)")
    }
}

/// (symbol, crossing buy price, size) per venue; the simulator's reference price is 50 000.
let instruments: [String: (symbol: String, price: String, size: String, tick: String, lot: String)] = [
    "binance": ("BTC-USDT", "60000.00", "0.001", "0.01", "0.001"),
    "okx": ("BTC-USDT", "60000.0", "0.001", "0.1", "0.001"),
    "bybit": ("BTC-USDT-PERP", "60000.00", "0.001", "0.01", "0.001"),
    "kraken": ("BTC-USD", "60000.0", "0.001", "0.1", "0.001"),
    "deribit": ("BTC-USD-PERP", "60000.0", "10", "0.5", "10"),
    "bitfinex": ("BTC-USD", "60000", "0.001", "1", "0.001"),
]
guard let instrument = instruments[venueName] else { fail("unknown venue \(venueName)") }

// MARK: The tap (TCP in front of the simulator)

/// A loopback TCP forwarder: accepts the gateway's connections and pipes them to the simulator;
/// records the CLOCK_REALTIME of every client → venue read (the "venue wire").
final class Tap: @unchecked Sendable {
    let port: UInt16
    private let listener: Int32
    private let upstreamPort: UInt16
    private let lock = NSLock()
    private var arrivals: [Int64] = []

    init(upstreamPort: UInt16) {
        self.upstreamPort = upstreamPort
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = Tap.loopback(port: 0)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 16) == 0 else { fail("tap: cannot listen: errno \(errno)") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        listener = fd
        port = UInt16(bigEndian: address.sin_port)
        Thread { [self] in acceptLoop() }.start()
    }

    static func loopback(port: UInt16) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return address
    }

    /// Arrival times recorded after `time` (and forgets older ones).
    func arrivals(after time: Int64) -> [Int64] {
        lock.withLock {
            arrivals.removeAll { $0 < time }
            return arrivals
        }
    }

    private func acceptLoop() {
        while true {
            let client = accept(listener, nil, nil)
            if client < 0 { if errno == EINTR { continue }; return }
            let upstream = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = Tap.loopback(port: upstreamPort)
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(upstream, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard connected == 0 else { close(client); close(upstream); continue }
            var yes: Int32 = 1
            setsockopt(client, Int32(IPPROTO_TCP), TCP_NODELAY, &yes, socklen_t(MemoryLayout<Int32>.size))
            setsockopt(upstream, Int32(IPPROTO_TCP), TCP_NODELAY, &yes, socklen_t(MemoryLayout<Int32>.size))
            Thread { [self] in pump(from: client, to: upstream, records: true) }.start()
            Thread { [self] in pump(from: upstream, to: client, records: false) }.start()
        }
    }

    private func pump(from source: Int32, to destination: Int32, records: Bool) {
        var buffer = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(source, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { break }
            if records {
                let now = realtimeNow()
                lock.withLock { arrivals.append(now) }
            }
            var offset = 0
            while offset < count {
                let written = buffer[offset..<count].withUnsafeBytes { write(destination, $0.baseAddress, $0.count) }
                if written < 0 { if errno == EINTR { continue }; shutdown(source, Int32(SHUT_RDWR)); return }
                offset += written
            }
        }
        shutdown(destination, Int32(SHUT_WR))
    }
}

// MARK: The rig

let group = MultiThreadedEventLoopGroup.singleton
var simulatorConfiguration = SimulatorConfiguration(venues: [venueName])
simulatorConfiguration.sessionEnd = .stayOpen
simulatorConfiguration.orders.rateRules[venueName] = []  // the venue's limiter off: the throttle is not what is measured
let simulator: SimulatedVenueServer
do {
    simulator = try SimulatedVenueServer(fixturesDirectory: fixtures, configuration: simulatorConfiguration, eventLoop: group.next())
} catch {
    fail("simulator: \(error) (run from the repository root, or pass --fixtures)")
}
let simulatorPort = try await simulator.start()
let tap = Tap(upstreamPort: UInt16(simulatorPort))
func viaTap(_ url: String) -> String { url.replacingOccurrences(of: ":\(simulatorPort)/", with: ":\(tap.port)/") }

let venue = VenueID(rawValue: venueName)
let symbol = try Symbol(instrument.symbol)
guard let routerType = OrderRouterRegistry.routerType(for: venue) else { fail("no order router for \(venueName)") }
var spec = routerType.orderSpec
spec.limits = spec.limits.map { limit in
    var limit = limit
    limit.capacity = 1_000_000  // per the limit's own interval: never the bottleneck here
    return limit
}
let hub = FanoutHub(catalog: Catalog([venue: Catalog.Venue(channels: [.trades, .book], symbols: [symbol])]), eventLoop: group.next())
let socketPath = NSTemporaryDirectory() + "mmx-orderlatency-\(getpid()).sock"
let server = FanoutServer(path: socketPath, hub: hub)
try await server.start()
let credentials = venueName == "kraken"
    ? VenueCredentials(apiKey: "mmx-test-key", secret: "bW14LXRlc3Qtc2VjcmV0", passphrase: "mmx-test-ws-token")
    : VenueCredentials(apiKey: "mmx-test-key", secret: "mmx-test-secret", passphrase: "mmx-test-passphrase")
let endpoint = OrderVenueEndpoint(
    venue: venue, url: viaTap(simulator.orderWebSocketURL(for: venueName)),
    updatesURL: routerType.orderSpec.updatesURL == nil ? nil : viaTap(simulator.orderWebSocketURL(for: venueName, role: .updates)),
    credentials: credentials,
    adapterConfiguration: VenueAdapterConfiguration(symbols: [symbol], options: venueName == "bybit" ? ["category": "linear"] : [:]))
let rules = InstrumentRules(tickSize: Price(instrument.tick) ?? .zero, lotSize: Size(instrument.lot) ?? .zero, minSize: Size(instrument.lot) ?? .zero)
let gateway = OrderGateway(
    configuration: OrderGatewayConfiguration(
        multiplexer: OrderMultiplexerConfiguration(venues: [VenueOrderConfiguration(venue: venue, spec: spec, frameBuilder: nil,
                                                                                    instruments: [symbol: rules])],
                                                   clientOrderIDSeed: UInt64(realtimeNow() / 1_000_000)),
        endpoints: [venue: endpoint]),
    routerTypes: [venue: routerType], eventLoop: group.next(),
    log: { message, isError in if isError { FileHandle.standardError.write(Data(("gateway: " + message + "\n").utf8)) } })
hub.installOrderHandler(gateway)
gateway.marketStatus([StatusEvent(venue: venue, symbol: symbol, channel: .book, state: .live),
                      StatusEvent(venue: venue, symbol: symbol, channel: .trades, state: .live)])
gateway.start()
let upDeadline = Date().addingTimeInterval(20)
while try await gateway.snapshot().get().first?.isUp != true {
    if Date() > upDeadline { fail("the order connection did not come up") }
    try await Task.sleep(nanoseconds: 10_000_000)
}

// MARK: The client (blocking, on this thread)

let fd = try UnixSocket.connect(to: socketPath)
var pending: [UInt8] = []
var chunk = [UInt8](repeating: 0, count: 64 << 10)

/// Reads lines until one contains `needle` and a terminal state; returns the read time.
func waitForTerminal(_ id: String) -> (Int64, String) {
    let needle = "\"client_order_id\":\"\(id)\""
    while true {
        while let newline = pending.firstIndex(of: 0x0A) {
            let line = String(decoding: pending[..<newline], as: UTF8.self)
            pending.removeFirst(newline + 1)
            if line.contains("\"type\":\"error\"") { fail("refused: \(line)") }
            if line.contains(needle), ["filled", "canceled", "rejected", "expired"].contains(where: { line.contains("\"state\":\"\($0)\"") }) {
                return (realtimeNow(), line)
            }
        }
        let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if count < 0 && errno == EINTR { continue }
        if count <= 0 { fail("the socket closed") }
        pending.append(contentsOf: chunk[..<count])
    }
}

var wire: [Int64] = []
var roundTrip: [Int64] = []
wire.reserveCapacity(samples)
roundTrip.reserveCapacity(samples)
let runID = realtimeNow() / 1_000_000 % 1_000_000
for index in 0..<(warmup + samples) {
    let id = "lat\(runID)x\(index)"
    let line = Array((#"{"op":"order.place","id":"\#(index)","venue":"\#(venueName)","symbol":"\#(instrument.symbol)","side":"buy","type":"limit","price":"\#(instrument.price)","size":"\#(instrument.size)","tif":"gtc","client_order_id":"\#(id)"}"# + "\n").utf8)
    let start = realtimeNow()
    let written = line.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    guard written == line.count else { fail("short write") }
    let (end, terminal) = waitForTerminal(id)
    guard terminal.contains("\"state\":\"filled\"") else { fail("not filled: \(terminal)") }
    guard let arrival = tap.arrivals(after: start).first else { fail("no frame reached the venue for \(id)") }
    if index >= warmup {
        wire.append(arrival - start)
        roundTrip.append(end - start)
    }
}

func percentile(_ sorted: [Int64], _ p: Double) -> Double {
    let rank = min(sorted.count - 1, max(0, Int((p * Double(sorted.count)).rounded(.up)) - 1))
    return Double(sorted[rank]) / 1000
}

func line(_ name: String, _ values: [Int64]) -> String {
    let sorted = values.sorted()
    return String(format: "%@: p50 %.1f µs, p99 %.1f µs, p999 %.1f µs, max %.1f µs, min %.1f µs", name,
                  percentile(sorted, 0.5), percentile(sorted, 0.99), percentile(sorted, 0.999), Double(sorted.last ?? 0) / 1000,
                  Double(sorted.first ?? 0) / 1000)
}

let exchange = await simulator.orderExchange(for: venueName)
print("orderlatency: \(venueName) \(instrument.symbol), \(samples) sequential orders (+\(warmup) warm-up), empty queue")
print(line("socket → venue wire", wire))
print(line("socket → terminal update back on the socket (round trip)", roundTrip))
print("venue ledger: \(exchange?.ledger.count ?? 0) orders, duplicates \(exchange?.counters.duplicates ?? -1), rate-limited \(exchange?.counters.rateLimited ?? -1)")
close(fd)
gateway.stop()
await server.shutdown(drainFor: .milliseconds(100))
await simulator.stop()
exit(0)
