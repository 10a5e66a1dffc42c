import CMallocCounter
#if canImport(Glibc)
import Glibc
#endif

/// One timed run: messages processed, thread CPU time, wall time and heap allocations.
struct Measurement {
    var messages: Int
    var cpuNanos: Int64
    var wallNanos: Int64
    var allocations: UInt64

    var cpuNanosPerMessage: Double { Double(cpuNanos) / Double(messages) }
    var wallNanosPerMessage: Double { Double(wallNanos) / Double(messages) }
    var allocationsPerMessage: Double { Double(allocations) / Double(messages) }
}

/// Reads the clocks and the allocation counter around `body`, which returns how many messages it handled.
@inline(never)
func measure(_ body: () throws -> Int) rethrows -> Measurement {
    let allocations = feedbench_allocation_count()
    let cpu = now(CLOCK_THREAD_CPUTIME_ID), wall = now(CLOCK_MONOTONIC)
    let messages = try body()
    let wallEnd = now(CLOCK_MONOTONIC), cpuEnd = now(CLOCK_THREAD_CPUTIME_ID)
    return Measurement(messages: messages, cpuNanos: cpuEnd - cpu, wallNanos: wallEnd - wall,
                       allocations: feedbench_allocation_count() - allocations)
}

func now(_ clock: clockid_t) -> Int64 {
    var ts = timespec()
    clock_gettime(clock, &ts)
    return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
}

/// Statistics over several runs of the same work.
struct Summary {
    var runs: [Measurement]

    /// Median ns/msg by thread CPU time (time this thread actually ran: robust to other
    /// processes on the shared cores, unlike wall time).
    var medianCPU: Double { median(runs.map(\.cpuNanosPerMessage)) }
    var minCPU: Double { runs.map(\.cpuNanosPerMessage).min() ?? 0 }
    var medianWall: Double { median(runs.map(\.wallNanosPerMessage)) }
    var minWall: Double { runs.map(\.wallNanosPerMessage).min() ?? 0 }
    /// Allocations per message (identical in every run: the work is deterministic).
    var allocationsPerMessage: Double { median(runs.map(\.allocationsPerMessage)) }

    private func median(_ values: [Double]) -> Double {
        let s = values.sorted()
        guard !s.isEmpty else { return 0 }
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }
}
