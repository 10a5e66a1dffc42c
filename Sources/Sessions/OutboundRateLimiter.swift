import MarketModel
import VenueKit

/// Tunables of ``OutboundRateLimiter``.
public struct OutboundRateLimiterConfiguration: Sendable, Hashable {
    /// Sustained messages per second (``VenueKit/VenueSpec/maxOutboundMessagesPerSecond``).
    public var messagesPerSecond: Int
    /// How many frames may go back to back. 1 paces frames evenly, which guarantees at most
    /// `messagesPerSecond` frames in **any** 1 s window — what venues that count per second
    /// (Binance) enforce. A larger burst allows up to `burst − 1` extra frames in some window.
    public var burst: Int
    /// Capacity of the control lane, in frames.
    public var maxQueuedControlFrames: Int
    /// Capacity of the subscription lane, in frames (a 1024-stream Binance connection batches
    /// its streams into a few dozen SUBSCRIBE frames; 4096 leaves room for churn).
    public var maxQueuedSubscriptionFrames: Int

    /// Memberwise initializer.
    public init(messagesPerSecond: Int, burst: Int = 1, maxQueuedControlFrames: Int = 64,
                maxQueuedSubscriptionFrames: Int = 4096) {
        self.messagesPerSecond = max(1, messagesPerSecond)
        self.burst = max(1, burst)
        self.maxQueuedControlFrames = max(1, maxQueuedControlFrames)
        self.maxQueuedSubscriptionFrames = max(1, maxQueuedSubscriptionFrames)
    }

    /// Paces at the venue's declared outbound rate, evenly (burst 1).
    public init(spec: VenueSpec) {
        self.init(messagesPerSecond: spec.maxOutboundMessagesPerSecond)
    }
}

/// Paces the frames we send on one connection to the venue's outbound message limit (Binance
/// 5/s per connection incl. pings and pongs, over-limit ⇒ disconnect and eventually an IP ban
/// [BN-STR]), with the Generic Cell Rate Algorithm (ITU-T I.371): one "theoretical arrival
/// time" (`tat`) per connection, no timers, exact with a manual clock.
///
/// Frames wait in two bounded FIFO lanes; ``release(now:)`` hands out every frame that conforms
/// now, control lane first, and ``nextReleaseTime`` tells the shell when to call again. Frames
/// the transport sends on its own (the automatic pong to a server ping) are accounted with
/// ``charge(weight:now:)`` so the queued frames leave room for them.
public struct OutboundRateLimiter: Sendable {
    /// The tunables.
    public let configuration: OutboundRateLimiterConfiguration
    /// GCRA emission interval `T`: ns per unit of weight, rounded up so `T · rate ≥ 1 s`.
    public let emissionInterval: Nanoseconds
    /// GCRA tolerance `τ = (burst − 1) · T`.
    public let tolerance: Nanoseconds
    /// GCRA theoretical arrival time of the next conforming unit.
    public private(set) var tat: Nanoseconds = .min
    private var control: BoundedQueue<OutboundFrame>
    private var subscription: BoundedQueue<OutboundFrame>

    /// A limiter with empty queues.
    public init(configuration: OutboundRateLimiterConfiguration) {
        self.configuration = configuration
        let perSecond = Int64(configuration.messagesPerSecond)
        self.emissionInterval = (Interval.seconds(1) + perSecond - 1) / perSecond
        self.tolerance = Int64(configuration.burst - 1) * emissionInterval
        self.control = BoundedQueue(capacity: configuration.maxQueuedControlFrames)
        self.subscription = BoundedQueue(capacity: configuration.maxQueuedSubscriptionFrames)
    }

    /// Frames waiting in both lanes.
    public var queuedCount: Int { control.count + subscription.count }

    /// The earliest time a frame of `weight` conforms.
    public func earliestConforming(weight: Int = 1, now: Nanoseconds) -> Nanoseconds {
        // GCRA (virtual scheduling): conforming iff tat − τ ≤ now; a weighted frame needs its
        // extra units' worth of room too.
        let extra = Int64(max(1, weight) - 1) * emissionInterval
        guard tat != .min else { return now }
        return max(now, tat - tolerance + extra)
    }

    /// Takes `weight` units at `now` if they conform, without queueing; `false` means wait
    /// until ``earliestConforming(weight:now:)``.
    public mutating func tryConsume(weight: Int = 1, now: Nanoseconds) -> Bool {
        guard earliestConforming(weight: weight, now: now) <= now else { return false }
        charge(weight: weight, now: now)
        return true
    }

    /// Accounts for `weight` units sent at `now` regardless of conformance (the WebSocket
    /// layer's automatic pong). Later frames wait correspondingly longer.
    public mutating func charge(weight: Int = 1, now: Nanoseconds) {
        let start = tat == .min ? now : max(tat, now)
        tat = start + Int64(max(1, weight)) * emissionInterval
    }

    /// Queues `frame` on `lane`; throws when the lane is full.
    public mutating func enqueue(_ frame: OutboundFrame, lane: OutboundLane) throws(OutboundQueueFull) {
        switch lane {
        case .control:
            guard control.append(frame) else { throw OutboundQueueFull(lane: .control, capacity: control.capacity) }
        case .subscription:
            guard subscription.append(frame) else {
                throw OutboundQueueFull(lane: .subscription, capacity: subscription.capacity)
            }
        }
    }

    /// Removes and returns, in order, every queued frame that may be sent at `now` (control
    /// lane first, FIFO within a lane).
    public mutating func release(now: Nanoseconds) -> [OutboundFrame] {
        var out: [OutboundFrame] = []
        while let frame = control.first ?? subscription.first, tryConsume(weight: frame.weight, now: now) {
            if control.isEmpty { _ = subscription.popFirst() } else { _ = control.popFirst() }
            out.append(frame)
        }
        return out
    }

    /// When the head frame will conform, or `nil` if nothing is queued.
    public func nextReleaseTime(now: Nanoseconds) -> Nanoseconds? {
        guard let frame = control.first ?? subscription.first else { return nil }
        return earliestConforming(weight: frame.weight, now: now)
    }

    /// Drops every queued frame (the connection closed; its subscribe requests die with it).
    public mutating func removeAll() {
        control.removeAll { _ in true }
        subscription.removeAll { _ in true }
    }
}
