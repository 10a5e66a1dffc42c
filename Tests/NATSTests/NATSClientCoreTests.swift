import MarketModel
import Sessions
import Testing
@testable import NATS

/// Drives ``NATSClientCore`` with a manual clock: no sockets, no sleeps.
struct CoreHarness {
    var core: NATSClientCore
    var now: Nanoseconds = 1_000_000_000
    var actions: [NATSAction] = []

    init(servers: [String] = ["nats://127.0.0.1:4222", "nats://127.0.0.1:4223"], pendingLimit: Int = 8 << 20,
         configure: (inout NATSClientConfiguration) -> Void = { _ in }) {
        var configuration = NATSClientConfiguration(servers: servers.map { try! NATSServerURL($0) }, pendingBufferLimit: pendingLimit)
        configure(&configuration)
        core = NATSClientCore(configuration: configuration, seed: 1)
    }

    mutating func run(_ body: (inout NATSClientCore, Nanoseconds) -> [NATSAction]) {
        actions = body(&core, now)
    }

    mutating func advance(by delta: Nanoseconds) {
        now += delta
        actions = core.tick(now: now)
    }

    mutating func outbound(writable: Bool = true) -> String {
        String(decoding: core.takeOutbound(now: now, isWritable: writable), as: UTF8.self)
    }

    static let info = #"INFO {"server_id":"A","version":"2.9.10","proto":1,"max_payload":1048576,"headers":true,"connect_urls":["127.0.0.1:4224"]}"#

    /// start → TCP → INFO → CONNECT/PING → PONG.
    mutating func connect(info: String = CoreHarness.info) throws {
        if core.phase == .idle { run { $0.start(now: $1) } }
        run { $0.transportOpened(now: $1) }
        try receive(info + "\r\n")
        _ = outbound()
        try receive("PONG\r\n")
    }

    mutating func receive(_ text: String) throws {
        var parser = NATSParser()
        var ops: [NATSServerOp] = []
        try Array(text.utf8).withUnsafeBytes { try parser.parse($0) { ops.append($0) } }
        actions = []
        for op in ops { actions += core.receive(op, now: now) }
    }

    mutating func publish(_ subject: String, _ payload: String, droppable: Bool = true, key: String? = nil, writable: Bool = true) -> NATSPublishOutcome {
        Array(payload.utf8).withUnsafeBytes {
            core.publish(subject: subject, payload: $0, isDroppable: droppable, key: key, isWritable: writable)
        }
    }
}

@Suite("NATSClientCore")
struct NATSClientCoreTests {
    @Test("handshake: INFO → CONNECT{verbose:false,pedantic:false,headers:true} + PING → PONG → connected")
    func handshake() throws {
        var h = CoreHarness()
        h.run { $0.start(now: $1) }
        #expect(h.actions == [.connect(try NATSServerURL("nats://127.0.0.1:4222"))])
        h.run { $0.transportOpened(now: $1) }
        #expect(h.core.phase == .awaitingInfo)
        try h.receive(CoreHarness.info + "\r\n")
        let out = h.outbound()
        #expect(out.hasPrefix("CONNECT {\"verbose\":false,\"pedantic\":false,\"headers\":true"))
        #expect(out.hasSuffix("}\r\nPING\r\n"))
        #expect(h.core.phase == .awaitingPong)
        try h.receive("PONG\r\n")
        #expect(h.actions == [.stateChanged(.connected)])
        #expect(h.core.connectionState == .connected)
        #expect(h.core.servers.map(\.port) == [4222, 4223, 4224])   // connect_urls discovered
        try h.receive("PING\r\n")
        #expect(h.outbound() == "PONG\r\n")
    }

    @Test("publishes before the handshake are buffered and flushed after it, then confirmed by PONG")
    func bufferedUntilConnected() throws {
        var h = CoreHarness()
        h.run { $0.start(now: $1) }
        #expect(h.publish("a", "1") == .queued)
        #expect(h.publish("a", "2") == .queued)
        #expect(h.outbound() == "")
        try h.connect()
        #expect(h.outbound() == "PUB a 1\r\n1\r\nPUB a 1\r\n2\r\nPING\r\n")
        #expect(h.publish("b", "3") == .written)
        #expect(h.outbound() == "PUB b 1\r\n3\r\n")   // a confirming PING is already outstanding
        try h.receive("PONG\r\n")
        #expect(h.core.statistics.confirmedMessages == 2)
        #expect(h.outbound() == "PING\r\n")
        try h.receive("PONG\r\n")
        #expect(h.core.statistics.confirmedMessages == 3)
        #expect(h.core.statistics.sentMessages == 3)
    }

    @Test("writes made while a PING is outstanding are confirmed by the next PING, sent when the PONG comes (not at the next keep-alive)")
    func confirmingPingAfterPong() throws {
        var h = CoreHarness()
        h.run { $0.start(now: $1) }
        try h.connect()
        #expect(h.publish("a", "1") == .written)
        #expect(h.outbound() == "PUB a 1\r\n1\r\nPING\r\n")
        #expect(h.publish("a", "2") == .written)
        #expect(h.outbound() == "PUB a 1\r\n2\r\n")   // a PING is outstanding
        #expect(!h.core.hasOutbound(isWritable: true))
        try h.receive("PONG\r\n")
        // The burst is over: nothing else will call for a write, so the core itself must ask.
        #expect(h.core.hasOutbound(isWritable: true))
        #expect(h.outbound() == "PING\r\n")
        try h.receive("PONG\r\n")
        #expect(h.core.statistics.confirmedMessages == 2 && h.core.statistics.sentMessages == 2)
        #expect(!h.core.hasOutbound(isWritable: true))
    }

    @Test("reconnect: backoff with jitter, rotation across configured and discovered servers, resubscribe")
    func reconnect() throws {
        var h = CoreHarness()
        let sid = h.core.subscribe(subject: "orders.>")
        try h.connect()
        h.run { $0.transportClosed(NATSError(.connectionLost, "reset"), now: $1) }
        #expect(h.actions == [.stateChanged(.reconnecting)])
        #expect(h.core.connectionState == .reconnecting)
        let delay = (h.core.nextDeadline ?? 0) - h.now
        #expect(delay >= 0 && delay <= Interval.milliseconds(100))
        h.advance(by: delay)
        #expect(h.actions == [.connect(try NATSServerURL("nats://127.0.0.1:4223"))])
        h.run { $0.transportClosed(NATSError(.connectionLost, "refused"), now: $1) }
        h.advance(by: Interval.milliseconds(200))
        #expect(h.actions == [.connect(try NATSServerURL("127.0.0.1:4224", isDiscovered: true))])
        h.run { $0.transportOpened(now: $1) }
        try h.receive(CoreHarness.info + "\r\n")
        let out = h.outbound()
        #expect(out.contains("SUB orders.> \(sid)\r\n"))
        try h.receive("PONG\r\n")
        #expect(h.core.statistics.connects == 2)
        #expect(h.core.statistics.disconnects == 2)
    }

    @Test("bounded buffer: drops oldest market data, never status; rejects what must not be dropped")
    func pendingPolicy() throws {
        var h = CoreHarness(pendingLimit: 1024)
        h.run { $0.start(now: $1) }
        let payload = String(repeating: "x", count: 90)           // "PUB md 90\r\n" + 90 + 2 = 103 bytes
        #expect(h.publish("st", payload, droppable: false, key: "okx") == .queued)
        for _ in 0..<8 { #expect(h.publish("md", payload, key: "binance") == .queued) }
        #expect(h.core.statistics.pendingBytes == 103 + 8 * 103)
        #expect(h.publish("md", payload, key: "binance") == .queuedDroppingOlder(1))
        #expect(h.publish("md", payload, key: "okx") == .queuedDroppingOlder(1))
        #expect(h.core.statistics.droppedMessages == 2)
        #expect(h.core.takeDrops() == ["binance": 2])
        // Fill with must-not-drop frames: market data makes way, then new market data is dropped.
        for _ in 0..<8 { _ = h.publish("st", payload, droppable: false, key: "okx") }
        #expect(h.publish("md", payload, key: "okx") == .dropped)
        if case .rejected = h.publish("st", payload, droppable: false) {} else { Issue.record("expected rejection") }
        let s = h.core.statistics
        #expect(s.pendingBytes <= 1024)
        #expect(s.rejectedMessages == 1)
        #expect(s.publishedMessages == s.pendingMessages.asUInt64 + s.droppedMessages)
        // After connecting, the survivors are written oldest first: the first status frame leads.
        try h.connect()
        #expect(h.outbound().hasPrefix("PUB st 90\r\n"))
        #expect(h.core.statistics.pendingMessages == 0)
    }

    @Test("not writable: publishes queue (bounded) and flow once writable")
    func flowControl() throws {
        var h = CoreHarness()
        try h.connect()
        _ = h.outbound()
        #expect(h.publish("a", "1", writable: false) == .queued)
        #expect(h.core.hasOutbound(isWritable: false) == false)
        #expect(h.outbound(writable: false) == "")
        #expect(h.core.hasOutbound(isWritable: true))
        #expect(h.outbound(writable: true).hasPrefix("PUB a 1\r\n1\r\n"))
    }

    @Test("keep-alive PINGs; a connection without PONGs goes stale and is closed")
    func staleConnection() throws {
        var h = CoreHarness()
        try h.connect()
        _ = h.outbound()
        h.advance(by: Interval.seconds(5))
        #expect(h.outbound() == "PING\r\n")
        h.advance(by: Interval.seconds(5))
        #expect(h.outbound() == "PING\r\n")
        h.advance(by: Interval.seconds(5))
        guard case .close(let error?) = h.actions.first else { Issue.record("expected close, got \(h.actions)"); return }
        #expect(error.kind == .timeout)
    }

    @Test("handshake timeout and authorization errors close the attempt")
    func handshakeFailures() throws {
        var h = CoreHarness()
        h.run { $0.start(now: $1) }
        h.advance(by: Interval.seconds(5))
        guard case .close(let timeout?) = h.actions.first else { Issue.record("expected close"); return }
        #expect(timeout.kind == .timeout)
        h.run { $0.transportClosed(timeout, now: $1) }
        h.advance(by: Interval.seconds(1))
        h.run { $0.transportOpened(now: $1) }
        try h.receive(CoreHarness.info + "\r\n")
        try h.receive("-ERR 'Authorization Violation'\r\n")
        #expect(h.actions.contains { if case .close(let e?) = $0 { return e.kind == .authorization }; return false })
    }

    @Test("writes not confirmed before a disconnect are counted as at risk")
    func unconfirmedAccounting() throws {
        var h = CoreHarness()
        try h.connect()
        _ = h.outbound()
        for i in 0..<3 { _ = h.publish("a", "\(i)") }
        #expect(h.outbound().hasSuffix("PING\r\n"))
        h.run { $0.transportClosed(nil, now: $1) }
        #expect(h.core.statistics.unconfirmedAtDisconnect == 3)
        #expect(h.core.statistics.sentMessages == 3)
        #expect(h.core.statistics.confirmedMessages == 0)
    }

    @Test("lame-duck INFO moves to another server without a backoff delay")
    func lameDuck() throws {
        var h = CoreHarness()
        try h.connect()
        try h.receive(#"INFO {"server_id":"A","ldm":true}"# + "\r\n")
        guard case .close = h.actions.first else { Issue.record("expected close"); return }
        h.run { $0.transportClosed(nil, now: $1) }
        #expect(h.core.nextDeadline == h.now)
    }

    @Test("payloads above max_payload are rejected up front")
    func maxPayload() throws {
        var h = CoreHarness()
        try h.connect(info: #"INFO {"server_id":"A","max_payload":8}"#)
        if case .rejected(let e) = h.publish("a", "123456789") { #expect(e.kind == .invalidArgument) } else { Issue.record("accepted") }
    }
}

extension Int {
    var asUInt64: UInt64 { UInt64(self) }
}
