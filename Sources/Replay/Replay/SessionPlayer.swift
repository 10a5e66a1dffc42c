/// The sans-IO clock of one simulated connection: which recorded frames are due at a given
/// instant, and when to wake up next. It never reads a clock itself; the shell passes `now`
/// (monotonic nanoseconds from a `ReplayClock`).
///
/// Timing: every step is due at `anchor + (t − anchorT) / speed`. The anchor starts at the
/// connection's open (recorded `startT`); passing an `awaitClient` gate re-anchors at
/// `max(when the gate was due, when the client's message arrived)`, so a venue's answers keep their
/// recorded delay after the subscribe that triggered them.
///
/// Gates: each client message (except heartbeats such as `ping`) opens the next gate. A gate made
/// of several recorded sends also absorbs up to that many more messages, so a client that sends its
/// subscribes one by one does not open later gates (a resubscribe after a checksum failure) early —
/// unless a message is exactly the text an upcoming gate recorded.
public struct SessionPlayer: Sendable {
    /// What the shell must do.
    public enum Output: Sendable, Equatable {
        /// Send this frame now (through the fault injector).
        case frame(ReplayFrame)
        /// End the connection as recorded.
        case disconnect(code: Int?, reason: String?)
        /// The script is over (reported once).
        case finished
    }

    /// The script.
    public let segment: ReplaySegment
    /// Playback speed.
    public let speed: ReplaySpeed
    /// Whether `awaitClient` gates hold (off: stream everything from the open on).
    public let waitsForClient: Bool

    private var index = 0
    private var anchorT: Int64
    private var anchorNanos: UInt64
    private var queued: [UInt64] = []
    private var absorbRemaining = 0
    private var reportedFinish = false

    /// Recorded frames handed out so far.
    public private(set) var framesPlayed = 0
    /// Client messages received (heartbeats excluded).
    public private(set) var clientMessages = 0

    /// A player for `segment`, starting at `now`.
    public init(segment: ReplaySegment, speed: ReplaySpeed, waitsForClient: Bool = true, startedAt now: UInt64) {
        self.segment = segment
        self.speed = speed
        self.waitsForClient = waitsForClient
        anchorT = segment.startT
        anchorNanos = now
    }

    /// Whether every step has been played.
    public var isFinished: Bool { index >= segment.steps.count }

    /// Whether the next step is a gate with no client message to open it.
    public var isWaitingForClient: Bool {
        guard waitsForClient, index < segment.steps.count, case .awaitClient = segment.steps[index] else { return false }
        return queued.isEmpty
    }

    /// The client sent a data message at `now`.
    public mutating func clientDidSend(_ payload: [UInt8], at now: UInt64) {
        if FrameInspector.isClientHeartbeat(payload) { return }
        clientMessages += 1
        if absorbRemaining > 0 && !matchesUpcomingGate(payload) {
            absorbRemaining -= 1
            return
        }
        queued.append(now)
    }

    /// Everything due at `now`, and when the next step falls due (`nil`: waiting for the client
    /// or finished).
    public mutating func poll(now: UInt64) -> (outputs: [Output], wakeAt: UInt64?) {
        var outputs: [Output] = []
        while index < segment.steps.count {
            switch segment.steps[index] {
            case .frame(let frame):
                let due = dueTime(frame.t)
                guard due <= now else { return (outputs, due) }
                outputs.append(.frame(frame))
                framesPlayed += 1
                index += 1
            case .awaitClient(let t, let texts):
                guard waitsForClient else {
                    index += 1
                    continue
                }
                let due = dueTime(t)
                guard let arrival = queued.first else { return (outputs, nil) }
                guard due <= now else { return (outputs, due) }
                queued.removeFirst()
                // The gate's other recorded sends: take queued messages first, absorb later ones.
                let extra = min(queued.count, texts.count - 1)
                queued.removeFirst(extra)
                absorbRemaining = texts.count - 1 - extra
                anchorT = t
                anchorNanos = Swift.max(due, arrival)
                index += 1
            case .disconnect(let t, let code, let reason):
                let due = dueTime(t)
                guard due <= now else { return (outputs, due) }
                outputs.append(.disconnect(code: code, reason: reason))
                index = segment.steps.count
                reportedFinish = true
                return (outputs, nil)
            }
        }
        if !reportedFinish {
            reportedFinish = true
            outputs.append(.finished)
        }
        return (outputs, nil)
    }

    private func dueTime(_ t: Int64) -> UInt64 {
        anchorNanos &+ speed.nanoseconds(forSessionMilliseconds: t - anchorT)
    }

    private func matchesUpcomingGate(_ payload: [UInt8]) -> Bool {
        for step in segment.steps[index...] {
            if case .awaitClient(_, let texts) = step {
                return texts.contains { Array($0.utf8) == payload }
            }
        }
        return false
    }
}
