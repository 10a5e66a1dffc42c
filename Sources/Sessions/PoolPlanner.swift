import MarketModel
import VenueKit

/// The sans-IO session pool of one venue: configuration (symbols × channels) → connections.
///
/// It shards the subscriptions under the per-connection cap (``SubscriptionSharder``), runs one
/// ``ConnectionLifecycle`` per shard, and hands out connect attempts from the venue's single
/// ``ConnectBudgetLimiter`` in FIFO order, so a mass reconnect (1,000 connections dropped at
/// once) spreads by jitter and never exceeds the venue's per-IP connect limit (Binance 300 / 5
/// min [BN-STR]). An HTTP 429/418 on any connect suspends the whole budget: those limits are per
/// IP, not per socket (BN-API).
///
/// The shell performs ``PoolAction``s, reports socket events with ``on(_:connection:now:)``,
/// feeds adapter frames back with ``enqueue(_:connection:generation:lane:now:)`` and keeps one
/// timer for ``tick(now:)``.
public struct PoolPlanner: Sendable {
    /// The venue's facts.
    public let spec: VenueSpec
    /// The tunables.
    public let configuration: PoolConfiguration
    /// Which connection carries which subscription.
    public private(set) var sharder: SubscriptionSharder
    /// The venue's connect budget, shared by all connections.
    public private(set) var budget: ConnectBudgetLimiter
    private var lifecycles: [Int: ConnectionLifecycle] = [:]
    /// Connections waiting for a connect slot, first come first served. At most one entry per
    /// connection (a lifecycle never has two requests out), so it is bounded by the pool size.
    private var waiting: BoundedQueue<Int> = BoundedQueue(capacity: .max)
    /// Each connection's last requested timer.
    private var deadlines: [Int: Nanoseconds] = [:]
    private var scheduledAt: Nanoseconds?
    /// The earliest timer asked for while handling the current call.
    private var pendingTimer: Nanoseconds?

    /// An empty pool for `spec`.
    public init(spec: VenueSpec, configuration: PoolConfiguration = PoolConfiguration()) {
        self.spec = spec
        self.configuration = configuration
        let cap = min(spec.maxSubscriptionsPerConnection, configuration.maxSubscriptionsPerConnection ?? .max)
        self.sharder = SubscriptionSharder(capacity: cap)
        // No declared budget: a zero window grants every attempt but still honours suspensions.
        self.budget = ConnectBudgetLimiter(budget: configuration.connectBudget ?? spec.connectBudget ?? ConnectBudget(attempts: 1, window: 0))
    }

    /// The subscriptions for `symbols` × `channels` the adapter supports (config → wanted set).
    public static func subscriptions(symbols: [Symbol], channels: [Channel], spec: VenueSpec) -> [Subscription] {
        symbols.flatMap { symbol in
            channels.filter(spec.supportedChannels.contains).map { Subscription(symbol: symbol, channel: $0) }
        }
    }

    /// Live connection ids, ascending.
    public var connectionIDs: [Int] { lifecycles.keys.sorted() }

    /// The lifecycle of `connection`, for status pages and tests.
    public func lifecycle(_ connection: Int) -> ConnectionLifecycle? { lifecycles[connection] }

    /// How many connections wait for a connect slot.
    public var waitingForSlot: Int { waiting.count }

    /// The earliest time the pool needs a tick (O(connections)).
    public var nextDeadline: Nanoseconds? {
        var next = deadlines.values.min()
        if !waiting.isEmpty { next = min(next ?? .max, budget.earliestGrant(now: .min)) }
        return next
    }

    /// Makes the pool carry exactly `desired`: new shards are started, emptied shards stopped,
    /// the others subscribe / unsubscribe the difference. Existing subscriptions never move.
    public mutating func setSubscriptions(_ desired: some Sequence<Subscription>, now: Nanoseconds) -> [PoolAction] {
        var out: [PoolAction] = []
        for change in sharder.update(to: desired) {
            let id = change.connection
            if change.isNewConnection {
                let seed = SplitMix64.derivedSeed(configuration.seed, index: id)
                var lifecycle = ConnectionLifecycle(id: id, spec: spec, configuration: configuration.lifecycle,
                                                    random: SplitMix64(seed: seed))
                _ = lifecycle.addSubscriptions(change.subscribe, now: now)
                let started = lifecycle.on(.start, now: now)
                lifecycles[id] = lifecycle
                absorb(id, started, now: now, into: &out)
                continue
            }
            if change.isRemoved {
                let actions = lifecycles[id]?.on(.stop(reason: "no subscriptions left"), now: now) ?? []
                absorb(id, actions, now: now, into: &out)
                lifecycles[id] = nil
                deadlines[id] = nil
                waiting.removeAll { $0 == id }
                continue
            }
            if !change.unsubscribe.isEmpty {
                absorb(id, lifecycles[id]?.removeSubscriptions(change.unsubscribe, now: now) ?? [], now: now, into: &out)
            }
            if !change.subscribe.isEmpty {
                absorb(id, lifecycles[id]?.addSubscriptions(change.subscribe, now: now) ?? [], now: now, into: &out)
            }
        }
        finish(now: now, into: &out)
        return out
    }

    /// Handles a socket event of `connection`.
    public mutating func on(_ event: ConnectionEvent, connection: Int, now: Nanoseconds) -> [PoolAction] {
        if case .connectFailed(_, let failure) = event, failure.isIPRateLimit,
           let hold = configuration.lifecycle.backoff.imposedDelay(for: failure) {
            budget.suspend(until: now + hold)
        }
        guard let actions = lifecycles[connection]?.on(event, now: now) else { return [] }
        var out: [PoolAction] = []
        absorb(connection, actions, now: now, into: &out)
        finish(now: now, into: &out)
        return out
    }

    /// Queues adapter frames for socket `generation` of `connection` (see
    /// ``ConnectionLifecycle/enqueue(_:generation:lane:now:)``).
    public mutating func enqueue(_ frames: [OutboundFrame], connection: Int, generation: Int, lane: OutboundLane,
                                 now: Nanoseconds) throws(OutboundQueueFull) -> [PoolAction] {
        guard lifecycles[connection] != nil else { return [] }
        var out: [PoolAction] = []
        var failure: OutboundQueueFull?
        do throws(OutboundQueueFull) {
            let actions = try lifecycles[connection]?.enqueue(frames, generation: generation, lane: lane, now: now) ?? []
            absorb(connection, actions, now: now, into: &out)
        } catch {
            failure = error
        }
        finish(now: now, into: &out)
        if let failure { throw failure }
        return out
    }

    /// The pool's timer fired: hand out connect slots that became available, then tick every
    /// connection whose deadline passed (ascending id, so runs are reproducible).
    public mutating func tick(now: Nanoseconds) -> [PoolAction] {
        if let scheduledAt, scheduledAt <= now { self.scheduledAt = nil }
        var out: [PoolAction] = []
        grantWaiting(now: now, into: &out)
        let due = deadlines.filter { $0.value <= now }.keys.sorted()
        for id in due {
            deadlines[id] = nil
            guard let actions = lifecycles[id]?.on(.tick, now: now) else { continue }
            absorb(id, actions, now: now, into: &out)
        }
        // The timer that fired is spent: ask for the true earliest deadline again (O(n)).
        if let next = nextDeadline { pendingTimer = min(pendingTimer ?? next, next) }
        finish(now: now, into: &out)
        return out
    }

    /// Stops every connection.
    public mutating func stop(reason: String, now: Nanoseconds) -> [PoolAction] {
        var out: [PoolAction] = []
        for id in connectionIDs {
            absorb(id, lifecycles[id]?.on(.stop(reason: reason), now: now) ?? [], now: now, into: &out)
        }
        waiting.removeAll { _ in true }
        deadlines.removeAll()
        return out
    }

    /// Routes a lifecycle's actions: slot requests go to the budget queue, timers into the
    /// pool's single timer, the rest out to the shell.
    private mutating func absorb(_ id: Int, _ actions: [ConnectionAction], now: Nanoseconds, into out: inout [PoolAction]) {
        for action in actions {
            switch action {
            case .requestConnectSlot:
                waiting.append(id)
                grantWaiting(now: now, into: &out)
                if waiting.elements.contains(id) {
                    let event = ConnectionEvent.connectSlotDelayed(until: budget.earliestGrant(now: now), reason: budgetWaitReason(now: now))
                    if let delayed = lifecycles[id]?.on(event, now: now) { absorb(id, delayed, now: now, into: &out) }
                }
            case .cancelConnectSlotRequest:
                waiting.removeAll { $0 == id }
            case .scheduleTimer(let at):
                deadlines[id] = at
                pendingTimer = min(pendingTimer ?? at, at)
            default:
                out.append(.connection(id, action))
            }
        }
    }

    /// Why a connect must wait: a venue-imposed suspension, or the budget.
    private func budgetWaitReason(now: Nanoseconds) -> String {
        if let until = budget.suspendedUntil, until > now { return "the venue refused connects (HTTP 429/418)" }
        return "the venue allows \(budget.budget.attempts) connects per \(durationText(budget.budget.window))"
    }

    /// Grants queued requests in order while the budget allows.
    private mutating func grantWaiting(now: Nanoseconds, into out: inout [PoolAction]) {
        while let id = waiting.first, budget.tryAcquire(now: now).isGranted {
            _ = waiting.popFirst()
            guard let actions = lifecycles[id]?.on(.connectSlotGranted, now: now) else { continue }
            absorb(id, actions, now: now, into: &out)
        }
        if !waiting.isEmpty {
            let at = budget.earliestGrant(now: now)
            pendingTimer = min(pendingTimer ?? at, at)
        }
    }

    /// Asks for the pool timer when a deadline requested during this call is earlier than the
    /// timer already pending (O(1): a later deadline only makes the pending timer fire early).
    private mutating func finish(now: Nanoseconds, into out: inout [PoolAction]) {
        guard let next = pendingTimer else { return }
        pendingTimer = nil
        let deadline = max(next, now)
        if let scheduledAt, scheduledAt <= deadline { return }
        scheduledAt = deadline
        out.append(.scheduleTimer(at: deadline))
    }
}
