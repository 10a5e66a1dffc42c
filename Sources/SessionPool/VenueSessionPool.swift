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
    /// The last published status per stream, with its reason and time (status pages).
    private var streamStatuses: [StatusKey: StreamStatus] = [:]
    private var streamOrder: [StatusKey] = []
    /// Connection ids opened at least once (a second open is a reconnect).
    private var openedConnections: Set<Int> = []
    /// Messages and bytes of closed sockets, per connection id (status pages).
    private var closedSocketTotals: [Int: (messages: Int, bytes: Int)] = [:]
    private var isStopped = false
    /// Per connection id, while a replacement socket is on its way and just after its cut-over:
    /// the trade ids the old socket published (see `overlapFiltered`).
    private var overlaps: [Int: TradeOverlap] = [:]
    static var maxHeldTrades: Int { 16_384 }
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

    /// Replaces what the pool carries (live): new subscriptions go to a connection with room (or
    /// a new one), removed ones are unsubscribed, untouched ones keep flowing. Symbols must be
    /// among ``VenueSessionConfiguration/symbols`` (the adapters' symbol tables); others are
    /// reported `disconnected` with the reason.
    public func setSubscriptions(_ subscriptions: [Subscription]) {
        eventLoop.execute { [self] in
            guard !isStopped else { return }
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

    /// Counters, connections and the last status of every stream, read on the loop in one go.
    public func snapshotStatus() -> EventLoopFuture<VenueSessionStatus> {
        eventLoop.submit { [self] in
            let connections = planner.connectionIDs.compactMap { id -> VenueConnectionStatus? in
                guard let lifecycle = planner.lifecycle(id) else { return nil }
                var messages = closedSocketTotals[id]?.messages ?? 0
                var bytes = closedSocketTotals[id]?.bytes ?? 0
                for socket in sockets.values where socket.key.connection == id {
                    messages += socket.messages
                    bytes += socket.bytes
                }
                return VenueConnectionStatus(id: id, phase: lifecycle.phase, isRotating: lifecycle.isRotating,
                                             url: lifecycle.endpoints.currentURL, subscriptions: lifecycle.subscriptions.count,
                                             messages: messages, bytes: bytes, throttleQueue: lifecycle.queuedOutboundFrames)
            }
            return VenueSessionStatus(venue: spec.id, displayName: spec.displayName, counters: counters,
                                      connections: connections, streams: streamOrder.compactMap { streamStatuses[$0] })
        }
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
            var pipelineConfiguration = FeedPipelineConfiguration(
                subscriptions: subscriptions, bookDepth: configuration.bookDepth, options: configuration.options,
                connectionID: id, verifiesChecksums: configuration.verifiesChecksums,
                staleAfter: configuration.pool.lifecycle.staleAfterOverrides)
            // Every configured symbol is in the adapter's table, so a later live subscribe on this
            // connection needs no new adapter (whose parse state would diverge from this one's).
            pipelineConfiguration.knownSymbols = configuration.symbols
            var pipeline = FeedPipeline<Adapter>(configuration: pipelineConfiguration)
            var output = FeedOutput()
            pipeline.connectionOpened(into: &output)
            socket.pipeline = pipeline
            handle(output, socket: socket)
        case .subscribe(let generation, let subscriptions):
            // The connection's own pipeline builds the frames (its adapter's parse state stays whole).
            guard let socket = sockets[SocketKey(connection: id, generation: generation)], var pipeline = socket.pipeline else { return }
            var output = FeedOutput()
            pipeline.addSubscriptions(subscriptions, into: &output)
            socket.pipeline = pipeline
            handle(output, socket: socket, lane: .subscription)
        case .unsubscribe(let generation, let subscriptions):
            guard let socket = sockets[SocketKey(connection: id, generation: generation)], var pipeline = socket.pipeline else { return }
            var output = FeedOutput()
            pipeline.removeSubscriptions(subscriptions, into: &output)
            socket.pipeline = pipeline
            handle(output, socket: socket, lane: .subscription)
        case .send(let generation, let frames):
            guard let connection = sockets[SocketKey(connection: id, generation: generation)]?.connection else { return }
            for frame in frames {
                switch frame {
                case .text(let message): connection.send(text: message.text)
                case .protocolPing: connection.sendPing()
                }
            }
        case .promote(let generation):
            let previous = promoted[id]
            promoted[id] = generation
            if let previous, previous != generation, let socket = sockets[SocketKey(connection: id, generation: generation)] {
                cutOver(to: socket)
            }
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
        if let serving = promoted[id], serving != generation, sockets[SocketKey(connection: id, generation: serving)]?.pipeline != nil {
            overlaps[id] = TradeOverlap()   // make-before-break: remember what the old socket publishes
        }
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
        if !openedConnections.insert(socket.key.connection).inserted { counters.reconnects += 1 }
        if socket.isAbandoned || isStopped { connection.close(code: .goingAway); return }
        let reused = connection.isTLSSessionReused ? " (TLS session resumed)" : ""
        sink?.log(venue: spec.id, "connection \(socket.key.connection)/\(socket.key.generation): open\(reused)", isError: false)
        perform(planner.on(.connected(generation: socket.key.generation), connection: socket.key.connection, now: Self.monotonicNow()))
    }

    fileprivate func socketReceived(_ socket: PooledSocket<Adapter>, _ payload: UnsafeRawBufferPointer, opcode: WebSocketOpcode) {
        counters.messages &+= 1
        counters.bytes &+= payload.count
        socket.messages &+= 1
        socket.bytes &+= payload.count
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
        closedSocketTotals[socket.key.connection, default: (0, 0)].messages += socket.messages
        closedSocketTotals[socket.key.connection, default: (0, 0)].bytes += socket.bytes
        if info.wasOpen { counters.openSockets -= 1 }
        let failure = Self.failure(from: info)
        sink?.log(venue: spec.id, "connection \(socket.key.connection)/\(socket.key.generation): \(info)", isError: info.error != nil)
        // When the venue closes the serving socket while its replacement is already open (Binance
        // `serverShutdown`, then close), the planner promotes the replacement: subscribers must not
        // see this socket's `disconnected` lines.
        let replacementOpen = sockets.values.contains {
            $0.key.connection == socket.key.connection && $0.key.generation != socket.key.generation && $0.pipeline != nil
        }
        if var pipeline = socket.pipeline, promoted[socket.key.connection] == socket.key.generation, !replacementOpen {
            var output = FeedOutput()
            pipeline.connectionClosed(reason: failure.reason, into: &output)
            socket.pipeline = pipeline
            handle(output, socket: socket)
        }
        if promoted[socket.key.connection] != socket.key.generation, overlaps[socket.key.connection]?.isCutOver == false {
            overlaps[socket.key.connection] = nil   // the replacement failed: the old socket serves on alone
        }
        let event: ConnectionEvent = info.wasOpen ? .closed(generation: socket.key.generation, failure)
            : .connectFailed(generation: socket.key.generation, failure)
        perform(planner.on(event, connection: socket.key.connection, now: Self.monotonicNow()))
    }

    /// Routes a pipeline's output: events to the sink (only from the promoted socket), actions to
    /// the planner (paced sends), REST fetches, reconnect requests and logs.
    private func handle(_ output: FeedOutput, socket: PooledSocket<Adapter>, lane sendLane: OutboundLane? = nil) {
        let isServing = promoted[socket.key.connection] == socket.key.generation || promoted[socket.key.connection] == nil
        if !output.events.isEmpty {
            if overlaps[socket.key.connection] == nil {
                if isServing { publish(output.events) }
            } else if isServing {
                publish(overlapFiltered(output.events, connection: socket.key.connection))
            } else if socket.heldTrades.count < Self.maxHeldTrades {
                // The replacement before its cut-over: keep its trades, in case the old socket is behind.
                for case .trade(let trade) in output.events { socket.heldTrades.append(trade) }
            }
        }
        for action in output.actions {
            switch action {
            case .send(let message):
                let lane: OutboundLane = sendLane ?? (socket.pipeline == nil ? .subscription : .control)
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
        let url: String
        if let override = configuration.restBaseURL, let original = Adapter.spec.restBaseURL, request.url.hasPrefix(original) {
            url = override + request.url.dropFirst(original.count)
        } else {
            url = request.url
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

    // MARK: Make-before-break cut-over

    /// The replacement `socket` now serves: subscribers get its books as snapshots (the old
    /// socket's deltas stop here, at whatever update it had reached), then the trades it delivered
    /// before the cut-over that the old socket had not published.
    private func cutOver(to socket: PooledSocket<Adapter>) {
        let id = socket.key.connection
        guard overlaps[id] != nil else { return }
        overlaps[id]?.isCutOver = true
        var events: [MarketEvent] = []
        if let pipeline = socket.pipeline {
            let now = Self.wallClockNow()
            for (symbol, book) in pipeline.books.synchronizers.sorted(by: { $0.key.description < $1.key.description })
            where book.phase == .live {
                events.append(.book(book.book.snapshot(venue: spec.id, symbol: symbol, depth: configuration.bookDepth, tsExchange: nil, tsRecv: now)))
            }
        }
        events += socket.heldTrades.map { MarketEvent.trade($0) }
        socket.heldTrades = []
        publish(overlapFiltered(events, connection: id))
    }

    /// Before the cut-over, records the serving socket's trade ids; after it, drops the new
    /// socket's trades the old one already published, per symbol until the first new id (from
    /// there on both streams agree, and the overlap ends once every symbol got there).
    private func overlapFiltered(_ events: [MarketEvent], connection id: Int) -> [MarketEvent] {
        guard var overlap = overlaps[id] else { return events }
        var out: [MarketEvent] = []
        out.reserveCapacity(events.count)
        for event in events {
            if case .trade(let trade) = event {
                if !overlap.isCutOver {
                    if overlap.published[trade.symbol, default: []].count < Self.maxHeldTrades {
                        overlap.published[trade.symbol, default: []].insert(trade.tradeID)
                    }
                } else if let seen = overlap.published[trade.symbol] {
                    if seen.contains(trade.tradeID) { continue }
                    overlap.published[trade.symbol] = nil
                }
            }
            out.append(event)
        }
        overlaps[id] = overlap.isCutOver && overlap.published.isEmpty ? nil : overlap
        return out
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
        var earliestReceive = Int64.max
        for event in events {
            switch event {
            case .status(let status):
                let key = StatusKey(symbol: status.symbol, channel: status.channel)
                if lastStatus[key] == status.state { continue }
                lastStatus[key] = status.state
                recordStatus(status, key: key)
            case .trade(let trade):
                counters.lastTrade = trade
                earliestReceive = min(earliestReceive, trade.tsRecv)
            case .book(let update):
                counters.lastBookUpdate = update.tsRecv
                earliestReceive = min(earliestReceive, update.tsRecv)
            case .bbo(let bbo):
                earliestReceive = min(earliestReceive, bbo.tsRecv)
            case .ticker(let ticker):
                earliestReceive = min(earliestReceive, ticker.tsRecv)
            case .funding(let funding):
                earliestReceive = min(earliestReceive, funding.tsRecv)
            case .liquidation(let liquidation):
                earliestReceive = min(earliestReceive, liquidation.tsRecv)
            default:
                break
            }
            out.append(event)
        }
        if !out.isEmpty { sink?.publish(out) }
        // Frame read → fan-out hand-off: one clock read per batch, only for batches with data.
        if earliestReceive != .max { counters.latency.record(nanoseconds: Self.wallClockNow() - earliestReceive) }
    }

    private func recordStatus(_ status: StatusEvent, key: StatusKey) {
        switch status.state {
        case .stale: counters.staleEvents += 1
        case .resyncing: counters.resyncs += 1
        default: break
        }
        if streamStatuses[key] == nil { streamOrder.append(key) }
        streamStatuses[key] = StreamStatus(symbol: status.symbol, channel: status.channel, state: status.state,
                                           reason: status.reason, since: Self.wallClockNow())
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

/// Trade ids published around a make-before-break cut-over (one connection id).
struct TradeOverlap {
    var published: [Symbol: Set<TradeID>] = [:]
    var isCutOver = false
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
    // Strong on purpose: a socket's last events (its close) may arrive after its owner let go of
    // the pool, which an `unowned` reference turned into a crash. The cycle pool → sockets → socket
    // → pool ends when the pool drops the socket in `socketClosed`.
    let pool: VenueSessionPool<Adapter>
    let key: SocketKey
    var connection: WebSocketConnection?
    var pipeline: FeedPipeline<Adapter>?
    var output = FeedOutput()
    var isAbandoned = false
    /// Trades of a replacement socket before its cut-over (published then, minus duplicates).
    var heldTrades: [Trade] = []
    /// Messages and payload bytes received on this socket.
    var messages = 0
    var bytes = 0

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
