import NIOCore

/// The simulator's only source of time (STYLE habit 2): replay timing, chaos intervals, rotation
/// grace and slow handshakes all read `now()` and wait through `schedule`. The server uses
/// `SystemReplayClock`; tests drive a `ManualReplayClock`.
public protocol ReplayClock: AnyObject, Sendable {
    /// Monotonic nanoseconds.
    func now() -> UInt64
    /// Runs `task` on `eventLoop` once `now()` reaches `deadline`.
    @discardableResult
    func schedule(at deadline: UInt64, on eventLoop: any EventLoop, _ task: @escaping @Sendable () -> Void) -> any ReplayTimer
}

/// A scheduled task that can be cancelled (cancelling a fired task does nothing).
public protocol ReplayTimer: Sendable {
    /// Stops the task from running if it has not yet.
    func cancel()
}

/// The real monotonic clock, with NIO's event-loop timers.
public final class SystemReplayClock: ReplayClock {
    /// A system clock.
    public init() {}

    /// `NIODeadline.now()` in nanoseconds.
    public func now() -> UInt64 { NIODeadline.now().uptimeNanoseconds }

    /// An event-loop timer at `deadline`.
    @discardableResult
    public func schedule(at deadline: UInt64, on eventLoop: any EventLoop, _ task: @escaping @Sendable () -> Void) -> any ReplayTimer {
        SystemTimer(scheduled: eventLoop.scheduleTask(deadline: .uptimeNanoseconds(deadline), task))
    }

    private struct SystemTimer: ReplayTimer {
        let scheduled: Scheduled<Void>
        func cancel() { scheduled.cancel() }
    }
}
