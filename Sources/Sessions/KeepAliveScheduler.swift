import MarketModel
import VenueKit

/// Tunables shared by every keep-alive rule.
public struct KeepAliveConfiguration: Sendable, Hashable {
    /// How long after our ping (application or protocol) a reply may take before silence means
    /// a dead peer. 10 s makes OKX's 20 s ping + 10 s = its 30 s cutoff [OKX-CONN].
    public var replyTimeout: Nanoseconds
    /// How many expected heartbeats / server pings may be missed before the peer counts as
    /// dead. With `grace` this gives Kraken's recommended ~5 s deadline for 1 s heartbeats
    /// [KR-RECON].
    public var missedHeartbeats: Int
    /// Slack added to heartbeat- and server-ping-based deadlines for network jitter.
    public var grace: Nanoseconds
    /// Dead-peer timeout for a venue that declares no keep-alive rule at all.
    public var fallbackDeadPeerTimeout: Nanoseconds

    /// Memberwise initializer with the defaults described on each property.
    public init(replyTimeout: Nanoseconds = Interval.seconds(10), missedHeartbeats: Int = 3,
                grace: Nanoseconds = Interval.seconds(2), fallbackDeadPeerTimeout: Nanoseconds = Interval.seconds(60)) {
        self.replyTimeout = max(1, replyTimeout)
        self.missedHeartbeats = max(1, missedHeartbeats)
        self.grace = max(0, grace)
        self.fallbackDeadPeerTimeout = max(1, fallbackDeadPeerTimeout)
    }
}

/// What we expect back for a keep-alive we send.
public enum KeepAliveReply: Sendable, Hashable {
    /// A WebSocket pong frame (RFC 6455 §5.5.3).
    case protocolPong
    /// The venue's text reply, reported by the adapter as ``VenueKit/VenueOutput/pong``
    /// (OKX `pong`, BitMEX `pong`, Bybit `{"op":"ping","ret_msg":"pong"}`, Kraken `{"method":"pong"}`).
    case applicationPong
}

/// Turns a venue's ``VenueKit/KeepAliveRule``s into what to send on one connection and when, and
/// derives the dead-peer timeout the ``LivenessMonitor`` enforces (sans-IO, manual clock).
///
/// Per rule:
/// - `serverPings` (Binance: ping every 20 s, pong within 1 min [BN-STR]): send **nothing**. The
///   WebSocket layer answers each server ping with a pong automatically; unsolicited pings are
///   never sent (they count toward the 5 msg/s limit and do not keep the socket alive).
///   Dead after `missedHeartbeats` intervals + grace without any frame.
/// - `protocolPing(every)`: a WebSocket ping every `every`, regardless of traffic; expects a pong.
/// - `applicationPing(payload, every)`: the text `payload` once nothing has been received for
///   `every` (OKX `ping` before its 30 s silence cutoff [OKX-CONN]; Bybit `{"op":"ping"}` every
///   20 s [BY-CONN]; Kraken `{"method":"ping"}` [KR-PING]; BitMEX `ping` [BMX-AC]); expects the
///   adapter's `.pong`. Dead after `every` + reply timeout of silence.
/// - `heartbeatChannel(expectedEvery)` (Coinbase `heartbeats`, Kraken `heartbeat`, Bitfinex
///   `hb`): send nothing; dead after `missedHeartbeats` periods + grace.
/// - `deribitHeartbeat(interval)`: `public/set_heartbeat` is one of the adapter's
///   ``VenueKit/VenueAdapter/sessionStartFrames()`` and the adapter answers each `test_request`
///   with `public/test` [DB-HB]; we send nothing and treat `test_request` as a heartbeat.
///
/// With several rules the strictest deadline wins (Kraken: app ping every 20 s **and** 1 s
/// heartbeats ⇒ dead after 5 s of silence).
public struct KeepAliveScheduler: Sendable {
    /// The rules in force.
    public let rules: [KeepAliveRule]
    /// The tunables.
    public let configuration: KeepAliveConfiguration
    /// How long the connection may be silent (no frame of any kind) before the peer is dead.
    public let deadPeerTimeout: Nanoseconds
    /// When the connection opened (the protocol-ping cadence starts here).
    public let openedAt: Nanoseconds
    /// When the last inbound frame of any kind arrived.
    public private(set) var lastReceivedAt: Nanoseconds
    /// When we last sent an application ping.
    public private(set) var lastApplicationPingAt: Nanoseconds?
    /// When we last sent a protocol ping.
    public private(set) var lastProtocolPingAt: Nanoseconds?
    /// When the oldest ping still waiting for its reply was sent.
    public private(set) var awaitingReplySince: Nanoseconds?
    private let applicationPing: (payload: String, every: Nanoseconds)?
    private let protocolPingEvery: Nanoseconds?

    /// A scheduler for a connection that opened at `now`.
    public init(rules: [KeepAliveRule], configuration: KeepAliveConfiguration = KeepAliveConfiguration(), now: Nanoseconds) {
        self.rules = rules
        self.configuration = configuration
        self.openedAt = now
        self.lastReceivedAt = now
        var appPing: (payload: String, every: Nanoseconds)?
        var protocolEvery: Nanoseconds?
        var deadlines: [Nanoseconds] = []
        let misses = Int64(configuration.missedHeartbeats)
        for rule in rules {
            switch rule {
            case .serverPings(let interval, _):
                deadlines.append(interval * misses + configuration.grace)
            case .protocolPing(let every):
                protocolEvery = min(protocolEvery ?? every, max(1, every))
                deadlines.append(max(1, every) + configuration.replyTimeout)
            case .applicationPing(let payload, let every):
                if appPing == nil || every < (appPing?.every ?? every) { appPing = (payload, max(1, every)) }
                deadlines.append(max(1, every) + configuration.replyTimeout)
            case .heartbeatChannel(let expectedEvery):
                deadlines.append(expectedEvery * misses + configuration.grace)
            case .deribitHeartbeat(let interval):
                deadlines.append(interval * misses + configuration.grace)
            }
        }
        self.applicationPing = appPing
        self.protocolPingEvery = protocolEvery
        self.deadPeerTimeout = deadlines.min() ?? configuration.fallbackDeadPeerTimeout
    }

    /// A scheduler for `spec`'s rules.
    public init(spec: VenueSpec, configuration: KeepAliveConfiguration = KeepAliveConfiguration(), now: Nanoseconds) {
        self.init(rules: spec.keepAlive, configuration: configuration, now: now)
    }

    /// The replies our pings expect (empty for venues where we only listen).
    public var expectedReplies: [KeepAliveReply] {
        var replies: [KeepAliveReply] = []
        if protocolPingEvery != nil { replies.append(.protocolPong) }
        if applicationPing != nil { replies.append(.applicationPong) }
        return replies
    }

    /// Whether we ever send pings of our own. `false` for Binance (server pings only).
    public var sendsPings: Bool { protocolPingEvery != nil || applicationPing != nil }

    /// Whether a ping of ours is still waiting for its reply.
    public var isAwaitingReply: Bool { awaitingReplySince != nil }

    /// Records an inbound frame: any frame resets the idle clock; a pong answers our ping.
    public mutating func onFrame(kind: FrameKind, now: Nanoseconds) {
        lastReceivedAt = max(lastReceivedAt, now)
        if kind == .pong { awaitingReplySince = nil }
    }

    /// The frames due at `now` (at most one application ping and one protocol ping).
    public mutating func tick(now: Nanoseconds) -> [OutboundFrame] {
        var due: [OutboundFrame] = []
        if let every = protocolPingEvery, now >= (lastProtocolPingAt ?? openedAt) + every {
            lastProtocolPingAt = now
            awaitingReplySince = awaitingReplySince ?? now
            due.append(.protocolPing)
        }
        if let ping = applicationPing, now >= applicationPingDue(every: ping.every) {
            lastApplicationPingAt = now
            awaitingReplySince = awaitingReplySince ?? now
            due.append(.text(OutboundMessage(text: ping.payload)))
        }
        return due
    }

    /// When ``tick(now:)`` next has something to send, or `nil` if this venue needs no pings.
    public var nextDeadline: Nanoseconds? {
        var next: Nanoseconds?
        if let every = protocolPingEvery { next = (lastProtocolPingAt ?? openedAt) + every }
        if let ping = applicationPing {
            let due = applicationPingDue(every: ping.every)
            next = min(next ?? due, due)
        }
        return next
    }

    /// Idle-based: `every` after the later of the last inbound frame and our last ping, so a
    /// busy connection sends no pings and a silent one pings once per `every`.
    private func applicationPingDue(every: Nanoseconds) -> Nanoseconds {
        max(lastReceivedAt, lastApplicationPingAt ?? lastReceivedAt) + every
    }
}
