import MarketModel
import NIOCore
import Synchronization

/// The fan-out shell: runs a ``FanoutCore`` on one event loop and performs its actions on the
/// subscribers' connections, which live on the same loop (``FanoutServer`` accepts them there),
/// so nothing needs a lock.
///
/// Events come in through ``publish(_:)`` / ``publish(contentsOf:)`` from any thread (from the
/// loop itself they are routed at once). From other threads they go into a locked inbox that one
/// loop task drains: a publisher running ahead of the loop costs one task and one wake-up per
/// drain, not per publish. Routed events are written one loop turn later, so every subscriber
/// that got lines gets one socket write for everything routed meanwhile.
///
/// ```swift
/// let hub = FanoutHub(catalog: catalog, eventLoop: group.next())
/// let server = FanoutServer(path: "./marketmux.sock", hub: hub)
/// try await server.start()
/// hub.publish(contentsOf: events)          // from the pipeline
/// await server.shutdown(drainFor: .seconds(2))
/// ```
public final class FanoutHub: @unchecked Sendable {
    // @unchecked: every mutable property is touched only on `eventLoop` (checked with
    // `eventLoop.preconditionInEventLoop()` on the entry points that assume it).

    /// The loop the hub and all its connections run on.
    public let eventLoop: any EventLoop
    /// The bounds.
    public let configuration: FanoutConfiguration

    private var core: FanoutCore
    private var connections: [SubscriberID: FanoutConnectionHandler] = [:]
    private var orderHandler: (any OrderHandler)?
    private var actions: [FanoutAction] = []
    private var isPerforming = false
    /// A task that performs the writes of routed events is queued on the loop.
    private var isFlushScheduled = false
    private var drained: EventLoopPromise<Void>?
    /// Events published from other threads, waiting for the loop (and whether a drain task is queued).
    private let inbox = Mutex(Inbox())
    /// The inbox's previous buffer, swapped back in empty on each drain so appends reuse its capacity.
    private var spareInboxBuffer: [MarketEvent] = []

    private struct Inbox: ~Copyable {
        var events: [MarketEvent] = []
        var isDrainScheduled = false
    }

    /// A hub serving `catalog`. `books` answers snapshot requests (default: a ``BookCache`` fed
    /// by the published events).
    public init(configuration: FanoutConfiguration = FanoutConfiguration(), catalog: Catalog,
                books: any BookSnapshotProvider = BookCache(), eventLoop: any EventLoop) {
        self.configuration = configuration
        self.eventLoop = eventLoop
        core = FanoutCore(configuration: configuration, catalog: catalog, books: books)
    }

    // MARK: - Thread-safe entry points

    /// Routes `event` to its subscribers (from any thread; order is kept per calling thread).
    public func publish(_ event: MarketEvent) {
        if eventLoop.inEventLoop {
            route(CollectionOfOne(event))
            return
        }
        let schedules = inbox.withLock { inbox in
            inbox.events.append(event)
            return Self.claimDrain(&inbox)
        }
        if schedules { scheduleDrain() }
    }

    /// Routes a batch of events; each subscriber gets one write for the whole batch.
    public func publish(contentsOf events: [MarketEvent]) {
        guard !events.isEmpty else { return }
        if eventLoop.inEventLoop {
            route(events)
            return
        }
        let schedules = inbox.withLock { inbox in
            inbox.events.append(contentsOf: events)
            return Self.claimDrain(&inbox)
        }
        if schedules { scheduleDrain() }
    }

    /// `true` for the caller that must queue the drain task (the first since the last drain).
    private static func claimDrain(_ inbox: inout Inbox) -> Bool {
        guard !inbox.isDrainScheduled else { return false }
        inbox.isDrainScheduled = true
        return true
    }

    private func scheduleDrain() {
        eventLoop.execute { [self] in
            // Take everything published so far in one swap; publishers append to the (empty,
            // capacity-keeping) spare buffer meanwhile.
            var batch: [MarketEvent] = []
            swap(&batch, &spareInboxBuffer)  // uniquely owned, empty, with the last drain's capacity
            inbox.withLock { inbox in
                swap(&batch, &inbox.events)
                inbox.isDrainScheduled = false
            }
            route(batch)
            batch.removeAll(keepingCapacity: true)
            spareInboxBuffer = batch
        }
    }

    /// Replaces what subscriptions and orders are validated against (existing subscriptions stay).
    public func setCatalog(_ catalog: Catalog) {
        onLoop { $0.core.catalog = catalog }
    }

    /// Enables order entry: valid `order.place` / `order.cancel` requests go to `handler`.
    public func installOrderHandler(_ handler: any OrderHandler) {
        onLoop {
            $0.orderHandler = handler
            $0.core.isOrderEntryEnabled = true
        }
    }

    /// A consistent snapshot of every subscriber's state (for status pages and tests).
    public func statistics() -> EventLoopFuture<FanoutStatistics> {
        eventLoop.submit { [self] in
            FanoutStatistics(subscribers: core.subscriberIDs.compactMap { id in
                core.queue(of: id).map { queue in
                    FanoutStatistics.Subscriber(id: id, filters: core.filters(of: id), queuedEvents: queue.queuedEvents,
                                                queuedBytes: queue.queuedBytes, isLagging: queue.isLagging,
                                                isClosing: queue.isClosing, linesWritten: queue.nextSeq - 1,
                                                queue: queue.statistics)
                }
            }, totals: core.totals)
        }
    }

    /// Graceful end: stops taking subscribers, lets every connection write what it has queued
    /// plus a final `{"type":"status","venue":"*","state":"disconnected","reason":..}` line, and
    /// closes it; whatever is still open after `drainFor` is closed anyway. Completes when
    /// every connection is closed.
    public func shutdown(drainFor: TimeAmount, reason: String = "server shutting down") -> EventLoopFuture<Void> {
        eventLoop.flatSubmit { [self] in
            if let drained { return drained.futureResult }
            let promise = eventLoop.makePromise(of: Void.self)
            drained = promise
            core.shutdown(reason: reason, into: &actions)
            perform()
            let deadline = eventLoop.scheduleTask(in: drainFor) { [self] in
                for connection in connections.values { connection.close() }
            }
            promise.futureResult.whenComplete { _ in deadline.cancel() }
            completeShutdownIfDone()
            return promise.futureResult
        }
    }

    /// Runs `body` on the loop: now if already there, else enqueued.
    func onLoop(_ body: @escaping @Sendable (FanoutHub) -> Void) {
        if eventLoop.inEventLoop {
            body(self)
        } else {
            eventLoop.execute { body(self) }
        }
    }

    // MARK: - On the loop

    private func route<Events: Collection>(_ events: Events) where Events.Element == MarketEvent {
        for event in events { core.publish(event, into: &actions) }
        // The socket writes wait for one more turn of the loop: publishes already queued behind
        // this one (a burst of frames from a venue socket, a backlog when the loop fell behind)
        // are routed first, so each subscriber gets one write for all of them instead of one
        // write (one syscall, one reader wake-up) per publish call. Idle, this costs one task hop.
        guard !isFlushScheduled else { return }
        isFlushScheduled = true
        eventLoop.execute { [self] in flush() }
    }

    private func flush() {
        isFlushScheduled = false
        perform()
    }

    func acknowledge(requestID: String, to id: SubscriberID) {
        core.acknowledge(requestID: requestID, to: id, into: &actions)
        perform()
    }

    func reply(_ error: RequestError, to id: SubscriberID) {
        core.reply(error, to: id, into: &actions)
        perform()
    }

    func deliver(_ update: OrderUpdate, to id: SubscriberID) {
        core.deliver(update, to: id, into: &actions)
        perform()
    }

    /// A connection opened; `nil` means refused (limit reached or shutting down).
    func attach(_ connection: FanoutConnectionHandler) -> SubscriberID? {
        eventLoop.preconditionInEventLoop()
        guard let id = core.connect() else { return nil }
        connections[id] = connection
        return id
    }

    /// A connection closed.
    func detach(_ id: SubscriberID) {
        core.disconnect(id)
        connections[id] = nil
        orderHandler?.subscriberDisconnected(id)
        completeShutdownIfDone()
    }

    func received(line: ByteBuffer, from id: SubscriberID) {
        line.withUnsafeReadableBytes { core.receive(line: $0, from: id, into: &actions) }
        perform()
    }

    func lineTooLong(from id: SubscriberID) {
        core.lineTooLong(from: id, into: &actions)
        perform()
    }

    /// The socket of `id` takes bytes again.
    func writable(_ id: SubscriberID) {
        flush(id)
    }

    private func perform() {
        // Performing may queue more (an order handler answering at once, a publish from a
        // callback): the outer call picks those up, so a nested call has nothing to do.
        guard !isPerforming else { return }
        isPerforming = true
        defer { isPerforming = false }
        var index = 0
        while index < actions.count {
            switch actions[index] {
            case .write(let id):
                flush(id)
            case .disconnect(let id):
                connections[id]?.closeAfter(configuration.disconnectGrace)
            case .submitOrder(let request, let id):
                let replies = OrderReplies(subscriber: id, requestID: request.requestID, hub: self)
                if let orderHandler {
                    orderHandler.handle(request, replies: replies)
                } else {
                    replies.reject(code: .unsupported, message: "order entry is not enabled in this instance")
                }
            case .setOrderOptions(let cancelOnDisconnect, let requestID, let id):
                if let orderHandler {
                    orderHandler.setCancelOnDisconnect(cancelOnDisconnect, for: id)
                    core.acknowledge(requestID: requestID, to: id, into: &actions)
                } else {
                    core.reply(RequestError(id: requestID, code: .unsupported, message: "order entry is not enabled in this instance"),
                               to: id, into: &actions)
                }
            }
            index += 1
        }
        actions.removeAll(keepingCapacity: true)
    }

    /// Drains `id`'s queue into its socket while the socket takes it, in chunks of
    /// ``FanoutConfiguration/writeChunkBytes``, with one flush at the end.
    private func flush(_ id: SubscriberID) {
        core.beginWrite(id)
        guard let connection = connections[id], connection.isOpen else { return }
        var wrote = false
        while connection.isWritable {
            let estimate = core.queuedBytes(of: id) + 512
            var buffer = connection.allocator.buffer(capacity: min(configuration.writeChunkBytes, estimate))
            let outcome = core.drain(id, into: &buffer, maxBytes: configuration.writeChunkBytes)
            if buffer.readableBytes > 0 {
                connection.write(buffer)
                wrote = true
            }
            switch outcome {
            case .idle:
                if wrote { connection.flush() }
                return
            case .more:
                continue
            case .finished:
                connection.finish(grace: core.isShuttingDown ? nil : configuration.disconnectGrace)
                return
            }
        }
        if wrote { connection.flush() }
    }

    private func completeShutdownIfDone() {
        guard let drained, connections.isEmpty else { return }
        drained.succeed()
    }
}

