import ArgumentParser
import Foundation
import NIOCore
import NIOPosix
import Transport
import WebSocketWire

/// Receives as fast as possible until the server closes, then prints the rate (SPEC.md §2).
struct WSBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wsbench",
        abstract: "Receive as fast as possible until the server closes; last line: messages=N bytes=B seconds=S msgs_per_sec=R."
    )

    @Option(help: "Server URL (ws:// or wss://).") var url: String
    @Option(help: "Parallel connections (their counts are summed).") var connections: Int = 1
    @Option(name: .customLong("ca-file"), help: "CA file for a wss:// test server (default: $MARKETMUX_CA_FILE).") var caFile: String?
    @Flag(name: .customLong("no-deflate"), help: "Do not offer permessage-deflate.") var noDeflate = false

    func run() throws {
        guard connections >= 1 else { throw ValidationError("--connections must be at least 1") }
        let target = try WebSocketURL(url)
        let threads = min(connections, System.coreCount)
        let group = MultiThreadedEventLoopGroup(numberOfThreads: threads)
        defer { try? group.syncShutdownGracefully() }
        var options = WebSocketClientOptions()
        options.caFile = resolveCAFile(caFile)
        if noDeflate { options.configuration.compression = nil }
        let tls = target.isSecure ? try TLSContext.shared(for: options, serverName: target.host) : nil

        let start = DispatchTime.now().uptimeNanoseconds
        var counters: [CountingDelegate] = []
        for _ in 0..<connections {
            let loop = group.next()
            let delegate = CountingDelegate(done: loop.makePromise(of: Void.self))
            counters.append(delegate)
            WebSocketConnection.connect(to: target, options: options, tlsContext: tls, on: loop, delegate: delegate).whenFailure { _ in }
        }
        var failures: [String] = []
        for counter in counters {
            try counter.done.futureResult.wait()
            if let error = counter.info?.error { failures.append(error.description) }
        }
        let end = DispatchTime.now().uptimeNanoseconds
        let messages = counters.reduce(0) { $0 + $1.messages }
        let bytes = counters.reduce(0) { $0 + $1.bytes }
        // One connection: time its own open-to-close window (like the peers); several: wall time.
        let nanos = connections == 1 ? (counters[0].closedAt &- counters[0].openedAt) : (end - start)
        let seconds = Double(max(nanos, 1)) / 1e9
        if !failures.isEmpty { exitWithError("wsbench: \(failures.count) connection(s) failed: \(failures[0])") }
        print("messages=\(messages) bytes=\(bytes) seconds=\(String(format: "%.6f", seconds)) msgs_per_sec=\(String(format: "%.0f", Double(messages) / seconds))")
    }
}

/// Counts messages and bytes; records the open and close instants.
private final class CountingDelegate: WebSocketConnectionDelegate, @unchecked Sendable {
    let done: EventLoopPromise<Void>
    var messages = 0
    var bytes = 0
    var openedAt: UInt64 = 0
    var closedAt: UInt64 = 0
    var info: WebSocketCloseInfo?

    init(done: EventLoopPromise<Void>) { self.done = done }

    func webSocketDidOpen(_ connection: WebSocketConnection) {
        openedAt = DispatchTime.now().uptimeNanoseconds
    }

    func webSocket(_ connection: WebSocketConnection, didReceive payload: UnsafeRawBufferPointer, opcode: WebSocketOpcode) {
        messages &+= 1
        bytes &+= payload.count
    }

    func webSocketDidClose(_ connection: WebSocketConnection, info: WebSocketCloseInfo) {
        closedAt = DispatchTime.now().uptimeNanoseconds
        if openedAt == 0 { openedAt = closedAt }
        // A clean server close after the stream is success; anything else is reported.
        self.info = info.peerCode == .normalClosure ? nil : info
        done.succeed(())
    }
}
