import MarketModel
import VenueKit

/// The sans-IO state machine of one pooled connection (one shard of a venue's subscriptions):
/// idle → connecting → subscribing → live, backoff after failures, make-before-break rotation,
/// endpoint failover, stopped. Events go in through ``on(_:now:)``; actions come out in the
/// order the shell must perform them. No clock, no sockets, no system randomness.
///
/// - **Connect budget**: every attempt first asks the pool for a slot
///   (``ConnectionAction/requestConnectSlot``), so a mass reconnect obeys the venue's per-IP
///   connect limit (Binance 300 / 5 min [BN-STR]).
/// - **Reconnect**: capped exponential backoff with full jitter and server-imposed floors
///   (``ReconnectBackoff``); statuses `disconnected` → `connecting` → per-subscription `live`.
/// - **Liveness**: dead-peer (any frame), data-idle (data only) and per-subscription stale
///   clocks (``LivenessMonitor``); keep-alive pings per the venue's rules (``KeepAliveScheduler``),
///   paced with everything else by the per-connection ``OutboundRateLimiter``.
/// - **Rotation**: ahead of a forced lifetime (Binance 24 h), on a venue's reconnect request
///   (Binance `serverShutdown`) or to return to the primary endpoint, a replacement socket is
///   opened, subscribed and confirmed live (first data on all its subscriptions, or the settle
///   timeout) **before** the old one is closed.
/// - **Failover**: ``EndpointSelector`` moves across the venue's market-data URLs after
///   consecutive failures and returns to the primary after a stable period.
public struct ConnectionLifecycle: Sendable {
    /// The pool's id for this connection (the shard id).
    public let id: Int
    /// The venue.
    public let venue: VenueID
    /// The tunables.
    public let configuration: ConnectionLifecycleConfiguration
    let keepAliveRules: [KeepAliveRule]
    let maxLifetime: Nanoseconds?
    let outboundConfiguration: OutboundRateLimiterConfiguration
    let staleWindows: [Channel: Nanoseconds]
    let defaultStaleAfter: Nanoseconds
    var random: any RandomNumberGenerator & Sendable

    /// The subscriptions this connection carries, in canonical order.
    public private(set) var subscriptions: [Subscription] = []
    var subscriptionSet: Set<Subscription> = []
    /// Endpoint health and failover.
    public internal(set) var endpoints: EndpointSelector
    /// Backoff of the serving leg.
    public internal(set) var backoff: ReconnectBackoff
    var primary: SocketLeg?
    var rotation: Rotation?
    var stoppedReason: String?
    var nextGeneration = 1
    var reportedState: StreamState?
    var reportedSubscriptionStates: [Subscription: StreamState] = [:]
    var scheduledAt: Nanoseconds?
    var nextReturnProbeAt: Nanoseconds?

    /// A lifecycle for connection `id` of `spec`'s venue; `random` supplies all jitter.
    public init(id: Int, spec: VenueSpec, configuration: ConnectionLifecycleConfiguration = ConnectionLifecycleConfiguration(),
                random: some RandomNumberGenerator & Sendable) {
        self.id = id
        self.venue = spec.id
        self.configuration = configuration
        self.keepAliveRules = spec.keepAlive
        self.maxLifetime = spec.maxConnectionLifetime
        self.outboundConfiguration = configuration.outbound ?? OutboundRateLimiterConfiguration(spec: spec)
        self.staleWindows = spec.staleAfter.merging(configuration.staleAfterOverrides) { _, override in override }
        self.defaultStaleAfter = spec.defaultStaleAfter
        self.random = random
        self.endpoints = EndpointSelector(urls: spec.marketDataURLs, failoverThreshold: configuration.failoverThreshold,
                                          returnToPrimaryAfter: configuration.returnToPrimaryAfter)
        self.backoff = ReconnectBackoff(configuration: configuration.backoff)
    }

    /// The stale window of `subscription`'s channel (configuration override, else the spec's).
    public func staleAfter(for subscription: Subscription) -> Nanoseconds {
        staleWindows[subscription.channel] ?? defaultStaleAfter
    }

    /// ``staleAfter(for:)`` as a value that does not capture `self` (capturing `self` would
    /// share, and so copy, the sockets' buffers while they are being mutated).
    var staleAfterFunction: @Sendable (Subscription) -> Nanoseconds {
        let windows = staleWindows
        let fallback = defaultStaleAfter
        return { windows[$0.channel] ?? fallback }
    }

    /// The serving leg's phase.
    public var phase: ConnectionPhase {
        if let stoppedReason { return .stopped(reason: stoppedReason) }
        guard let primary else { return .idle }
        if let socket = primary.socket {
            guard socket.isOpen else { return .connecting(generation: socket.generation) }
            return socket.hasData ? .live(generation: socket.generation) : .subscribing(generation: socket.generation)
        }
        if case .backoff(let until) = primary.wait { return .backoff(until: until) }
        return .awaitingConnectSlot
    }

    /// Whether a make-before-break rotation is in progress.
    public var isRotating: Bool { rotation != nil }

    /// The generation whose data feeds the pipeline (the last promoted one), if open.
    public var servingGeneration: Int? { primary?.socket.flatMap { $0.isOpen ? $0.generation : nil } }

    /// The liveness of `subscription` on the serving socket.
    public func liveness(of subscription: Subscription) -> SubscriptionLiveness? {
        primary?.socket?.liveness?.state(of: subscription)
    }

    /// The earliest time the lifecycle needs a ``ConnectionEvent/tick`` (`nil`: nothing pending).
    public private(set) var nextDeadline: Nanoseconds?

    /// Handles `event` at `now` and returns the actions to perform, in order.
    public mutating func on(_ event: ConnectionEvent, now: Nanoseconds) -> [ConnectionAction] {
        var actions: [ConnectionAction] = []
        switch event {
        case .start:
            start(now: now, into: &actions)
        case .connectSlotGranted:
            slotGranted(now: now, into: &actions)
        case .connectSlotDelayed(let until, let reason):
            // Say why nothing happens for a while, instead of leaving "retrying in 150ms" standing.
            if primary?.wait == .awaitingSlot {
                reportedState = nil  // already `connecting` at start: the new reason is still news
                report(.connecting, "waiting for a connect slot: \(reason); next in \(durationText(max(0, until - now)))", into: &actions)
            }
        case .connected(let generation):
            opened(generation: generation, now: now, into: &actions)
        case .connectFailed(let generation, let failure), .closed(let generation, let failure):
            socketEnded(generation: generation, failure: failure, now: now, into: &actions)
        case .frame(let generation, let kind, let subscription):
            // Hot path: no allocation unless something changes state.
            let mayBeEarlier = frame(generation: generation, kind: kind, subscription: subscription, now: now, into: &actions)
            if !mayBeEarlier && actions.isEmpty { return actions }
        case .reconnectRequested(let generation, let reason):
            reconnectRequested(generation: generation, reason: reason, now: now, into: &actions)
        case .tick:
            tick(now: now, into: &actions)
        case .stop(let reason):
            stop(reason: reason, into: &actions)
        }
        finish(now: now, into: &actions)
        return actions
    }

    /// Adds `newSubscriptions` to this connection; open sockets subscribe them at once.
    public mutating func addSubscriptions(_ newSubscriptions: [Subscription], now: Nanoseconds) -> [ConnectionAction] {
        let added = newSubscriptions.filter { subscriptionSet.insert($0).inserted }
        guard !added.isEmpty else { return [] }
        subscriptions = subscriptionSet.sorted(by: SubscriptionSharder.canonicalOrder)
        var actions: [ConnectionAction] = []
        for generation in openGenerations {
            let staleAfter = staleAfterFunction
            withSocket(generation) { socket in socket.liveness?.register(added, now: now, staleAfter: staleAfter) }
            actions.append(.subscribe(generation: generation, added))
        }
        finish(now: now, into: &actions)
        return actions
    }

    /// Removes `oldSubscriptions` from this connection; open sockets unsubscribe them.
    public mutating func removeSubscriptions(_ oldSubscriptions: [Subscription], now: Nanoseconds) -> [ConnectionAction] {
        let removed = oldSubscriptions.filter { subscriptionSet.remove($0) != nil }
        guard !removed.isEmpty else { return [] }
        subscriptions = subscriptionSet.sorted(by: SubscriptionSharder.canonicalOrder)
        for subscription in removed { reportedSubscriptionStates[subscription] = nil }
        var actions: [ConnectionAction] = []
        for generation in openGenerations {
            withSocket(generation) { socket in socket.liveness?.unregister(removed) }
            actions.append(.unsubscribe(generation: generation, removed))
        }
        finish(now: now, into: &actions)
        return actions
    }

    /// Queues frames for socket `generation` (the adapter's start, subscribe and unsubscribe
    /// frames, or its replies such as Deribit `public/test`) and returns the ones that may be
    /// sent now. Frames for a socket that is gone are dropped (its subscriptions die with it).
    /// Throws when the lane is full; frames before the failing one stay queued.
    public mutating func enqueue(_ frames: [OutboundFrame], generation: Int, lane: OutboundLane,
                                 now: Nanoseconds) throws(OutboundQueueFull) -> [ConnectionAction] {
        var failure: OutboundQueueFull?
        var released: [OutboundFrame] = []
        withSocket(generation) { socket in
            do throws(OutboundQueueFull) {
                for frame in frames { try socket.outbound.enqueue(frame, lane: lane) }
            } catch {
                failure = error
            }
            released = socket.outbound.release(now: now)
        }
        var actions: [ConnectionAction] = released.isEmpty ? [] : [.send(generation: generation, released)]
        finish(now: now, into: &actions)
        if let failure { throw failure }
        return actions
    }

    /// The generations with an open socket: serving first, then the replacement.
    var openGenerations: [Int] {
        [primary?.socket, rotation?.leg.socket].compactMap { $0?.isOpen == true ? $0?.generation : nil }
    }

    /// Runs `body` on socket `generation` in place (serving or replacement); `false` if unknown.
    @discardableResult
    mutating func withSocket(_ generation: Int, _ body: (inout SessionSocket) -> Void) -> Bool {
        if primary?.socket?.generation == generation {
            // Take the socket out so its arrays are uniquely referenced while `body` mutates them.
            guard var socket = primary?.socket else { return false }
            primary?.socket = nil
            body(&socket)
            primary?.socket = socket
            return true
        }
        if rotation?.leg.socket?.generation == generation {
            guard var socket = rotation?.leg.socket else { return false }
            rotation?.leg.socket = nil
            body(&socket)
            rotation?.leg.socket = socket
            return true
        }
        return false
    }

    /// Emits a connection-wide status when the state changes. Subscription states are implied
    /// by it, so their memory is cleared for `disconnected` and `connecting`.
    mutating func report(_ state: StreamState, _ reason: String, into actions: inout [ConnectionAction]) {
        guard reportedState != state else { return }
        reportedState = state
        reportedSubscriptionStates.removeAll(keepingCapacity: true)
        actions.append(.status(ConnectionStatus(state: state, reason: reason)))
    }

    /// Emits a per-subscription status when it differs from what was last said about it.
    mutating func report(_ state: StreamState, _ reason: String, subscription: Subscription,
                         into actions: inout [ConnectionAction]) {
        guard subscriptionSet.contains(subscription), reportedSubscriptionStates[subscription] != state else { return }
        reportedSubscriptionStates[subscription] = state
        actions.append(.status(ConnectionStatus(state: state, reason: reason, subscription: subscription)))
    }

    /// Recomputes ``nextDeadline`` and asks for a timer when it moved earlier than the one
    /// already requested (a later deadline just makes the pending timer fire early, harmlessly).
    mutating func finish(now: Nanoseconds, into actions: inout [ConnectionAction]) {
        nextDeadline = computeNextDeadline(now: now)
        guard let deadline = nextDeadline else { return }
        if let scheduledAt, scheduledAt <= deadline { return }
        scheduledAt = deadline
        actions.append(.scheduleTimer(at: deadline))
    }
}
