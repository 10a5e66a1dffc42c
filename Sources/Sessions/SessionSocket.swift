import MarketModel
import VenueKit

/// One physical socket of a ``ConnectionLifecycle`` (the serving one, or the replacement of a
/// make-before-break rotation) with its own clocks and outbound pacing.
struct SessionSocket: Sendable {
    /// The lifecycle's number for this socket.
    let generation: Int
    /// Index into the venue's market-data URLs.
    let endpoint: Int
    /// When the connect attempt started (connect timeout).
    let connectStartedAt: Nanoseconds
    /// When the handshake completed; `nil` while connecting.
    var openedAt: Nanoseconds?
    /// Liveness clocks, from open.
    var liveness: LivenessMonitor?
    /// Keep-alive sender, from open.
    var keepAlive: KeepAliveScheduler?
    /// Outbound pacing (venue's per-connection message limit).
    var outbound: OutboundRateLimiter
    /// When to rotate ahead of the venue's forced lifetime, from open.
    var rotateAt: Nanoseconds?
    /// Whether any data arrived (first data marks the endpoint healthy).
    var hasData = false

    init(generation: Int, endpoint: Int, connectStartedAt: Nanoseconds, outbound: OutboundRateLimiterConfiguration) {
        self.generation = generation
        self.endpoint = endpoint
        self.connectStartedAt = connectStartedAt
        self.outbound = OutboundRateLimiter(configuration: outbound)
    }

    var isOpen: Bool { openedAt != nil }

    /// The earliest of this socket's own deadlines.
    func nextDeadline(now: Nanoseconds, connectTimeout: Nanoseconds) -> Nanoseconds? {
        guard isOpen else { return connectStartedAt + connectTimeout }
        return [liveness?.nextDeadline, keepAlive?.nextDeadline, outbound.nextReleaseTime(now: now)]
            .compactMap { $0 }.min()
    }

    /// Keep-alive frames due and queued frames that conform at `now`.
    mutating func pump(now: Nanoseconds) -> [OutboundFrame] {
        if let due = keepAlive?.tick(now: now) {
            for frame in due {
                // A full control lane means pings are already waiting: one more adds nothing.
                try? outbound.enqueue(frame, lane: .control)
            }
        }
        return outbound.release(now: now)
    }
}

/// Why a lifecycle is not (yet) on a socket.
enum SocketWait: Sendable, Hashable {
    /// Waiting out a backoff delay.
    case backoff(until: Nanoseconds)
    /// Waiting for the pool's connect budget.
    case awaitingSlot
}

/// One path to a socket: waiting for one, or on one.
struct SocketLeg: Sendable {
    var wait: SocketWait?
    var socket: SessionSocket?

    static func waiting(_ wait: SocketWait) -> SocketLeg { SocketLeg(wait: wait, socket: nil) }
    static func on(_ socket: SessionSocket) -> SocketLeg { SocketLeg(wait: nil, socket: socket) }
}

/// A make-before-break rotation in progress: the replacement leg and why it exists.
struct Rotation: Sendable {
    var leg: SocketLeg
    var reason: String
    var endpoint: Int
    var backoff: ReconnectBackoff
    var isReturnToPrimary: Bool
}
