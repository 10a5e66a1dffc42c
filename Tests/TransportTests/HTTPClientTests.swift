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

    @Test("POST sends the method, extra headers, Content-Length and the body byte for byte; error statuses are responses")
    func loopbackPost() throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { try? group.syncShutdownGracefully() }
        let server = try ServerBootstrap(group: group)
            .childChannelInitializer { child in
                child.eventLoop.makeCompletedFuture { try child.pipeline.syncOperations.addHandler(EchoingHTTPResponder()) }
            }
            .bind(host: "127.0.0.1", port: 0).wait()
        defer { try? server.close().wait() }
        let port = server.localAddress?.port ?? 0
        let body = "nonce=1616492376594000&cl_ord_id=O1"
        let response = try HTTPClient.request(method: "POST", "http://127.0.0.1:\(port)/0/private/OpenOrders",
                                              headers: [(name: "API-Key", value: "k1"), (name: "Content-Type", value: "application/x-www-form-urlencoded")],
                                              body: Array(body.utf8), on: group.next()).wait()
        // The responder answers 401 with the request it parsed, so the test sees what went on the wire.
        #expect(response.status == 401)
        let echoed = String(decoding: response.body, as: UTF8.self)
        #expect(echoed.hasPrefix("POST /0/private/OpenOrders HTTP/1.1\r\n"), "\(echoed)")
        #expect(echoed.contains("\r\nAPI-Key: k1\r\n") && echoed.contains("\r\nContent-Length: \(body.utf8.count)\r\n"), "\(echoed)")
        #expect(echoed.hasSuffix("\r\n\r\n" + body), "\(echoed)")

        let get = try HTTPClient.request(method: "GET", "http://127.0.0.1:\(port)/api/v5/trade/order?instId=BTC-USDT&clOrdId=O1",
                                         on: group.next()).wait()
        let getEcho = String(decoding: get.body, as: UTF8.self)
        #expect(getEcho.hasPrefix("GET /api/v5/trade/order?instId=BTC-USDT&clOrdId=O1 HTTP/1.1\r\n") && !getEcho.contains("Content-Length"), "\(getEcho)")

        #expect(throws: TransportError.self) {
            _ = try HTTPClient.request(method: "get me", "http://127.0.0.1:\(port)/", on: group.next()).wait()
        }
    }
}

/// Reads one request (head plus `Content-Length` body) and answers 401 with that request as the body.
private final class EchoingHTTPResponder: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer
    var request = ""

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        request += String(buffer: unwrapInboundIn(data))
        guard let headEnd = request.range(of: "\r\n\r\n") else { return }
        let head = request[..<headEnd.lowerBound].lowercased()
        let length = head.split(separator: "\r\n").first { $0.hasPrefix("content-length:") }
            .flatMap { Int(String($0.dropFirst("content-length:".count).filter { $0 != " " })) } ?? 0
        guard request.utf8.count - request[..<headEnd.upperBound].utf8.count >= length else { return }
        let text = "HTTP/1.1 401 Unauthorized\r\nContent-Length: \(request.utf8.count)\r\n\r\n" + request
        context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(string: text))).whenComplete { [channel = context.channel] _ in
            channel.close(promise: nil)
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
        context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(string: text))).whenComplete { [channel = context.channel] _ in
            channel.close(promise: nil)
        }
    }
}
