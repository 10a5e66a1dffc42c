import Testing
@testable import WebSocketWire

@Suite("Opening handshake (RFC 6455 §4)")
struct HandshakeTests {
    let nonce: [UInt8] = Array("the sample nonce".utf8)  // RFC 6455 §1.3's example key

    func makeHandshake(compression: PerMessageDeflateOffer? = nil, subprotocols: [String] = []) throws -> WebSocketHandshake {
        WebSocketHandshake(url: try WebSocketURL("wss://stream.example.com:9443/stream?streams=btcusdt@trade"), nonce: nonce,
                           extraHeaders: [("X-MBX-APIKEY", "abc")], subprotocols: subprotocols, compression: compression)
    }

    func response(_ lines: [String]) -> [UInt8] { Array((lines.joined(separator: "\r\n") + "\r\n\r\n").utf8) }

    @Test("RFC 6455 §1.3 key/accept example and the request we send")
    func requestAndAccept() throws {
        let handshake = try makeHandshake(compression: PerMessageDeflateOffer())
        #expect(handshake.key == "dGhlIHNhbXBsZSBub25jZQ==")
        #expect(WebSocketHandshake.expectedAccept(forKey: handshake.key) == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")
        let request = String(decoding: handshake.requestBytes(), as: UTF8.self)
        #expect(request.hasPrefix("GET /stream?streams=btcusdt@trade HTTP/1.1\r\nHost: stream.example.com:9443\r\n"))
        #expect(request.contains("Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"))
        #expect(request.contains("Sec-WebSocket-Version: 13\r\n"))
        #expect(request.contains("Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n"))
        #expect(request.contains("X-MBX-APIKEY: abc\r\n"))
        #expect(request.hasSuffix("\r\n\r\n"))
    }

    @Test("a valid 101 with deflate and leftover frame bytes")
    func success() throws {
        let handshake = try makeHandshake(compression: PerMessageDeflateOffer(), subprotocols: ["v1"])
        var bytes = response(["HTTP/1.1 101 Switching Protocols", "Upgrade: WebSocket", "Connection: keep-alive, Upgrade",
                              "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", "Sec-WebSocket-Protocol: v1",
                              "Sec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover; client_max_window_bits=12"])
        let headLength = bytes.count
        bytes += [0x81, 0x00]
        let result = try bytes.withUnsafeBytes { try handshake.parseResponse($0) }
        guard case .complete(let parsed, let consumed) = result else { Issue.record("incomplete"); return }
        #expect(consumed == headLength)
        #expect(parsed.subprotocol == "v1")
        #expect(parsed.deflate == PerMessageDeflateParameters(serverNoContextTakeover: true, clientMaxWindowBits: 12))
        // A partial head asks for more bytes.
        let partial = Array(bytes.prefix(20))
        let needMore = try partial.withUnsafeBytes { try handshake.parseResponse($0) }
        if case .complete = needMore { Issue.record("a partial head must not complete") }
    }

    struct Refusal: CustomStringConvertible, Sendable {
        let name: String
        let lines: [String]
        let expected: String
        var status: Int? = nil
        var retryAfter: Int? = nil
        var description: String { name }
    }

    static let refusals: [Refusal] = [
        Refusal(name: "wrong Accept key", lines: ["HTTP/1.1 101 Switching Protocols", "Upgrade: websocket", "Connection: Upgrade",
                                                  "Sec-WebSocket-Accept: AAAAAAAAAAAAAAAAAAAAAAAAAAA="], expected: "does not match"),
        Refusal(name: "missing Accept", lines: ["HTTP/1.1 101 Switching Protocols", "Upgrade: websocket", "Connection: Upgrade"],
                expected: "missing Sec-WebSocket-Accept"),
        Refusal(name: "no Upgrade header", lines: ["HTTP/1.1 101 Switching Protocols", "Connection: Upgrade",
                                                   "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo="], expected: "Upgrade"),
        Refusal(name: "200 instead of 101", lines: ["HTTP/1.1 200 OK", "Content-Length: 0"], expected: "answered 200", status: 200),
        Refusal(name: "429 with Retry-After", lines: ["HTTP/1.1 429 Too Many Requests", "Retry-After: 30"], expected: "Retry-After 30",
                status: 429, retryAfter: 30),
        Refusal(name: "redirect", lines: ["HTTP/1.1 301 Moved Permanently", "Location: wss://elsewhere.example/"],
                expected: "redirects are refused", status: 301),
        Refusal(name: "unoffered extension", lines: ["HTTP/1.1 101 Switching Protocols", "Upgrade: websocket", "Connection: Upgrade",
                                                     "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", "Sec-WebSocket-Extensions: x-webkit-deflate-frame"],
                expected: "did not offer"),
        Refusal(name: "unoffered subprotocol", lines: ["HTTP/1.1 101 Switching Protocols", "Upgrade: websocket", "Connection: Upgrade",
                                                       "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", "Sec-WebSocket-Protocol: chat"],
                expected: "did not offer"),
        Refusal(name: "garbage status line", lines: ["SSH-2.0-OpenSSH_9.2"], expected: "malformed status line"),
    ]

    @Test("refused responses name what was wrong", arguments: refusals)
    func refusal(_ refusal: Refusal) throws {
        let handshake = try makeHandshake()
        let bytes = response(refusal.lines)
        do {
            _ = try bytes.withUnsafeBytes { try handshake.parseResponse($0) }
            Issue.record("\(refusal.name) was accepted")
        } catch let error as WebSocketError {
            #expect(error.message.contains(refusal.expected), "\(error.message)")
            #expect(error.httpStatus == refusal.status)
            #expect(error.retryAfterSeconds == refusal.retryAfter)
            if refusal.status == 301 { #expect(error.kind == .redirect) }
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    @Test("an endless response head is refused at the size limit")
    func oversizedHead() throws {
        let handshake = WebSocketHandshake(url: try WebSocketURL("ws://h/"), nonce: nonce, maxResponseSize: 100)
        let bytes = [UInt8](repeating: 0x41, count: 200)
        #expect(throws: WebSocketError.self) { try bytes.withUnsafeBytes { try handshake.parseResponse($0) } }
    }

    @Test("URLs: defaults, IPv6, query-only targets, and refusals")
    func urls() throws {
        let a = try WebSocketURL("wss://ws.okx.com:8443/ws/v5/public")
        #expect(a.isSecure && a.host == "ws.okx.com" && a.port == 8443 && a.requestTarget == "/ws/v5/public")
        let b = try WebSocketURL("ws://[::1]:9001")
        #expect(b.host == "::1" && b.port == 9001 && b.requestTarget == "/" && b.hostHeader == "[::1]:9001" && b.isIPLiteral)
        let c = try WebSocketURL("WSS://example.com?x=1")
        #expect(c.port == 443 && c.requestTarget == "/?x=1" && c.hostHeader == "example.com" && !c.isIPLiteral)
        #expect(try WebSocketURL("ws://127.0.0.1/").isIPLiteral)
        for bad in ["http://example.com", "ws://", "ws://host:0/", "ws://host:99999/", "ws://host/#frag", "ws://[::1/"] {
            #expect(throws: WebSocketError.self) { try WebSocketURL(bad) }
        }
    }
}
