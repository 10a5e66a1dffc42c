import Foundation
import NIOCore
import NIOPosix
import Transport
import WebSocketWire
#if canImport(Glibc)
import Glibc
#endif

// sessionbench --url wss://127.0.0.1:9443/binance/stream --ca ca.pem [--connections 1000] [--idle 30] [--parallel 64]
//
// 1. warm-up: one connection opened and closed (loads OpenSSL, zlib, NIO lazies), then RSS₀;
// 2. N connections opened (at most --parallel handshakes in flight), each TLS + permessage-deflate;
// 3. once every connection is open and the server has gone quiet (no message for 2 s), RSS₁;
//    per session = (RSS₁ − RSS₀) / N, both after malloc_trim(0);
// 4. CPU while idle: utime + stime of this process from /proc/self/stat over --idle seconds.
// The simulator runs in its own process, so nothing of it is in these numbers.

var arguments = [String: String]()
var index = 1
while index < CommandLine.arguments.count {
    let key = CommandLine.arguments[index]
    arguments[key] = index + 1 < CommandLine.arguments.count ? CommandLine.arguments[index + 1] : ""
    index += 2
}
guard let urlText = arguments["--url"], let url = try? WebSocketURL(urlText) else {
    FileHandle.standardError.write(Data("usage: sessionbench --url wss://HOST:PORT/venue --ca CA.pem [--connections N] [--idle S] [--parallel P] [--threads T]\n".utf8))
    exit(2)
}
let total = Int(arguments["--connections"] ?? "") ?? 1000
let idleSeconds = Double(arguments["--idle"] ?? "") ?? 30
let parallel = Int(arguments["--parallel"] ?? "") ?? 64
let threads = Int(arguments["--threads"] ?? "") ?? 1

/// glibc's malloc_trim (malloc.h is not in the Glibc module): returns freed heap pages to the kernel.
@_silgen_name("malloc_trim") func mallocTrim(_ pad: Int) -> Int32

func rssBytes() -> Int {
    _ = mallocTrim(0)
    guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
    let fields = text.split(separator: " ")
    return (Int(fields[1]) ?? 0) * Int(sysconf(Int32(_SC_PAGESIZE)))
}

func cpuTicks() -> Int {
    guard let text = try? String(contentsOfFile: "/proc/self/stat", encoding: .utf8),
          let close = text.lastIndex(of: ")") else { return 0 }
    let fields = text[text.index(after: close)...].split(separator: " ")
    // After the command: state(0) ppid(1) … utime(11) stime(12).
    return (Int(fields[11]) ?? 0) + (Int(fields[12]) ?? 0)
}

final class Counters: @unchecked Sendable {
    let lock = NSLock()
    var opened = 0, closed = 0, failed = 0, messages = 0, bytes = 0
    var lastMessage = Date()
    var deflated = 0, resumed = 0
    var lastError = ""
}

final class IdleDelegate: WebSocketConnectionDelegate, @unchecked Sendable {
    let counters: Counters
    init(counters: Counters) { self.counters = counters }
    func webSocketDidOpen(_ connection: WebSocketConnection) {
        counters.lock.withLock {
            counters.opened += 1
            if connection.negotiatedDeflate != nil { counters.deflated += 1 }
            if connection.isTLSSessionReused { counters.resumed += 1 }
        }
    }
    func webSocket(_ connection: WebSocketConnection, didReceive payload: UnsafeRawBufferPointer, opcode: WebSocketOpcode) {
        counters.lock.withLock { counters.messages += 1; counters.bytes += payload.count; counters.lastMessage = Date() }
    }
    func webSocketDidClose(_ connection: WebSocketConnection, info: WebSocketCloseInfo) {
        counters.lock.withLock {
            if info.wasOpen { counters.closed += 1 } else { counters.failed += 1 }
            counters.lastError = "\(info)"
        }
    }
}

let group = MultiThreadedEventLoopGroup(numberOfThreads: threads)
let options: WebSocketClientOptions = {
    var options = WebSocketClientOptions()
    options.caFile = arguments["--ca"]
    return options
}()
let tls = try TLSContext.shared(for: options, serverName: url.host)

/// Opens `count` connections with at most `parallel` handshakes in flight. `connect`'s future
/// succeeds only once the WebSocket is open, so it is not awaited here (awaiting it in the loop
/// would open one connection at a time); the opened connections are collected as they come.
func open(_ count: Int, counters: Counters, keep: Kept) async {
    var started = 0
    while true {
        let (opened, failed) = counters.lock.withLock { (counters.opened, counters.failed) }
        if opened + failed >= count { break }
        while started < count && started - opened - failed < parallel {
            let delegate = IdleDelegate(counters: counters)
            WebSocketConnection.connect(to: url, options: options, tlsContext: url.isSecure ? tls : nil,
                                        on: group.next(), delegate: delegate)
                .whenSuccess { connection in keep.append(connection) }
            started += 1
        }
        try? await Task.sleep(nanoseconds: 5_000_000)
    }
}

/// The open connections (kept alive for the measurement).
final class Kept: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [WebSocketConnection] = []
    func append(_ connection: WebSocketConnection) { lock.withLock { items.append(connection) } }
    func closeAll() { for connection in lock.withLock({ items }) { connection.close() } }
    func removeAll() { lock.withLock { items = [] } }
}

// 1. Warm-up.
let warm = Counters()
let warmConnections = Kept()
await open(1, counters: warm, keep: warmConnections)
try? await Task.sleep(nanoseconds: 500_000_000)
warmConnections.closeAll()
warmConnections.removeAll()
try? await Task.sleep(nanoseconds: 500_000_000)
let rss0 = rssBytes()

// 2. N sessions.
let counters = Counters()
let connections = Kept()
let openStart = Date()
await open(total, counters: counters, keep: connections)
let openSeconds = Date().timeIntervalSince(openStart)

// 3. Quiet.
while Date().timeIntervalSince(counters.lock.withLock { counters.lastMessage }) < 2 {
    try? await Task.sleep(nanoseconds: 200_000_000)
}
let rss1 = rssBytes()
let snapshot = counters.lock.withLock { (counters.opened, counters.failed, counters.closed, counters.messages, counters.deflated, counters.resumed, counters.lastError) }

// 4. Idle CPU.
let ticks0 = cpuTicks()
let idleStart = Date()
try? await Task.sleep(nanoseconds: UInt64(idleSeconds * 1e9))
let ticks1 = cpuTicks()
let idleElapsed = Date().timeIntervalSince(idleStart)
let hz = Double(sysconf(Int32(_SC_CLK_TCK)))
let cpuPercent = Double(ticks1 - ticks0) / hz / idleElapsed * 100
let stillOpen = counters.lock.withLock { counters.opened - counters.closed }
let rss2 = rssBytes()

print("sessions=\(snapshot.0) failed=\(snapshot.1) closed_before_idle=\(snapshot.2) deflate=\(snapshot.4) tls_resumed=\(snapshot.5) messages=\(snapshot.3) open_seconds=\(String(format: "%.2f", openSeconds))")
if snapshot.1 > 0 { print("last error: \(snapshot.6)") }
print("rss_before_kb=\(rss0 / 1024) rss_after_kb=\(rss1 / 1024) rss_after_idle_kb=\(rss2 / 1024)")
print("per_session_kb=\(String(format: "%.1f", Double(rss1 - rss0) / 1024 / Double(max(snapshot.0, 1))))")
print("idle_cpu_percent=\(String(format: "%.2f", cpuPercent)) over \(String(format: "%.1f", idleElapsed)) s, still_open=\(stillOpen)")
connections.closeAll()
try? await Task.sleep(nanoseconds: 500_000_000)
try? await group.shutdownGracefully()
