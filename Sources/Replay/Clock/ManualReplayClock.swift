import Foundation
import NIOCore

/// A clock that only moves when told to: `advance(by:)` runs every task that fell due, in deadline
/// order, on its event loop. Tests use it to walk a replay or a chaos schedule without sleeping.
public final class ManualReplayClock: ReplayClock, @unchecked Sendable {
    private let lock = NSLock()
    private var current: UInt64
    private var nextID = 0
    private var tasks: [Int: (deadline: UInt64, loop: any EventLoop, task: @Sendable () -> Void)] = [:]

    /// A clock reading `start` nanoseconds.
    public init(start: UInt64 = 1_000_000_000) { current = start }

    /// The current reading.
    public func now() -> UInt64 { lock.withLock { current } }

    /// Tasks not yet run.
    public var pendingTaskCount: Int { lock.withLock { tasks.count } }

    /// The earliest deadline of a pending task.
    public var nextDeadline: UInt64? { lock.withLock { tasks.values.map(\.deadline).min() } }

    /// Queues `task`; a deadline already reached runs it on the next loop tick.
    @discardableResult
    public func schedule(at deadline: UInt64, on eventLoop: any EventLoop, _ task: @escaping @Sendable () -> Void) -> any ReplayTimer {
        let (id, isDue) = lock.withLock { () -> (Int, Bool) in
            nextID += 1
            if deadline <= current { return (nextID, true) }
            tasks[nextID] = (deadline, eventLoop, task)
            return (nextID, false)
        }
        if isDue { eventLoop.execute(task) }
        return ManualTimer(clock: self, id: id)
    }

    /// Moves time forward by `nanoseconds` and runs what fell due.
    public func advance(by nanoseconds: UInt64) {
        let due = lock.withLock { () -> [(deadline: UInt64, loop: any EventLoop, task: @Sendable () -> Void)] in
            current &+= nanoseconds
            let ready = tasks.filter { $0.value.deadline <= current }.sorted { ($0.value.deadline, $0.key) < ($1.value.deadline, $1.key) }
            for entry in ready { tasks.removeValue(forKey: entry.key) }
            return ready.map(\.value)
        }
        for entry in due { entry.loop.execute(entry.task) }
    }

    /// Moves time to the next pending deadline (if any) and runs what fell due.
    public func advanceToNextDeadline() {
        guard let deadline = nextDeadline else { return }
        let now = now()
        advance(by: deadline > now ? deadline - now : 0)
    }

    fileprivate func cancel(_ id: Int) {
        _ = lock.withLock { tasks.removeValue(forKey: id) }
    }

    private struct ManualTimer: ReplayTimer {
        let clock: ManualReplayClock
        let id: Int
        func cancel() { clock.cancel(id) }
    }
}
