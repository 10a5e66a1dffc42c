import NIOCore
import WebSocketWire

/// One accepted TCP connection of the simulated venue: optional TLS, then HTTP (REST answers or
/// the WebSocket upgrade), then the replay of one recorded connection through the fault injector.
/// Lives on the server's event loop; the sans-IO parts (`HTTPRequestParser`, `ServerHandshake`,
/// `WebSocketServerEngine`, `SessionPlayer`, `FaultInjector`) do the thinking.
final class SimulatorConnectionHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    enum State { case http, upgrading, webSocket, closing, closed }

    let core: SimulatorCore
    let tls: TLSServerEngine?
    var context: ChannelHandlerContext?
    var state = State.http
    var parser = HTTPRequestParser()
    var engine: WebSocketServerEngine?
    var player: SessionPlayer?
    var injector = FaultInjector()
    var venue: VenueRuntime?
    var connectionNumber = 0
    var pendingSteps: [FaultPlan.Step] = []
    var isMuted = false
    var isHoldingInput = false
    var heldInput: [UInt8] = []
    var wakeTimer: (any ReplayTimer)?
    /// The market-data heartbeat timer (started by the client's first message; see `VenueProfile.heartbeatFrame`).
    var heartbeatTimer: (any ReplayTimer)?
    var closeTimer: Scheduled<Void>?
    var lastWrite: EventLoopFuture<Void>?
    var lastFrameT: Int64 = 0
    /// Recorded frames handed to the injector so far (what `FaultPlan.Step.afterFrames` counts).
    var replayedFrames = 0
    var closeReason = "closed"
    /// Whether the upgrade succeeded and the venue counts this connection as open.
    var isOpenWithVenue = false
    /// Whether we sent the first close frame (the client's close is then only its reply).
    var didStartClose = false
    /// Orders hook: the order half of `/<venue>/orders` connections (SimulatorConnectionHandler+Orders.swift).
    var orderSession = OrderConnectionSession()
    let plaintext: UnsafeMutableRawBufferPointer

    init(core: SimulatorCore, tls: TLSServerEngine?) {
        self.core = core
        self.tls = tls
        plaintext = UnsafeMutableRawBufferPointer.allocate(byteCount: tls == nil ? 0 : 64 << 10, alignment: 16)
    }

    deinit { plaintext.deallocate() }

    /// Whether the connection replays and can take a fault (not half-open, not closing).
    var isReplaying: Bool { state == .webSocket && !isMuted }

    // MARK: Channel events

    func channelActive(context: ChannelHandlerContext) {
        self.context = context
        core.register(self)
        if tls != nil, let delay = core.takeTLSHandshakeDelay() {
            // Slow TLS handshake: sit on the ClientHello, then answer as if nothing happened.
            isHoldingInput = true
            core.clock.schedule(at: core.clock.now() &+ UInt64(max(delay, 0)) &* 1_000_000, on: context.eventLoop) { [self] in
                isHoldingInput = false
                let held = heldInput
                heldInput = []
                if !held.isEmpty { ingest(held) }
            }
        }
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let bytes = Array(unwrapInboundIn(data).readableBytesView)
        if isHoldingInput {
            heldInput.append(contentsOf: bytes)
        } else {
            ingest(bytes)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        let wasOpen = isOpenWithVenue
        isOpenWithVenue = false
        state = .closed
        wakeTimer?.cancel()
        heartbeatTimer?.cancel()
        closeTimer?.cancel()
        core.unregister(self)
        orderConnectionClosed()
        if let venue, wasOpen {
            venue.connectionClosed(self)
            core.emit(.disconnected(venue: venue.profile.id, connection: connectionNumber, reason: closeReason))
        }
        self.context = nil
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        closeReason = "socket error: \(error)"
        context.close(promise: nil)
    }

    /// Closes TCP at once (server shutdown).
    func closeImmediately() {
        closeReason = "server stopped"
        context?.close(promise: nil)
    }

    // MARK: Input

    func ingest(_ bytes: [UInt8]) {
        guard let tls else {
            handlePlaintext(bytes)
            return
        }
        bytes.withUnsafeBytes { tls.feedCiphertext($0) }
        while state != .closed {
            let result: TLSServerEngine.ReadResult
            do {
                result = try tls.readPlaintext(into: plaintext)
            } catch {
                flushTLS()
                core.emit(.connectionFailed(reason: error.message))
                drop(reason: error.message)
                return
            }
            switch result {
            case .bytes(let count):
                if count > 0 { handlePlaintext(Array(UnsafeRawBufferPointer(rebasing: plaintext[0..<count]))) }
            case .wantMore:
                flushTLS()
                return
            case .closed:
                flushTLS()
                closeReason = "the client ended TLS"
                closeTCP()
                return
            }
        }
    }

    func handlePlaintext(_ bytes: [UInt8]) {
        switch state {
        case .http:
            parser.feed(bytes)
            readRequests()
        case .upgrading:
            parser.feed(bytes)
        case .webSocket, .closing:
            receiveFrames(bytes)
        case .closed:
            return
        }
    }

    func readRequests() {
        while state == .http {
            do {
                guard let request = try parser.nextRequest() else { return }
                if serveOrderREST(request) { continue }  // Orders hook: Kraken's WebSocket token
                if serveInstrumentREST(request) { continue }  // venues' public trading-rules endpoints
                handleRequest(request.head)
            } catch {
                respond(.json(error.status, "{\"error\":\"\(error.message)\"}", closesConnection: true))
                return
            }
        }
    }

    // MARK: HTTP

    func handleRequest(_ head: HTTPRequestHead) {
        let components = head.path.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: true)
        guard let first = components.first else {
            respond(indexResponse(head))
            return
        }
        if let route = Self.orderRoute(head.path) {
            serveOrders(head, venue: route.venue, role: route.role)
            return
        }
        guard let venue = core.venues[String(first)] else {
            let known = core.venueOrder.joined(separator: ", ")
            respond(.json(404, "{\"error\":\"no simulated venue '\(first)' (serving: \(known))\"}", closesConnection: head.wantsClose))
            return
        }
        if ServerHandshake.isUpgradeRequest(head) {
            upgrade(head, venue: venue)
        } else {
            serveREST(head, venue: venue)
        }
    }

    func serveREST(_ head: HTTPRequestHead, venue: VenueRuntime) {
        let prefix = "/" + venue.profile.id
        var target = String(head.target.dropFirst(prefix.count))
        if target.isEmpty || target.first == "?" { target = "/" + target }
        let response: HTTPResponse
        if let recorded = venue.restResponse(method: head.method, target: target) {
            response = HTTPResponse(status: recorded.status, headers: [("Content-Type", "application/json")], body: recorded.body,
                                    closesConnection: head.wantsClose)
        } else {
            response = .json(404, "{\"error\":\"no recorded REST response for \(head.method) \(target)\"}", closesConnection: head.wantsClose)
        }
        core.emit(.restServed(venue: venue.profile.id, target: target, status: response.status))
        respond(response)
    }

    func indexResponse(_ head: HTTPRequestHead) -> HTTPResponse {
        let host = head.header("host") ?? "\(core.configuration.host):\(core.configuration.port)"
        let secure = core.tlsContext != nil
        let entries = core.venueOrder.compactMap { id -> String? in
            guard let venue = core.venues[id] else { return nil }
            let scenarios = venue.profile.scenarioNames.map { "\"\($0)\"" }.joined(separator: ",")
            return "{\"venue\":\"\(id)\",\"ws\":\"\(secure ? "wss" : "ws")://\(host)/\(id)\",\"rest\":\"\(secure ? "https" : "http")://\(host)/\(id)\",\"scenarios\":[\(scenarios)]}"
        }
        return .json(200, "{\"venues\":[\(entries.joined(separator: ","))]}", closesConnection: head.wantsClose)
    }

    func respond(_ response: HTTPResponse) {
        writeRaw(response.bytes)
        if response.closesConnection {
            state = .closing
            closeTCP()
        }
    }

    // MARK: WebSocket upgrade

    func upgrade(_ head: HTTPRequestHead, venue: VenueRuntime) {
        let number = venue.beginConnectionAttempt()
        connectionNumber = number
        let steps = core.configuration.faults.steps(forVenue: venue.profile.id, connection: number)
        let handshakeFaults = steps.filter { $0.fault.isHandshakeFault }.map(\.fault) + venue.takeArmedHandshakeFaults()
        for case .rejectConnect(let status, let retryAfter) in handshakeFaults {
            core.emit(.faultInjected(venue: venue.profile.id, fault: .rejectConnect(status: status, retryAfterSeconds: retryAfter), armed: false))
            core.emit(.rejected(venue: venue.profile.id, connection: number, status: status))
            respond(.rejection(status: status, retryAfterSeconds: retryAfter))
            return
        }
        let accepted: ServerHandshake.Accepted
        switch ServerHandshake.evaluate(head, deflate: core.configuration.deflate) {
        case .success(let value):
            accepted = value
        case .failure(let error):
            core.emit(.rejected(venue: venue.profile.id, connection: number, status: error.response.status))
            respond(error.response)
            return
        }
        var delay: Int64 = 0
        for case .slowHandshake(let milliseconds) in handshakeFaults {
            // Scripted steps delay the 101 here; with TLS, chaos delays the TLS accept instead.
            delay = max(delay, milliseconds)
            core.emit(.faultInjected(venue: venue.profile.id, fault: .slowHandshake(delayMilliseconds: milliseconds), armed: false))
        }
        let streamSteps = steps.filter { !$0.fault.isHandshakeFault }
        guard delay > 0, let loop = context?.eventLoop else {
            open(accepted, venue: venue, steps: streamSteps)
            return
        }
        state = .upgrading
        core.clock.schedule(at: core.clock.now() &+ UInt64(delay) &* 1_000_000, on: loop) { [self] in
            guard state == .upgrading else { return }
            open(accepted, venue: venue, steps: streamSteps)
        }
    }

    func open(_ accepted: ServerHandshake.Accepted, venue: VenueRuntime, steps: [FaultPlan.Step]) {
        do {
            engine = try WebSocketServerEngine(configuration: core.configuration.webSocket, deflate: accepted.deflate)
        } catch {
            respond(.json(500, "{\"error\":\"cannot start the WebSocket engine\"}", closesConnection: true))
            return
        }
        writeRaw(accepted.response)
        state = .webSocket
        isOpenWithVenue = true
        self.venue = venue
        let segment = venue.takeNextSegment()
        venue.connectionOpened(self, segment: segment)
        player = SessionPlayer(segment: segment, speed: core.configuration.speed, waitsForClient: core.configuration.waitsForClientMessages,
                               startedAt: core.clock.now())
        injector = FaultInjector(shutdownNotice: venue.profile.shutdownNotice, rotationGraceMilliseconds: core.configuration.rotationGraceMilliseconds)
        lastFrameT = segment.startT
        core.emit(.connected(venue: venue.profile.id, connection: connectionNumber, segment: segment.description))
        core.armTLSSlowHandshakes(afterOpening: venue.profile.id, connection: connectionNumber)
        pendingSteps = steps.filter { $0.afterFrames > 0 }
        let immediate = steps.filter { $0.afterFrames == 0 }.map(\.fault) + venue.takeArmedConnectionFaults()
        for fault in immediate where state == .webSocket { apply(fault) }
        let leftover = parser.takeRemainingBytes()
        if !leftover.isEmpty { receiveFrames(leftover) }
        pump()
    }
}
