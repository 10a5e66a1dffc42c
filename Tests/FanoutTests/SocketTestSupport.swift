@testable import Fanout
import Foundation
import MarketModel
import NIOCore
import NIOPosix

struct TimedOut: Error, CustomStringConvertible {
    var description: String
}

/// Collects the lines a test client receives and wakes waiters whose condition holds.
final class LineCollector: ChannelInboundHandler, @unchecked Sendable {
    // @unchecked: used only on its channel's event loop.
    typealias InboundIn = ByteBuffer

    private(set) var lines: [String] = []
    private(set) var isClosed = false
    private var partial: [UInt8] = []
    private var waiters: [(condition: ([String], Bool) -> Bool, promise: EventLoopPromise<[String]>)] = []

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        for byte in buffer.readableBytesView {
            if byte == 0x0A {
                lines.append(String(decoding: partial, as: UTF8.self))
                partial.removeAll(keepingCapacity: true)
            } else {
                partial.append(byte)
            }
        }
        check()
    }

    func channelInactive(context: ChannelHandlerContext) {
        isClosed = true
        check()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? ChannelEvent, event == .inputClosed {
            isClosed = true
            check()
        }
    }

    private func check() {
        waiters.removeAll { waiter in
            guard waiter.condition(lines, isClosed) else { return false }
            waiter.promise.succeed(lines)
            return true
        }
    }

    /// Completes with every line so far once `condition(lines, isClosed)` holds, or fails after `timeout`.
    func wait(on loop: any EventLoop, timeout: TimeAmount, _ condition: @escaping ([String], Bool) -> Bool) -> EventLoopFuture<[String]> {
        let promise = loop.makePromise(of: [String].self)
        if condition(lines, isClosed) {
            promise.succeed(lines)
            return promise.futureResult
        }
        waiters.append((condition, promise))
        let timer = loop.scheduleTask(in: timeout) { [self] in
            promise.fail(TimedOut(description: "timed out; closed=\(isClosed); lines so far:\n" + lines.suffix(5).joined(separator: "\n")))
        }
        promise.futureResult.whenComplete { _ in timer.cancel() }
        return promise.futureResult
    }
}

/// A NIO client of the fan-out socket.
struct TestClient {
    let channel: any NIOCore.Channel
    let collector: LineCollector

    static func connect(_ path: String, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) async throws -> TestClient {
        let collector = LineCollector()
        let channel = try await ClientBootstrap(group: group)
            .channelOption(ChannelOptions.allowRemoteHalfClosure, value: true)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(collector) }
            }
            .connect(unixDomainSocketPath: path).get()
        return TestClient(channel: channel, collector: collector)
    }

    func send(_ text: String) async throws {
        try await channel.writeAndFlush(ByteBuffer(string: text)).get()
    }

    /// Waits (bounded) until `condition` holds; returns all lines received.
    @discardableResult
    func wait(timeout: TimeAmount = .seconds(20), _ condition: @escaping @Sendable ([String], Bool) -> Bool) async throws -> [String] {
        let collector = self.collector
        let loop = channel.eventLoop
        return try await loop.flatSubmit { collector.wait(on: loop, timeout: timeout, condition) }.get()
    }

    /// Waits until at least `count` lines arrived.
    @discardableResult
    func lines(_ count: Int) async throws -> [String] {
        try await wait { lines, _ in lines.count >= count }
    }

    /// Waits until the server closes the connection.
    @discardableResult
    func closed() async throws -> [String] {
        try await wait { _, closed in closed }
    }

    func close() async {
        try? await channel.close()
    }
}

/// A hub and its server on a socket in a private temporary directory.
struct ServerFixture {
    let directory = TemporaryDirectory()
    let hub: FanoutHub
    let server: FanoutServer
    var path: String { server.path }

    init(configuration: FanoutConfiguration = FanoutConfiguration(), name: String = "mm.sock") {
        hub = FanoutHub(configuration: configuration, catalog: Fixtures.catalog,
                        eventLoop: MultiThreadedEventLoopGroup.singleton.next())
        server = FanoutServer(path: directory.file(name), hub: hub)
    }

    func stop() async {
        await server.shutdown(drainFor: .seconds(5))
        directory.cleanup()
    }
}
