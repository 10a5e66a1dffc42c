import MarketModel
import VenueKit

/// The per-connection state of every subscription (SPEC §5 `status` states), with the time of its
/// last data for the stale guard. Emits a `status` event only when a subscription's state or
/// reason actually changes, so a venue that acks twice or a book that reports `live` again never
/// repeats a line.
struct SubscriptionStates: Sendable {
    let venue: VenueID
    private(set) var subscriptions: [Subscription] = []
    private var index: [Subscription: Int] = [:]
    private(set) var states: [StreamState] = []
    private var reasons: [String] = []
    /// When the subscription last carried data (or went live), for ``FeedPipeline/checkStaleness(now:into:)``.
    private(set) var lastActivity: [Nanoseconds?] = []

    init(venue: VenueID, subscriptions: [Subscription]) {
        self.venue = venue
        for sub in subscriptions where index[sub] == nil {
            index[sub] = self.subscriptions.count
            self.subscriptions.append(sub)
        }
        states = Array(repeating: .disconnected, count: self.subscriptions.count)
        reasons = Array(repeating: "", count: self.subscriptions.count)
        lastActivity = Array(repeating: nil, count: self.subscriptions.count)
    }

    /// The slot of `(symbol, channel)`, or `nil` when this connection does not carry it.
    @inline(__always)
    func slot(_ symbol: Symbol, _ channel: Channel) -> Int? {
        index[Subscription(symbol: symbol, channel: channel)]
    }

    /// Moves slot `i` to `state`, appending a `status` event when (state, reason) changed.
    mutating func set(_ i: Int, _ state: StreamState, reason: String, into events: inout [MarketEvent]) {
        guard states[i] != state || reasons[i] != reason else { return }
        states[i] = state
        reasons[i] = reason
        let sub = subscriptions[i]
        events.append(.status(StatusEvent(venue: venue, symbol: sub.symbol, channel: sub.channel, state: state, reason: reason)))
    }

    /// Records data (or a live transition) at `time` for slot `i`.
    @inline(__always)
    mutating func touch(_ i: Int, at time: Nanoseconds) {
        lastActivity[i] = time
    }

    /// Adds `subscription` in state `disconnected` (no event); `false` if already carried.
    mutating func add(_ subscription: Subscription) -> Bool {
        guard index[subscription] == nil else { return false }
        index[subscription] = subscriptions.count
        subscriptions.append(subscription)
        states.append(.disconnected)
        reasons.append("")
        lastActivity.append(nil)
        return true
    }

    /// Removes `subscription` (no event); `false` if not carried. Later slots shift down by one.
    mutating func remove(_ subscription: Subscription) -> Bool {
        guard let i = index[subscription] else { return false }
        subscriptions.remove(at: i)
        states.remove(at: i)
        reasons.remove(at: i)
        lastActivity.remove(at: i)
        index.removeAll(keepingCapacity: true)
        for (slot, sub) in subscriptions.enumerated() { index[sub] = slot }
        return true
    }

    /// Every slot back to `disconnected` without events (a fresh connection).
    mutating func reset() {
        for i in states.indices {
            states[i] = .disconnected
            reasons[i] = ""
            lastActivity[i] = nil
        }
    }
}
