import MarketModel
import VenueKit

/// What one connection must do after a ``SubscriptionSharder`` change.
public struct ShardChange: Sendable, Hashable {
    /// The connection (shard) id.
    public var connection: Int
    /// Subscriptions to subscribe on it, in the sharder's canonical order.
    public var subscribe: [Subscription]
    /// Subscriptions to unsubscribe on it, in canonical order.
    public var unsubscribe: [Subscription]
    /// The connection is new: open it (its subscribe list is everything it carries).
    public var isNewConnection: Bool
    /// The connection carries nothing any more: close it (nothing to unsubscribe first).
    public var isRemoved: Bool

    /// Memberwise initializer.
    public init(connection: Int, subscribe: [Subscription] = [], unsubscribe: [Subscription] = [],
                isNewConnection: Bool = false, isRemoved: Bool = false) {
        self.connection = connection
        self.subscribe = subscribe
        self.unsubscribe = unsubscribe
        self.isNewConnection = isNewConnection
        self.isRemoved = isRemoved
    }
}

/// Assigns a venue's subscriptions (symbol × channel) to connections under the per-connection
/// cap (``VenueKit/VenueSpec/maxSubscriptionsPerConnection``: Binance 1024 streams [BN-STR],
/// Binance USD-M 200, Bitfinex 25 channels [BFX-PUB], OKX ~30 depth channels [OKX-BOOK]).
///
/// Rules, all deterministic (same inputs ⇒ same ids and lists, independent of hash seeds):
/// - new subscriptions are placed in canonical order (symbol, then channel — a symbol's channels
///   land together) first-fit into the lowest-numbered connection with room, then into new
///   connections with fresh, never reused ids;
/// - removing subscriptions frees room for later additions;
/// - an existing subscription is **never moved**: moving one costs an unsubscribe, a subscribe
///   and a snapshot, and gains nothing while every connection is within the cap;
/// - a connection left empty is removed (closed), except within one ``update(to:)`` whose
///   additions refill it.
public struct SubscriptionSharder: Sendable {
    /// The most subscriptions one connection carries.
    public let capacity: Int
    private var shards: [Int: Set<Subscription>] = [:]
    private var assignment: [Subscription: Int] = [:]
    /// The id the next new connection gets.
    public private(set) var nextConnectionID: Int

    /// A sharder with no subscriptions; capacities below 1 are treated as 1.
    public init(capacity: Int, firstConnectionID: Int = 0) {
        self.capacity = max(1, capacity)
        self.nextConnectionID = firstConnectionID
    }

    /// A sharder under `spec`'s per-connection cap.
    public init(spec: VenueSpec) {
        self.init(capacity: spec.maxSubscriptionsPerConnection)
    }

    /// The canonical order: symbol, then channel.
    public static func canonicalOrder(_ lhs: Subscription, _ rhs: Subscription) -> Bool {
        lhs.symbol != rhs.symbol ? lhs.symbol < rhs.symbol : lhs.channel.rawValue < rhs.channel.rawValue
    }

    /// Live connection ids, ascending.
    public var connectionIDs: [Int] { shards.keys.sorted() }

    /// All assigned subscriptions.
    public var subscriptionCount: Int { assignment.count }

    /// The connection carrying `subscription`, if any.
    public func connection(for subscription: Subscription) -> Int? { assignment[subscription] }

    /// What `connection` carries, in canonical order.
    public func subscriptions(on connection: Int) -> [Subscription] {
        (shards[connection] ?? []).sorted(by: Self.canonicalOrder)
    }

    /// Free places on `connection` (0 for unknown ids).
    public func room(on connection: Int) -> Int {
        shards[connection].map { capacity - $0.count } ?? 0
    }

    /// Adds `subscriptions` (already assigned ones are ignored) and returns the per-connection
    /// subscribe lists, ascending by connection.
    public mutating func add(_ subscriptions: some Sequence<Subscription>) -> [ShardChange] {
        var changes = Changes()
        place(subscriptions, into: &changes)
        return changes.finished(removingEmptyFrom: &self)
    }

    /// Removes `subscriptions` (unknown ones are ignored) and returns the unsubscribe lists;
    /// connections left empty come back with ``ShardChange/isRemoved``.
    public mutating func remove(_ subscriptions: some Sequence<Subscription>) -> [ShardChange] {
        var changes = Changes()
        unplace(subscriptions, into: &changes)
        return changes.finished(removingEmptyFrom: &self)
    }

    /// Makes the assigned set equal to `desired`: removals first (their room is reused by the
    /// additions of the same call), then additions, one merged change per connection.
    public mutating func update(to desired: some Sequence<Subscription>) -> [ShardChange] {
        let target = Set(desired)
        var changes = Changes()
        unplace(assignment.keys.filter { !target.contains($0) }, into: &changes)
        place(target.filter { assignment[$0] == nil }, into: &changes)
        return changes.finished(removingEmptyFrom: &self)
    }

    private mutating func place(_ subscriptions: some Sequence<Subscription>, into changes: inout Changes) {
        let assigned = assignment
        let fresh = Set(subscriptions.filter { assigned[$0] == nil }).sorted(by: Self.canonicalOrder)
        guard !fresh.isEmpty else { return }
        var candidates = connectionIDs.filter { room(on: $0) > 0 }[...]
        for subscription in fresh {
            let target: Int
            if let open = candidates.first {
                target = open
            } else {
                target = nextConnectionID
                nextConnectionID += 1
                shards[target] = []
                changes.created.insert(target)
                candidates.append(target)
            }
            shards[target, default: []].insert(subscription)
            assignment[subscription] = target
            changes.subscribe[target, default: []].append(subscription)
            if room(on: target) == 0 { candidates.removeFirst() }
        }
    }

    private mutating func unplace(_ subscriptions: some Sequence<Subscription>, into changes: inout Changes) {
        for subscription in subscriptions {
            guard let connection = assignment.removeValue(forKey: subscription) else { continue }
            shards[connection]?.remove(subscription)
            changes.unsubscribe[connection, default: []].append(subscription)
        }
    }

    fileprivate mutating func dropIfEmpty(_ connection: Int) -> Bool {
        guard shards[connection]?.isEmpty == true else { return false }
        shards[connection] = nil
        return true
    }

    /// Accumulates one call's changes per connection.
    private struct Changes {
        var subscribe: [Int: [Subscription]] = [:]
        var unsubscribe: [Int: [Subscription]] = [:]
        var created: Set<Int> = []

        func finished(removingEmptyFrom sharder: inout SubscriptionSharder) -> [ShardChange] {
            let touched = Set(subscribe.keys).union(unsubscribe.keys).sorted()
            return touched.compactMap { connection in
                let isRemoved = sharder.dropIfEmpty(connection)
                let isNew = created.contains(connection)
                // A connection created and emptied in the same call never existed for the caller.
                if isRemoved && isNew { return nil }
                return ShardChange(connection: connection,
                                   subscribe: (subscribe[connection] ?? []).sorted(by: SubscriptionSharder.canonicalOrder),
                                   // A removed connection is closed, not unsubscribed stream by stream.
                                   unsubscribe: isRemoved ? [] : (unsubscribe[connection] ?? []).sorted(by: SubscriptionSharder.canonicalOrder),
                                   isNewConnection: isNew, isRemoved: isRemoved)
            }
        }
    }
}
