import MarketModel
import VenueKit

/// A `status` change that the lifecycle reports (SPEC §5 `"type":"status"`), for one
/// subscription or for every subscription the connection carries.
public struct ConnectionStatus: Sendable, Hashable {
    /// The new state.
    public var state: StreamState
    /// Why, in words (`"close 1006: reset; retrying in 740ms"`).
    public var reason: String
    /// The subscription concerned, or `nil` for all of the connection's subscriptions.
    public var subscription: Subscription?

    /// Memberwise initializer.
    public init(state: StreamState, reason: String, subscription: Subscription? = nil) {
        self.state = state
        self.reason = reason
        self.subscription = subscription
    }

    /// The SPEC §5 status events for `venue`: one for ``subscription``, or one per entry of
    /// `carried` when the status concerns the whole connection.
    public func statusEvents(venue: VenueID, carried: [Subscription]) -> [StatusEvent] {
        let concerned = subscription.map { [$0] } ?? carried
        return concerned.map {
            StatusEvent(venue: venue, symbol: $0.symbol, channel: $0.channel, state: state, reason: reason)
        }
    }
}
