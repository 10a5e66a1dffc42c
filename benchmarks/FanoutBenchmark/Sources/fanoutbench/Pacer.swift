/// Paces `total` items at `rate` per second on the calling thread: wakes at each item's due time
/// (absolute `clock_nanosleep`, 1 µs timer slack) and hands `emit` every item due by then — one
/// call, hence one socket write, per wake-up. A late wake-up (descheduled sender) is a burst, as a
/// venue's TCP segments are. Returns (wake-ups that emitted, largest burst).
func pace(rate: Double, total: Int, startMonotonic t0: Int64, emit: (Range<Int>) -> Void) -> (batches: Int, maxBurst: Int) {
    tightenTimerSlack()
    let period = 1e9 / rate
    var k = 0, batches = 0, maxBurst = 0
    while k < total {
        let now = monotonicNow()
        let due = min(total, Int(Double(now - t0) / period) + 1)
        if due > k {
            emit(k ..< due)
            batches += 1
            maxBurst = max(maxBurst, due - k)
            k = due
        } else {
            sleepUntil(monotonic: t0 + Int64(Double(k) * period))
        }
    }
    return (batches, maxBurst)
}

/// Appends `value` in decimal.
@inline(__always) func appendDecimal(_ value: UInt64, to out: inout [UInt8]) {
    var digits = 1, probe = value
    while probe >= 10 { probe /= 10; digits += 1 }
    let start = out.count
    out.append(contentsOf: repeatElement(0x30, count: digits))
    var v = value
    for i in stride(from: start + digits - 1, through: start, by: -1) {
        out[i] = UInt8(0x30 + v % 10)
        v /= 10
    }
}
