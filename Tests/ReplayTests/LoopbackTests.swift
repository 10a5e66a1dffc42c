import Foundation
import NIOCore
import NIOPosix
import Replay
import Testing
import Transport
import WebSocketWire

/// The simulator on 127.0.0.1 with our own client (`Transport.WebSocketConnection`). Replay time
/// is either `max` or a `ManualReplayClock` the test advances: nothing waits for real time to pass.
@Suite("Simulated venue over loopback", .serialized, .timeLimit(.minutes(2)))
struct LoopbackTests {
    static func gateTexts(_ segment: ReplaySegment) -> [String] {
        for step in segment.steps { if case .awaitClient(_, let texts) = step { return texts } }
        return []
    }

    static func configuration(venue: String, scenario: String, speed: ReplaySpeed = .max,
                              end: SimulatorConfiguration.SessionEnd = .close(code: 1000, reason: "done")) -> SimulatorConfiguration {
        SimulatorConfiguration(speed: speed, scenarios: .named([scenario]), venues: [venue], sessionEnd: end)
    }

    /// Starts a server, runs `body` with it and a client event-loop group, then shuts both down.
    static func withServer(_ configuration: SimulatorConfiguration, clock: any ReplayClock = SystemReplayClock(), log: EventLog = EventLog(),
                           _ body: (SimulatedVenueServer, MultiThreadedEventLoopGroup) async throws -> Void) async throws {
        let server = try SimulatedVenueServer(library: try TestFixtures.load(), configuration: configuration, clock: clock, observer: log.observer)
        try await server.start()
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        do {
            try await body(server, group)
        } catch {
            await server.stop()
            try? await group.shutdownGracefully()
            throw error
        }
        await server.stop()
        try await group.shutdownGracefully()
    }

    @Test("handshake, unmasked client frames, and a fixture's frames in order")
    func replayInOrder() async throws {
        let segment = try TestFixtures.segment("binance", "book")
        let log = EventLog()
        try await Self.withServer(Self.configuration(venue: "binance", scenario: "book"), log: log) { server, group in
            #expect(server.webSocketURL(for: "binance") == "ws://127.0.0.1:\(server.port)/binance")
            // "ping" is answered "pong" only if the server unmasked it correctly; the subscribe opens the gate.
            let run = try ClientRun.connect(server.webSocketURL(for: "binance"), sendOnOpen: ["ping"] + Self.gateTexts(segment), group: group)
            let info = try await run.closeInfo()
            #expect(try await run.client.received() == ["pong"] + segment.frames.map(\.text))
            #expect(info.peerCode == .normalClosure)
            #expect(info.peerReason == "done")
            #expect(info.error == nil)
        }
        #expect(log.connectedSegments == ["binance/book#1"])
    }

    @Test("permessage-deflate negotiated (with and without server context takeover), fragmented frames decoded",
          arguments: [false, true])
    func deflate(serverNoContextTakeover: Bool) async throws {
        let segment = try TestFixtures.segment("kraken", "book")
        var configuration = Self.configuration(venue: "kraken", scenario: "book")
        configuration.webSocket = WebSocketServerEngine.Configuration(outgoingFragmentSize: 100)
        try await Self.withServer(configuration) { server, group in
            let offer = PerMessageDeflateOffer(requestServerNoContextTakeover: serverNoContextTakeover)
            let run = try ClientRun.connect(server.webSocketURL(for: "kraken"), options: ClientRun.plainOptions(compression: offer),
                                            sendOnOpen: Self.gateTexts(segment), group: group)
            let connection = try await run.opened.get()
            #expect(connection.negotiatedDeflate == PerMessageDeflateParameters(serverNoContextTakeover: serverNoContextTakeover))
            let info = try await run.closeInfo()
            #expect(try await run.client.received() == segment.frames.map(\.text))
            #expect(info.error == nil)
        }
    }

    @Test("REST snapshots: the recorded body for the recorded path, query in any order; 404 otherwise")
    func restSnapshot() async throws {
        let segment = try TestFixtures.segment("binance", "book")
        try await Self.withServer(Self.configuration(venue: "binance", scenario: "book")) { server, _ in
            let (status, head, body) = try await httpGet(port: server.port, target: "/binance/api/v3/depth?limit=1000&symbol=BTCUSDT")
            #expect(status == 200)
            #expect(head.contains("Content-Type: application/json"))
            #expect(Array(body.utf8) == segment.rest[0].body)
            #expect(try await httpGet(port: server.port, target: "/binance/api/v3/depth?symbol=ETHUSDT&limit=1000").status == 404)
            #expect(try await httpGet(port: server.port, target: "/nowhere/api").status == 404)
            let index = try await httpGet(port: server.port, target: "/")
            #expect(index.status == 200 && index.body.contains("\"ws\":\"ws://127.0.0.1:\(server.port)/binance\""))
        }
    }

    @Test("429 on connect: our client sees HTTP 429 with Retry-After, retryable; the next connect works")
    func rejectWith429() async throws {
        let segment = try TestFixtures.segment("binance", "book")
        var configuration = Self.configuration(venue: "binance", scenario: "book")
        configuration.faults = FaultPlan(steps: [try FaultPlan.Step(parsing: "binance/reject:429:7@1")])
        let log = EventLog()
        try await Self.withServer(configuration, log: log) { server, group in
            let first = try ClientRun.connect(server.webSocketURL(for: "binance"), group: group)
            let info = try await first.closeInfo()
            #expect(!info.wasOpen)
            let error = try #require(info.error)
            #expect(error.stage == .handshake)
            #expect(error.webSocketError?.httpStatus == 429)
            #expect(error.webSocketError?.retryAfterSeconds == 7)
            #expect(error.isRetryable)
            let second = try ClientRun.connect(server.webSocketURL(for: "binance"), sendOnOpen: Self.gateTexts(segment), group: group)
            _ = try await second.closeInfo()
            #expect(try await second.client.received() == segment.frames.map(\.text))
        }
        #expect(log.all.contains(.rejected(venue: "binance", connection: 1, status: 429)))
        #expect(log.connectedSegments == ["binance/book#1"])
    }

    @Test("wss:// with the test CA: verified, and the replay arrives")
    func tls() async throws {
        let segment = try TestFixtures.segment("binance", "book")
        var configuration = Self.configuration(venue: "binance", scenario: "book")
        configuration.tls = (TestPaths.certificate("server.pem"), TestPaths.certificate("server-key.pem"))
        try await Self.withServer(configuration) { server, group in
            #expect(server.webSocketURL(for: "binance").hasPrefix("wss://127.0.0.1:"))
            let context = try TLSContext(configuration: TLSConfiguration(serverName: "localhost", caFile: TestPaths.certificate("ca.pem"),
                                                                          trustsSystemStore: false))
            let run = try ClientRun.connect("wss://localhost:\(server.port)/binance", tlsContext: context,
                                            sendOnOpen: Self.gateTexts(segment), group: group)
            let info = try await run.closeInfo()
            #expect(try await run.client.received() == segment.frames.map(\.text))
            #expect(info.peerCode == .normalClosure)
            #expect(info.error == nil)
        }
    }

    @Test("a bad certificate/key pair is refused at startup")
    func badTLSFiles() throws {
        var configuration = Self.configuration(venue: "binance", scenario: "book")
        configuration.tls = (TestPaths.certificate("server.pem"), TestPaths.certificate("untrusted-key.pem"))
        #expect(throws: ReplayError.self) {
            try SimulatedVenueServer(library: try TestFixtures.load(), configuration: configuration)
        }
    }

    @Test("slow TLS handshake: the ClientHello waits for the (manual) clock")
    func slowTLSHandshake() async throws {
        let segment = try TestFixtures.segment("binance", "book")
        var configuration = Self.configuration(venue: "binance", scenario: "book")
        configuration.tls = (TestPaths.certificate("server.pem"), TestPaths.certificate("server-key.pem"))
        let clock = ManualReplayClock()
        let log = EventLog()
        try await Self.withServer(configuration, clock: clock, log: log) { server, group in
            await server.inject(.slowHandshake(delayMilliseconds: 3_000), venue: "binance")
            let context = try TLSContext(configuration: TLSConfiguration(serverName: "localhost", caFile: TestPaths.certificate("ca.pem"),
                                                                          trustsSystemStore: false))
            let run = try ClientRun.connect("wss://localhost:\(server.port)/binance", tlsContext: context,
                                            sendOnOpen: Self.gateTexts(segment), group: group)
            try await waitUntil("the server holds the handshake") { clock.pendingTaskCount == 1 }
            #expect(clock.nextDeadline == clock.now() + 3_000_000_000)
            #expect(try await !run.client.isOpenNow())
            clock.advance(by: 3_000_000_000)
            _ = try await run.closeInfo()
            #expect(try await run.client.received() == segment.frames.map(\.text))
        }
        #expect(log.all.contains(.faultInjected(venue: "binance", fault: .slowHandshake(delayMilliseconds: 3_000), armed: true)))
    }

    @Test("recorded timing at real speed, walked with a manual clock: gate at 30 ms, frames at 95/310/620/980 ms")
    func manualClockTiming() async throws {
        let segment = try TestFixtures.segment("okx", "trades")
        let clock = ManualReplayClock()
        try await Self.withServer(Self.configuration(venue: "okx", scenario: "trades", speed: .realTime, end: .stayOpen), clock: clock) { server, group in
            let start = clock.now()
            let run = try ClientRun.connect(server.webSocketURL(for: "okx"), sendOnOpen: Self.gateTexts(segment), group: group)
            var deadlines: [UInt64] = []
            for step in 0..<5 {
                try await waitUntil("the server schedules step \(step)") { clock.pendingTaskCount > 0 }
                let next = try #require(clock.nextDeadline)
                deadlines.append((next - start) / 1_000_000)
                clock.advanceToNextDeadline()
                if step > 0 {
                    _ = try await run.client.messages(atLeast: step)
                    #expect(try await run.client.received().count == step, "frame \(step + 1) waits for the clock")
                }
            }
            #expect(deadlines == [30, 95, 310, 620, 980])
            #expect(try await run.client.received() == segment.frames.map(\.text))
            #expect(clock.pendingTaskCount == 0)
            try await run.opened.get().close()
            _ = try await run.closeInfo()
        }
    }

    @Test("drop: the client gets the first frames, then TCP closes without a close frame")
    func drop() async throws {
        let segment = try TestFixtures.segment("binance", "book")
        var configuration = Self.configuration(venue: "binance", scenario: "book")
        configuration.faults = FaultPlan(steps: [try FaultPlan.Step(parsing: "binance/drop+2")])
        try await Self.withServer(configuration) { server, group in
            let run = try ClientRun.connect(server.webSocketURL(for: "binance"), sendOnOpen: Self.gateTexts(segment), group: group)
            let info = try await run.closeInfo()
            let received = try await run.client.received()
            #expect(received == segment.frames.prefix(2).map(\.text), "\(received) \(info)")
            #expect(info.peerCode == .abnormalClosure)
            #expect(info.error?.stage == .connectionLost)
        }
    }

    @Test("half-open: after the fault nothing comes back, not even the close reply")
    func halfOpen() async throws {
        let segment = try TestFixtures.segment("binance", "book")
        var configuration = Self.configuration(venue: "binance", scenario: "book")
        configuration.faults = FaultPlan(steps: [try FaultPlan.Step(parsing: "binance/half-open+1")])
        let log = EventLog()
        try await Self.withServer(configuration, log: log) { server, group in
            let run = try ClientRun.connect(server.webSocketURL(for: "binance"), sendOnOpen: Self.gateTexts(segment), group: group)
            _ = try await run.client.messages(atLeast: 1)
            try await waitUntil("the fault lands") { log.all.contains(.faultInjected(venue: "binance", fault: .halfOpen, armed: false)) }
            #expect(try await run.client.isOpenNow(), "TCP stays open")
            // Our close gets no reply: the client gives up after its close timeout (200 ms).
            try await run.opened.get().close()
            let info = try await run.closeInfo()
            #expect(info.peerCode == .abnormalClosure)
            #expect(try await run.client.received() == [segment.frames[0].text])
        }
    }

    @Test("rotation: the venue's serverShutdown notice, then close 1001")
    func rotation() async throws {
        let segment = try TestFixtures.segment("binance", "book")
        var configuration = Self.configuration(venue: "binance", scenario: "book")
        configuration.sessionEnd = .stayOpen
        configuration.faults = FaultPlan(steps: [try FaultPlan.Step(parsing: "binance/rotate+1")])
        try await Self.withServer(configuration) { server, group in
            let run = try ClientRun.connect(server.webSocketURL(for: "binance"), sendOnOpen: Self.gateTexts(segment), group: group)
            let info = try await run.closeInfo()
            let messages = try await run.client.received()
            #expect(messages.first == segment.frames[0].text)
            #expect(messages.dropFirst().first?.contains("\"e\":\"serverShutdown\"") == true)
            #expect(info.peerCode == .goingAway)
        }
    }

    @Test("oversized frame: the client fails the connection with 1009")
    func oversized() async throws {
        let segment = try TestFixtures.segment("binance", "book")
        var configuration = Self.configuration(venue: "binance", scenario: "book")
        configuration.faults = FaultPlan(steps: [try FaultPlan.Step(parsing: "binance/oversized:8192+1")])
        try await Self.withServer(configuration) { server, group in
            var options = ClientRun.plainOptions()
            options.configuration.maxFrameSize = 4096
            let run = try ClientRun.connect(server.webSocketURL(for: "binance"), options: options, sendOnOpen: Self.gateTexts(segment), group: group)
            let info = try await run.closeInfo()
            #expect(info.error?.webSocketError?.closeCode == .messageTooBig)
            #expect(try await run.client.received() == [segment.frames[0].text])
        }
    }

    @Test("chaos on a manual clock: a seeded drop lands when the clock reaches the interval")
    func chaos() async throws {
        var configuration = Self.configuration(venue: "okx", scenario: "book", speed: .realTime, end: .stayOpen)
        configuration.waitsForClientMessages = false
        configuration.faults = FaultPlan(chaos: ChaosConfiguration(seed: 7, intervalMilliseconds: 1_000...1_000, kinds: [.dropConnection]))
        let clock = ManualReplayClock()
        let log = EventLog()
        try await Self.withServer(configuration, clock: clock, log: log) { server, group in
            let run = try ClientRun.connect(server.webSocketURL(for: "okx"), group: group)
            _ = try await run.opened.get()
            try await waitUntil("the replay waits for its first frame") { clock.pendingTaskCount == 2 }
            clock.advance(by: 1_000_000_000)
            let info = try await run.closeInfo()
            #expect(info.peerCode == .abnormalClosure)
            let frames = try TestFixtures.segment("okx", "book").frames
            #expect(try await run.client.received() == frames.filter { $0.t <= 1_000 }.map(\.text))
        }
        #expect(log.all.contains(.faultInjected(venue: "okx", fault: .dropConnection, armed: false)))
    }

    @Test("the loop: each connection replays the next recorded connection; REST follows the current one")
    func loop() async throws {
        let scenario = try TestFixtures.scenario("binance", "reconnect")
        let segments = ReplaySegment.segments(of: scenario)
        var configuration = SimulatorConfiguration(speed: .max, scenarios: .named(["reconnect"]), venues: ["binance"])
        configuration.sessionEnd = .close(code: 1001, reason: "end of recorded session; reconnect to replay again")
        let log = EventLog()
        try await Self.withServer(configuration, log: log) { server, group in
            var codes: [UInt16] = []
            var snapshots: [Bool] = []
            for index in [0, 1, 0] {
                let run = try ClientRun.connect(server.webSocketURL(for: "binance"), sendOnOpen: Self.gateTexts(segments[index]), group: group)
                let info = try await run.closeInfo()
                codes.append(info.peerCode.rawValue)
                #expect(try await run.client.received() == segments[index].frames.map(\.text))
                let rest = try await httpGet(port: server.port, target: "/binance/api/v3/depth?symbol=BTCUSDT&limit=1000")
                snapshots.append(Array(rest.body.utf8) == segments[index].rest[0].body)
            }
            #expect(codes == [1006, 1001, 1006])
            #expect(snapshots == [true, true, true])
        }
        #expect(log.connectedSegments == ["binance/reconnect#1", "binance/reconnect#2", "binance/reconnect#1"])
    }
}
