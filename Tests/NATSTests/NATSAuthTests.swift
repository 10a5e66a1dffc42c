import Foundation
import MarketModel
import NIOCore
import NIOPosix
import Testing
@testable import NATS

@Suite("NATS auth and TLS", .serialized, .enabled(if: natsServerTestsEnabled, "\(NATSServerProcess.skipMessage)"))
struct NATSAuthTests {
    static let certificates = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("TransportTests/Certificates")

    /// Connects with `configuration` and checks a publish round trip; `false` if it could not
    /// connect within `timeout` (generous for the positive cases: TLS on a loaded CI machine).
    func roundTrip(_ configuration: NATSClientConfiguration, timeout: TimeAmount = .seconds(30)) async throws -> Bool {
        try await attempt(configuration, timeout: timeout) == nil
    }

    /// `nil` when connected and round-tripped; else the connection's last error (or a timeout).
    /// With `expectingRefusal` it returns as soon as the connection reports an error, so a refusal
    /// is seen in milliseconds while a loaded machine still gets the full `timeout` to deliver it.
    func attempt(_ configuration: NATSClientConfiguration, timeout: TimeAmount = .seconds(30),
                 expectingRefusal: Bool = false) async throws -> NATSError? {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let connection = NATSConnection(configuration: configuration, eventLoop: group.next())
        connection.start()
        var failure: NATSError?
        do {
            try await waitFor(expectingRefusal ? "connected or refused" : "connected", timeout: timeout, on: connection.eventLoop) {
                connection.stateOnLoop == .connected || expectingRefusal && connection.lastErrorOnLoop != nil
            }
            if expectingRefusal, let refusal = try await connection.eventLoop.submit({ connection.lastErrorOnLoop }).get() {
                failure = refusal
            } else {
                let box = try await collect(connection, "auth.test")
                connection.publish(subject: "auth.test", payload: Array("hi".utf8))
                try await waitFor("echo", on: group.next()) { box.messages.count == 1 }
            }
        } catch {
            let last = try? await connection.eventLoop.submit { connection.lastErrorOnLoop }.get()
            let state = try? await connection.eventLoop.submit { connection.stateOnLoop }.get()
            // The state too, so that a wait that timed out can be told from a client that failed.
            print("roundTrip to \(configuration.servers) failed: \(error); state: \(state.map(\.rawValue) ?? "?"); "
                  + "last connection error: \(String(describing: last ?? nil))")
            failure = (last ?? nil) ?? NATSError(.timeout, "\(error)")
        }
        _ = try? await connection.close().get()
        try? await group.shutdownGracefully()
        return failure
    }

    @Test("user/password and token authentication; wrong credentials never connect")
    func userPasswordAndToken() async throws {
        let server = NATSServerProcess(port: NATSServerProcess.freePort(), extraArguments: ["--user", "mm", "--pass", "s3cret"])
        try server.start()
        #expect(try await roundTrip(clientConfiguration([server.url]) { $0.auth = .userPassword(user: "mm", password: "s3cret") }))
        #expect(try await roundTrip(clientConfiguration(["nats://mm:s3cret@127.0.0.1:\(server.port)"])))
        #expect(try await attempt(clientConfiguration([server.url]) { $0.auth = .userPassword(user: "mm", password: "wrong") },
                                  expectingRefusal: true)?.kind == .authorization)
        let tokenServer = NATSServerProcess(port: NATSServerProcess.freePort(), extraArguments: ["--auth", "t0ken"])
        try tokenServer.start()
        #expect(try await roundTrip(clientConfiguration([tokenServer.url]) { $0.auth = .token("t0ken") }))
    }

    @Test("nkey authentication: Ed25519 signature of the server nonce")
    func nkey() async throws {
        var generator = SystemRandomNumberGenerator()
        let seed = NATSNKey.encodeSeed((0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) })
        #expect(seed.hasPrefix("SU"))
        let key = try NATSNKey(seed: seed)
        #expect(key.publicKey.hasPrefix("U") && key.publicKey.count == 56)
        let port = NATSServerProcess.freePort()
        let config = FileManager.default.temporaryDirectory.appendingPathComponent("nkey-\(port).conf")
        try "authorization { users = [ { nkey: \(key.publicKey) } ] }\n".write(to: config, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: config) }
        let server = NATSServerProcess(port: port, extraArguments: ["-c", config.path])
        try server.start()
        #expect(try await roundTrip(clientConfiguration([server.url]) { $0.auth = .nkey(seed: seed) }))
        let other = NATSNKey.encodeSeed([UInt8](repeating: 7, count: 32))
        #expect(try await attempt(clientConfiguration([server.url]) { $0.auth = .nkey(seed: other) }, expectingRefusal: true)?.kind == .authorization)
    }

    @Test("TLS through Transport's OpenSSL engine (server requires TLS, upgrade after INFO)")
    func tls() async throws {
        let c = Self.certificates
        let server = NATSServerProcess(port: NATSServerProcess.freePort(), extraArguments: [
            "--tls", "--tlscert", c.appendingPathComponent("server.pem").path, "--tlskey", c.appendingPathComponent("server-key.pem").path,
        ])
        try server.start()
        #expect(try await roundTrip(clientConfiguration(["tls://127.0.0.1:\(server.port)"]) {
            $0.tlsCAFile = c.appendingPathComponent("ca.pem").path
        }))
        // tls_required in INFO upgrades a nats:// URL too.
        #expect(try await roundTrip(clientConfiguration([server.url]) { $0.tlsCAFile = c.appendingPathComponent("ca.pem").path }))
        // An untrusted CA must fail the handshake.
        #expect(try await attempt(clientConfiguration([server.url]) {
            $0.tlsCAFile = c.appendingPathComponent("untrusted.pem").path
        }, expectingRefusal: true)?.kind == .tls)
    }

    @Test("JetStream: stream created through $JS.API, publishes acked")
    func jetStream() async throws {
        let port = NATSServerProcess.freePort()
        let store = FileManager.default.temporaryDirectory.appendingPathComponent("js-\(port)")
        defer { try? FileManager.default.removeItem(at: store) }
        let server = NATSServerProcess(port: port, extraArguments: ["-js", "-sd", store.path])
        try server.start()
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let loop = group.next()
        let connection = NATSConnection(configuration: try clientConfiguration([server.url]), eventLoop: loop)
        let publisher = NATSPublisher(connection: connection, configuration: try NATSPublisherConfiguration(
            subjectPrefix: "mm", jetStream: NATSJetStreamConfiguration(stream: "MARKETMUX", maxAge: Interval.hours(1), storage: .memory)))
        publisher.start()
        connection.start()
        try await waitFor("stream", on: loop) { publisher.statisticsOnLoop.isStreamReady }
        publisher.publish((0..<200).map { Events.trade($0) })
        try await waitFor("200 acks", on: loop) { publisher.statisticsOnLoop.acks == 200 }
        let stats = try await publisher.statistics().get()
        #expect(stats.ackFailures == 0)
        #expect(stats.lastAckedSequence == 200)
        #expect(stats.outstandingAcks == 0)
        // Creating it again (a restart of MarketMux) finds the existing stream.
        let again = NATSPublisher(connection: connection, configuration: publisher.configuration)
        again.start()
        try await waitFor("existing stream", on: loop) { again.statisticsOnLoop.isStreamReady }
        publisher.stop()
        again.stop()
        _ = try await connection.close().get()
        try await group.shutdownGracefully()
    }
}
