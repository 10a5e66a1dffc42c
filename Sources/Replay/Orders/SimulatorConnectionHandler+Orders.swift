import NIOCore
import WebSocketWire

/// What an order connection holds besides the WebSocket: its venue's desk, its dialect (login and
/// subscriptions), and the venue heartbeat timer (Deribit `test_request`, Bitfinex `hb`).
struct OrderConnectionSession {
    var desk: SimulatedOrderDesk?
    var dialect: (any SimulatedOrderDialect)?
    var heartbeatTimer: (any ReplayTimer)?
    var heartbeatInterval: Int64?
}

/// The order half of a simulated connection (docs/simulator.md "Orders"): `/<venue>/orders` and
/// `/<venue>/orders-private` upgrade to a connection that speaks the venue's order dialect against
/// the venue's shared `SimulatedExchange`, over the same TLS / WebSocket / deflate stack as replay.
extension SimulatorConnectionHandler {
    /// `/<venue>/orders[/…]` → (venue, trade); `/<venue>/orders-private[/…]` → (venue, updates).
    static func orderRoute(_ path: String) -> (venue: String, role: SimulatedOrderConnectionRole)? {
        let parts = path.split(separator: "/", omittingEmptySubsequences: true)
        guard parts.count >= 2 else { return nil }
        switch parts[1] {
        case "orders": return (String(parts[0]), .trade)
        case "orders-private": return (String(parts[0]), .updates)
        default: return nil
        }
    }

    /// Answers an order-path request: the WebSocket upgrade, or 404 for a venue without a dialect.
    func serveOrders(_ head: HTTPRequestHead, venue: String, role: SimulatedOrderConnectionRole) {
        guard let desk = core.orderDesks[venue] else {
            let known = core.orderDesks.keys.sorted().joined(separator: ", ")
            respond(.json(404, "{\"error\":\"no simulated order entry for '\(venue)' (serving: \(known))\"}", closesConnection: head.wantsClose))
            return
        }
        guard ServerHandshake.isUpgradeRequest(head) else {
            respond(.json(400, "{\"error\":\"\(head.path) is a WebSocket endpoint\"}", closesConnection: head.wantsClose))
            return
        }
        let accepted: ServerHandshake.Accepted
        switch ServerHandshake.evaluate(head, deflate: core.configuration.deflate) {
        case .success(let value):
            accepted = value
        case .failure(let error):
            respond(error.response)
            return
        }
        do {
            engine = try WebSocketServerEngine(configuration: core.configuration.webSocket, deflate: accepted.deflate)
        } catch {
            respond(.json(500, "{\"error\":\"cannot start the WebSocket engine\"}", closesConnection: true))
            return
        }
        writeRaw(accepted.response)
        state = .webSocket
        let id = desk.attach(self)
        connectionNumber = id
        orderSession.desk = desk
        var dialect = SimulatedOrderDialects.make(venue: venue, role: role, connectionID: id)
        let greeting = dialect?.greeting(now: desk.now()) ?? []
        orderSession.dialect = dialect
        core.emit(.connected(venue: venue, connection: id, segment: "\(venue)/\(role == .trade ? "orders" : "orders-private")#\(id)"))
        sendOrderFrames(greeting)
        let leftover = parser.takeRemainingBytes()
        if !leftover.isEmpty { receiveFrames(leftover) }
    }

    /// One client text message on an order connection.
    func receiveOrderMessage(_ payload: [UInt8]) {
        guard let desk = orderSession.desk, var dialect = orderSession.dialect else { return }
        orderSession.dialect = nil
        let outcome = desk.receive(payload, dialect: &dialect, from: self)
        orderSession.dialect = dialect
        if outcome.dropsConnection {
            drop(reason: "order fault: TCP dropped with an order in flight (accepted, not acknowledged)")
            return
        }
        sendOrderFrames(outcome.replies)
        updateOrderHeartbeat()
        if outcome.restartsVenue { desk.restartAll() }
        if outcome.closesConnection {
            closeReason = "the venue ended the session (rate limit)"
            state = .closing
            closeTCP()
        }
    }

    /// Renders order events through this connection's dialect and sends them.
    func renderOrderEvents(_ events: [SimulatedOrderEvent], now: SimulatedOrderClock) {
        guard state == .webSocket, var dialect = orderSession.dialect else { return }
        var frames: [String] = []
        for event in events { frames += dialect.render(event, now: now) }
        orderSession.dialect = dialect
        sendOrderFrames(frames)
    }

    /// Text frames out, compressed when deflate was negotiated.
    func sendOrderFrames(_ texts: [String]) {
        guard state == .webSocket, let engine, !texts.isEmpty else { return }
        for text in texts {
            do {
                try engine.send(Array(text.utf8), opcode: .text, compress: true)
            } catch {
                drop(reason: "cannot send: \(error)")
                return
            }
        }
        flushEngine()
    }

    /// The `orders-restart` fault: close 1012 (service restart).
    func restartOrderConnection() {
        startClose(code: WebSocketCloseCode(rawValue: 1012), reason: "order gateway restart")
    }

    /// (Re)arms the venue heartbeat when the dialect's wish changed (after `set_heartbeat`, `auth`…).
    func updateOrderHeartbeat() {
        let wanted = orderSession.dialect?.heartbeat?.intervalMilliseconds
        guard wanted != orderSession.heartbeatInterval else { return }
        orderSession.heartbeatTimer?.cancel()
        orderSession.heartbeatInterval = wanted
        scheduleOrderHeartbeat()
    }

    /// The next heartbeat, on the server's clock (real time: a protocol timer, not replay time).
    private func scheduleOrderHeartbeat() {
        guard let interval = orderSession.heartbeatInterval, interval > 0, let loop = context?.eventLoop else { return }
        orderSession.heartbeatTimer = core.clock.schedule(at: core.clock.now() &+ UInt64(interval) &* 1_000_000, on: loop) { [self] in
            guard state == .webSocket, let frame = orderSession.dialect?.heartbeat?.frame else { return }
            sendOrderFrames([frame])
            scheduleOrderHeartbeat()
        }
    }

    /// Forgets the connection when it closes.
    func orderConnectionClosed() {
        orderSession.heartbeatTimer?.cancel()
        guard let desk = orderSession.desk else { return }
        desk.detach(self)
        core.emit(.disconnected(venue: desk.venue, connection: connectionNumber, reason: closeReason))
        orderSession.desk = nil
    }
}

extension SimulatorConnectionHandler {
    /// The REST calls order entry needs before its WebSocket; `true` when answered. Kraken
    /// [KR-TOKEN]: `POST /kraken/0/private/GetWebSocketsToken` with `API-Key`, `API-Sign` =
    /// base64(HMAC-SHA512(base64decode(secret), path + SHA256(nonce + body))) and body `nonce=…`:
    /// ```json
    /// {"error":[],"result":{"token":"mmx-test-ws-token","expires":900}}
    /// {"error":["EAPI:Invalid key"]}
    /// ```
    func serveOrderREST(_ request: HTTPRequestParser.Request) -> Bool {
        if serveOrderStatusREST(request) { return true }
        let path = "/0/private/GetWebSocketsToken"
        guard request.head.method == "POST", request.head.path == "/kraken" + path, let desk = core.orderDesks["kraken"] else { return false }
        let body = String(decoding: request.body, as: UTF8.self)
        let nonce = body.split(separator: "&").first { $0.hasPrefix("nonce=") }.map { String($0.dropFirst(6)) } ?? ""
        let answer: String
        if let key = request.head.header("API-Key"), let account = desk.exchange.account(apiKey: key) {
            let expected = OrderSigning.base64Decode(account.secret).map { secret in
                OrderSigning.base64(OrderSigning.mac(.sha512, key: secret, data: Array(path.utf8) + OrderSigning.sha256(nonce + body)))
            }
            answer = expected != nil && expected == request.head.header("API-Sign")
                ? "{\"error\":[],\"result\":{\"token\":\(OrderJSON.quoted(account.webSocketToken)),\"expires\":900}}"
                : "{\"error\":[\"EAPI:Invalid signature\"]}"
        } else {
            answer = "{\"error\":[\"EAPI:Invalid key\"]}"
        }
        core.emit(.restServed(venue: "kraken", target: path, status: 200))
        respond(.json(200, answer, closesConnection: request.head.wantsClose))
        return true
    }
}

extension SimulatorConnectionHandler {
    /// The REST order-status endpoints (`SimulatedOrderStatusREST`) under `/<venue>`, answered
    /// from the venue's shared exchange; `true` when answered.
    func serveOrderStatusREST(_ request: HTTPRequestParser.Request) -> Bool {
        let parts = request.head.path.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, let desk = core.orderDesks[String(parts[0])] else { return false }
        let venue = String(parts[0])
        let path = "/" + parts[1]
        guard SimulatedOrderStatusREST.serves(venue: venue, method: request.head.method, path: path) else { return false }
        let head = request.head
        let statusRequest = SimulatedOrderStatusREST.Request(method: head.method, path: path, query: head.query,
                                                             body: String(decoding: request.body, as: UTF8.self),
                                                             header: { head.header($0) })
        let answer = desk.answerStatusREST(statusRequest)
        core.emit(.restServed(venue: venue, target: path, status: answer.status))
        respond(.json(answer.status, answer.body, closesConnection: head.wantsClose))
        return true
    }
}
