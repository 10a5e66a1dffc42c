import MarketModel
import VenueKit

/// Make-before-break rotation: open the replacement, subscribe it, wait until it is live, then
/// promote it and close the old socket — so a forced cutoff (Binance 24 h), a venue's
/// reconnect request (Binance `serverShutdown` [BN-STR], OKX notice 64008, Bitfinex 20051) or a
/// return to the primary endpoint costs no gap in data.
extension ConnectionLifecycle {
    mutating func reconnectRequested(generation: Int, reason: String, now: Nanoseconds,
                                     into actions: inout [ConnectionAction]) {
        if primary?.socket?.generation == generation {
            if rotation?.isReturnToPrimary == true {
                // Already replacing this socket; a venue-requested reconnect is just more urgent.
                rotation?.reason = "venue requested reconnect: \(reason)"
                return
            }
            startRotation(reason: "venue requested reconnect: \(reason)", endpoint: endpoints.current,
                          isReturnToPrimary: false, into: &actions)
        } else if rotation?.leg.socket?.generation == generation {
            // The replacement itself is being shut down: try another one.
            actions.append(.close(generation: generation, reason: "venue requested reconnect: \(reason)"))
            rotationFailed(failure: .network("venue requested reconnect: \(reason)"), now: now, into: &actions)
        }
    }

    /// Begins a rotation of the serving socket (only from an open one, only one at a time).
    mutating func startRotation(reason: String, endpoint: Int, isReturnToPrimary: Bool,
                                into actions: inout [ConnectionAction]) {
        guard rotation == nil, primary?.socket?.isOpen == true else { return }
        rotation = Rotation(leg: .waiting(.awaitingSlot), reason: reason, endpoint: endpoint,
                            backoff: ReconnectBackoff(configuration: configuration.backoff),
                            isReturnToPrimary: isReturnToPrimary)
        actions.append(.requestConnectSlot)
    }

    /// Rotation triggers checked on every tick: the lifetime deadline and the return to the
    /// primary endpoint.
    mutating func checkRotationTriggers(now: Nanoseconds, into actions: inout [ConnectionAction]) {
        guard rotation == nil, let socket = primary?.socket, let openedAt = socket.openedAt else { return }
        if let rotateAt = socket.rotateAt, now >= rotateAt, let maxLifetime {
            startRotation(reason: "connection lifetime \(durationText(maxLifetime)) ends at +\(durationText(openedAt + maxLifetime - now))",
                          endpoint: endpoints.current, isReturnToPrimary: false, into: &actions)
        } else if let due = returnToPrimaryDeadline(socket: socket), now >= due {
            startRotation(reason: "returning to primary endpoint", endpoint: 0, isReturnToPrimary: true, into: &actions)
        }
    }

    /// When the serving socket should try to move back to the primary endpoint.
    func returnToPrimaryDeadline(socket: SessionSocket) -> Nanoseconds? {
        guard let openedAt = socket.openedAt,
              let due = endpoints.returnToPrimaryTime(endpoint: socket.endpoint, connectedAt: openedAt) else { return nil }
        return max(due, nextReturnProbeAt ?? due)
    }

    /// The replacement failed (connect failure, early close, dead, no data). The serving socket
    /// is unaffected, so no status changes; retry with the rotation's own backoff, or give up a
    /// return-to-primary probe until the next period.
    mutating func rotationFailed(failure: TransportFailure, now: Nanoseconds, into actions: inout [ConnectionAction]) {
        guard var rotation else { return }
        endpoints.recordFailure(endpoint: rotation.endpoint, isRetryable: failure.isRetryable)
        if rotation.isReturnToPrimary {
            self.rotation = nil
            nextReturnProbeAt = now + configuration.returnToPrimaryAfter
            return
        }
        let delay = rotation.backoff.recordFailure(failure, now: now, using: &random)
        rotation.endpoint = endpoints.current
        rotation.leg = delay <= 0 ? .waiting(.awaitingSlot) : .waiting(.backoff(until: now + delay))
        self.rotation = rotation
        if delay <= 0 { actions.append(.requestConnectSlot) }
    }

    /// Promotes the replacement and closes the old socket. Subscription statuses follow the
    /// replacement's clocks from here on; only real changes are reported.
    mutating func cutOver(now: Nanoseconds, into actions: inout [ConnectionAction]) {
        guard let rotation, let replacement = rotation.leg.socket, replacement.isOpen else { return }
        if let old = primary?.socket {
            actions.append(.promote(generation: replacement.generation))
            actions.append(.close(generation: old.generation, reason: "rotated: \(rotation.reason)"))
        } else {
            actions.append(.promote(generation: replacement.generation))
        }
        if rotation.isReturnToPrimary { endpoints.adopt(endpoint: rotation.endpoint) }
        nextReturnProbeAt = nil
        backoff.recordConnected(now: replacement.openedAt ?? now)
        primary = .on(replacement)
        self.rotation = nil
        if replacement.hasData { endpoints.recordSuccess(endpoint: replacement.endpoint) }
        for subscription in subscriptions {
            switch replacement.liveness?.state(of: subscription) {
            case .live?: report(.live, "receiving data", subscription: subscription, into: &actions)
            case .stale?: report(.stale, "no data after rotation", subscription: subscription, into: &actions)
            case .awaitingData?, nil: break
            }
        }
    }

    /// The settle rule: once the replacement has been subscribed for the settle timeout, cut
    /// over if it delivers data, or if the old socket delivered none either since the
    /// replacement opened (nothing to lose); otherwise the replacement is broken.
    mutating func checkRotationSettled(now: Nanoseconds, into actions: inout [ConnectionAction]) {
        guard let replacement = rotation?.leg.socket, let openedAt = replacement.openedAt,
              now >= openedAt + configuration.rotationSettleTimeout else { return }
        let oldHadData = (primary?.socket?.liveness?.lastDataAt ?? .min) > openedAt
        if replacement.hasData || !oldHadData {
            cutOver(now: now, into: &actions)
        } else {
            let reason = "replacement delivered no data within \(durationText(configuration.rotationSettleTimeout))"
            actions.append(.close(generation: replacement.generation, reason: reason))
            rotationFailed(failure: .network(reason), now: now, into: &actions)
        }
    }
}
