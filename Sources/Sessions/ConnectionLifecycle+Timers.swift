import MarketModel
import VenueKit

/// Timers: everything time-driven happens on ``ConnectionEvent/tick``.
extension ConnectionLifecycle {
    mutating func tick(now: Nanoseconds, into actions: inout [ConnectionAction]) {
        if let scheduledAt, scheduledAt <= now { self.scheduledAt = nil }
        tickServingLeg(now: now, into: &actions)
        tickRotation(now: now, into: &actions)
    }

    private mutating func tickServingLeg(now: Nanoseconds, into actions: inout [ConnectionAction]) {
        if case .backoff(let until)? = primary?.wait, now >= until {
            primary = .waiting(.awaitingSlot)
            actions.append(.requestConnectSlot)
            return
        }
        guard let socket = primary?.socket else { return }
        guard socket.isOpen else {
            if now >= socket.connectStartedAt + configuration.connectTimeout {
                dropServingSocket(reason: "connect timeout after \(durationText(configuration.connectTimeout))", now: now, into: &actions)
            }
            return
        }
        var sent: [OutboundFrame] = []
        var detected: [LivenessAction] = []
        withSocket(socket.generation) { socket in
            sent = socket.pump(now: now)
            detected = socket.liveness?.tick(now: now) ?? []
        }
        if !sent.isEmpty { actions.append(.send(generation: socket.generation, sent)) }
        for action in detected {
            switch action {
            case .peerDead(let silence):
                dropServingSocket(reason: "dead peer: no frame for \(durationText(silence))", now: now, into: &actions)
                return
            case .dataIdle(let silence):
                dropServingSocket(reason: "data idle: no data for \(durationText(silence))", now: now, into: &actions)
                return
            case .stale(let subscription, let silence):
                report(.stale, "no data for \(durationText(silence)) (stale after \(durationText(staleAfter(for: subscription))))",
                       subscription: subscription, into: &actions)
            case .live(let subscription):
                report(.live, "receiving data", subscription: subscription, into: &actions)
            }
        }
        checkRotationTriggers(now: now, into: &actions)
    }

    private mutating func tickRotation(now: Nanoseconds, into actions: inout [ConnectionAction]) {
        guard let rotation else { return }
        if case .backoff(let until)? = rotation.leg.wait, now >= until {
            self.rotation?.leg = .waiting(.awaitingSlot)
            actions.append(.requestConnectSlot)
            return
        }
        guard let socket = rotation.leg.socket else { return }
        guard socket.isOpen else {
            if now >= socket.connectStartedAt + configuration.connectTimeout {
                let reason = "connect timeout after \(durationText(configuration.connectTimeout))"
                actions.append(.close(generation: socket.generation, reason: reason))
                rotationFailed(failure: .network(reason), now: now, into: &actions)
            }
            return
        }
        var sent: [OutboundFrame] = []
        var detected: [LivenessAction] = []
        withSocket(socket.generation) { socket in
            sent = socket.pump(now: now)
            detected = socket.liveness?.tick(now: now) ?? []
        }
        if !sent.isEmpty { actions.append(.send(generation: socket.generation, sent)) }
        // Only a dead replacement matters here; its stale subscriptions are judged at cut-over.
        for case .peerDead(let silence) in detected {
            let reason = "dead peer: no frame for \(durationText(silence))"
            actions.append(.close(generation: socket.generation, reason: reason))
            rotationFailed(failure: .network(reason), now: now, into: &actions)
            return
        }
        checkRotationSettled(now: now, into: &actions)
    }

    /// The earliest deadline of both legs.
    func computeNextDeadline(now: Nanoseconds) -> Nanoseconds? {
        var deadlines: [Nanoseconds?] = []
        if case .backoff(let until)? = primary?.wait { deadlines.append(until) }
        if let socket = primary?.socket {
            deadlines.append(socket.nextDeadline(now: now, connectTimeout: configuration.connectTimeout))
            if rotation == nil {
                deadlines.append(socket.rotateAt)
                deadlines.append(returnToPrimaryDeadline(socket: socket))
            }
        }
        if let rotation {
            if case .backoff(let until)? = rotation.leg.wait { deadlines.append(until) }
            if let socket = rotation.leg.socket {
                deadlines.append(socket.nextDeadline(now: now, connectTimeout: configuration.connectTimeout))
                if let openedAt = socket.openedAt { deadlines.append(openedAt + configuration.rotationSettleTimeout) }
            }
        }
        return deadlines.compactMap { $0 }.min()
    }
}
