import MarketModel
import VenueKit

/// What the I/O shell must do for a venue's pool, in order.
public enum PoolAction: Sendable, Hashable {
    /// An action for pooled connection (shard) `connection`. Never
    /// ``ConnectionAction/requestConnectSlot``, ``ConnectionAction/cancelConnectSlotRequest``
    /// or ``ConnectionAction/scheduleTimer(at:)``: the planner handles those itself.
    case connection(Int, ConnectionAction)
    /// Call ``PoolPlanner/tick(now:)`` at `at` (replaces the pool's earlier timer request).
    case scheduleTimer(at: Nanoseconds)

    /// The connection id and action, when this is a connection action.
    public var connectionAction: (connection: Int, action: ConnectionAction)? {
        if case .connection(let id, let action) = self { return (id, action) }
        return nil
    }
}

/// Tunables of a ``PoolPlanner``.
public struct PoolConfiguration: Sendable, Hashable {
    /// Per-connection tunables.
    public var lifecycle: ConnectionLifecycleConfiguration
    /// A per-connection cap below the venue's (never above it), e.g. to keep level-2 load per
    /// socket sane; `nil` uses ``VenueKit/VenueSpec/maxSubscriptionsPerConnection``.
    public var maxSubscriptionsPerConnection: Int?
    /// Seed of every connection's jitter stream (``SplitMix64/derivedSeed(_:index:)``).
    public var seed: UInt64
    /// A connect budget in place of the venue's ``VenueKit/VenueSpec/connectBudget`` (`nil`: the
    /// venue's). The demo scales the window by its replay speed, as it does stale windows.
    public var connectBudget: ConnectBudget?

    /// Memberwise initializer.
    public init(lifecycle: ConnectionLifecycleConfiguration = ConnectionLifecycleConfiguration(),
                maxSubscriptionsPerConnection: Int? = nil, seed: UInt64 = 0x5E55_1045, connectBudget: ConnectBudget? = nil) {
        self.lifecycle = lifecycle
        self.maxSubscriptionsPerConnection = maxSubscriptionsPerConnection
        self.seed = seed
        self.connectBudget = connectBudget
    }
}
