import MarketModel
import VenueKit

/// The liveness of one subscription on one connection.
public enum SubscriptionLiveness: Sendable, Hashable {
    /// Subscribed, no data yet.
    case awaitingData
    /// Data arrived within its stale window.
    case live
    /// Quiet for longer than its stale window.
    case stale
}

/// What a ``LivenessMonitor`` detected.
public enum LivenessAction: Sendable, Hashable {
    /// No frame of any kind (data, ping, pong, heartbeat) for the keep-alive deadline: the peer
    /// or the path is dead (half-open TCP). Reconnect.
    case peerDead(silentFor: Nanoseconds)
    /// Frames still arrive (heartbeats, pongs) but no data at all on the connection for the
    /// data-idle window: the subscriptions silently died (Coinbase closes idle channels after
    /// 60–90 s [CB-ADV-CH]). Reported once per idle period.
    case dataIdle(silentFor: Nanoseconds)
    /// One subscription was quiet longer than its `staleAfter`; only it is stale.
    case stale(Subscription, silentFor: Nanoseconds)
    /// A subscription delivered data: its first after subscribing, or its first after being stale.
    case live(Subscription)
}

/// Three independent liveness clocks for one connection (nautilus keeps dead-peer and data-idle
/// timers apart; STYLE):
///
/// 1. **dead peer** — any inbound frame resets it; the timeout comes from the venue's keep-alive
///    rules (``KeepAliveScheduler/deadPeerTimeout``);
/// 2. **data idle** — only data frames reset it; the window is configured or, by default, twice
///    the longest `staleAfter` of the connection's subscriptions (so it fires only after every
///    one of them has been reported stale and stayed quiet as long again);
/// 3. **per-subscription cadence** — each symbol × channel has its own `staleAfter`
///    (``VenueKit/VenueSpec/staleAfter(for:)``); a quiet one turns `stale` alone and back to
///    `live` on its next message.
///
/// ``onFrame(kind:subscription:now:)`` is O(1) and allocation-free (hot path). ``nextDeadline``
/// is cached and never later than the true next deadline (frames only push deadlines back), so
/// the shell keeps exactly one timer; ``tick(now:)`` rescans and recomputes it.
public struct LivenessMonitor: Sendable {
    struct Entry: Sendable {
        var subscription: Subscription
        var staleAfter: Nanoseconds
        var lastDataAt: Nanoseconds
        var state: SubscriptionLiveness
        var hasDelivered = false
    }

    /// Silence (no frame at all) that means a dead peer.
    public let deadPeerTimeout: Nanoseconds
    /// The configured data-idle window; `nil` derives it from the subscriptions.
    public let configuredDataIdleTimeout: Nanoseconds?
    /// When the last frame of any kind arrived (initially: when monitoring started).
    public private(set) var lastFrameAt: Nanoseconds
    /// When the last data frame arrived (initially: when monitoring started).
    public private(set) var lastDataAt: Nanoseconds
    private var entries: [Entry] = []
    private var index: [Subscription: Int] = [:]
    /// Watched subscriptions that never delivered data (stale ones included).
    private var undeliveredCount = 0
    private var longestStaleAfter: Nanoseconds = 0
    private var isPeerDeadReported = false
    private var isDataIdleReported = false
    /// Cached earliest deadline; may be early, never late.
    public private(set) var nextDeadline: Nanoseconds?

    /// A monitor for a connection that opened at `now`.
    public init(deadPeerTimeout: Nanoseconds, dataIdleTimeout: Nanoseconds? = nil, now: Nanoseconds) {
        self.deadPeerTimeout = max(1, deadPeerTimeout)
        self.configuredDataIdleTimeout = dataIdleTimeout.map { max(1, $0) }
        self.lastFrameAt = now
        self.lastDataAt = now
        self.nextDeadline = now + self.deadPeerTimeout
    }

    /// The data-idle window in force, `nil` when there is nothing to watch (no subscriptions).
    public var dataIdleTimeout: Nanoseconds? {
        guard !entries.isEmpty else { return nil }
        // Clamped so deadline arithmetic (`lastDataAt + window`) cannot overflow.
        return configuredDataIdleTimeout ?? min(longestStaleAfter, Int64.max / 8) * 2
    }

    /// The watched subscriptions, in registration order.
    public var subscriptions: [Subscription] { entries.map(\.subscription) }

    /// The state of `subscription`, `nil` if it is not watched.
    public func state(of subscription: Subscription) -> SubscriptionLiveness? {
        index[subscription].map { entries[$0].state }
    }

    /// Whether every watched subscription has delivered data at least once (make-before-break:
    /// the replacement connection is live).
    public var hasDataForAllSubscriptions: Bool { undeliveredCount == 0 }

    /// Whether any watched subscription has delivered data.
    public var hasAnyData: Bool { undeliveredCount < entries.count }

    /// Starts watching `subscriptions` (subscribed at `now`; each must deliver within its
    /// stale window). Already watched ones are left as they are.
    public mutating func register(_ subscriptions: some Sequence<Subscription>, now: Nanoseconds,
                                  staleAfter: (Subscription) -> Nanoseconds) {
        for subscription in subscriptions where index[subscription] == nil {
            index[subscription] = entries.count
            entries.append(Entry(subscription: subscription, staleAfter: max(1, staleAfter(subscription)),
                                 lastDataAt: now, state: .awaitingData))
            undeliveredCount += 1
        }
        recompute()
    }

    /// Stops watching `subscriptions` (unsubscribed).
    public mutating func unregister(_ subscriptions: some Sequence<Subscription>) {
        for subscription in subscriptions {
            guard let position = index.removeValue(forKey: subscription) else { continue }
            if !entries[position].hasDelivered { undeliveredCount -= 1 }
            let last = entries.count - 1
            if position != last {
                entries[position] = entries[last]
                index[entries[position].subscription] = position
            }
            entries.removeLast()
        }
        recompute()
    }

    /// Records an inbound frame. Returns `.live` when it brings a subscription to life (its first
    /// data, or its first after being stale); `nil` otherwise. O(1), no allocation.
    public mutating func onFrame(kind: FrameKind, subscription: Subscription?, now: Nanoseconds) -> LivenessAction? {
        lastFrameAt = max(lastFrameAt, now)
        if isPeerDeadReported {
            isPeerDeadReported = false
            lowerDeadline(to: now + deadPeerTimeout)
        }
        guard kind.isData else { return nil }
        lastDataAt = max(lastDataAt, now)
        if isDataIdleReported, let idle = dataIdleTimeout {
            isDataIdleReported = false
            lowerDeadline(to: now + idle)
        }
        guard let subscription, let position = index[subscription] else { return nil }
        entries[position].lastDataAt = max(entries[position].lastDataAt, now)
        if !entries[position].hasDelivered {
            entries[position].hasDelivered = true
            undeliveredCount -= 1
        }
        guard entries[position].state != .live else { return nil }
        entries[position].state = .live
        // A stale entry had no deadline in the cache; it has one again.
        lowerDeadline(to: now + entries[position].staleAfter)
        return .live(subscription)
    }

    /// Checks every clock at `now` and returns what expired since the last tick. Each condition
    /// is reported once: dead peer until a frame arrives, data idle until data arrives, stale
    /// until that subscription's next message.
    public mutating func tick(now: Nanoseconds) -> [LivenessAction] {
        var actions: [LivenessAction] = []
        if !isPeerDeadReported, now - lastFrameAt >= deadPeerTimeout {
            isPeerDeadReported = true
            actions.append(.peerDead(silentFor: now - lastFrameAt))
        }
        if !isDataIdleReported, let idle = dataIdleTimeout, now - lastDataAt >= idle {
            isDataIdleReported = true
            actions.append(.dataIdle(silentFor: now - lastDataAt))
        }
        for position in entries.indices where entries[position].state != .stale {
            let entry = entries[position]
            guard now - entry.lastDataAt >= entry.staleAfter else { continue }
            entries[position].state = .stale
            actions.append(.stale(entry.subscription, silentFor: now - entry.lastDataAt))
        }
        recompute()
        return actions
    }

    private mutating func lowerDeadline(to time: Nanoseconds) {
        nextDeadline = min(nextDeadline ?? time, time)
    }

    /// Rebuilds the cached deadline and the longest stale window from scratch (O(n)).
    private mutating func recompute() {
        var next: Nanoseconds? = isPeerDeadReported ? nil : lastFrameAt + deadPeerTimeout
        longestStaleAfter = entries.reduce(0) { max($0, $1.staleAfter) }
        if !isDataIdleReported, let idle = dataIdleTimeout {
            next = min(next ?? .max, lastDataAt + idle)
        }
        for entry in entries where entry.state != .stale {
            next = min(next ?? .max, entry.lastDataAt + entry.staleAfter)
        }
        nextDeadline = next
    }
}
