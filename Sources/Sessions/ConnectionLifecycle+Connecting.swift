import MarketModel
import VenueKit

/// Connecting, opening, frames, drops and stopping.
extension ConnectionLifecycle {
    func makeSocket(endpoint: Int, now: Nanoseconds, generation: Int) -> SessionSocket {
        SessionSocket(generation: generation, endpoint: endpoint, connectStartedAt: now, outbound: outboundConfiguration)
    }

    mutating func start(now: Nanoseconds, into actions: inout [ConnectionAction]) {
        guard primary == nil, stoppedReason == nil else { return }
        primary = .waiting(.awaitingSlot)
        report(.connecting, "waiting for a connect slot", into: &actions)
        actions.append(.requestConnectSlot)
    }

    /// A budget slot arrived: it belongs to whichever leg is waiting for one (at most one is).
    mutating func slotGranted(now: Nanoseconds, into actions: inout [ConnectionAction]) {
        if primary?.wait == .awaitingSlot {
            let generation = takeGeneration()
            let socket = makeSocket(endpoint: endpoints.current, now: now, generation: generation)
            primary = .on(socket)
            let url = endpoints.url(at: socket.endpoint)
            report(.connecting, "connecting to \(url)", into: &actions)
            actions.append(.connect(generation: generation, url: url, endpoint: socket.endpoint))
        } else if let rotation, rotation.leg.wait == .awaitingSlot {
            let generation = takeGeneration()
            let socket = makeSocket(endpoint: rotation.endpoint, now: now, generation: generation)
            self.rotation?.leg = .on(socket)
            actions.append(.connect(generation: generation, url: endpoints.url(at: rotation.endpoint), endpoint: rotation.endpoint))
        }
        // Otherwise the grant is stale (we stopped meanwhile); the slot is simply unused.
    }

    mutating func takeGeneration() -> Int {
        defer { nextGeneration += 1 }
        return nextGeneration
    }

    /// The handshake of `generation` completed: start its clocks and have it subscribed. The
    /// serving socket is promoted at once; a replacement only at cut-over.
    mutating func opened(generation: Int, now: Nanoseconds, into actions: inout [ConnectionAction]) {
        let isPrimary = primary?.socket?.generation == generation
        let staleAfter = staleAfterFunction
        let carried = subscriptions
        let rules = keepAliveRules
        let keepAliveConfiguration = configuration.keepAlive
        let dataIdle = configuration.dataIdleTimeout
        let rotateAt = rotationTime(openedAt: now)
        let found = withSocket(generation) { socket in
            guard !socket.isOpen else { return }
            let keepAlive = KeepAliveScheduler(rules: rules, configuration: keepAliveConfiguration, now: now)
            var liveness = LivenessMonitor(deadPeerTimeout: keepAlive.deadPeerTimeout, dataIdleTimeout: dataIdle, now: now)
            liveness.register(carried, now: now, staleAfter: staleAfter)
            socket.openedAt = now
            socket.keepAlive = keepAlive
            socket.liveness = liveness
            socket.rotateAt = rotateAt
        }
        guard found else { return }
        if isPrimary {
            backoff.recordConnected(now: now)
            actions.append(.promote(generation: generation))
        }
        actions.append(.openSession(generation: generation, subscriptions: carried))
    }

    /// When to start rotating a socket opened at `openedAt` ahead of the venue's forced lifetime.
    mutating func rotationTime(openedAt: Nanoseconds) -> Nanoseconds? {
        guard let maxLifetime else { return nil }
        let jitter = configuration.rotationJitter > 0
            ? Int64.random(in: 0...configuration.rotationJitter, using: &random) : 0
        // Never earlier than half the lifetime, however large the configured lead.
        return openedAt + max(maxLifetime / 2, maxLifetime - configuration.rotationLead - jitter)
    }

    /// Returns whether a deadline may have moved earlier (a subscription came back to life),
    /// which the hot path must not skip re-checking even when no action results.
    mutating func frame(generation: Int, kind: FrameKind, subscription: Subscription?, now: Nanoseconds,
                        into actions: inout [ConnectionAction]) -> Bool {
        if primary?.socket?.generation == generation, primary?.socket?.isOpen == true {
            primary?.socket?.keepAlive?.onFrame(kind: kind, now: now)
            // BN-STR: the automatic pong to a server ping counts toward 5 messages/s.
            if kind == .ping { primary?.socket?.outbound.charge(now: now) }
            let change = primary?.socket?.liveness?.onFrame(kind: kind, subscription: subscription, now: now)
            if kind.isData, primary?.socket?.hasData == false, let endpoint = primary?.socket?.endpoint {
                primary?.socket?.hasData = true
                endpoints.recordSuccess(endpoint: endpoint)
            }
            if case .live(let subscription)? = change {
                report(.live, "receiving data", subscription: subscription, into: &actions)
                return true
            }
        } else if rotation?.leg.socket?.generation == generation, rotation?.leg.socket?.isOpen == true {
            rotation?.leg.socket?.keepAlive?.onFrame(kind: kind, now: now)
            if kind == .ping { rotation?.leg.socket?.outbound.charge(now: now) }
            _ = rotation?.leg.socket?.liveness?.onFrame(kind: kind, subscription: subscription, now: now)
            if kind.isData { rotation?.leg.socket?.hasData = true }
            // Make-before-break: the replacement is live once every subscription has data.
            if rotation?.leg.socket?.liveness?.hasDataForAllSubscriptions == true {
                cutOver(now: now, into: &actions)
                return true
            }
        }
        return false
    }

    /// A socket's connect failed or its connection ended.
    mutating func socketEnded(generation: Int, failure: TransportFailure, now: Nanoseconds,
                              into actions: inout [ConnectionAction]) {
        if primary?.socket?.generation == generation {
            servingSocketLost(failure: failure, now: now, into: &actions)
        } else if rotation?.leg.socket?.generation == generation {
            rotationFailed(failure: failure, now: now, into: &actions)
        }
        // Any other generation is retired: its late events mean nothing.
    }

    /// The serving socket is gone. A rotation in progress takes over; otherwise back off and
    /// reconnect.
    mutating func servingSocketLost(failure: TransportFailure, now: Nanoseconds, into actions: inout [ConnectionAction]) {
        guard let socket = primary?.socket else { return }
        if let replacement = rotation?.leg.socket, replacement.isOpen {
            // The venue cut the old one first (Binance `serverShutdown` then close): the
            // replacement is already subscribed, so promote it now (nothing left to close).
            primary?.socket = nil
            cutOver(now: now, into: &actions)
            return
        }
        if let rotation {
            // The replacement is still on its way: it becomes the serving leg as it is.
            primary = rotation.leg
            self.rotation = nil
            report(.disconnected, "\(failure.reason); replacement connection on its way", into: &actions)
            if primary?.socket != nil { report(.connecting, "connecting to \(endpoints.url(at: rotation.endpoint))", into: &actions) }
            return
        }
        let wasStable = backoff.isStable(now: now)
        if !wasStable || !failure.isRetryable {
            endpoints.recordFailure(endpoint: socket.endpoint, isRetryable: failure.isRetryable)
        }
        primary = nil
        if !failure.isRetryable && endpoints.isExhausted {
            stoppedReason = "giving up: \(failure.reason)"
            report(.disconnected, "giving up: every endpoint refused us (\(failure.reason))", into: &actions)
            return
        }
        let delay = backoff.recordFailure(failure, now: now, using: &random)
        report(.disconnected, "\(failure.reason); retrying in \(durationText(delay))", into: &actions)
        if delay <= 0 {
            primary = .waiting(.awaitingSlot)
            actions.append(.requestConnectSlot)
        } else {
            primary = .waiting(.backoff(until: now + delay))
        }
    }

    /// We decided the serving socket is unusable (dead peer, data idle, connect timeout): close
    /// it and reconnect.
    mutating func dropServingSocket(reason: String, now: Nanoseconds, into actions: inout [ConnectionAction]) {
        guard let generation = primary?.socket?.generation else { return }
        actions.append(.close(generation: generation, reason: reason))
        servingSocketLost(failure: .network(reason), now: now, into: &actions)
    }

    mutating func stop(reason: String, into actions: inout [ConnectionAction]) {
        guard stoppedReason == nil else { return }
        for leg in [primary, rotation?.leg].compactMap({ $0 }) {
            if let socket = leg.socket { actions.append(.close(generation: socket.generation, reason: reason)) }
            if leg.wait == .awaitingSlot { actions.append(.cancelConnectSlotRequest) }
        }
        primary = nil
        rotation = nil
        stoppedReason = reason
        report(.disconnected, reason, into: &actions)
    }
}
