import CShim
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The measurement window, in `ts_recv` (CLOCK_REALTIME ns): only lines whose `ts_recv` falls in
/// it are sampled (the warm-up before it and the drain after it are not).
final class Window: @unchecked Sendable {
    let start = Atomic<Int64>(.max)
    let end = Atomic<Int64>(.max)
}

/// Trade index carried in `ts_exchange` by every leg: `(indexBaseMillis + k) * 1_000_000` ns, so a
/// subscriber can check it got trades 0, 1, 2, … with no gap (nothing silently dropped).
let indexBaseMillis: Int64 = 1_700_000_000_000

/// One subscriber: a thread doing blocking `read`s on its socket, stamping CLOCK_REALTIME right
/// after each `read` returns and attributing that time to every line the read completed.
/// Parses each line from its end (`…,"ts_exchange":E,"ts_recv":R,"seq":S}`) — no JSON decoder on
/// the measured path — and checks `seq` (+1 per event line) and the trade index (+1 per trade).
final class Subscriber: @unchecked Sendable {
    let fd: Int32
    let window: Window
    let recordsLatency: Bool
    /// Trades received (read by the publisher for flow control and by the driver).
    let tradesSeen = Atomic<Int>(0)
    let acked = Atomic<Bool>(false)
    let finished = Atomic<Bool>(false)

    // Owned by the reader thread until `finished`.
    var histogram = Histogram()
    var lastIndex: Int64 = -1
    var firstIndex: Int64 = -1
    var indexGaps = 0
    var missingTrades: Int64 = 0
    var lastSeq: UInt64 = 0
    var seqErrors = 0
    var staleNotices = 0
    var liveNotices = 0
    var disconnectNotice = false
    var otherLines = 0
    var bytes = 0
    var reads = 0
    var firstTradeAt: Int64 = 0
    var lastTradeAt: Int64 = 0
    var lastNotice = ""
    var exitReason = ""

    init(fd: Int32, window: Window, recordsLatency: Bool) {
        self.fd = fd
        self.window = window
        self.recordsLatency = recordsLatency
        buffer = .allocate(capacity: capacity)
    }

    deinit { buffer.deallocate() }

    /// The read buffer: whole lines are consumed, a partial one waits for the next read.
    private let capacity = 1 << 20
    private let buffer: UnsafeMutablePointer<UInt8>
    private var filled = 0

    /// Starts the subscriber's own reader thread (blocking `read`s), the default harness.
    func start() { startThread { [self] in run() } }

    private func run() {
        while readOnce() != .closed {}
        finished.store(true, ordering: .releasing)
    }

    /// What one `read` gave.
    enum ReadOutcome { case data, wouldBlock, closed }

    /// One `read` into the buffer, then every line it completed (stamped with the time the read
    /// returned). Blocking or not depending on the socket's mode.
    func readOnce() -> ReadOutcome {
        let n = read(fd, buffer + filled, capacity - filled)
        if n <= 0 {
            if n < 0 && errno == EINTR { return .data }
            if n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) { return .wouldBlock }
            exitReason = n == 0 ? "eof" : String(cString: strerror(errno))
            return .closed
        }
        let now = realtimeNow()
        reads += 1
        bytes += n
        filled += n
        var lineStart = 0
        var i = filled - n
        while let nl = memchr(buffer + i, 0x0A, filled - i) {
            let end = buffer.distance(to: nl.assumingMemoryBound(to: UInt8.self))
            line(buffer + lineStart, count: end - lineStart, now: now)
            lineStart = end + 1
            i = lineStart
        }
        if lineStart > 0 {
            memmove(buffer, buffer + lineStart, filled - lineStart)
            filled -= lineStart
        }
        precondition(filled < capacity, "line longer than the read buffer")
        return .data
    }

    /// Reads until the socket has nothing more (non-blocking socket); `false` once it closed.
    func readAvailable() -> Bool {
        while true {
            switch readOnce() {
            case .data: continue
            case .wouldBlock: return true
            case .closed:
                finished.store(true, ordering: .releasing)
                return false
            }
        }
    }

    /// Parses the decimal number ending at `p[end - 1]`, moving `end` before it.
    @inline(__always) private func number(_ p: UnsafeMutablePointer<UInt8>, _ end: inout Int) -> UInt64? {
        var value: UInt64 = 0, scale: UInt64 = 1, i = end - 1
        while i >= 0, p[i] >= 0x30, p[i] <= 0x39 {
            value += UInt64(p[i] - 0x30) * scale
            scale &*= 10
            i -= 1
        }
        guard i < end - 1 else { return nil }
        end = i + 1
        return value
    }

    @inline(__always) private func expect(_ p: UnsafeMutablePointer<UInt8>, _ end: inout Int, _ text: StaticString) -> Bool {
        let n = text.utf8CodeUnitCount
        guard end >= n, memcmp(p + end - n, text.utf8Start, n) == 0 else { return false }
        end -= n
        return true
    }

    private func line(_ p: UnsafeMutablePointer<UInt8>, count: Int, now: Int64) {
        guard count > 12, p[count - 1] == UInt8(ascii: "}") else { otherLines += 1; return }
        var end = count - 1
        // Replies (ack/error) have no seq.
        guard let seq = number(p, &end), expect(p, &end, ",\"seq\":") else {
            if count > 13, memcmp(p, "{\"type\":\"ack\"", 13) == 0 { acked.store(true, ordering: .releasing) }
            otherLines += 1
            return
        }
        if seq != lastSeq + 1 { seqErrors += 1 }
        lastSeq = seq
        // {"type":"trade"
        if p[9] == UInt8(ascii: "t"), p[10] == UInt8(ascii: "r") {
            guard let tsRecv = number(p, &end), expect(p, &end, ",\"ts_recv\":"),
                  let tsExchange = number(p, &end), expect(p, &end, ",\"ts_exchange\":") else {
                otherLines += 1
                return
            }
            let index = Int64(tsExchange / 1_000_000) - indexBaseMillis
            if lastIndex >= 0 {
                if index != lastIndex + 1 {
                    indexGaps += 1
                    missingTrades += index - lastIndex - 1
                }
            } else {
                firstIndex = index
                firstTradeAt = now
            }
            lastIndex = index
            lastTradeAt = now
            if recordsLatency {
                let ts = Int64(tsRecv)
                if ts >= window.start.load(ordering: .relaxed) && ts < window.end.load(ordering: .relaxed) {
                    histogram.record(now - ts)
                }
            }
            tradesSeen.add(1, ordering: .relaxed)
        } else {
            // Fanout's own notices about this connection: {"type":"status","venue":"*",...}
            if count > 30, memcmp(p, "{\"type\":\"status\",\"venue\":\"*\"", 28) == 0 {
                let text = String(decoding: UnsafeBufferPointer(start: p, count: count), as: UTF8.self)
                lastNotice = text
                if text.contains("\"state\":\"stale\"") { staleNotices += 1 }
                if text.contains("\"state\":\"live\"") { liveNotices += 1 }
                if text.contains("\"state\":\"disconnected\"") { disconnectNotice = true }
            } else {
                otherLines += 1
            }
        }
    }
}

/// Connects to the fan-out socket at `path` and subscribes to every trade.
func connectSubscriber(path: String, filter: String = #"{"op":"subscribe","id":"1","venue":"*","channel":"trades","symbol":"*"}"#) -> Int32 {
    let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
    precondition(fd >= 0)
    var address = sockaddr_un()
    address.sun_family = sa_family_t(AF_UNIX)
    withUnsafeMutableBytes(of: &address.sun_path) { raw in
        let bytes = Array(path.utf8)
        precondition(bytes.count < raw.count)
        raw.copyBytes(from: bytes)
        raw[bytes.count] = 0
    }
    let rc = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
    }
    precondition(rc == 0, "connect \(path): \(String(cString: strerror(errno)))")
    writeAll(fd, Array((filter + "\n").utf8))
    return fd
}

func writeAll(_ fd: Int32, _ bytes: [UInt8]) {
    bytes.withUnsafeBytes { writeAll(fd, $0.baseAddress!, $0.count) }
}

func writeAll(_ fd: Int32, _ base: UnsafeRawPointer, _ count: Int) {
    var offset = 0
    while offset < count {
        let n = write(fd, base + offset, count - offset)
        if n < 0 {
            if errno == EINTR { continue }
            fatalError("write: \(String(cString: strerror(errno)))")
        }
        offset += n
    }
}

/// Merged results of a set of subscribers.
struct SubscriberReport {
    var histogram = Histogram()
    var trades: [Int] = []
    var gaps = 0
    var missing: Int64 = 0
    var seqErrors = 0
    var stale = 0
    var live = 0
    var disconnected = 0
    var reads = 0
    var bytes = 0
    var firstIndexNonZero = 0
    var exits: [String: Int] = [:]

    init(_ subscribers: [Subscriber]) {
        for s in subscribers {
            histogram.merge(s.histogram)
            trades.append(s.tradesSeen.load(ordering: .acquiring))
            gaps += s.indexGaps
            missing += s.missingTrades
            seqErrors += s.seqErrors
            stale += s.staleNotices
            live += s.liveNotices
            disconnected += s.disconnectNotice ? 1 : 0
            reads += s.reads
            bytes += s.bytes
            if s.firstIndex > 0 { firstIndexNonZero += 1 }
            if !s.exitReason.isEmpty { exits[s.exitReason, default: 0] += 1 }
        }
    }

    var integrity: String {
        "gaps=\(gaps) missing=\(missing) seq_errors=\(seqErrors) stale_notices=\(stale) live_notices=\(live) "
            + "disconnected=\(disconnected) late_start=\(firstIndexNonZero)" + (exits.isEmpty ? "" : " closed: \(exits)")
    }
}

/// The `--readers epoll` harness: one thread serves every subscriber's socket through epoll
/// (level-triggered, non-blocking reads until the socket is empty), as a consumer process with an
/// event loop would, instead of one blocked thread per subscriber. Why: on 2 vCPUs, ten reader
/// threads woken tens of thousands of times a second each make the kernel's thread switching the
/// measured latency (the floor leg's p99 is milliseconds with no MarketMux in it).
func startEpollReader(_ subscribers: [Subscriber]) {
    let epfd = epoll_create1(Int32(EPOLL_CLOEXEC))
    precondition(epfd >= 0, "epoll_create1: \(String(cString: strerror(errno)))")
    for (index, s) in subscribers.enumerated() {
        let flags = fcntl(s.fd, F_GETFL)
        precondition(fcntl(s.fd, F_SETFL, flags | O_NONBLOCK) == 0)
        var event = epoll_event()
        event.events = EPOLLIN.rawValue | EPOLLRDHUP.rawValue
        event.data.u64 = UInt64(index)
        precondition(epoll_ctl(epfd, EPOLL_CTL_ADD, s.fd, &event) == 0, "epoll_ctl: \(String(cString: strerror(errno)))")
    }
    startThread {
        var open = subscribers.count
        let events = UnsafeMutablePointer<epoll_event>.allocate(capacity: subscribers.count)
        defer { events.deallocate(); close(epfd) }
        while open > 0 {
            let n = epoll_wait(epfd, events, Int32(subscribers.count), -1)
            if n < 0 {
                if errno == EINTR { continue }
                fatalError("epoll_wait: \(String(cString: strerror(errno)))")
            }
            for i in 0 ..< Int(n) {
                let s = subscribers[Int(events[i].data.u64)]
                if !s.readAvailable() {
                    _ = epoll_ctl(epfd, EPOLL_CTL_DEL, s.fd, nil)
                    open -= 1
                }
            }
        }
    }
}
