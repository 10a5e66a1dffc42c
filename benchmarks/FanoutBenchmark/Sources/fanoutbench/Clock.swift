import CShim
#if canImport(Glibc)
import Glibc
#endif

/// Wall clock (CLOCK_REALTIME) in ns since the epoch: the clock MarketMux stamps `ts_recv` with
/// (`VenueSessionPool.wallClockNow()`), so subscriber read time minus `ts_recv` is a latency.
@inline(__always) func realtimeNow() -> Int64 {
    var spec = timespec()
    clock_gettime(CLOCK_REALTIME, &spec)
    return Int64(spec.tv_sec) * 1_000_000_000 + Int64(spec.tv_nsec)
}

/// Monotonic clock in ns (pacing).
@inline(__always) func monotonicNow() -> Int64 {
    var spec = timespec()
    clock_gettime(CLOCK_MONOTONIC, &spec)
    return Int64(spec.tv_sec) * 1_000_000_000 + Int64(spec.tv_nsec)
}

/// Sleeps until the monotonic time `deadline` (ns).
func sleepUntil(monotonic deadline: Int64) {
    var spec = timespec(tv_sec: Int(deadline / 1_000_000_000), tv_nsec: Int(deadline % 1_000_000_000))
    while clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &spec, nil) == EINTR {}
}

func sleepSeconds(_ seconds: Double) {
    sleepUntil(monotonic: monotonicNow() + Int64(seconds * 1e9))
}

/// 1 µs timer slack for the calling thread (default 50 µs), so a paced sender wakes on time.
func tightenTimerSlack() {
    _ = fanoutbench_set_timer_slack(1000)
}

/// User + system CPU seconds of the whole process.
func processCPUSeconds() -> Double {
    var usage = rusage()
    getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
    return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
        + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
}

func loadAverage() -> String {
    var loads = [Double](repeating: 0, count: 3)
    _ = getloadavg(&loads, 3)
    return loads.map { String(format1: $0, digits: 2) }.joined(separator: " ")
}

extension String {
    /// Fixed-point formatting without Foundation.
    init(format1 value: Double, digits: Int) {
        guard value.isFinite, abs(value) < 1e15 else { self = "\(value)"; return }
        var scale = 1.0
        for _ in 0 ..< digits { scale *= 10 }
        let scaled = (abs(value) * scale).rounded()
        let whole = Int(scaled / scale)
        var frac = String(Int(scaled) - whole * Int(scale))
        while frac.count < digits { frac = "0" + frac }
        self = (value < 0 ? "-" : "") + String(whole) + (digits > 0 ? "." + frac : "")
    }
}

/// Starts a detached pthread running `body`.
private final class ThreadBody { let body: () -> Void; init(_ body: @escaping () -> Void) { self.body = body } }

func startThread(_ body: @escaping () -> Void) {
    let box = Unmanaged.passRetained(ThreadBody(body)).toOpaque()
    var thread = pthread_t()
    let rc = pthread_create(&thread, nil, { raw in
        let box = Unmanaged<AnyObject>.fromOpaque(raw!).takeRetainedValue() as! ThreadBody
        box.body()
        return nil
    }, box)
    precondition(rc == 0, "pthread_create failed")
    pthread_detach(thread)
}
