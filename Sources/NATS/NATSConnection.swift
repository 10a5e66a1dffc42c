import MarketModel
import NIOCore
import NIOPosix
import Transport

/// A NATS client connection on one event loop: the NIO shell around ``NATSClientCore``.
///
/// Thread-safe entry points hop to ``eventLoop``; the `…OnLoop` variants skip the hop for
/// callers already on it (the publisher, subscription handlers). Reconnects, resubscribes and
/// buffers by itself; publish outcomes and ``statistics()`` say what happened to every message.
///
/// ```swift
/// let nats = NATSConnection(configuration: try NATSClientConfiguration(urls: ["nats://10.0.0.5:4222"]),
///                           eventLoop: group.next())
/// nats.start()
/// try await nats.waitUntilConnected().get()
/// nats.publish(subject: "marketmux.md.binance.trades.BTC-USDT", payload: Array(line.utf8))
/// _ = nats.subscribe(subject: "marketmux.orders.binance") { message in
///     nats.respondOnLoop(to: message, payload: reply)          // request-reply
/// }
/// ```
public final class NATSConnection: @unchecked Sendable {
    // @unchecked: every mutable property is touched only on `eventLoop`.

    /// The loop this connection and all its callbacks run on.
    public let eventLoop: any EventLoop
    /// The tunables.
    public let configuration: NATSClientConfiguration

    var core: NATSClientCore
    private var parser: NATSParser
    private var handler: NATSChannelHandler?
    private var generation: UInt64 = 0
    private var timer: Scheduled<Void>?
    private var timerDeadline: Nanoseconds?
    var subscribers: [UInt64: @Sendable (NATSMessage) -> Void] = [:]
    private var stateObservers: [@Sendable (NATSConnectionState) -> Void] = []
    private var connectedWaiters: [EventLoopPromise<Void>] = []
    var inbox: (prefix: String, sid: UInt64)?
    var requests: [String: (promise: EventLoopPromise<NATSMessage>, timeout: Scheduled<Void>)] = [:]
    var nextRequestID: UInt64 = 1
    private var isFlushing = false
    private var flushWaiters: [(ordinal: UInt64, promise: EventLoopPromise<Void>)] = []

    /// A connection that does nothing until ``start()``.
    public init(configuration: NATSClientConfiguration, eventLoop: any EventLoop, seed: UInt64? = nil) {
        self.configuration = configuration
        self.eventLoop = eventLoop
        var generator = SystemRandomNumberGenerator()
        core = NATSClientCore(configuration: configuration, seed: seed ?? generator.next())
        parser = NATSParser(maxControlLineLength: configuration.maxControlLineLength)
    }

    /// Monotonic nanoseconds (the core's clock).
    var now: Nanoseconds { Nanoseconds(NIODeadline.now().uptimeNanoseconds) }

    // MARK: - Thread-safe API

    /// Starts connecting (and keeps reconnecting until ``close()``).
    public func start() {
        onLoop { $0.perform($0.core.start(now: $0.now)) }
    }

    /// Succeeds once connected (at once if already connected).
    public func waitUntilConnected() -> EventLoopFuture<Void> {
        eventLoop.flatSubmit { [self] in
            if core.connectionState == .connected { return eventLoop.makeSucceededVoidFuture() }
            let promise = eventLoop.makePromise(of: Void.self)
            connectedWaiters.append(promise)
            return promise.futureResult
        }
    }

    /// Closes for good. When connected, first waits (up to `drainTimeout`) for the server to
    /// confirm everything written so far (a PING/PONG round trip), so a close right after a
    /// publish does not lose it; pending publishes that were never written are abandoned (they
    /// stay in ``statistics()`` as pending).
    public func close(drainTimeout: TimeAmount = .seconds(2)) -> EventLoopFuture<Void> {
        eventLoop.flatSubmit { [self] in
            let drained = eventLoop.makePromise(of: Void.self)
            let timer = eventLoop.scheduleTask(in: drainTimeout) { drained.succeed(()) }
            flush().whenComplete { _ in
                timer.cancel()
                drained.succeed(())
            }
            return drained.futureResult.map { [self] in
                perform(core.close(now: now))
            }
        }
    }

    /// Succeeds when the server has processed everything written before the call (a PING/PONG
    /// round trip); fails if not connected or the connection drops first.
    public func flush() -> EventLoopFuture<Void> {
        eventLoop.flatSubmit { [self] in
            guard let ordinal = core.ping(now: now) else {
                return eventLoop.makeFailedFuture(NATSError(.connectionLost, "not connected"))
            }
            let promise = eventLoop.makePromise(of: Void.self)
            flushWaiters.append((ordinal, promise))
            flushOutbound()
            return promise.futureResult
        }
    }

    /// Calls `observer` on the loop on every state change.
    public func onStateChange(_ observer: @escaping @Sendable (NATSConnectionState) -> Void) {
        onLoop { $0.stateObservers.append(observer) }
    }

    /// A snapshot of the counters.
    public func statistics() -> EventLoopFuture<NATSStatistics> {
        eventLoop.submit { [self] in core.statistics }
    }

    /// Publishes from any thread (a copy of `payload` hops to the loop). Market data should be
    /// `isDroppable` (the default): it may be dropped, oldest first and counted, when the
    /// bounded buffer is full.
    public func publish(subject: String, replyTo: String? = nil, headers: NATSHeaders? = nil, payload: [UInt8],
                        isDroppable: Bool = true) {
        onLoop { $0.publishOnLoop(subject: subject, replyTo: replyTo, headers: headers, payload: payload, isDroppable: isDroppable) }
    }

    /// Subscribes from any thread; `handler` runs on the loop. Returns the subscription id.
    public func subscribe(subject: String, queueGroup: String? = nil,
                          handler: @escaping @Sendable (NATSMessage) -> Void) -> EventLoopFuture<UInt64> {
        eventLoop.submit { [self] in subscribeOnLoop(subject: subject, queueGroup: queueGroup, handler: handler) }
    }

    /// Request-reply: publishes `payload` with a fresh reply subject and completes with the
    /// first reply, or fails after `timeout` (or at once with "no responders", NATS status 503).
    public func request(subject: String, payload: [UInt8], headers: NATSHeaders? = nil,
                        timeout: TimeAmount = .seconds(5)) -> EventLoopFuture<NATSMessage> {
        eventLoop.flatSubmit { [self] in requestOnLoop(subject: subject, payload: payload, headers: headers, timeout: timeout) }
    }

    // MARK: - On-loop API

    /// Publishes from the loop; returns what happened to the message. Writes happen at the end
    /// of the current loop tick (or call ``flushOnLoop()``), so a burst becomes one write.
    @discardableResult
    public func publishOnLoop(subject: String, replyTo: String? = nil, headers: NATSHeaders? = nil,
                              payload: UnsafeRawBufferPointer, isDroppable: Bool = true, key: String? = nil) -> NATSPublishOutcome {
        eventLoop.preconditionInEventLoop()
        let outcome = core.publish(subject: subject, replyTo: replyTo, headers: headers, payload: payload,
                                   isDroppable: isDroppable, key: key, isWritable: handler?.isWritable ?? false)
        scheduleFlush()
        return outcome
    }

    /// ``publishOnLoop(subject:replyTo:headers:payload:isDroppable:key:)`` for an array.
    @discardableResult
    public func publishOnLoop(subject: String, replyTo: String? = nil, headers: NATSHeaders? = nil,
                              payload: [UInt8], isDroppable: Bool = true, key: String? = nil) -> NATSPublishOutcome {
        payload.withUnsafeBytes {
            publishOnLoop(subject: subject, replyTo: replyTo, headers: headers, payload: $0, isDroppable: isDroppable, key: key)
        }
    }

    /// Answers a request: publishes `payload` to the message's reply subject (never dropped).
    /// Returns `nil` when the message has no reply subject.
    @discardableResult
    public func respondOnLoop(to message: NATSMessage, payload: [UInt8], headers: NATSHeaders? = nil) -> NATSPublishOutcome? {
        guard let reply = message.replyTo else { return nil }
        return publishOnLoop(subject: reply, headers: headers, payload: payload, isDroppable: false)
    }

    /// Subscribes from the loop; returns the subscription id.
    public func subscribeOnLoop(subject: String, queueGroup: String? = nil,
                                handler: @escaping @Sendable (NATSMessage) -> Void) -> UInt64 {
        eventLoop.preconditionInEventLoop()
        let sid = core.subscribe(subject: subject, queueGroup: queueGroup)
        subscribers[sid] = handler
        scheduleFlush()
        return sid
    }

    /// Removes a subscription (from the loop).
    public func unsubscribeOnLoop(sid: UInt64) {
        core.unsubscribe(sid: sid)
        subscribers[sid] = nil
        scheduleFlush()
    }

    /// Writes what is pending now (normally done at the end of the loop tick).
    public func flushOnLoop() { flushOutbound() }

    /// The counters (from the loop).
    public var statisticsOnLoop: NATSStatistics { core.statistics }

    /// The last connection error or `-ERR` (from the loop), for status pages and logs.
    public var lastErrorOnLoop: NATSError? { core.lastError }

    /// The state (from the loop).
    public var stateOnLoop: NATSConnectionState { core.connectionState }

    /// The servers in rotation: configured, then discovered from `INFO connect_urls` (from the loop).
    public var knownServersOnLoop: [NATSServerURL] { core.servers }

    /// Whether drops are waiting to be reported (from the loop).
    public var takeDropsPending: Bool { core.hasUnreportedDrops }

    /// Drops since the last call per key (from the loop).
    public func takeDropsOnLoop() -> [String: Int] { core.takeDrops() }

    // MARK: - Core actions

    /// Performs `actions`, then writes what they produced and re-arms the timer (unless
    /// `finishing` is false: the read path does that once per read, not once per message).
    private func perform(_ actions: [NATSAction], finishing: Bool = true) {
        for action in actions {
            switch action {
            case .connect(let url):
                connect(to: url)
            case .startTLS(let url):
                startTLS(url)
            case .close(let error):
                abandonTransport(error)
            case .deliver(let message):
                if let inbox, message.sid == inbox.sid {
                    completeRequest(message, inboxPrefix: inbox.prefix)
                } else {
                    subscribers[message.sid]?(message)
                }
            case .stateChanged(let state):
                for observer in stateObservers { observer(state) }
                if state == .connected {
                    let waiters = connectedWaiters
                    connectedWaiters = []
                    for w in waiters { w.succeed(()) }
                }
                if state == .closed {
                    for w in connectedWaiters { w.fail(NATSError(.invalidArgument, "the NATS client was closed")) }
                    connectedWaiters = []
                    for (_, r) in requests { r.timeout.cancel(); r.promise.fail(NATSError(.invalidArgument, "the NATS client was closed")) }
                    requests = [:]
                }
            case .serverError:
                break
            }
        }
        guard finishing else { return }
        flushOutbound()
        rescheduleTimer()
    }

    private func connect(to url: NATSServerURL) {
        generation += 1
        let gen = generation
        let handler = NATSChannelHandler(connection: self, generation: gen)
        parser.reset()
        ClientBootstrap(group: eventLoop)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelOption(.writeBufferWaterMark, value: .init(low: 256 << 10, high: 1 << 20))
            .connectTimeout(.nanoseconds(configuration.handshakeTimeout))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(handler) }
            }
            .connect(host: url.host, port: url.port)
            .whenComplete { [self] result in
                switch result {
                case .success(let channel):
                    if gen != generation { channel.close(promise: nil) }
                case .failure(let error):
                    guard gen == generation else { return }
                    perform(core.transportClosed(NATSError(.connectionLost, "connect to \(url) failed: \(error)"), now: now))
                }
            }
    }

    private func startTLS(_ url: NATSServerURL) {
        guard let handler else { return }
        do {
            let tlsConfiguration = TLSConfiguration(serverName: url.host, verifyPeer: configuration.tlsVerifiesPeer,
                                                    caFile: configuration.tlsCAFile, alpn: [])
            let context = try TLSContext.shared(for: tlsConfiguration)
            let engine = try TLSClientEngine(context: context, configuration: tlsConfiguration,
                                             cacheKey: TLSContext.cacheKey(host: url.host, port: url.port))
            try handler.startTLS(engine)
        } catch {
            abandonTransport(NATSError(.tls, "TLS setup for \(url) failed: \(error)"))
        }
    }

    /// Closes the current socket (if any) and tells the core; a stale socket's later events
    /// are ignored thanks to the generation bump.
    private func abandonTransport(_ error: NATSError?) {
        flushOutbound()
        let old = handler
        handler = nil
        generation += 1
        old?.close()
        parser.reset()
        let waiters = flushWaiters
        flushWaiters = []
        for w in waiters { w.promise.fail(error ?? NATSError(.connectionLost, "connection closed before the flush completed")) }
        if core.phase == .closed { return }
        perform(core.transportClosed(error, now: now))
    }

    // MARK: - Handler callbacks

    func handlerOpened(_ h: NATSChannelHandler) {
        guard h.generation == generation else { h.close(); return }
        handler = h
        perform(core.transportOpened(now: now))
    }

    func handler(_ h: NATSChannelHandler, received bytes: UnsafeRawBufferPointer) {
        guard h.generation == generation else { return }
        // Parse first, act after: actions may reset the parser (a reconnect), which must not
        // happen while `parse` holds it.
        var ops: [NATSServerOp] = []
        var failure: NATSError?
        do {
            try parser.parse(bytes) { ops.append($0) }
        } catch {
            failure = error
        }
        let gen = generation
        for op in ops where gen == generation {
            switch op {
            case .message(let message):
                // The hot path: no action array per message.
                guard core.accept(message) else { continue }
                if let inbox, message.sid == inbox.sid {
                    completeRequest(message, inboxPrefix: inbox.prefix)
                } else {
                    subscribers[message.sid]?(message)
                }
            case .info(let info):
                parser.maxPayload = info.maxPayload
                perform(core.receive(op, now: now), finishing: false)
            default:
                let actions = core.receive(op, now: now)
                if !actions.isEmpty { perform(actions, finishing: false) }
            }
        }
        if let failure, gen == generation {
            abandonTransport(failure)
            return
        }
        if !flushWaiters.isEmpty {
            let done = core.pongsReceived
            while let first = flushWaiters.first, first.ordinal <= done {
                flushWaiters.removeFirst()
                first.promise.succeed(())
            }
        }
    }

    func handlerReadComplete(_ h: NATSChannelHandler) {
        guard h.generation == generation else { return }
        flushOutbound()
        rescheduleTimer()
    }

    func handlerTLSEstablished(_ h: NATSChannelHandler) {
        guard h.generation == generation else { return }
        perform(core.tlsEstablished(now: now))
    }

    func handler(_ h: NATSChannelHandler, closedWith error: NATSError) {
        guard h.generation == generation else { return }
        abandonTransport(error)
    }

    func handlerWritabilityChanged(_ h: NATSChannelHandler) {
        guard h.generation == generation else { return }
        flushOutbound()
    }

    // MARK: - Writing and timers

    private func scheduleFlush() {
        guard !isFlushing else { return }
        isFlushing = true
        eventLoop.execute { [self] in
            isFlushing = false
            flushOutbound()
            rescheduleTimer()
        }
    }

    private func flushOutbound() {
        guard let handler else { return }
        var wrote = false
        while core.hasOutbound(isWritable: handler.isWritable) {
            let bytes = core.takeOutbound(now: now, isWritable: handler.isWritable)
            if bytes.isEmpty { break }
            handler.write(bytes)
            wrote = true
        }
        if wrote { handler.flush() }
    }

    private func rescheduleTimer() {
        let deadline = core.nextDeadline
        guard deadline != timerDeadline else { return }
        timer?.cancel()
        timerDeadline = deadline
        guard let deadline else { timer = nil; return }
        let delay = max(0, deadline - now)
        timer = eventLoop.scheduleTask(in: .nanoseconds(delay)) { [self] in
            timerDeadline = nil
            timer = nil
            perform(core.tick(now: now))
        }
    }

    private func onLoop(_ body: @escaping @Sendable (NATSConnection) -> Void) {
        if eventLoop.inEventLoop { body(self) } else { eventLoop.execute { body(self) } }
    }
}
