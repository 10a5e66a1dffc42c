import VenueKit

/// Names one GCRA cell of the ``OrderThrottle``: a venue limit applied to one owner — a venue's
/// order connection (scope `.connection`) or an account (scope `.account`, shared by every venue
/// configuration that names the same account).
public struct ThrottleKey: Sendable, Hashable, CustomStringConvertible {
    /// What the limit counts against.
    public var scope: OrderRateLimit.Scope
    /// The venue id for connection limits, the account name for account limits.
    public var owner: String
    /// The limit's name (``VenueKit/OrderRateLimit/name``).
    public var limit: String

    /// Memberwise initializer.
    public init(scope: OrderRateLimit.Scope, owner: String, limit: String) {
        self.scope = scope
        self.owner = owner
        self.limit = limit
    }

    /// `connection:binance:orders/10s`.
    public var description: String { "\(scope.rawValue):\(owner):\(limit)" }
}
