import VenueKit

/// One frame the session layer asks the shell to write on a connection. Both kinds count toward
/// the venue's outbound message limit (Binance: "pings, pongs and JSON control messages all
/// count" toward 5 messages/s [BN-STR]).
public enum OutboundFrame: Sendable, Hashable {
    /// A text frame (subscribe request, application ping such as OKX `ping`, Deribit `public/test`).
    case text(OutboundMessage)
    /// A WebSocket protocol ping (RFC 6455 §5.5.2) for venues whose rule is
    /// ``VenueKit/KeepAliveRule/protocolPing(every:)``.
    case protocolPing

    /// The frame's cost against the outbound budget.
    public var weight: Int {
        switch self {
        case .text(let message): max(1, message.weight)
        case .protocolPing: 1
        }
    }
}

/// Which queue of the ``OutboundRateLimiter`` a frame waits in.
public enum OutboundLane: Sendable, Hashable {
    /// Keep-alive pings and replies the venue is waiting for (Deribit `public/test`, Bitfinex
    /// `pong`): always released before subscription traffic, because missing them gets the
    /// connection closed.
    case control
    /// Subscribe / unsubscribe requests: paced behind control frames.
    case subscription
}

/// ``OutboundRateLimiter/enqueue(_:lane:)`` refused a frame because its lane is full
/// (STYLE habit 8: every queue is bounded). Not retryable on the same connection: the caller
/// is producing faster than the venue allows and must shed or reshard.
public struct OutboundQueueFull: Error, Sendable, Hashable, CustomStringConvertible {
    /// The lane that was full.
    public var lane: OutboundLane
    /// Its capacity in frames.
    public var capacity: Int

    /// Memberwise initializer.
    public init(lane: OutboundLane, capacity: Int) {
        self.lane = lane
        self.capacity = capacity
    }

    /// One sentence for logs.
    public var description: String { "outbound \(lane) queue full (\(capacity) frames)" }
}
