import Dispatch
import MarketModel
import NIOCore
import NIOPosix
import Sessions
import Transport
import VenueKit
import WebSocketWire
import FeedPipeline
#if canImport(Glibc)
import Glibc
#endif

/// The I/O shell of one venue's pool: runs the sans-IO `PoolPlanner` (sharding, connect budget,
/// backoff, keep-alive, liveness, make-before-break rotation) on one event loop with real
/// `WebSocketConnection`s, a `FeedPipeline` per socket, and REST snapshot fetches.
///
/// Everything happens on `eventLoop`; the public methods hop there.
public final class VenueSessionPool<Adapter: VenueAdapter>: @unchecked Sendable {
    /// The loop that owns every socket, timer and pipeline of this pool.
    public let eventLoop: any EventLoop
    /// The venue's facts with any URL overrides applied.
    public let spec: VenueSpec
    private let configuration: VenueSessionConfiguration
    private weak var sink: (any VenueSessionSink)?
    private var planner: PoolPlanner
    private var sockets: [SocketKey: PooledSocket<Adapter>] = [:]
    private var promoted: [Int: Int] = [:]
    private var timer: Scheduled<Void>?
    private var timerDeadline: Int64?
    private var lastStatus: [StatusKey: StreamState] = [:]
    private var isStopped = false
    private let tlsContext: TLSContext?
    /// Counters for the status view (read on the loop, or via `snapshotCounters()`).
    public private(set) var counters = VenueSessionCounters()

    /// A pool for `Adapter`'s venue; call `start()` to connect.
    public init(configuration: VenueSessionConfiguration, eventLoop: any EventLoop, sink: any VenueSessionSink) {
        var spec = Adapter.spec
        if let urls = configuration.marketDataURLs, !urls.isEmpty { spec.marketDataURLs = urls }
        if let rest = configuration.restBaseURL { spec.restBaseURL = rest }
        self.spec = spec
        self.configuration = configuration
        self.eventLoop = eventLoop
        self.sink = sink
        planner = PoolPlanner(spec: spec, configuration: configuration.pool)
        let needsTLS = spec.marketDataURLs.contains { $0.lowercased().hasPrefix("wss") }
        tlsContext = needsTLS ? try? TLSContext.shared(for: configuration.clientOptions, serverName: "venue") : nil
    }

    /// Connects and subscribes everything configured.
    public func start() {
        eventLoop.execute { [self] in
            let subscriptions = PoolPlanner.subscriptions(symbols: configuration.symbols, channels: configuration.channels, spec: spec)
            perform(planner.setSubscriptions(subscriptions, now: Self.monotonicNow()))
        }
    }

    /// Closes every connection (close handshakes) and stops reconnecting.
    public func stop(reason: String = "shutting down") {
        eventLoop.execute { [self] in
            isStopped = true
            perform(planner.stop(reason: reason, now: Self.monotonicNow()))
            timer?.cancel()
        }
    }

    /// The counters, read on the loop.
    public func snapshotCounters() -> EventLoopFuture<VenueSessionCounters> {
        eventLoop.submit { self.counters }
    }

    // MARK: Planner actions

    private func perform(_ actions: [PoolAction]) {
        for action in actions {
            switch action {
            case .scheduleTimer(let at):
                schedule(at: at)
            case .connection(let id, let connectionAction):
                perform(connectionAction, connection: id)
            }
        }
        if let deadline = planner.nextDeadline { schedule(at: deadline) }
    }

    private func perform(_ action: ConnectionAction, connection id: Int) {
        switch action {
        case .requestConnectSlot, .cancelConnectSlotRequest:
            return  // the planner grants slots from the venue's shared connect budget itself
        case .connect(let generation, let url, _):
            connect(connection: id, generation: generation, url: url)
        case .openSession(let generation, let subscriptions):
            guard let socket = sockets[SocketKey(connection: id, generation: generation)] else { return }
            var pipeline = FeedPipeline<Adapter>(configuration: FeedPipelineConfiguration(
                subscriptions: subscriptions, bookDepth: configuration.bookDepth, options: configuration.options,
                connectionID: id, verifiesChecksums: configuration.verifiesChecksums))
            var output = FeedOutput()
            pipeline.connectionOpened(into: &output)
            socket.pipeline = pipeline
            handle(output, socket: socket)
        case .subscribe(let generation, let subscriptions), .unsubscribe(let generation, let subscriptions):
            // Subscriptions are fixed per pool today (the planner never resizes a running shard);
            // log instead of building frames from a second adapter whose parse state would diverge.
            sink?.log(venue: spec.id, "connection \(id)/\(generation): live (un)subscribe of \(subscriptions.count) streams is not supported yet", isError: true)
        case .send(let generation, let frames):
            guard let connection = sockets[SocketKey(connection: id, generation: generation)]?.connection else { return }
            for frame in frames {
                switch frame {
                case .text(let message): connection.send(text: message.text)
                case .protocolPing: connection.sendPing()
                }
            }
        case .promote(let generation):
            promoted[id] = generation
        case .close(let generation, let reason):
            guard let socket = sockets[SocketKey(connection: id, generation: generation)] else { return }
            sink?.log(venue: spec.id, "connection \(id)/\(generation): closing: \(reason)", isError: false)
            if let connection = socket.connection {
                if reason.contains("dead") { connection.abort() } else { connection.close(code: .goingAway, reason: "") }
            } else {
                socket.isAbandoned = true
            }
        case .status(let status):
            let carried = planner.lifecycle(id)?.subscriptions ?? []
            publishStatuses(status.statusEvents(venue: spec.id, carried: carried))
        case .scheduleTimer(let at):
            schedule(at: at)
        }
    }

    private func connect(connection id: Int, generation: Int, url: String) {
        let key = SocketKey(connection: id, generation: generation)
        let socket = PooledSocket(pool: self, key: key)
        sockets[key] = socket
        let target: WebSocketURL
        do {
            target = try WebSocketURL(url)
        } catch {
            sockets[key] = nil
            perform(planner.on(.connectFailed(generation: generation, TransportFailure(reason: "\(error)", isRetryable: false)),
                               connection: id, now: Self.monotonicNow()))
            return
        }
        sink?.log(venue: spec.id, "connection \(id)/\(generation): connecting to \(url)", isError: false)
        WebSocketConnection.connect(to: target, options: configuration.clientOptions, tlsContext: target.isSecure ? tlsContext : nil,
                                    on: eventLoop, label: "\(spec.id)#\(id)", delegate: socket)
            .whenSuccess { connection in socket.connection = connection }
    }

    // MARK: Socket events (on the loop)

    fileprivate func socketOpened(_ socket: PooledSocket<Adapter>, _ connection: WebSocketConnection) {
        socket.connection = connection
        counters.opens += 1
        counters.openSockets += 1
        if socket.isAbandoned || isStopped { connection.close(code: .goingAway); return }
        let reused = connection.isTLSSessionReused ? " (TLS session resumed)" : ""
        sink?.log(venue: spec.id, "connection \(socket.key.connection)/\(socket.key.generation): open\(reused)", isError: false)
        perform(planner.on(.connected(generation: socket.key.generation), connection: socket.key.connection, now: Self.monotonicNow()))
    }

    fileprivate func socketReceived(_ socket: PooledSocket<Adapter>, _ payload: UnsafeRawBufferPointer, opcode: WebSocketOpcode) {
        counters.messages &+= 1
        counters.bytes &+= payload.count
        guard socket.pipeline != nil else { return }
        socket.output.removeAll()
        socket.pipeline?.receive(payload, tsRecv: Self.wallClockNow(), isBinary: opcode == .binary, into: &socket.output)
        var subscription: Subscription?
        for event in socket.output.events {
            if case .status = event { continue }
            if let symbol = event.symbol, let channel = event.channel {
                subscription = Subscription(symbol: symbol, channel: channel)
                break
            }
        }
        let kind: FrameKind = subscription == nil ? .heartbeat : .data
        perform(planner.on(.frame(generation: socket.key.generation, kind: kind, subscription: subscription),
                           connection: socket.key.connection, now: Self.monotonicNow()))
        handle(socket.output, socket: socket)
    }

    fileprivate func socketControl(_ socket: PooledSocket<Adapter>, kind: FrameKind) {
        perform(planner.on(.frame(generation: socket.key.generation, kind: kind, subscription: nil),
                           connection: socket.key.connection, now: Self.monotonicNow()))
    }

    fileprivate func socketClosed(_ socket: PooledSocket<Adapter>, info: WebSocketCloseInfo) {
        sockets[socket.key] = nil
        counters.closes += 1
        if info.wasOpen { counters.openSockets -= 1 }
        let failure = Self.failure(from: info)
        sink?.log(venue: spec.id, "connection \(socket.key.connection)/\(socket.key.generation): \(info)", isError: info.error != nil)
        if var pipeline = socket.pipeline, promoted[socket.key.connection] == socket.key.generation {
            var output = FeedOutput()
            pipeline.connectionClosed(reason: failure.reason, into: &output)
            socket.pipeline = pipeline
            handle(output, socket: socket)
        }
        let event: ConnectionEvent = info.wasOpen ? .closed(generation: socket.key.generation, failure)
            : .connectFailed(generation: socket.key.generation, failure)
        perform(planner.on(event, connection: socket.key.connection, now: Self.monotonicNow()))
    }

    /// Routes a pipeline's output: events to the sink (only from the promoted socket), actions to
    /// the planner (paced sends), REST fetches, reconnect requests and logs.
    private func handle(_ output: FeedOutput, socket: PooledSocket<Adapter>) {
        let isServing = promoted[socket.key.connection] == socket.key.generation || promoted[socket.key.connection] == nil
        if isServing && !output.events.isEmpty { publish(output.events) }
        for action in output.actions {
            switch action {
            case .send(let message):
                let lane: OutboundLane = socket.pipeline == nil ? .subscription : .control
                enqueue([.text(message)], socket: socket, lane: lane)
            case .fetchSnapshot(let symbol, let request):
                fetchSnapshot(symbol: symbol, request: request, socket: socket)
            case .reconnect(let reason):
                sink?.log(venue: spec.id, "venue asked to reconnect: \(reason)", isError: false)
                perform(planner.on(.reconnectRequested(generation: socket.key.generation, reason: reason),
                                   connection: socket.key.connection, now: Self.monotonicNow()))
            case .log(let entry):
                if entry.severity == .error { counters.parseErrors += 1 }
                sink?.log(venue: spec.id, entry.message, isError: entry.severity != .info)
            }
        }
    }

    private func enqueue(_ frames: [OutboundFrame], socket: PooledSocket<Adapter>, lane: OutboundLane) {
        do {
            perform(try planner.enqueue(frames, connection: socket.key.connection, generation: socket.key.generation,
                                        lane: lane, now: Self.monotonicNow()))
        } catch {
            sink?.log(venue: spec.id, "connection \(socket.key.connection): \(error)", isError: true)
        }
    }

    private func fetchSnapshot(symbol: Symbol, request: RESTRequest, socket: PooledSocket<Adapter>) {
        var url = request.url
        if let override = configuration.restBaseURL, let original = Adapter.spec.restBaseURL, url.hasPrefix(original) {
            url = override + url.dropFirst(original.count)
        }
        let headers = request.headers.map { (name: $0.key, value: $0.value) }
        HTTPClient.get(url, headers: headers, on: eventLoop, caFile: configuration.clientOptions.caFile).whenComplete { [self] result in
            guard sockets[socket.key] === socket, var pipeline = socket.pipeline else { return }
            var output = FeedOutput()
            switch result {
            case .success(let response):
                counters.snapshots += 1
                response.body.withUnsafeBytes {
                    pipeline.restResponse(symbol: symbol, status: response.status, body: $0, tsRecv: Self.wallClockNow(), into: &output)
                }
            case .failure(let error):
                let message = "snapshot \(url): \(error)"
                sink?.log(venue: spec.id, message, isError: true)
                pipeline.restResponse(symbol: symbol, status: 599, body: message, tsRecv: Self.wallClockNow(), into: &output)
            }
            socket.pipeline = pipeline
            handle(output, socket: socket)
        }
    }

    // MARK: Status and timers

    private func publishStatuses(_ events: [StatusEvent]) {
        publish(events.map { MarketEvent.status($0) })
    }

    /// Publishes, dropping status events that repeat the subscription's current state (the planner
    /// and the pipeline both speak about connection state).
    private func publish(_ events: [MarketEvent]) {
        var out: [MarketEvent] = []
        out.reserveCapacity(events.count)
        for event in events {
            switch event {
            case .status(let status):
                let key = StatusKey(symbol: status.symbol, channel: status.channel)
                if lastStatus[key] == status.state { continue }
                lastStatus[key] = status.state
            case .trade(let trade):
                counters.lastTrade = trade
            case .book(let update):
                counters.lastBookUpdate = update.tsRecv
            default:
                break
            }
            out.append(event)
        }
        if !out.isEmpty { sink?.publish(out) }
    }

    private func schedule(at deadline: Int64) {
        guard !isStopped else { return }
        if let current = timerDeadline, current <= deadline, timer != nil { return }
        timer?.cancel()
        timerDeadline = deadline
        let delay = max(0, deadline - Self.monotonicNow())
        timer = eventLoop.scheduleTask(in: .nanoseconds(delay)) { [self] in
            timer = nil
            timerDeadline = nil
            perform(planner.tick(now: Self.monotonicNow()))
            let now = Self.wallClockNow()
            for socket in sockets.values where promoted[socket.key.connection] == socket.key.generation {
                guard var pipeline = socket.pipeline else { continue }
                var output = FeedOutput()
                pipeline.checkStaleness(now: now, into: &output)
                socket.pipeline = pipeline
                handle(output, socket: socket)
            }
        }
    }

    static func failure(from info: WebSocketCloseInfo) -> TransportFailure {
        if let error = info.error {
            let retryAfter = error.webSocketError?.retryAfterSeconds.map { Int64($0) * 1_000_000_000 }
            return TransportFailure(reason: error.description, isRetryable: error.isRetryable,
                                    httpStatus: error.webSocketError?.httpStatus, closeCode: info.peerCode.rawValue,
                                    retryAfter: retryAfter)
        }
        return .closed(code: info.peerCode.rawValue, reason: info.peerReason)
    }

    /// Monotonic time for the planner (never jumps with NTP).
    static func monotonicNow() -> Int64 { Int64(DispatchTime.now().uptimeNanoseconds) }

    /// Wall-clock time for `ts_recv` (ns since the Unix epoch).
    static func wallClockNow() -> Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Int64(spec.tv_sec) * 1_000_000_000 + Int64(spec.tv_nsec)
    }
}

struct SocketKey: Hashable {
    var connection: Int
    var generation: Int
}

struct StatusKey: Hashable {
    var symbol: Symbol?
    var channel: MarketModel.Channel?
}

/// One socket of the pool: its connection, its pipeline, and the delegate hop back to the pool.
final class PooledSocket<Adapter: VenueAdapter>: WebSocketConnectionDelegate, @unchecked Sendable {
    unowned let pool: VenueSessionPool<Adapter>
    let key: SocketKey
    var connection: WebSocketConnection?
    var pipeline: FeedPipeline<Adapter>?
    var output = FeedOutput()
    var isAbandoned = false

    init(pool: VenueSessionPool<Adapter>, key: SocketKey) {
        self.pool = pool
        self.key = key
    }

    func webSocketDidOpen(_ connection: WebSocketConnection) { pool.socketOpened(self, connection) }

    func webSocket(_ connection: WebSocketConnection, didReceive payload: UnsafeRawBufferPointer, opcode: WebSocketOpcode) {
        pool.socketReceived(self, payload, opcode: opcode)
    }

    func webSocket(_ connection: WebSocketConnection, didReceivePing payload: UnsafeRawBufferPointer) {
        pool.socketControl(self, kind: .ping)
    }

    func webSocket(_ connection: WebSocketConnection, didReceivePong payload: UnsafeRawBufferPointer) {
        pool.socketControl(self, kind: .pong)
    }

    func webSocketDidClose(_ connection: WebSocketConnection, info: WebSocketCloseInfo) { pool.socketClosed(self, info: info) }
}
