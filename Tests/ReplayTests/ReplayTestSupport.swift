import Foundation
import NIOCore
import NIOPosix
import Replay
import Transport
import WebSocketWire

/// Where the repository's fixtures and the TLS test certificates are (found from this file, so
/// the test target copies no resources).
enum TestPaths {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static var fixtures: String { root.appendingPathComponent("fixtures").path }
    /// Made by scripts/make-test-certs.sh: server.pem names localhost, 127.0.0.1 and ::1.
    static var certificates: String { root.appendingPathComponent("Tests/TransportTests/Certificates").path }
    static func certificate(_ name: String) -> String { certificates + "/" + name }
}

/// The repository's fixtures, loaded once.
enum TestFixtures {
    static let library: Result<FixtureLibrary, FixtureError> = Result { () throws(FixtureError) in try FixtureLibrary(directory: TestPaths.fixtures) }

    static func load() throws -> FixtureLibrary { try library.get() }

    static func scenario(_ venue: String, _ name: String) throws -> FixtureScenario {
        guard let scenario = try load().scenario(venue: venue, name: name) else {
            throw TestFailure("fixtures/\(venue)/\(name) is missing")
        }
        return scenario
    }

    /// The first recorded connection of a scenario.
    static func segment(_ venue: String, _ name: String, connection index: Int = 0) throws -> ReplaySegment {
        let segments = ReplaySegment.segments(of: try scenario(venue, name))
        guard segments.indices.contains(index) else { throw TestFailure("\(venue)/\(name) has no connection #\(index + 1)") }
        return segments[index]
    }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Records what a `Transport.WebSocketConnection` receives; sends scripted messages once open.
final class RecordingClient: WebSocketConnectionDelegate, @unchecked Sendable {
    let loop: any EventLoop
    let sendOnOpen: [String]
    let closed: EventLoopPromise<WebSocketCloseInfo>
    private(set) var messages: [String] = []
    private(set) var isOpen = false
    private(set) var didClose = false
    private var waiters: [(count: Int, promise: EventLoopPromise<[String]>)] = []

    init(loop: any EventLoop, sendOnOpen: [String]) {
        self.loop = loop
        self.sendOnOpen = sendOnOpen
        closed = loop.makePromise()
    }

    func webSocketDidOpen(_ connection: WebSocketConnection) {
        isOpen = true
        for text in sendOnOpen { connection.send(text: text) }
    }

    func webSocket(_ connection: WebSocketConnection, didReceive payload: UnsafeRawBufferPointer, opcode: WebSocketOpcode) {
        messages.append(String(decoding: payload, as: UTF8.self))
        let ready = waiters.filter { $0.count <= messages.count }
        waiters.removeAll { $0.count <= messages.count }
        for waiter in ready { waiter.promise.succeed(messages) }
    }

    func webSocketDidClose(_ connection: WebSocketConnection, info: WebSocketCloseInfo) {
        isOpen = false
        didClose = true
        for waiter in waiters { waiter.promise.succeed(messages) }
        waiters = []
        closed.succeed(info)
    }

    /// The messages once `count` have arrived (or all there were, if the connection closed first).
    func messages(atLeast count: Int) async throws -> [String] {
        try await loop.flatSubmit { [self] in
            if messages.count >= count || didClose { return loop.makeSucceededFuture(messages) }
            let promise = loop.makePromise(of: [String].self)
            waiters.append((count, promise))
            return promise.futureResult
        }.get()
    }

    /// Everything received so far.
    func received() async throws -> [String] {
        try await loop.submit { [self] in messages }.get()
    }

    /// Whether the connection is open right now.
    func isOpenNow() async throws -> Bool {
        try await loop.submit { [self] in isOpen }.get()
    }
}

/// One client connection to the simulator.
struct ClientRun {
    let client: RecordingClient
    let opened: EventLoopFuture<WebSocketConnection>

    static func connect(_ url: String, options: WebSocketClientOptions = ClientRun.plainOptions(), tlsContext: TLSContext? = nil,
                        sendOnOpen: [String] = [], group: MultiThreadedEventLoopGroup) throws -> ClientRun {
        let loop = group.next()
        let client = RecordingClient(loop: loop, sendOnOpen: sendOnOpen)
        let opened = WebSocketConnection.connect(to: try WebSocketURL(url), options: options, tlsContext: tlsContext, on: loop, delegate: client)
        return ClientRun(client: client, opened: opened)
    }

    /// No compression, short close timeout, the test CA trusted.
    static func plainOptions(compression: PerMessageDeflateOffer? = nil) -> WebSocketClientOptions {
        var options = WebSocketClientOptions(configuration: WebSocketConfiguration(compression: compression))
        options.closeTimeoutNanoseconds = 200_000_000
        options.caFile = TestPaths.certificate("ca.pem")
        return options
    }

    func closeInfo() async throws -> WebSocketCloseInfo { try await client.closed.futureResult.get() }
}

/// Collects `SimulatorEvent`s from any thread.
final class EventLog: @unchecked Sendable {
    private let lock = NSLock()
    private var events: [SimulatorEvent] = []

    var observer: @Sendable (SimulatorEvent) -> Void { { [self] event in lock.withLock { events.append(event) } } }

    var all: [SimulatorEvent] { lock.withLock { events } }

    var connectedSegments: [String] {
        all.compactMap { if case .connected(_, _, let segment) = $0 { segment } else { nil } }
    }
}

/// Waits (polling the loop, not the replay) until `condition` holds; fails after `seconds`.
func waitUntil(seconds: Double = 10, _ what: String, _ condition: @Sendable () async throws -> Bool) async throws {
    let deadline = Date().addingTimeInterval(seconds)
    while true {
        // The clock is read before the check, so the check that fails the wait started after the
        // deadline (a task starved by parallel CPU-bound suites must not fail on a stale answer).
        let expired = Date() > deadline
        if try await condition() { return }
        if expired { throw TestFailure("timed out waiting until \(what)") }
        try await Task.sleep(nanoseconds: 1_000_000)
    }
}

/// A one-shot HTTP/1.1 GET over a raw NIO socket; returns the status line and the body.
func httpGet(port: Int, target: String) async throws -> (status: Int, headers: String, body: String) {
    let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    do {
        let result = try await httpGet(port: port, target: target, group: group)
        try await group.shutdownGracefully()
        return result
    } catch {
        try? await group.shutdownGracefully()
        throw error
    }
}

private func httpGet(port: Int, target: String, group: MultiThreadedEventLoopGroup) async throws -> (status: Int, headers: String, body: String) {
    let collector = ByteCollector(promise: group.next().makePromise())
    let channel = try await ClientBootstrap(group: group)
        .channelInitializer { channel in channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(collector) } }
        .connect(host: "127.0.0.1", port: port).get()
    let request = "GET \(target) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n\r\n"
    try await channel.writeAndFlush(channel.allocator.buffer(string: request)).get()
    let bytes = try await collector.promise.futureResult.get()
    let text = String(decoding: bytes, as: UTF8.self)
    guard let split = text.range(of: "\r\n\r\n") else { throw TestFailure("no HTTP head in '\(text.prefix(200))'") }
    let head = String(text[..<split.lowerBound])
    let status = Int(head.split(separator: " ").dropFirst().first ?? "") ?? 0
    return (status, head, String(text[split.upperBound...]))
}

private final class ByteCollector: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    let promise: EventLoopPromise<[UInt8]>
    private var bytes: [UInt8] = []
    init(promise: EventLoopPromise<[UInt8]>) { self.promise = promise }
    func channelRead(context: ChannelHandlerContext, data: NIOAny) { bytes += Array(unwrapInboundIn(data).readableBytesView) }
    func channelInactive(context: ChannelHandlerContext) { promise.succeed(bytes) }
}
