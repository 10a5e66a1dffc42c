import NIOCore
import NIOEmbedded
import Testing
@testable import Transport
@testable import WebSocketWire

/// Drives the NIO shell on an `EmbeddedChannel` with a manual clock: no sockets, no real time.
@Suite("WebSocket channel handler (embedded, manual clock)")
struct WebSocketChannelHandlerTests {
    final class Recorder: WebSocketConnectionDelegate, @unchecked Sendable {
        var opened = 0
        var messages: [String] = []
        var pings = 0
        var closes: [WebSocketCloseInfo] = []
        func webSocketDidOpen(_ connection: WebSocketConnection) { opened += 1 }
        func webSocket(_ connection: WebSocketConnection, didReceive payload: UnsafeRawBufferPointer, opcode: WebSocketOpcode) {
            messages.append(String(decoding: payload, as: UTF8.self))
        }
        func webSocket(_ connection: WebSocketConnection, didReceivePing payload: UnsafeRawBufferPointer) { pings += 1 }
        func webSocketDidClose(_ connection: WebSocketConnection, info: WebSocketCloseInfo) { closes.append(info) }
    }

    struct Harness {
        let loop = EmbeddedEventLoop()
        let channel: EmbeddedChannel
        let recorder = Recorder()
        let connection: WebSocketConnection
        let opened: EventLoopFuture<WebSocketConnection>

        init(options: WebSocketClientOptions = WebSocketClientOptions(configuration: WebSocketConfiguration(compression: nil))) throws {
            let url = try WebSocketURL("ws://venue.example:9443/ws")
            connection = WebSocketConnection(url: url, eventLoop: loop, label: "test")
            let promise = loop.makePromise(of: WebSocketConnection.self)
            opened = promise.futureResult
            let handler = WebSocketChannelHandler(connection: connection, options: options, tls: nil, delegate: recorder, opened: promise)
            connection.handler = handler
            channel = EmbeddedChannel(handler: handler, loop: loop)
            connection.channel = channel
            try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 9443)).wait()
        }

        /// The upgrade request the client wrote.
        func request() throws -> String {
            var text = ""
            while let buffer = try channel.readOutbound(as: ByteBuffer.self) { text += String(buffer: buffer) }
            return text
        }

        func send(_ bytes: [UInt8]) throws {
            try channel.writeInbound(channel.allocator.buffer(bytes: bytes))
        }

        func accept(_ request: String, extraHeaders: String = "") throws {
            let keyLine = try #require(request.split(separator: "\r\n").first { $0.hasPrefix("Sec-WebSocket-Key: ") })
            let key = String(keyLine.dropFirst("Sec-WebSocket-Key: ".count))
            let response = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
                "Sec-WebSocket-Accept: \(WebSocketHandshake.expectedAccept(forKey: key))\r\n\(extraHeaders)\r\n"
            try send(Array(response.utf8))
        }

        func written() throws -> [ClientFrameView] {
            var bytes: [UInt8] = []
            while let buffer = try channel.readOutbound(as: ByteBuffer.self) { bytes += Array(buffer.readableBytesView) }
            return decodeMasked(bytes)
        }
    }

    @Test("handshake, messages split across reads, ping answered, server close echoed and reported")
    func happyPath() throws {
        let harness = try Harness()
        let request = try harness.request()
        #expect(request.hasPrefix("GET /ws HTTP/1.1\r\nHost: venue.example:9443\r\n"))
        try harness.accept(request)
        #expect(harness.recorder.opened == 1)
        let big = String(repeating: "x", count: 70_000)
        let stream = frame(.text, Array("a".utf8)) + frame(.ping, [1, 2]) + frame(.text, Array(big.utf8)) + frame(.text, Array("b".utf8))
        for chunk in stride(from: 0, to: stream.count, by: 4096) {
            try harness.send(Array(stream[chunk..<min(stream.count, chunk + 4096)]))
        }
        #expect(harness.recorder.messages == ["a", big, "b"])
        #expect(harness.recorder.pings == 1)
        #expect(try harness.written().map(\.opcode) == [0xA])
        try harness.send(frame(.close, [0x03, 0xE8]))
        #expect(try harness.written().map(\.opcode) == [0x8])
        // RFC 6455 §7.1.1: the server closes TCP; until then the client waits (close timeout).
        #expect(harness.recorder.closes.isEmpty)
        harness.loop.advanceTime(by: .seconds(3))
        #expect(harness.recorder.closes.count == 1)
        #expect(harness.recorder.closes.first?.peerCode == .normalClosure)
        #expect(harness.recorder.closes.first?.error == nil)
    }

    @Test("a silent server trips the handshake timeout on the manual clock")
    func handshakeTimeout() throws {
        var options = WebSocketClientOptions(configuration: WebSocketConfiguration(compression: nil))
        options.handshakeTimeoutNanoseconds = 5_000_000_000
        let harness = try Harness(options: options)
        _ = try harness.request()
        harness.loop.advanceTime(by: .seconds(4))
        #expect(harness.recorder.closes.isEmpty)
        harness.loop.advanceTime(by: .seconds(2))
        let info = try #require(harness.recorder.closes.first)
        #expect(info.error?.stage == .timeout)
        #expect(info.wasOpen == false)
        #expect(throws: TransportError.self) { try harness.opened.wait() }
    }

    @Test("429 with Retry-After fails the handshake with the status and delay")
    func rateLimited() throws {
        let harness = try Harness()
        _ = try harness.request()
        try harness.send(Array("HTTP/1.1 429 Too Many Requests\r\nRetry-After: 42\r\nContent-Length: 0\r\n\r\n".utf8))
        let info = try #require(harness.recorder.closes.first)
        #expect(info.error?.stage == .handshake)
        #expect(info.error?.webSocketError?.httpStatus == 429)
        #expect(info.error?.webSocketError?.retryAfterSeconds == 42)
        #expect(info.error?.isRetryable == true)
    }

    @Test("a protocol violation sends 1002 and reports the reason")
    func protocolViolation() throws {
        let harness = try Harness()
        try harness.accept(try harness.request())
        try harness.send([0x83, 0x00])  // reserved opcode
        let frames = try harness.written()
        #expect(frames.first?.opcode == 0x8)
        #expect(frames.first.map { Array($0.payload.prefix(2)) } == [0x03, 0xEA])
        harness.loop.advanceTime(by: .seconds(3))
        let info = try #require(harness.recorder.closes.first)
        #expect(info.error?.stage == .protocolError)
        #expect(info.error?.message.contains("reserved opcode") == true)
    }

    @Test("1009 on an oversized frame: close frame sent, TCP closed by the close timeout when the server never answers")
    func oversizedFrameCloseTimeout() throws {
        var options = WebSocketClientOptions(configuration: WebSocketConfiguration(maxFrameSize: 1 << 10, compression: nil))
        options.closeTimeoutNanoseconds = 2_000_000_000
        let harness = try Harness(options: options)
        try harness.accept(try harness.request())
        // Only the header of a 32 MiB frame arrives; the server then goes silent (no close reply, TCP open).
        var header: [UInt8] = [0x81, 127]
        for shift in stride(from: 56, through: 0, by: -8) { header.append(UInt8(truncatingIfNeeded: (32 << 20) >> shift)) }
        try harness.send(header)
        let frames = try harness.written()
        #expect(frames.map(\.opcode) == [0x8])
        #expect(frames.first.map { Array($0.payload.prefix(2)) } == [0x03, 0xF1])
        harness.loop.advanceTime(by: .milliseconds(1_900))
        #expect(harness.recorder.closes.isEmpty)
        #expect(harness.channel.isActive)
        harness.loop.advanceTime(by: .milliseconds(200))
        #expect(!harness.channel.isActive)
        let info = try #require(harness.recorder.closes.first)
        #expect(harness.recorder.closes.count == 1)
        #expect(info.wasOpen)
        #expect(info.error?.stage == .protocolError)
        #expect(info.error?.webSocketError?.closeCode == .messageTooBig)
    }

    @Test("TCP dropped without a close frame is reported as connection lost")
    func droppedConnection() throws {
        let harness = try Harness()
        try harness.accept(try harness.request())
        try harness.send(frame(.text, Array("last".utf8)))
        harness.channel.pipeline.fireChannelInactive()
        let info = try #require(harness.recorder.closes.first)
        #expect(harness.recorder.messages == ["last"])
        #expect(info.peerCode == .abnormalClosure)
        #expect(info.error?.stage == .connectionLost)
    }

    @Test("sending after open writes masked frames; close starts the handshake")
    func sending() throws {
        let harness = try Harness()
        try harness.accept(try harness.request())
        harness.connection.send(text: "{\"op\":\"subscribe\"}")
        let frames = try harness.written()
        #expect(frames.count == 1)
        #expect(frames.first.map { String(decoding: $0.payload, as: UTF8.self) } == "{\"op\":\"subscribe\"}")
        harness.connection.close(code: .goingAway, reason: "rotate")
        #expect(try harness.written().first?.opcode == 0x8)
    }
}

struct ClientFrameView {
    var opcode: UInt8
    var payload: [UInt8]
}

func decodeMasked(_ bytes: [UInt8]) -> [ClientFrameView] {
    var frames: [ClientFrameView] = []
    var i = 0
    while i + 2 <= bytes.count {
        let opcode = bytes[i] & 0x0F
        var length = Int(bytes[i + 1] & 0x7F)
        i += 2
        if length == 126 { length = Int(bytes[i]) << 8 | Int(bytes[i + 1]); i += 2 } else if length == 127 {
            length = 0
            for k in 0..<8 { length = length << 8 | Int(bytes[i + k]) }
            i += 8
        }
        let key = Array(bytes[i..<i + 4])
        i += 4
        var payload = Array(bytes[i..<i + length])
        for k in payload.indices { payload[k] ^= key[k % 4] }
        i += length
        frames.append(ClientFrameView(opcode: opcode, payload: payload))
    }
    return frames
}

func frame(_ opcode: WebSocketOpcode, _ payload: [UInt8]) -> [UInt8] {
    var out: [UInt8] = [0x80 | opcode.rawValue]
    if payload.count < 126 { out.append(UInt8(payload.count)) } else if payload.count <= 0xFFFF {
        out += [126, UInt8(payload.count >> 8), UInt8(payload.count & 0xFF)]
    } else {
        out.append(127)
        for shift in stride(from: 56, through: 0, by: -8) { out.append(UInt8(truncatingIfNeeded: payload.count >> shift)) }
    }
    return out + payload
}
