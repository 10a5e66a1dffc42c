import Dispatch
import MarketModel
import NIOCore
import Sessions
import Transport
import VenueKit
import WebSocketWire
#if canImport(Glibc)
import Glibc
#endif

/// What an ``OrderLink`` tells the gateway (on the gateway's loop).
protocol OrderLinkDelegate: AnyObject {
    /// Logged in (or connected, for venues that sign every request): orders may flow.
    func linkUp(_ venue: VenueID)
    /// The connection is gone; whatever was in flight on it has an unknown outcome.
    func linkDown(_ venue: VenueID, reason: String)
    /// Parsed messages from the order (or updates) connection, logins and keep-alives removed.
    func link(_ venue: VenueID, received events: [OrderVenueEvent])
    /// A line for the operator's log.
    func link(_ venue: VenueID, log message: String, isError: Bool)
}

/// The type-erased face of an ``OrderLink``.
protocol AnyOrderLink: AnyObject {
    /// The venue.
    var venue: VenueID { get }
    /// Whether the link is logged in.
    var isUp: Bool { get }
    /// Connections opened so far (the first plus reconnects).
    var connects: Int { get }
    /// Connects and keeps reconnecting until ``stop()``.
    func start()
    /// Closes and stops reconnecting.
    func stop()
    /// Writes a frame on the order connection; `false` when it is not up (nothing written).
    func send(_ frame: OutboundMessage) -> Bool
    /// The key the venue's reply to a request will carry, when it does not echo request ids.
    func replyCorrelationKey(kind: OrderRequestKind, venueClientOrderID: String?) -> String?
    /// Whether the venue's replies carry our request ids (all but Bitfinex).
    var echoesRequestIDs: Bool { get }
}

/// One venue's authenticated order connection (plus its updates connection where the venue has
/// one): connect, log in, keep alive, detect a dead peer, reconnect with capped exponential
/// backoff and full jitter. Runs on one event loop; every method must be called there.
final class OrderLink<Router: OrderRouting>: AnyOrderLink, @unchecked Sendable {
    let venue: VenueID
    private let endpoint: OrderVenueEndpoint
    /// The account's secrets, shared with the core's frame builder (refreshed before reconnects
    /// when the endpoint says how).
    private let credentials: SharedCredentials
    private let configuration: OrderGatewayConfiguration
    private let eventLoop: any EventLoop
    private weak var delegate: (any OrderLinkDelegate)?
    private let tlsContext: TLSContext?

    private var main: LinkSocket?
    private var updates: LinkSocket?
    private var mainRouter: Router
    private var updatesRouter: Router
    private(set) var isUp = false
    private(set) var connects = 0
    private var isStopped = true
    private var backoff: ReconnectBackoff
    private var random = SystemRandomNumberGenerator()
    private var lastHeard: Int64 = 0
    private var lastPing: Int64 = 0
    private var loginDeadline: Int64?
    /// This connection attempt's order connection has logged in.
    private var isMainLoggedIn = false
    /// This attempt's updates connection (where there is one) has logged in and subscribed.
    private var isUpdatesReady = false
    private var loginCount = 0
    private var ticker: RepeatedTask?
    private var reconnect: Scheduled<Void>?
    private var events: [OrderVenueEvent] = []

    init(endpoint: OrderVenueEndpoint, credentials: SharedCredentials, configuration: OrderGatewayConfiguration, eventLoop: any EventLoop,
         delegate: any OrderLinkDelegate) {
        self.venue = endpoint.venue
        self.endpoint = endpoint
        self.credentials = credentials
        self.configuration = configuration
        self.eventLoop = eventLoop
        self.delegate = delegate
        mainRouter = Router(configuration: endpoint.adapterConfiguration)
        updatesRouter = Router(configuration: endpoint.adapterConfiguration)
        backoff = ReconnectBackoff(configuration: configuration.backoff)
        let secure = [endpoint.url, endpoint.updatesURL ?? ""].contains { $0.lowercased().hasPrefix("wss") }
        tlsContext = secure ? try? TLSContext.shared(for: configuration.clientOptions, serverName: endpoint.venue.rawValue) : nil
    }

    func start() {
        guard isStopped else { return }
        isStopped = false
        // One coarse timer drives keep-alive pings, the login deadline and the dead-peer check.
        ticker = eventLoop.scheduleRepeatedTask(initialDelay: .milliseconds(250), delay: .milliseconds(250)) { [weak self] _ in
            self?.tick()
        }
        connect()
    }

    func stop() {
        isStopped = true
        ticker?.cancel()
        ticker = nil
        reconnect?.cancel()
        main?.connection?.close(code: .goingAway, reason: "")
        updates?.connection?.close(code: .goingAway, reason: "")
    }

    func send(_ frame: OutboundMessage) -> Bool {
        guard isUp, let connection = main?.connection else { return false }
        connection.send(text: frame.text)
        return true
    }

    func replyCorrelationKey(kind: OrderRequestKind, venueClientOrderID: String?) -> String? {
        Router.replyCorrelationKey(kind: kind, venueClientOrderID: venueClientOrderID)
    }

    var echoesRequestIDs: Bool { Router.replyCorrelationKey(kind: .place, venueClientOrderID: "probe") == nil }

    // MARK: Connecting

    private func connect() {
        guard !isStopped else { return }
        if connects > 0, let refresh = endpoint.refreshCredentials {
            // A credential that expires before use (Kraken's token) is fetched again for every reconnect.
            refresh(credentials.current, eventLoop).hop(to: eventLoop).whenComplete { [weak self] result in
                guard let self, !self.isStopped else { return }
                switch result {
                case .success(let fresh):
                    self.credentials.replace(with: fresh)
                    self.openConnections()
                case .failure(let error):
                    self.delegate?.link(self.venue, log: "order connection: cannot refresh credentials: \(error)", isError: true)
                    self.scheduleReconnect(reason: "credentials refresh failed", imposedDelay: nil)
                }
            }
            return
        }
        openConnections()
    }

    private func openConnections() {
        guard !isStopped else { return }
        connects += 1
        mainRouter = Router(configuration: endpoint.adapterConfiguration)
        updatesRouter = Router(configuration: endpoint.adapterConfiguration)
        isMainLoggedIn = false
        isUpdatesReady = false
        main = open(endpoint.url, role: .main)
        if let updatesURL = endpoint.updatesURL { updates = open(updatesURL, role: .updates) }
    }

    private func open(_ url: String, role: LinkSocket.Role) -> LinkSocket? {
        let socket = LinkSocket(link: self, role: role)
        let target: WebSocketURL
        do {
            target = try WebSocketURL(url)
        } catch {
            delegate?.link(venue, log: "order connection: bad URL \(url): \(error)", isError: true)
            scheduleReconnect(reason: "bad URL", imposedDelay: nil)
            return nil
        }
        WebSocketConnection.connect(to: target, options: configuration.clientOptions, tlsContext: target.isSecure ? tlsContext : nil,
                                    on: eventLoop, label: "\(venue)-orders", delegate: socket)
            .whenSuccess { socket.connection = $0 }
        return socket
    }

    fileprivate func opened(_ socket: LinkSocket, _ connection: WebSocketConnection) {
        socket.connection = connection
        guard !isStopped else { connection.close(code: .goingAway); return }
        lastHeard = Self.monotonicNow()
        loginCount += 1
        let context = OrderFrameContext(requestID: String(Self.loginRequestBase + loginCount), now: Self.wallClockNow(), credentials: credentials.current)
        let frames: [OutboundMessage]
        do {
            frames = socket.role == .main ? try mainRouter.loginFrames(context: context)
                : try updatesRouter.updatesLoginFrames(context: context)
        } catch {
            delegate?.link(venue, log: "order connection: cannot build login: \(error)", isError: true)
            connection.close(code: .policyViolation, reason: "")
            return
        }
        delegate?.link(venue, log: "order connection (\(socket.role)) open to \(connection.url)", isError: false)
        for frame in frames { connection.send(text: frame.text) }
        if loginDeadline == nil { loginDeadline = Self.monotonicNow() + configuration.loginTimeout }
        if socket.role == .main && frames.isEmpty {
            isMainLoggedIn = true  // every request is signed on its own (Binance HMAC)
            markUpIfReady()
        }
    }

    /// Up once the order connection is logged in **and**, where the venue pushes order updates on
    /// a second connection (Bybit `/v5/private`), that one is logged in and subscribed: an order
    /// sent before its updates stream listens could fill unseen, and stay `accepted` for ever.
    private func markUpIfReady() {
        guard isMainLoggedIn, updates == nil || isUpdatesReady else { return }
        markUp()
    }

    private func markUp() {
        guard !isUp else { return }
        loginDeadline = nil
        isUp = true
        backoff.recordConnected(now: Self.monotonicNow())
        delegate?.linkUp(venue)
    }

    fileprivate func received(_ socket: LinkSocket, _ payload: UnsafeRawBufferPointer) {
        lastHeard = Self.monotonicNow()
        events.removeAll(keepingCapacity: true)
        do throws(VenueParseError) {
            if socket.role == .main {
                try mainRouter.parseOrderMessage(payload, tsRecv: Self.wallClockNow(), into: &events)
            } else {
                try updatesRouter.parseOrderMessage(payload, tsRecv: Self.wallClockNow(), into: &events)
            }
        } catch {
            // A message we cannot read is logged, never guessed at; the order it concerned is
            // settled by its next update or by reconciliation.
            delegate?.link(venue, log: "order connection: \(error) in \(Self.excerpt(payload))", isError: true)
            return
        }
        var forward: [OrderVenueEvent] = []
        for event in events {
            switch event {
            case .loggedIn:
                if socket.role == .main {
                    isMainLoggedIn = true
                } else {
                    isUpdatesReady = true
                    delegate?.link(venue, log: "order updates connection logged in and subscribed", isError: false)
                }
                markUpIfReady()
            case .loginFailed(let reason):
                delegate?.link(venue, log: "order login refused: \(reason)", isError: true)
                socket.connection?.close(code: .policyViolation, reason: "")
            case .send(let frame):
                socket.connection?.send(text: frame.text)  // venue keep-alive request (Deribit test_request)
            case .heartbeat:
                continue
            default:
                forward.append(event)
            }
        }
        if !forward.isEmpty { delegate?.link(venue, received: forward) }
    }

    fileprivate func heard(_ socket: LinkSocket) {
        lastHeard = Self.monotonicNow()
    }

    fileprivate func closed(_ socket: LinkSocket, info: WebSocketCloseInfo) {
        guard socket === main || socket === updates else { return }
        delegate?.link(venue, log: "order connection (\(socket.role)) closed: \(info)", isError: info.error != nil)
        // One link, one fate: when either socket goes, both are restarted together, so updates
        // are never missed while orders flow (or the reverse).
        let other = socket === main ? updates : main
        main = nil
        updates = nil
        other?.connection?.abort()
        loginDeadline = nil
        if isUp {
            isUp = false
            delegate?.linkDown(venue, reason: "\(info)")
        }
        let failure: TransportFailure
        if let error = info.error {
            failure = TransportFailure(reason: error.description, isRetryable: error.isRetryable,
                                       httpStatus: error.webSocketError?.httpStatus, closeCode: info.peerCode.rawValue,
                                       retryAfter: error.webSocketError?.retryAfterSeconds.map { Int64($0) * 1_000_000_000 })
        } else {
            failure = .closed(code: info.peerCode.rawValue, reason: info.peerReason)
        }
        scheduleReconnect(reason: failure.reason, imposedDelay: configuration.backoff.imposedDelay(for: failure))
    }

    private func scheduleReconnect(reason: String, imposedDelay: Nanoseconds?) {
        guard !isStopped else { return }
        reconnect?.cancel()
        let delay = backoff.recordFailure(now: Self.monotonicNow(), imposedDelay: imposedDelay, using: &random)
        delegate?.link(venue, log: "order connection: reconnecting in \(delay / 1_000_000) ms (\(reason))", isError: false)
        reconnect = eventLoop.scheduleTask(in: .nanoseconds(delay)) { [weak self] in self?.connect() }
    }

    // MARK: Timers

    private func tick() {
        guard !isStopped, let connection = main?.connection else { return }
        let now = Self.monotonicNow()
        if let deadline = loginDeadline, now >= deadline {
            delegate?.link(venue, log: "order login: no answer within \(configuration.loginTimeout / 1_000_000) ms", isError: true)
            connection.abort()
            return
        }
        if now - lastHeard > configuration.deadPeerTimeout {
            delegate?.link(venue, log: "order connection: nothing heard for \(configuration.deadPeerTimeout / 1_000_000) ms; dead peer", isError: true)
            connection.abort()
            return
        }
        switch Router.orderSpec.keepAlive {
        case .applicationPing(let payload, let every) where now - lastPing >= every:
            lastPing = now
            connection.send(text: payload)
            updates?.connection?.send(text: payload)
        case .protocolPing(let every) where now - lastPing >= every:
            lastPing = now
            connection.sendPing()
            updates?.connection?.sendPing()
        case .serverPings(let interval, _) where now - lastHeard >= interval && now - lastPing >= interval:
            // The venue pings us (the transport answers); when it has been quiet that long, ask
            // ourselves, so an idle order connection is not mistaken for a dead peer.
            lastPing = now
            connection.sendPing()
            updates?.connection?.sendPing()
        default:
            break  // heartbeat channels, Deribit test_request (answered in `received`)
        }
    }

    /// Login request ids: numeric (Kraken's `req_id` must be an integer) and far above the
    /// multiplexer's own request numbers, so a login reply is never taken for an order's.
    static var loginRequestBase: Int { 1_000_000_000 }

    static func excerpt(_ payload: UnsafeRawBufferPointer) -> String {
        let prefix = payload.prefix(160)
        return String(decoding: prefix, as: UTF8.self) + (payload.count > 160 ? "…" : "")
    }

    static func monotonicNow() -> Int64 { Int64(DispatchTime.now().uptimeNanoseconds) }

    static func wallClockNow() -> Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Int64(spec.tv_sec) * 1_000_000_000 + Int64(spec.tv_nsec)
    }

    /// The delegate hop for one socket (main or updates).
    final class LinkSocket: WebSocketConnectionDelegate, @unchecked Sendable {
        enum Role: String { case main, updates }
        // Weak: a socket's last events (its close) can arrive after the gateway and its links
        // are gone (shutdown); they are then dropped.
        weak var link: OrderLink<Router>?
        let role: Role
        var connection: WebSocketConnection?

        init(link: OrderLink<Router>, role: Role) {
            self.link = link
            self.role = role
        }

        func webSocketDidOpen(_ connection: WebSocketConnection) {
            guard let link else { connection.close(code: .goingAway); return }
            link.opened(self, connection)
        }
        func webSocket(_ connection: WebSocketConnection, didReceive payload: UnsafeRawBufferPointer, opcode: WebSocketOpcode) {
            link?.received(self, payload)
        }
        func webSocket(_ connection: WebSocketConnection, didReceivePing payload: UnsafeRawBufferPointer) { link?.heard(self) }
        func webSocket(_ connection: WebSocketConnection, didReceivePong payload: UnsafeRawBufferPointer) { link?.heard(self) }
        func webSocketDidClose(_ connection: WebSocketConnection, info: WebSocketCloseInfo) { link?.closed(self, info: info) }
    }
}
