import Foundation
import MarketModel
import NIOCore
import NIOPosix
import Testing
@testable import NATS

/// Whether python3 with nats-py is importable (CI: `pip install nats-py`).
let pythonNATSAvailable: Bool = {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = ["python3", "-c", "import nats"]
    p.standardOutput = FileHandle.nullDevice
    p.standardError = FileHandle.nullDevice
    guard (try? p.run()) != nil else { return false }
    p.waitUntilExit()
    return p.terminationStatus == 0
}()

@Suite("NATS consumer in Python (nats-py)", .serialized,
       .enabled(if: natsServerTestsEnabled, "\(NATSServerProcess.skipMessage)"),
       .enabled(if: pythonNATSAvailable || ProcessInfo.processInfo.environment["CI"] != nil,
                "python3 with nats-py not found (pip install nats-py)"))
struct NATSPythonConsumerTests {
    @Test("scripts/nats-consumer.py receives exactly the published SPEC §5 JSON")
    func pythonConsumer() async throws {
        let server = NATSServerProcess(port: NATSServerProcess.freePort())
        try server.start()
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("scripts/nats-consumer.py")
        let python = Process()
        python.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        python.arguments = ["python3", script.path, "--url", server.url, "--subject", "mm.md.>", "--count", "50", "--timeout", "90"]
        let output = Pipe()
        python.standardOutput = output
        try python.run()
        defer { if python.isRunning { python.terminate() } }
        // Wait for READY (the subscription is registered).
        var buffer = Data()
        let deadline = Date().addingTimeInterval(60)
        while !String(decoding: buffer, as: UTF8.self).contains("READY\n") {
            guard Date() < deadline else { throw TestFailure("the Python consumer did not become ready") }
            let chunk = readChunk(output.fileHandleForReading)
            if chunk.isEmpty { throw TestFailure("the Python consumer exited early") }
            buffer.append(chunk)
        }
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let connection = NATSConnection(configuration: try clientConfiguration([server.url]), eventLoop: group.next())
        connection.start()
        try await connection.waitUntilConnected().get()
        let publisher = NATSPublisher(connection: connection, configuration: try NATSPublisherConfiguration(subjectPrefix: "mm"))
        let events = (0..<49).map { Events.trade($0) } + [Events.book()]
        publisher.publish(events)
        try await connection.flush().get()
        python.waitUntilExit()
        buffer.append(readToEnd(output.fileHandleForReading))
        #expect(python.terminationStatus == 0)
        let lines = String(decoding: buffer, as: UTF8.self).split(separator: "\n").dropFirst().map(String.init)
        let expected = events.map { "\(publisher.subject(for: $0) ?? "") \(Events.payload($0))" }
        #expect(lines == expected)
        _ = try await connection.close().get()
        try await group.shutdownGracefully()
    }
}
