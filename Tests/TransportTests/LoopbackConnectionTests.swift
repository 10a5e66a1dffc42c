import NIOCore
import NIOPosix
import Testing
@testable import Transport
import WebSocketWire

/// End-to-end over real loopback sockets: DNS, TCP, TLS (OpenSSL both sides), upgrade, messages, close.
@Suite("WebSocketConnection over loopback", .serialized)
struct LoopbackConnectionTests {
    final class Collector: WebSocketConnectionDelegate, @unchecked Sendable {
        let done: EventLoopPromise<WebSocketCloseInfo>
        var messages: [String] = []
        init(done: EventLoopPromise<WebSocketCloseInfo>) { self.done = done }
        func webSocket(_ connection: WebSocketConnection, didReceive payload: UnsafeRawBufferPointer, opcode: WebSocketOpcode) {
            messages.append(String(decoding: payload, as: UTF8.self))
        }
        func webSocketDidClose(_ connection: WebSocketConnection, info: WebSocketCloseInfo) { done.succeed(info) }
    }

    func run(_ url: String, options: WebSocketClientOptions, tlsContext: TLSContext?,
             group: MultiThreadedEventLoopGroup) throws -> (Collector, WebSocketCloseInfo, WebSocketConnection?) {
        let loop = group.next()
        let collector = Collector(done: loop.makePromise())
        let future = WebSocketConnection.connect(to: try WebSocketURL(url), options: options, tlsContext: tlsContext,
                                                 on: loop, delegate: collector)
        let info = try collector.done.futureResult.wait()
        let connection = try? future.wait()
        return (collector, info, connection)
    }

    func options() -> WebSocketClientOptions {
        var options = WebSocketClientOptions(configuration: WebSocketConfiguration(compression: nil))
        options.caFile = TestCertificates.caFile
        return options
    }

    @Test("ws://: messages arrive and the close handshake completes cleanly")
    func plain() throws {
        let server = try LoopbackServer(messages: ["one", "two"], tls: nil)
        defer { try? server.shutdown() }
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { try? group.syncShutdownGracefully() }
        let (collector, info, _) = try run("ws://127.0.0.1:\(server.port)/", options: options(), tlsContext: nil, group: group)
        #expect(collector.messages == ["one", "two"])
        #expect(info.peerCode == .normalClosure)
        #expect(info.error == nil)
    }

    @Test("wss://localhost: verified against the CA and host name; the reconnect resumes the TLS session")
    func tlsResumption() throws {
        let serverContext = try TLSTestServerContext()
        let server = try LoopbackServer(messages: ["secure"], tls: serverContext)
        defer { try? server.shutdown() }
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { try? group.syncShutdownGracefully() }
        let context = try TLSContext(configuration: TLSConfiguration(serverName: "localhost", caFile: TestCertificates.caFile))
        let url = "wss://localhost:\(server.port)/stream"
        let (first, firstInfo, firstConnection) = try run(url, options: options(), tlsContext: context, group: group)
        #expect(first.messages == ["secure"])
        #expect(firstInfo.error == nil)
        #expect(firstConnection?.isTLSSessionReused == false)
        let (second, _, secondConnection) = try run(url, options: options(), tlsContext: context, group: group)
        #expect(second.messages == ["secure"])
        #expect(secondConnection?.isTLSSessionReused == true)
    }

    @Test("wss:// to a server whose certificate names another host fails, not retryable")
    func wrongHost() throws {
        let serverContext = try TLSTestServerContext(certificate: "wrong-host.pem", key: "wrong-host-key.pem")
        let server = try LoopbackServer(messages: [], tls: serverContext)
        defer { try? server.shutdown() }
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { try? group.syncShutdownGracefully() }
        let context = try TLSContext(configuration: TLSConfiguration(serverName: "localhost", caFile: TestCertificates.caFile))
        let (_, info, connection) = try run("wss://localhost:\(server.port)/", options: options(), tlsContext: context, group: group)
        #expect(connection == nil)
        #expect(info.error?.stage == .tls)
        #expect(info.error?.isRetryable == false)
        #expect(info.error?.message.contains("hostname mismatch") == true)
    }

    @Test("a refused TCP connect fails the future with a connect error")
    func refused() throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { try? group.syncShutdownGracefully() }
        // Bind then close a listener to get a port nothing listens on.
        let server = try LoopbackServer(messages: [], tls: nil)
        let port = server.port
        try server.shutdown()
        let (_, info, connection) = try run("ws://127.0.0.1:\(port)/", options: options(), tlsContext: nil, group: group)
        #expect(connection == nil)
        #expect(info.error?.stage == .connect)
    }
}
