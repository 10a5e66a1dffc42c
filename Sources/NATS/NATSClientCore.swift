import MarketModel
import Sessions

/// The sans-IO NATS client: handshake, keep-alive, reconnect across servers, subscriptions,
/// and the bounded pending buffer. ``NATSConnection`` drives it on an event loop; tests drive it
/// with a manual clock.
///
/// Life of a connection:
/// `connect(url)` → TCP up (``transportOpened(now:)``) → server `INFO` → [TLS upgrade] →
/// `CONNECT{verbose:false,pedantic:false,headers:true,…}` + `SUB`s + `PING` → server `PONG` →
/// **connected**: pending publishes flow, keep-alive `PING`s every ``NATSClientConfiguration/pingInterval``.
/// Any failure → ``transportClosed(_:now:)`` → wait (backoff with jitter) → next server.
///
/// Output: ``NATSAction``s returned by each call, plus the bytes to write, taken with
/// ``takeOutbound(now:isWritable:)`` after every call.
public struct NATSClientCore: Sendable {
    /// Phases of one connection attempt.
    public enum Phase: Sendable, Hashable {
        /// Not started.
        case idle
        /// TCP connect in progress.
        case connecting
        /// TCP up, waiting for the server's INFO.
        case awaitingInfo
        /// TLS handshake in progress (after INFO).
        case tlsHandshake
        /// CONNECT + PING sent, waiting for PONG (or -ERR).
        case awaitingPong
        /// Handshake done.
        case connected
        /// Waiting for the backoff delay to pass.
        case waitingToReconnect
        /// Closed by the owner; final.
        case closed
    }

    /// The tunables.
    public let configuration: NATSClientConfiguration
    /// The current phase.
    public internal(set) var phase = Phase.idle
    /// The INFO of the current (or last) server.
    public internal(set) var serverInfo: NATSServerInfo?
    /// Servers in rotation order: the configured ones, then those discovered.
    public private(set) var servers: [NATSServerURL]
    /// Index into ``servers`` of the current / last attempt.
    public private(set) var serverIndex = 0
    /// The counters.
    public internal(set) var statistics = NATSStatistics()
    /// The last error (connection failure, `-ERR`), for status displays.
    public internal(set) var lastError: NATSError?

    // Module-internal (not private) so the `NATSClientCore+…` extensions can use them.

    var backoff: ReconnectBackoff
    var random: SplitMix64
    var pending: NATSPendingQueue
    var subscriptions: [UInt64: (subject: String, queueGroup: String?)] = [:]
    var nextSID: UInt64 = 1
    /// Bytes for the current connection, ahead of any pending publishes (control ops, and
    /// publishes on the fast path when nothing is pending).
    var wire: [UInt8] = []
    var wireMessages = 0
    /// Outstanding PINGs (FIFO; the server answers in order): when sent, and how many
    /// published frames written before it the matching PONG confirms.
    var pings: [(sentAt: Nanoseconds, covers: Int)] = []
    var pingHead = 0
    /// Frames written since the last PING.
    var unpinged = 0
    var deadline: Nanoseconds?
    /// PINGs sent / PONGs received on the current connection (for ``ping(now:)`` flushes).
    public internal(set) var pingsSent: UInt64 = 0
    /// PONGs received on the current connection.
    public private(set) var pongsReceived: UInt64 = 0
    var nextKeepAlive: Nanoseconds?
    var skipsBackoffOnce = false

    /// A client that has not started; call ``start(now:)``.
    public init(configuration: NATSClientConfiguration, seed: UInt64 = 0x5EED) {
        self.configuration = configuration
        servers = configuration.servers
        backoff = ReconnectBackoff(configuration: configuration.backoff)
        random = SplitMix64(seed: seed)
        pending = NATSPendingQueue(limit: configuration.pendingBufferLimit)
    }

    /// The server of the current attempt.
    public var currentServer: NATSServerURL? { servers.isEmpty ? nil : servers[serverIndex] }

    /// The largest payload the server accepts (`INFO max_payload`; 1 MiB until known).
    public var maxPayload: Int { serverInfo?.maxPayload ?? 1_048_576 }

    /// When ``tick(now:)`` must be called next (`nil`: nothing scheduled).
    public var nextDeadline: Nanoseconds? {
        switch (deadline, nextKeepAlive) {
        case let (a?, b?): return min(a, b)
        case let (a?, nil): return a
        case let (nil, b?): return b
        default: return nil
        }
    }

    /// The owner's view of the state.
    public var connectionState: NATSConnectionState {
        switch phase {
        case .idle, .connecting, .awaitingInfo, .tlsHandshake, .awaitingPong:
            return statistics.connects == 0 ? .connecting : .reconnecting
        case .connected: return .connected
        case .waitingToReconnect: return .reconnecting
        case .closed: return .closed
        }
    }

    // MARK: - Lifecycle

    /// Starts the first connection attempt.
    public mutating func start(now: Nanoseconds) -> [NATSAction] {
        guard phase == .idle, !servers.isEmpty else { return [] }
        return beginAttempt(now: now)
    }

    /// TCP is up; the server speaks first (INFO).
    public mutating func transportOpened(now: Nanoseconds) -> [NATSAction] {
        guard phase == .connecting else { return [] }
        phase = .awaitingInfo
        return []
    }

    /// The TLS handshake finished; continue with CONNECT.
    public mutating func tlsEstablished(now: Nanoseconds) -> [NATSAction] {
        guard phase == .tlsHandshake else { return [] }
        return sendConnect(now: now)
    }

    /// The TCP connect failed or the connection closed (for any reason, including our own
    /// ``NATSAction/close(_:)``). Schedules the next attempt unless the client is closed.
    public mutating func transportClosed(_ error: NATSError?, now: Nanoseconds) -> [NATSAction] {
        switch phase {
        case .idle, .waitingToReconnect, .closed: return []
        default: break
        }
        let wasConnected = phase == .connected
        // Frames already handed to the socket whose PONG never came may be lost: count them.
        var atRisk = unpinged + wireMessages
        for i in pingHead..<pings.count { atRisk += pings[i].covers }
        statistics.unconfirmedAtDisconnect += UInt64(atRisk)
        statistics.sentMessages += UInt64(wireMessages)
        resetConnectionState()
        statistics.disconnects += 1
        if let error { lastError = error }
        let delay: Nanoseconds
        if skipsBackoffOnce {
            skipsBackoffOnce = false
            delay = 0
        } else {
            delay = backoff.recordFailure(now: now, using: &random)
        }
        serverIndex = (serverIndex + 1) % servers.count
        phase = .waitingToReconnect
        deadline = now + delay
        var actions: [NATSAction] = []
        if wasConnected { actions.append(.stateChanged(.reconnecting)) }
        return actions
    }

    /// Closes the client for good: pending publishes are abandoned (counted as dropped).
    public mutating func close(now: Nanoseconds) -> [NATSAction] {
        guard phase != .closed else { return [] }
        let hadTransport = phase != .idle && phase != .waitingToReconnect
        phase = .closed
        deadline = nil
        nextKeepAlive = nil
        var actions: [NATSAction] = []
        if hadTransport { actions.append(.close(nil)) }
        actions.append(.stateChanged(.closed))
        return actions
    }

    /// Timers: reconnect delay, handshake timeout, keep-alive and stale detection.
    public mutating func tick(now: Nanoseconds) -> [NATSAction] {
        if let d = deadline, now >= d {
            switch phase {
            case .waitingToReconnect:
                return beginAttempt(now: now)
            case .connecting, .awaitingInfo, .tlsHandshake, .awaitingPong:
                deadline = nil
                let error = NATSError(.timeout, "handshake with \(currentServer?.description ?? "?") took longer than \(configuration.handshakeTimeout / 1_000_000) ms")
                lastError = error
                return [.close(error)]
            default:
                deadline = nil
            }
        }
        if phase == .connected, let k = nextKeepAlive, now >= k {
            if pingHead < pings.count, now - pings[pingHead].sentAt >= configuration.pingInterval * Int64(configuration.maxPingsOutstanding) {
                nextKeepAlive = nil
                let error = NATSError(.timeout, "stale connection: no PONG from \(currentServer?.description ?? "?") for \((now - pings[pingHead].sentAt) / 1_000_000) ms")
                lastError = error
                return [.close(error)]
            }
            sendPing(now: now)
            nextKeepAlive = now + configuration.pingInterval
        }
        return []
    }

    // MARK: - Server input

    /// Handles one operation from the server.
    public mutating func receive(_ op: NATSServerOp, now: Nanoseconds) -> [NATSAction] {
        switch op {
        case .ping:
            NATSClientEncoder.pong(into: &wire)
            return []
        case .pong:
            pongsReceived += 1
            guard pingHead < pings.count else { return [] }
            statistics.confirmedMessages += UInt64(pings[pingHead].covers)
            pingHead += 1
            if pingHead == pings.count { pings.removeAll(keepingCapacity: true); pingHead = 0 }
            guard phase == .awaitingPong else { return [] }
            phase = .connected
            deadline = nil
            nextKeepAlive = now + configuration.pingInterval
            backoff.recordConnected(now: now)
            statistics.connects += 1
            statistics.currentServer = currentServer?.description
            return [.stateChanged(.connected)]
        case .ok:
            return []
        case .info(let info):
            return receiveInfo(info, now: now)
        case .error(let text):
            statistics.serverErrors += 1
            let lower = text.lowercased()
            let isAuth = lower.contains("authorization") || lower.contains("authentication")
            let error = NATSError(isAuth ? .authorization : .serverError, "\(currentServer?.description ?? "server"): -ERR '\(text)'",
                                  isRetryable: true)
            lastError = error
            // These end the connection on the server side (nats-server client.go); the others
            // (permissions violations, invalid subject) are per-operation and non-fatal.
            let isFatal = isAuth || lower.contains("stale connection") || lower.contains("slow consumer")
                || lower.contains("maximum payload") || lower.contains("parser error") || lower.contains("unknown protocol")
                || lower.contains("maximum connections") || lower.contains("secure connection") || phase != .connected
            return isFatal ? [.serverError(error), .close(error)] : [.serverError(error)]
        case .message(let message):
            return accept(message) ? [.deliver(message)] : []
        }
    }

    /// Counts a delivered message; whether it belongs to a live subscription (a message for a
    /// subscription removed a moment ago is dropped quietly, as NATS clients do).
    public mutating func accept(_ message: NATSMessage) -> Bool {
        statistics.receivedMessages += 1
        return subscriptions[message.sid] != nil
    }

    private mutating func receiveInfo(_ info: NATSServerInfo, now: Nanoseconds) -> [NATSAction] {
        serverInfo = info
        if configuration.usesDiscoveredServers, let current = currentServer {
            for text in info.connectURLs {
                guard var url = try? NATSServerURL(text, isDiscovered: true) else { continue }
                url.isTLS = current.isTLS
                if !servers.contains(where: { $0.isSameEndpoint(as: url) }) { servers.append(url) }
            }
        }
        switch phase {
        case .awaitingInfo:
            if currentServer?.isTLS == true || info.isTLSRequired {
                phase = .tlsHandshake
                guard let url = currentServer else { return [] }
                return [.startTLS(url)]
            }
            return sendConnect(now: now)
        case .connected where info.isLameDuck:
            // The server is shutting down gracefully: move now, without a backoff delay.
            skipsBackoffOnce = true
            let error = NATSError(.connectionLost, "\(currentServer?.description ?? "server") entered lame-duck mode")
            lastError = error
            return [.close(error)]
        default:
            return []
        }
    }

    // MARK: - Internals

    private mutating func beginAttempt(now: Nanoseconds) -> [NATSAction] {
        phase = .connecting
        deadline = now + configuration.handshakeTimeout
        guard let url = currentServer else { return [] }
        return [.connect(url)]
    }

    private mutating func sendConnect(now: Nanoseconds) -> [NATSAction] {
        guard let url = currentServer else { return [] }
        var auth = configuration.auth
        if auth == .none, let fromURL = url.auth { auth = fromURL }
        var options = NATSConnectOptions(name: configuration.name, auth: auth, isTLS: url.isTLS || serverInfo?.isTLSRequired == true,
                                         echo: configuration.echo)
        if case .nkey(let seed) = auth {
            do {
                let key = try NATSNKey(seed: seed)
                options.nkeyPublicKey = key.publicKey
                options.nkeySignature = try key.sign(Array((serverInfo?.nonce ?? "").utf8))
            } catch {
                lastError = error
                return [.close(error)]
            }
        }
        NATSClientEncoder.connect(options, into: &wire)
        for (sid, sub) in subscriptions.sorted(by: { $0.key < $1.key }) {
            NATSClientEncoder.subscribe(subject: sub.subject, queueGroup: sub.queueGroup, sid: sid, into: &wire)
        }
        sendPing(now: now)
        phase = .awaitingPong
        return []
    }

    /// Sends a PING now (connected only) and returns its ordinal: everything written before it
    /// has been processed by the server once ``pongsReceived`` reaches that ordinal.
    public mutating func ping(now: Nanoseconds) -> UInt64? {
        guard phase == .connected else { return nil }
        sendPing(now: now)
        return pingsSent
    }

    mutating func sendPing(now: Nanoseconds) {
        pingsSent += 1
        NATSClientEncoder.ping(into: &wire)
        // Frames in `wire` before this PING are written with it, so its PONG covers them too.
        pings.append((now, unpinged + wireMessages))
        statistics.sentMessages += UInt64(wireMessages)
        wireMessages = 0
        unpinged = 0
    }

    private mutating func resetConnectionState() {
        wire.removeAll(keepingCapacity: true)
        wireMessages = 0
        pings.removeAll(keepingCapacity: true)
        pingHead = 0
        unpinged = 0
        pingsSent = 0
        pongsReceived = 0
        nextKeepAlive = nil
        deadline = nil
    }

    mutating func syncPendingStatistics() {
        statistics.pendingMessages = pending.count
        statistics.pendingBytes = pending.byteCount
        statistics.pendingBytesHighWater = pending.highWater
        statistics.droppedMessages = pending.droppedTotal
        statistics.droppedBytes = pending.droppedBytesTotal
    }

    func encode(subject: String, replyTo: String?, headers: NATSHeaders?, payload: UnsafeRawBufferPointer, into b: inout [UInt8]) {
        if let headers {
            NATSClientEncoder.publish(subject: subject, replyTo: replyTo, headers: headers, payload: payload, into: &b)
        } else {
            NATSClientEncoder.publish(subject: subject, replyTo: replyTo, payload: payload, into: &b)
        }
    }
}
