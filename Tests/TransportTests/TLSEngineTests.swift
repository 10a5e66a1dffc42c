import COpenSSL
import Testing
@testable import Transport

/// A client engine wired to an in-process server through byte arrays: deterministic, no sockets.
private final class Pipe {
    let client: TLSClientEngine
    let server: TLSTestServer
    var clientReceived: [UInt8] = []
    /// `cleanly` from the client's `.closed` result, once it arrived.
    var clientClosed: Bool?
    private let readBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 65536, alignment: 16)

    init(_ context: TLSContext, _ configuration: TLSConfiguration, server: TLSTestServerContext,
         cacheKey: String = "localhost:443") throws {
        client = try TLSClientEngine(context: context, configuration: configuration, cacheKey: cacheKey)
        self.server = TLSTestServer(context: server)
    }

    deinit { readBuffer.deallocate() }

    /// Starts the handshake and shuttles bytes until neither side has anything more to say.
    func run() throws {
        try client.startHandshake()
        try pump()
    }

    func pump() throws {
        for _ in 0..<100_000 {
            var moved = false
            var toServer: [UInt8] = []
            client.drainCiphertext(into: &toServer)
            if !toServer.isEmpty {
                server.feed(toServer)
                moved = true
            }
            server.step()
            let toClient = server.takeCiphertext()
            if !toClient.isEmpty {
                toClient.withUnsafeBytes { client.feedCiphertext($0) }
                moved = true
            }
            try readClient()
            if !moved && client.pendingCiphertextCount == 0 { return }
        }
        Issue.record("pump did not settle")
    }

    func readClient() throws {
        while clientClosed == nil {
            switch try client.readPlaintext(into: readBuffer) {
            case .bytes(let count):
                clientReceived.append(contentsOf: UnsafeRawBufferPointer(rebasing: readBuffer.prefix(count)))
            case .wantMore:
                return
            case .closed(let cleanly):
                clientClosed = cleanly
            }
        }
    }
}

private func configuration(_ serverName: String = "localhost", caFile: String? = TestCertificates.caFile,
                           trustsSystemStore: Bool = false) -> TLSConfiguration {
    TLSConfiguration(serverName: serverName, caFile: caFile, trustsSystemStore: trustsSystemStore)
}

/// Runs a handshake that must fail and returns the client's error.
private func handshakeError(_ configuration: TLSConfiguration, server: TLSTestServerContext) throws -> TLSError? {
    let context = try TLSContext(configuration: configuration)
    let pipe = try Pipe(context, configuration, server: server)
    do {
        try pipe.run()
    } catch let error as TLSError {
        #expect(!pipe.client.isHandshakeComplete)
        return error
    }
    Issue.record("handshake unexpectedly succeeded")
    return nil
}

private func randomBytes(_ count: Int) -> [UInt8] {
    var generator = SystemRandomNumberGenerator()
    // Eight bytes per generator call: tests run unoptimized, and these buffers are megabytes.
    var words = [UInt64](repeating: 0, count: (count + 7) / 8)
    for index in words.indices { words[index] = generator.next() }
    return words.withUnsafeBytes { Array($0.prefix(count)) }
}

/// memcmp-based equality: `Array ==` is element by element in an unoptimized test build.
private func sameBytes(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
    lhs.count == rhs.count && lhs.withUnsafeBytes { l in rhs.withUnsafeBytes { r in
        guard let left = l.baseAddress, let right = r.baseAddress else { return true }
        return memcmp(left, right, l.count) == 0
    } }
}

@Suite struct TLSEngineTests {
    @Test func handshakeWithTestCANegotiatesALPNAndCarriesDataBothWays() throws {
        let config = configuration()
        let context = try TLSContext(configuration: config)
        let pipe = try Pipe(context, config, server: try TLSTestServerContext())
        try pipe.run()

        #expect(pipe.client.isHandshakeComplete)
        #expect(pipe.client.negotiatedALPN == "http/1.1")
        #expect(pipe.server.negotiatedALPN == "http/1.1")
        #expect(pipe.client.protocolVersion == "TLSv1.3")
        #expect(!pipe.client.isSessionReused)
        #expect(pipe.server.requestedServerName == "localhost")

        let request = Array("GET /ws HTTP/1.1\r\nHost: localhost\r\n\r\n".utf8)
        try request.withUnsafeBytes { try pipe.client.writePlaintext($0) }
        try pipe.pump()
        #expect(pipe.server.received == request)

        let response = Array("HTTP/1.1 101 Switching Protocols\r\n\r\n".utf8)
        try pipe.server.write(response)
        try pipe.pump()
        #expect(pipe.clientReceived == response)
    }

    @Test func tls12HandshakeWorks() throws {
        let config = configuration()
        let context = try TLSContext(configuration: config)
        let pipe = try Pipe(context, config, server: try TLSTestServerContext(maxVersion: TLS1_2_VERSION))
        try pipe.run()
        #expect(pipe.client.protocolVersion == "TLSv1.2")
        #expect(pipe.client.negotiatedALPN == "http/1.1")
    }

    @Test func serverWithoutCommonALPNLeavesItUnset() throws {
        let config = configuration()
        let context = try TLSContext(configuration: config)
        let pipe = try Pipe(context, config, server: try TLSTestServerContext(alpn: ["h2"]))
        try pipe.run()
        #expect(pipe.client.isHandshakeComplete)
        #expect(pipe.client.negotiatedALPN == nil)
    }

    @Test func writesBeforeHandshakeAreSentAfterIt() throws {
        let config = configuration()
        let context = try TLSContext(configuration: config)
        let pipe = try Pipe(context, config, server: try TLSTestServerContext())
        let early = Array("early bytes".utf8)
        try early.withUnsafeBytes { try pipe.client.writePlaintext($0) }
        try pipe.run()
        #expect(pipe.server.received == early)
    }

    @Test func selfSignedCertificateFailsVerification() throws {
        let server = try TLSTestServerContext(certificate: "untrusted.pem", key: "untrusted-key.pem")
        // System store on as in production: the self-signed leaf is in neither trust source.
        let error = try handshakeError(configuration(trustsSystemStore: true), server: server)
        #expect(error?.code == .certificateVerificationFailed)
        #expect(error?.verifyResult == Int(X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT))
        #expect(error?.reason == "certificate verify failed: self-signed certificate")
        #expect(error?.isRetryable == false)
    }

    @Test func testCAIsNotTrustedWithoutCAFile() throws {
        let error = try handshakeError(configuration(caFile: nil, trustsSystemStore: true),
                                       server: try TLSTestServerContext())
        #expect(error?.code == .certificateVerificationFailed)
        #expect(error?.verifyResult == Int(X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY))
    }

    @Test func wrongHostnameFails() throws {
        let server = try TLSTestServerContext(certificate: "wrong-host.pem", key: "wrong-host-key.pem")
        let error = try handshakeError(configuration("localhost"), server: server)
        #expect(error?.code == .hostnameMismatch)
        #expect(error?.reason.hasPrefix("certificate verify failed: hostname mismatch") == true)
        #expect(error?.isRetryable == false)
    }

    @Test func wrongIPAddressFails() throws {
        let error = try handshakeError(configuration("127.0.0.2"), server: try TLSTestServerContext())
        #expect(error?.code == .hostnameMismatch)
        #expect(error?.verifyResult == Int(X509_V_ERR_IP_ADDRESS_MISMATCH))
    }

    @Test(arguments: ["127.0.0.1", "::1", "[::1]"])
    func ipAddressSANVerifiesWithoutSNI(_ address: String) throws {
        let config = configuration(address)
        let context = try TLSContext(configuration: config)
        let pipe = try Pipe(context, config, server: try TLSTestServerContext())
        try pipe.run()
        #expect(pipe.client.isHandshakeComplete)
        #expect(pipe.server.requestedServerName == nil) // RFC 6066 §3: no IP literals in SNI
    }

    @Test func verifyPeerOffAcceptsUntrustedCertificate() throws {
        var config = configuration(caFile: nil)
        config.verifyPeer = false
        let context = try TLSContext(configuration: config)
        let server = try TLSTestServerContext(certificate: "untrusted.pem", key: "untrusted-key.pem")
        let pipe = try Pipe(context, config, server: server)
        try pipe.run()
        #expect(pipe.client.isHandshakeComplete)
    }

    @Test func badCAFilePathIsReported() throws {
        let config = configuration(caFile: "/nonexistent/ca.pem")
        do {
            _ = try TLSContext(configuration: config)
            Issue.record("expected badCAFile")
        } catch {
            #expect(error.code == .badCAFile)
            #expect(error.reason.contains("/nonexistent/ca.pem"))
            #expect(!error.isRetryable)
        }
    }

    @Test func overlongServerNameIsRejected() throws {
        let config = configuration(String(repeating: "a", count: 300) + ".example")
        let context = try TLSContext(configuration: config)
        do {
            _ = try TLSClientEngine(context: context, configuration: config, cacheKey: "k")
            Issue.record("expected invalidConfiguration")
        } catch {
            #expect(error.code == .invalidConfiguration)
        }
    }

    @Test func invalidALPNNameIsRejected() throws {
        var config = configuration()
        config.alpn = [""]
        let context = try TLSContext(configuration: config)
        #expect(throws: TLSError.self) { _ = try TLSClientEngine(context: context, configuration: config, cacheKey: "k") }
    }

    @Test(arguments: [
        (nil as Int32?, false, "TLSv1.3"), // TLS 1.3 ticket
        (TLS1_2_VERSION, false, "TLSv1.2"), // TLS 1.2 ticket (RFC 5077)
        (TLS1_2_VERSION, true, "TLSv1.2"), // TLS 1.2 session id
    ])
    func secondConnectionResumesSession(maxVersion: Int32?, disableTickets: Bool, version: String) throws {
        let config = configuration()
        let context = try TLSContext(configuration: config)
        let server = try TLSTestServerContext(maxVersion: maxVersion, disableTickets: disableTickets)

        let first = try Pipe(context, config, server: server)
        try first.run() // pump reads after the handshake, so TLS 1.3 tickets get processed
        #expect(!first.client.isSessionReused)
        #expect(first.client.protocolVersion == version)
        #expect(context.hasCachedSession(forKey: "localhost:443"))
        #expect(context.cachedSessionCount == 1)

        let second = try Pipe(context, config, server: server)
        try second.run()
        #expect(second.client.isSessionReused)
        #expect(second.server.isSessionReused)
        #expect(second.client.negotiatedALPN == "http/1.1")

        let otherEndpoint = try Pipe(context, config, server: server, cacheKey: "localhost:8443")
        try otherEndpoint.run()
        #expect(!otherEndpoint.client.isSessionReused)
        #expect(context.cachedSessionCount == 2)
    }

    @Test func sessionCacheIsBounded() throws {
        var config = configuration()
        config.sessionCacheCapacity = 2
        let context = try TLSContext(configuration: config)
        let server = try TLSTestServerContext()
        for port in 1...3 {
            try Pipe(context, config, server: server, cacheKey: "localhost:\(port)").run()
        }
        #expect(context.cachedSessionCount == 2)
        #expect(!context.hasCachedSession(forKey: "localhost:1")) // oldest evicted
        #expect(context.hasCachedSession(forKey: "localhost:3"))
    }

    @Test func cleanCloseNotify() throws {
        let config = configuration()
        let context = try TLSContext(configuration: config)
        let pipe = try Pipe(context, config, server: try TLSTestServerContext())
        try pipe.run()
        try pipe.server.write(Array("last".utf8))
        pipe.server.sendCloseNotify()
        try pipe.pump()
        #expect(pipe.clientReceived == Array("last".utf8))
        #expect(pipe.clientClosed == true)
        // A TCP FIN after close_notify keeps it clean.
        pipe.client.feedEndOfStream()
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 16, alignment: 1)
        defer { buffer.deallocate() }
        #expect(try pipe.client.readPlaintext(into: buffer) == .closed(cleanly: true))

        pipe.client.close()
        try pipe.pump()
        #expect(pipe.server.receivedCloseNotify)
    }

    @Test func tcpDropWithoutCloseNotify() throws {
        let config = configuration()
        let context = try TLSContext(configuration: config)
        let pipe = try Pipe(context, config, server: try TLSTestServerContext())
        try pipe.run()
        try pipe.server.write(Array("partial".utf8))
        pipe.server.takeCiphertext().withUnsafeBytes { pipe.client.feedCiphertext($0) }
        pipe.client.feedEndOfStream()
        try pipe.readClient()
        #expect(pipe.clientReceived == Array("partial".utf8))
        #expect(pipe.clientClosed == false)
        // Sticky: later reads say the same; writes are refused.
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 16, alignment: 1)
        defer { buffer.deallocate() }
        #expect(try pipe.client.readPlaintext(into: buffer) == .closed(cleanly: false))
        #expect(throws: TLSError.self) { try [1, 2, 3].withUnsafeBytes { try pipe.client.writePlaintext($0) } }
    }

    @Test func tcpDropInsideARecord() throws {
        let config = configuration()
        let context = try TLSContext(configuration: config)
        let pipe = try Pipe(context, config, server: try TLSTestServerContext())
        try pipe.run()
        try pipe.server.write(Array(repeating: 7, count: 1000))
        let record = pipe.server.takeCiphertext()
        record.prefix(record.count / 2).withUnsafeBytes { pipe.client.feedCiphertext(UnsafeRawBufferPointer($0)) }
        pipe.client.feedEndOfStream()
        try pipe.readClient()
        #expect(pipe.clientReceived.isEmpty)
        #expect(pipe.clientClosed == false)
    }

    @Test func eofDuringHandshakeIsRetryable() throws {
        let config = configuration()
        let context = try TLSContext(configuration: config)
        let pipe = try Pipe(context, config, server: try TLSTestServerContext())
        try pipe.client.startHandshake()
        pipe.client.feedEndOfStream()
        do {
            try pipe.readClient()
            Issue.record("expected unexpectedEOF")
        } catch let error as TLSError {
            #expect(error.code == .unexpectedEOF)
            #expect(error.isRetryable)
        }
    }

    @Test func partialCiphertextConsumptionKeepsTheRest() throws {
        let config = configuration()
        let context = try TLSContext(configuration: config)
        let pipe = try Pipe(context, config, server: try TLSTestServerContext())
        try pipe.run()
        let message = randomBytes(5000)
        try message.withUnsafeBytes { try pipe.client.writePlaintext($0) }
        let total = pipe.client.pendingCiphertextCount
        var sent: [UInt8] = []
        // A socket that accepts 100 bytes, then 1 byte, then the rest.
        pipe.client.withPendingCiphertext { bytes in sent += bytes.prefix(100); return 100 }
        pipe.client.withPendingCiphertext { bytes in sent += bytes.prefix(1); return 1 }
        #expect(pipe.client.pendingCiphertextCount == total - 101)
        // The buffer-based drain continues from where the lent bytes stopped.
        let rest = UnsafeMutableRawBufferPointer.allocate(byteCount: total, alignment: 1)
        defer { rest.deallocate() }
        let drained = pipe.client.drainCiphertext(into: rest)
        sent += UnsafeRawBufferPointer(rebasing: rest.prefix(drained))
        #expect(pipe.client.pendingCiphertextCount == 0)
        #expect(sent.count == total)
        pipe.server.feed(sent)
        pipe.server.step()
        #expect(pipe.server.received == message)
    }

    @Test func severalMegabytesRoundTrip() throws {
        let config = configuration()
        let context = try TLSContext(configuration: config)
        let pipe = try Pipe(context, config, server: try TLSTestServerContext())
        try pipe.run()

        let upstream = randomBytes(3 << 20)
        try upstream.withUnsafeBytes { try pipe.client.writePlaintext($0) }
        try pipe.pump()
        #expect(pipe.server.received.count == upstream.count)
        #expect(sameBytes(pipe.server.received, upstream))

        let downstream = randomBytes(5 << 20)
        for start in stride(from: 0, to: downstream.count, by: 1 << 20) {
            try pipe.server.write(Array(downstream[start..<min(start + (1 << 20), downstream.count)]))
        }
        try pipe.pump()
        #expect(pipe.clientReceived.count == downstream.count)
        #expect(sameBytes(pipe.clientReceived, downstream))
    }
}
