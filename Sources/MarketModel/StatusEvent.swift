/// The health of a venue connection or of one symbol's channel (SPEC §5 `"type":"status"`).
public struct StatusEvent: Sendable, Hashable {
    /// The venue concerned.
    public var venue: VenueID
    /// The symbol concerned, or `nil` for the whole venue / connection.
    public var symbol: Symbol?
    /// The channel concerned, or `nil` for all channels.
    public var channel: Channel?
    /// The new state.
    public var state: StreamState
    /// Why, in words (`"gap: expected 101 got 103"`, `"checksum: expected 1 computed 2"`); may be empty.
    public var reason: String

    /// Memberwise initializer.
    public init(venue: VenueID, symbol: Symbol? = nil, channel: Channel? = nil, state: StreamState, reason: String = "") {
        self.venue = venue
        self.symbol = symbol
        self.channel = channel
        self.state = state
        self.reason = reason
    }
}

/// The states of SPEC §5's status line.
public enum StreamState: String, Sendable, Hashable, CaseIterable {
    /// Opening the connection / subscribing.
    case connecting
    /// Data is flowing and, for books, consistent.
    case live
    /// No data within the channel's stale-after window.
    case stale
    /// The book was found inconsistent and is being rebuilt; do not trust earlier levels.
    case resyncing
    /// The connection is down.
    case disconnected
}
