import MarketModel

/// The stale-data guard's view of market data health, fed with the same `status` events the
/// subscribers see (SPEC §5). The latest event wins: a venue-wide `disconnected` (no symbol)
/// overrides earlier per-symbol `live` states until a newer per-symbol event arrives.
public struct MarketDataGuard: Sendable {
    private struct Scope: Hashable {
        var venue: VenueID
        var symbol: Symbol?
        var channel: Channel?
    }

    private var states: [Scope: (state: StreamState, order: UInt64)] = [:]
    private var channelsSeen: [VenueID: Set<Channel>] = [:]
    private var counter: UInt64 = 0

    /// A guard that has seen nothing.
    public init() {}

    /// Records a status event (symbol and channel may be absent: venue-wide or all channels).
    public mutating func record(_ status: StatusEvent) {
        counter += 1
        states[Scope(venue: status.venue, symbol: status.symbol, channel: status.channel)] = (status.state, counter)
        if let channel = status.channel { channelsSeen[status.venue, default: []].insert(channel) }
    }

    /// The newest state that applies to `channel` of `symbol`, if any.
    public func state(venue: VenueID, symbol: Symbol, channel: Channel) -> StreamState? {
        let scopes = [Scope(venue: venue, symbol: symbol, channel: channel), Scope(venue: venue, symbol: symbol, channel: nil),
                      Scope(venue: venue, symbol: nil, channel: channel), Scope(venue: venue, symbol: nil, channel: nil)]
        return scopes.compactMap { states[$0] }.max { $0.order < $1.order }?.state
    }

    /// Why a new order for `symbol` must be refused, or `nil` when the data is trustworthy.
    public func refusal(venue: VenueID, symbol: Symbol, configuration: StaleDataGuardConfiguration) -> String? {
        guard configuration.isEnabled else { return nil }
        for channel in (channelsSeen[venue] ?? []).sorted(by: { $0.rawValue < $1.rawValue }) where channel != .book && channel != .orders {
            if let state = state(venue: venue, symbol: symbol, channel: channel), state == .stale || state == .disconnected {
                return "market data for \(symbol) on \(venue) is \(state.rawValue) (\(channel.rawValue))"
            }
        }
        switch state(venue: venue, symbol: symbol, channel: .book) {
        case .live?:
            return nil
        case let state?:
            return "the \(symbol) book on \(venue) is \(state.rawValue), not live"
        case nil:
            return configuration.requiresLiveBook ? "the \(symbol) book on \(venue) has no live status yet" : nil
        }
    }
}
