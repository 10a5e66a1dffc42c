import MarketModel
import VenueKit

// Live (un)subscribe on a running connection (issue #4: "a connection reused for new
// subscriptions when it has room"). The adapter that parses the connection's messages also builds
// the frames, so its parse state (Bitfinex channel ids, Kraken symbol maps) stays consistent.

extension FeedPipeline {
    /// Why `subscription` cannot be served by `adapter`, or `nil` when it can.
    static func rejectionReason(_ subscription: Subscription, adapter: Adapter) -> String? {
        if Adapter.spec.channelNames[subscription.channel] == nil {
            return "\(Adapter.spec.id) has no \(subscription.channel) channel"
        }
        if adapter.venueSymbol(for: subscription.symbol) == nil {
            return "\(Adapter.spec.id) has no instrument for \(subscription.symbol)"
        }
        return nil
    }

    /// Adds `subscriptions` to this connection. Ones already carried are ignored; ones the adapter
    /// cannot serve (unknown channel, or a symbol outside the adapter's table — see
    /// ``FeedPipelineConfiguration/knownSymbols``) get a `disconnected` status naming why. On an
    /// open connection the new ones go `connecting` and their subscribe frames are sent; on a
    /// closed one they are subscribed with the rest by the next ``connectionOpened(into:)``.
    public mutating func addSubscriptions(_ subscriptions: [Subscription], into output: inout FeedOutput) {
        var added: [Subscription] = []
        for sub in subscriptions where states.slot(sub.symbol, sub.channel) == nil {
            if let reason = Self.rejectionReason(sub, adapter: adapter) {
                if !rejections.contains(where: { $0.subscription == sub }) {
                    rejections.append(Rejection(subscription: sub, reason: reason))
                }
                output.events.append(.status(StatusEvent(venue: venue, symbol: sub.symbol, channel: sub.channel,
                                                         state: .disconnected, reason: "rejected: \(reason)")))
                continue
            }
            guard states.add(sub) else { continue }
            configuration.subscriptions.append(sub)
            added.append(sub)
        }
        guard isOpen, !added.isEmpty else { return }
        for sub in added {
            if let i = states.slot(sub.symbol, sub.channel) { states.set(i, .connecting, reason: "", into: &output.events) }
        }
        for frame in adapter.subscribeFrames(for: added) { output.actions.append(.send(frame)) }
    }

    /// Removes `subscriptions` from this connection: unsubscribe frames on an open connection, a
    /// final `disconnected` status with reason `unsubscribed`, and the symbol's book dropped when
    /// its book subscription goes (a later subscribe bootstraps it afresh).
    public mutating func removeSubscriptions(_ subscriptions: [Subscription], into output: inout FeedOutput) {
        var removed: [Subscription] = []
        for sub in subscriptions {
            guard let i = states.slot(sub.symbol, sub.channel) else { continue }
            states.set(i, .disconnected, reason: "unsubscribed", into: &output.events)
            _ = states.remove(sub)
            configuration.subscriptions.removeAll { $0 == sub }
            removed.append(sub)
            if sub.channel == .book {
                books.remove(symbol: sub.symbol)
                pendingSnapshots.remove(sub.symbol)
            }
        }
        guard isOpen, !removed.isEmpty else { return }
        for frame in adapter.unsubscribeFrames(for: removed) { output.actions.append(.send(frame)) }
    }
}
