import ArgumentParser
import Foundation
import NIOCore
import NIOPosix
import Transport
import WebSocketWire

/// Runs the Autobahn|Testsuite client protocol against a fuzzing server with our WebSocket client.
struct AutobahnCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "autobahn",
        abstract: "Run the Autobahn|Testsuite client cases (getCaseCount, runCase echo loop, updateReports)."
    )

    @Option(help: "Fuzzing server URL.") var url: String = "ws://127.0.0.1:9001"
    @Option(help: "Agent name the reports are filed under.") var agent: String = "marketmux"
    @Option(help: "Run only these case numbers (comma-separated, 1-based).") var cases: String?
    @Option(name: .customLong("ca-file"), help: "CA file for a wss:// fuzzing server.") var caFile: String?

    func run() throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { try? group.syncShutdownGracefully() }
        var options = WebSocketClientOptions()
        // Section 9 sends messages up to 16 MiB; section 12/13 need deflate offered.
        options.configuration = WebSocketConfiguration(maxFrameSize: 64 << 20, maxMessageSize: 64 << 20,
                                                       maxDecompressedMessageSize: 64 << 20)
        options.caFile = resolveCAFile(caFile)
        options.closeTimeoutNanoseconds = 3_000_000_000
        let base = url.hasSuffix("/") ? String(url.dropLast()) : url
        let tlsContext = try base.lowercased().hasPrefix("wss") ? TLSContext.shared(for: options, serverName: "127.0.0.1") : nil

        let countText = try runOne(url: "\(base)/getCaseCount", options: options, tls: tlsContext, group: group, echo: false)
        guard let count = Int(countText.first ?? "") else { exitWithError("the fuzzing server sent no case count") }
        let selected: [Int] = try cases.map { list in
            try list.split(separator: ",").map { item -> Int in
                guard let value = Int(item), (1...count).contains(value) else { throw ValidationError("case '\(item)' is not 1...\(count)") }
                return value
            }
        } ?? Array(1...count)
        for caseNumber in selected {
            let caseURL = "\(base)/runCase?case=\(caseNumber)&agent=\(agent)"
            _ = try runOne(url: caseURL, options: options, tls: tlsContext, group: group, echo: true)
            if caseNumber % 50 == 0 { print("autobahn: ran case \(caseNumber)/\(count)") }
        }
        _ = try runOne(url: "\(base)/updateReports?agent=\(agent)", options: options, tls: tlsContext, group: group, echo: false)
        print("autobahn: ran \(selected.count) cases; reports updated for agent \(agent)")
    }

    /// Opens one connection, echoes (or collects) messages until it closes.
    private func runOne(url: String, options: WebSocketClientOptions, tls: TLSContext?,
                        group: MultiThreadedEventLoopGroup, echo: Bool) throws -> [String] {
        let target = try WebSocketURL(url)
        let loop = group.next()
        let delegate = EchoDelegate(echo: echo, done: loop.makePromise(of: Void.self))
        let connected = WebSocketConnection.connect(to: target, options: options, tlsContext: tls, on: loop, delegate: delegate)
        connected.whenFailure { _ in }
        try delegate.done.futureResult.wait()
        return delegate.texts
    }
}

/// Echoes every message with its opcode (the Autobahn testee loop), or collects text messages.
private final class EchoDelegate: WebSocketConnectionDelegate, @unchecked Sendable {
    let echo: Bool
    let done: EventLoopPromise<Void>
    var texts: [String] = []

    init(echo: Bool, done: EventLoopPromise<Void>) {
        self.echo = echo
        self.done = done
    }

    func webSocket(_ connection: WebSocketConnection, didReceive payload: UnsafeRawBufferPointer, opcode: WebSocketOpcode) {
        if echo {
            connection.send(bytes: Array(payload), opcode: opcode)
        } else if opcode == .text {
            texts.append(String(decoding: payload, as: UTF8.self))
        }
    }

    func webSocketDidClose(_ connection: WebSocketConnection, info: WebSocketCloseInfo) {
        done.succeed(())
    }
}
