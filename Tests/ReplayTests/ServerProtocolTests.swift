import Foundation
import Replay
import Testing
import WebSocketWire

/// Builds client requests and masked frames by hand, and drives our own client engine
/// (`WebSocketWire.WebSocketEngine`) against the server engine without sockets.
@Suite("Server-side handshake, frames and HTTP")
struct ServerProtocolTests {
    static func head(_ text: String) throws -> HTTPRequestHead {
        var parser = HTTPRequestParser()
        parser.feed(Array(text.utf8))
        guard let request = try parser.nextRequest() else { throw TestFailure("incomplete request") }
        return request.head
    }

    static func upgradeRequest(key: String = "dGhlIHNhbXBsZSBub25jZQ==", version: String = "13", extensions: String? = nil) -> String {
        var text = "GET /binance HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: keep-alive, Upgrade\r\n"
        text += "Sec-WebSocket-Key: \(key)\r\nSec-WebSocket-Version: \(version)\r\n"
        if let extensions { text += "Sec-WebSocket-Extensions: \(extensions)\r\n" }
        return text + "\r\n"
    }

    /// A masked client frame (RFC 6455 §5.2-5.3).
    static func maskedFrame(_ opcode: UInt8, _ payload: [UInt8], fin: Bool = true, rsv1: Bool = false, key: [UInt8] = [0x37, 0xFA, 0x21, 0x3D]) -> [UInt8] {
        var frame: [UInt8] = [(fin ? 0x80 : 0) | (rsv1 ? 0x40 : 0) | opcode]
        if payload.count < 126 {
            frame.append(0x80 | UInt8(payload.count))
        } else {
            frame += [0x80 | 126, UInt8(payload.count >> 8), UInt8(payload.count & 0xFF)]
        }
        frame += key
        frame += payload.enumerated().map { $0.element ^ key[$0.offset % 4] }
        return frame
    }

    @Test("RFC 6455 §1.3 example: the accept key, and the 101 answer")
    func accept() throws {
        guard case .success(let accepted) = ServerHandshake.evaluate(try Self.head(Self.upgradeRequest()), deflate: nil) else {
            Issue.record("refused"); return
        }
        let text = String(decoding: accepted.response, as: UTF8.self)
        #expect(text.hasPrefix("HTTP/1.1 101 Switching Protocols\r\n"))
        #expect(text.contains("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"))
        #expect(!text.contains("Sec-WebSocket-Extensions"))
    }

    @Test("bad upgrades are refused with the right status")
    func refusals() throws {
        func status(_ request: String) throws -> Int? {
            if case .failure(let error) = ServerHandshake.evaluate(try Self.head(request), deflate: nil) { return error.response.status }
            return nil
        }
        #expect(try status(Self.upgradeRequest(version: "8")) == 426)
        #expect(try status(Self.upgradeRequest(key: "short")) == 400)
        #expect(try status(Self.upgradeRequest(key: "dGhlIHNhbXBsZSBub25jZR==")) == 400, "the last base64 digit carries 2 bits")
        #expect(try status(Self.upgradeRequest().replacingOccurrences(of: "keep-alive, Upgrade", with: "keep-alive")) == 400)
        let refused = ServerHandshake.evaluate(try Self.head(Self.upgradeRequest(version: "8")), deflate: nil)
        if case .failure(let error) = refused {
            #expect(String(decoding: error.response.bytes, as: UTF8.self).contains("Sec-WebSocket-Version: 13\r\n"))
        }
    }

    @Test("permessage-deflate negotiation (RFC 7692 §7)", arguments: [
        ("permessage-deflate; client_max_window_bits", "permessage-deflate"),
        ("permessage-deflate; server_no_context_takeover", "permessage-deflate; server_no_context_takeover"),
        ("permessage-deflate; server_max_window_bits=10; client_no_context_takeover",
         "permessage-deflate; client_no_context_takeover; server_max_window_bits=10"),
        ("permessage-deflate; server_max_window_bits=\"9\"", "permessage-deflate; server_max_window_bits=9"),
        ("permessage-deflate; bogus, permessage-deflate", "permessage-deflate"),
        ("permessage-deflate; server_max_window_bits=16", nil),
        ("permessage-deflate; server_no_context_takeover; server_no_context_takeover", nil),
        ("x-webkit-deflate-frame", nil),
    ] as [(String, String?)])
    func negotiation(offer: String, expected: String?) {
        #expect(ServerDeflateParameters.negotiate(offers: [offer], policy: ServerDeflateConfiguration())?.headerValue == expected)
    }

    @Test("the server may add server_no_context_takeover on its own")
    func serverChoosesNoTakeover() {
        let parameters = ServerDeflateParameters.negotiate(offers: ["permessage-deflate"], policy: ServerDeflateConfiguration(serverNoContextTakeover: true))
        #expect(parameters?.headerValue == "permessage-deflate; server_no_context_takeover")
    }

    @Test("masked client frames are unmasked; pings get pongs; close is echoed")
    func unmasking() throws {
        let engine = try WebSocketServerEngine(deflate: nil)
        var bytes = Self.maskedFrame(0x1, Array("hello".utf8))
        bytes += Self.maskedFrame(0x9, Array("p".utf8))
        bytes += Self.maskedFrame(0x1, Array("frag".utf8), fin: false) + Self.maskedFrame(0x0, Array("mented".utf8))
        // Fed one byte at a time: partial headers and payloads must wait for the rest.
        var events: [WebSocketServerEngine.Event] = []
        for byte in bytes { events += engine.receive([byte]) }
        #expect(events == [.message(Array("hello".utf8), opcode: .text), .ping(Array("p".utf8)), .message(Array("fragmented".utf8), opcode: .text)])
        #expect(engine.takeOutbound() == [0x8A, 0x01, UInt8(ascii: "p")], "an unmasked pong with the ping's payload")
        events = engine.receive(Self.maskedFrame(0x8, [0x03, 0xE8] + Array("bye".utf8)))
        #expect(events == [.close(code: .normalClosure, reason: "bye")])
        #expect(engine.takeOutbound() == [0x88, 0x02, 0x03, 0xE8])
        #expect(engine.isFinished)
    }

    @Test("protocol violations close with the matching code", arguments: [
        ([0x81, 0x05] + Array("hello".utf8), UInt16(1002)),                          // unmasked
        (ServerProtocolTests.maskedFrame(0x3, []), UInt16(1002)),                                         // reserved opcode
        (ServerProtocolTests.maskedFrame(0x9, [UInt8](repeating: 0, count: 126)), UInt16(1002)),           // control > 125
        (ServerProtocolTests.maskedFrame(0x9, [], fin: false), UInt16(1002)),                              // fragmented control
        (ServerProtocolTests.maskedFrame(0x0, Array("x".utf8)), UInt16(1002)),                             // stray continuation
        (ServerProtocolTests.maskedFrame(0x1, Array("x".utf8), rsv1: true), UInt16(1002)),                 // RSV1 without deflate
        (ServerProtocolTests.maskedFrame(0x1, [0xC3, 0x28]), UInt16(1007)),                                // bad UTF-8
        (ServerProtocolTests.maskedFrame(0x8, [0x03]), UInt16(1002)),                                      // 1-byte close
        (ServerProtocolTests.maskedFrame(0x8, [0x03, 0xED]), UInt16(1002)),                                // close code 1005 on the wire
        ([0x81, 0x80 | 126, 0x00, 0x05, 1, 2, 3, 4, 0, 0, 0, 0, 0], UInt16(1002)),      // non-minimal length
    ] as [([UInt8], UInt16)])
    func violations(bytes: [UInt8], code: UInt16) throws {
        let engine = try WebSocketServerEngine(deflate: nil)
        _ = engine.receive(bytes)
        let out = engine.takeOutbound()
        #expect(engine.failure?.closeCode.rawValue == code)
        #expect(out.count >= 4 && out[0] == 0x88 && UInt16(out[2]) << 8 | UInt16(out[3]) == code)
    }

    @Test("a frame past the limit fails with 1009 as soon as its header arrives")
    func tooBig() throws {
        let engine = try WebSocketServerEngine(configuration: .init(maxFrameSize: 100), deflate: nil)
        _ = engine.receive([0x81, 0x80 | 126, 0x01, 0x00])
        #expect(engine.failure?.closeCode == .messageTooBig)
    }

    @Test("our client engine and the server engine agree, with deflate and fragmentation, both directions",
          arguments: [false, true])
    func clientRoundTrip(noContextTakeover: Bool) throws {
        let parameters = ServerDeflateParameters(serverNoContextTakeover: noContextTakeover, clientNoContextTakeover: noContextTakeover, serverMaxWindowBits: 10)
        let server = try WebSocketServerEngine(configuration: .init(outgoingFragmentSize: 7), deflate: parameters)
        let client = try WebSocketEngine(configuration: WebSocketConfiguration(minimumCompressedMessageSize: 0),
                                         deflate: PerMessageDeflateParameters(serverNoContextTakeover: noContextTakeover,
                                                                              clientNoContextTakeover: noContextTakeover,
                                                                              serverMaxWindowBits: 10, clientMaxWindowBits: 15),
                                         maskSeed: 42)
        let messages = (0..<5).map { #"{"stream":"btcusdt@depth","data":{"u":\#($0),"b":[["87412.35000000","0.41230000"]]}}"# }
        for message in messages { try server.send(Array(message.utf8)) }
        var collector = Collector()
        let wire = server.takeOutbound()
        #expect(wire[0] & 0x40 != 0, "the first frame is compressed (RSV1)")
        try wire.withUnsafeBytes { try client.receive($0, handler: &collector) }
        #expect(collector.texts == messages)
        for message in messages { try client.sendText(message) }
        let fromClient = Array(client.outbound.bytes)
        let events = server.receive(fromClient)
        #expect(events == messages.map { .message(Array($0.utf8), opcode: .text) })
        #expect(server.failure == nil)
    }

    struct Collector: WebSocketMessageHandler {
        var texts: [String] = []
        mutating func webSocketDidReceiveMessage(_ payload: UnsafeRawBufferPointer, opcode: WebSocketOpcode) {
            texts.append(String(decoding: payload, as: UTF8.self))
        }
    }

    @Test("HTTP requests: pipelined, with bodies, limits")
    func httpParser() throws {
        var parser = HTTPRequestParser(maxHeadSize: 200)
        parser.feed(Array("GET /a?x=1 HTTP/1.1\r\nHost: h\r\n\r\nPOST /b HTTP/1.1\r\nContent-Length: 3\r\n\r\nab".utf8))
        let first = try parser.nextRequest()
        #expect(first?.head.path == "/a" && first?.head.query == "x=1" && first?.head.header("HOST") == "h")
        #expect(try parser.nextRequest() == nil, "the body is not complete")
        parser.feed(Array("c".utf8))
        #expect(try parser.nextRequest()?.body == Array("abc".utf8))
        var big = HTTPRequestParser(maxHeadSize: 64)
        big.feed(Array(repeating: UInt8(ascii: "a"), count: 100))
        #expect(throws: HTTPRequestParser.Failure(status: 431, message: "the request head exceeds 64 bytes")) { try big.nextRequest() }
        var bad = HTTPRequestParser()
        bad.feed(Array("HELLO\r\n\r\n".utf8))
        #expect { try bad.nextRequest() } throws: { ($0 as? HTTPRequestParser.Failure)?.status == 400 }
    }
}
