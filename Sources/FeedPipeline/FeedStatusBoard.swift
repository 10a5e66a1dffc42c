import MarketModel

/// Merges the per-connection `status` events of one or more ``FeedPipeline``s into the state a
/// subscriber sees per (venue, symbol, channel).
///
/// A subscription may briefly live on two connections: the session layer rotates make-before-break
/// (Binance `serverShutdown`, the 24 h cutoff), so the new connection reports `connecting` while the
/// old one is still `live`, and the old one reports `disconnected` after the new one is `live`.
/// Subscribers should see neither. The board keeps each connection's state and publishes the best
/// one (`live` > `resyncing` > `stale` > `connecting` > `disconnected`; no carrier = `disconnected`)
/// whenever it changes — or, when the event's own state is the published one, whenever its reason
/// changes (a second `resyncing` for a new gap). With one connection it only drops exact repeats.
/// Venue-wide statuses (no symbol) and every other event pass through unchanged.
public struct FeedStatusBoard: Sendable {
    struct Key: Hashable, Sendable {
        var venue: VenueID
        var symbol: Symbol
        var channel: Channel?
    }

    struct Published: Sendable {
        var state: StreamState
        var reason: String
    }

    var carriers: [Key: [Int: StreamState]] = [:]
    var published: [Key: Published] = [:]

    /// An empty board.
    public init() {}

    /// The event to publish for `event` from connection `connection`, or `nil` when it changes
    /// nothing a subscriber can see.
    public mutating func merge(_ event: MarketEvent, connection: Int) -> MarketEvent? {
        guard case .status(let status) = event, let symbol = status.symbol else { return event }
        let key = Key(venue: status.venue, symbol: symbol, channel: status.channel)
        if status.state == .disconnected {
            carriers[key]?[connection] = nil
        } else {
            carriers[key, default: [:]][connection] = status.state
        }
        let best = carriers[key]?.values.max { Self.rank($0) < Self.rank($1) } ?? .disconnected
        if let previous = published[key], previous.state == best,
           best != status.state || previous.reason == status.reason {
            return nil
        }
        published[key] = Published(state: best, reason: status.reason)
        var merged = status
        merged.state = best
        return .status(merged)
    }

    /// The state subscribers were last told for `(venue, symbol, channel)`.
    public func state(venue: VenueID, symbol: Symbol, channel: Channel?) -> StreamState? {
        published[Key(venue: venue, symbol: symbol, channel: channel)]?.state
    }

    static func rank(_ state: StreamState) -> Int {
        switch state {
        case .disconnected: return 0
        case .connecting: return 1
        case .stale: return 2
        case .resyncing: return 3
        case .live: return 4
        }
    }
}
