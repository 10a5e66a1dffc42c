import NIOCore
import NIOPosix
import Testing
@testable import Transport

@Suite("HTTP/1.1 response parsing and the snapshot client")
struct HTTPClientTests {
    func parse(_ text: String, chunk: Int = .max) throws -> HTTPResponse? {
        var parser = HTTPResponseParser(maxHeadSize: 1024, maxBodySize: 4096)
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let end = min(bytes.count, offset + chunk)
            let piece = Array(bytes[offset..<end])
            if case .complete(let response) = try piece.withUnsafeBytes({ try parser.feed($0) }) { return response }
            offset = end
        }
        return try parser.finish()
    }

    @Test("Content-Length, chunked and close-delimited bodies, fed whole and byte by byte", arguments: [Int.max, 1])
    func bodies(chunk: Int) throws {
        let fixed = try #require(try parse("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello", chunk: chunk))
        #expect(fixed.status == 200 && String(decoding: fixed.body, as: UTF8.self) == "hello")
        let chunked = try #require(try parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\n{\"a\"\r\n3;ext=1\r\n:1}\r\n0\r\n\r\n", chunk: chunk))
        #expect(String(decoding: chunked.body, as: UTF8.self) == "{\"a\":1}")
        let untilClose = try #require(try parse("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n[1,2]", chunk: chunk))
        #expect(String(decoding: untilClose.body, as: UTF8.self) == "[1,2]")
        #expect(untilClose.header("content-type") == "application/json")
    }

    @Test("bad responses are errors that name the problem")
    func refusals() {
        let cases: [(String, String)] = [
            ("SSH-2.0\r\n\r\n", "malformed HTTP status line"),
            ("HTTP/1.1 200 OK\r\nContent-Length: 99999\r\n\r\n", "exceeds"),
            ("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", "malformed chunk size"),
            ("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort", "cut off"),
            ("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", "bad Content-Length"),
        ]
        for (text, expected) in cases {
            do {
                _ = try parse(text)
                Issue.record("accepted: \(text)")
            } catch {
                let message = (error as? TransportError)?.message ?? "\(error)"
                #expect(message.contains(expected), "\(message)")
            }
        }
    }

    @Test("GET over loopback returns the body; a refused port fails with a connect error")
    func loopbackGet() throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { try? group.syncShutdownGracefully() }
        let body = "{\"lastUpdateId\":160,\"bids\":[[\"0.0024\",\"10\"]],\"asks\":[[\"0.0026\",\"100\"]]}"
        let server = try ServerBootstrap(group: group)
            .childChannelInitializer { child in
                child.eventLoop.makeCompletedFuture {
                    try child.pipeline.syncOperations.addHandler(FixedHTTPResponder(body: body))
                }
            }
            .bind(host: "127.0.0.1", port: 0).wait()
        let port = server.localAddress?.port ?? 0
        let response = try HTTPClient.get("http://127.0.0.1:\(port)/api/v3/depth?symbol=BTCUSDT&limit=1000", on: group.next()).wait()
        #expect(response.status == 200)
        #expect(String(decoding: response.body, as: UTF8.self) == body)
        try server.close().wait()
        #expect(throws: TransportError.self) {
            _ = try HTTPClient.get("http://127.0.0.1:\(port)/", on: group.next(), timeoutNanoseconds: 2_000_000_000).wait()
        }
    }
}

/// Answers any request with a fixed JSON body (chunked, to exercise the parser) and closes.
private final class FixedHTTPResponder: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer
    let body: String
    var request = ""
    init(body: String) { self.body = body }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        request += String(buffer: unwrapInboundIn(data))
        guard request.contains("\r\n\r\n") else { return }
        let half = body.count / 2
        let first = String(body.prefix(half)), second = String(body.dropFirst(half))
        let text = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" +
            "\(String(first.utf8.count, radix: 16))\r\n\(first)\r\n\(String(second.utf8.count, radix: 16))\r\n\(second)\r\n0\r\n\r\n"
        context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(string: text))).whenComplete { _ in
            context.close(promise: nil)
        }
    }
}
