import Operations
import Testing

@Suite("HTTPRequestParser: sans-IO request heads")
struct HTTPRequestParserTests {
    func parse(_ text: String, maxHeadBytes: Int = 8192) -> HTTPRequestParser.Step {
        var parser = HTTPRequestParser(maxHeadBytes: maxHeadBytes)
        parser.append(Array(text.utf8))
        return parser.next()
    }

    func failure(_ text: String, maxHeadBytes: Int = 8192) -> HTTPParseError? {
        if case .failure(let error) = parse(text, maxHeadBytes: maxHeadBytes) { return error }
        return nil
    }

    @Test("a GET with headers and a query")
    func good() throws {
        guard case .request(let head) = parse("GET /status?pretty=1 HTTP/1.1\r\nHost: 127.0.0.1:9464\r\nAccept: */*\r\nX-Empty:\r\n\r\n") else {
            Issue.record("expected a request")
            return
        }
        #expect(head.method == "GET")
        #expect(head.target == "/status?pretty=1")
        #expect(head.path == "/status")
        #expect(head.minorVersion == 1)
        #expect(head.header("host") == "127.0.0.1:9464")
        #expect(head.header("x-empty") == "")
        #expect(head.isKeepAlive)
        #expect(!head.hasBody)
    }

    @Test("byte by byte, pipelined, bare LF, leading blank lines, absolute form")
    func incremental() {
        var parser = HTTPRequestParser()
        let text = "\r\nGET /metrics HTTP/1.1\r\nHost: a\r\n\r\nHEAD http://a/status HTTP/1.0\nConnection: keep-alive\n\nGET"
        var heads: [HTTPRequestHead] = []
        for byte in text.utf8 {
            parser.append([byte])
            while case .request(let head) = parser.next() { heads.append(head) }
        }
        #expect(heads.map(\.path) == ["/metrics", "/status"])
        #expect(heads.map(\.method) == ["GET", "HEAD"])
        #expect(heads[1].minorVersion == 0)
        #expect(heads[1].isKeepAlive)
        #expect(parser.bufferedBytes == 3)
        #expect(parser.next() == .needMoreData)
    }

    @Test("keep-alive rules (RFC 9112 §9.3)")
    func keepAlive() {
        func keepAlive(_ text: String) -> Bool? {
            if case .request(let head) = parse(text) { return head.isKeepAlive }
            return nil
        }
        #expect(keepAlive("GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n") == false)
        #expect(keepAlive("GET / HTTP/1.1\r\nHost: a\r\nConnection: Keep-Alive, Upgrade\r\n\r\n") == true)
        #expect(keepAlive("GET / HTTP/1.0\r\n\r\n") == false)
    }

    @Test("malformed heads get 400 with a reason", arguments: [
        ("GET /\r\n\r\n", "malformed request line (expected 'METHOD /path HTTP/1.1')"),
        ("GET  / HTTP/1.1\r\nHost: a\r\n\r\n", "malformed request line (expected 'METHOD /path HTTP/1.1')"),
        ("G(T / HTTP/1.1\r\nHost: a\r\n\r\n", "malformed request line (expected 'METHOD /path HTTP/1.1')"),
        ("GET / HTTX/1.1\r\nHost: a\r\n\r\n", "malformed HTTP version (expected HTTP/1.1)"),
        ("GET status HTTP/1.1\r\nHost: a\r\n\r\n", "request target must be a path starting with '/'"),
        ("GET / HTTP/1.1\r\n\r\n", "missing Host header"),
        ("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", "more than one Host header"),
        ("GET / HTTP/1.1\r\nHost : a\r\n\r\n", "malformed header name"),
        ("GET / HTTP/1.1\r\nHost: a\r\nNoColon\r\n\r\n", "malformed header line (no ':')"),
        ("GET / HTTP/1.1\r\nHost: a\r\nX: 1\r\n folded\r\n\r\n", "obsolete header line folding is not accepted"),
        ("GET / HTTP/1.1\r\nHost: a\u{01}\r\n\r\n", "control character in header 'Host'"),
        ("GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 1x\r\n\r\n", "invalid Content-Length"),
        ("GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", "invalid Content-Length"),
        ("GET / HTTP/1.1\rX\r\nHost: a\r\n\r\n", "stray carriage return in the request head"),
    ])
    func malformed(text: String, reason: String) {
        #expect(failure(text) == HTTPParseError(status: 400, reason: reason))
    }

    @Test("HTTP/2 and friends get 505")
    func version() {
        #expect(failure("GET / HTTP/2.0\r\n\r\n") == HTTPParseError(status: 505, reason: "only HTTP/1.0 and HTTP/1.1 are supported"))
    }

    @Test("oversized heads get 431, complete or not")
    func oversized() {
        let long = "GET / HTTP/1.1\r\nHost: a\r\nX-Long: " + String(repeating: "a", count: 200)
        let expected = HTTPParseError(status: 431, reason: "request head larger than 128 bytes")
        #expect(failure(long, maxHeadBytes: 128) == expected)             // no end in sight
        #expect(failure(long + "\r\n\r\n", maxHeadBytes: 128) == expected)  // complete but too long
        #expect(failure("GET / HTTP/1.1\r\nHost: a\r\n" + String(repeating: "X: 1\r\n", count: 101) + "\r\n")
            == HTTPParseError(status: 431, reason: "more than 100 header fields"))
        // A failed parser stays failed: the connection is closed, nothing more is read.
        var parser = HTTPRequestParser(maxHeadBytes: 16)
        parser.append(Array(long.utf8))
        _ = parser.next()
        parser.append(Array("GET / HTTP/1.1\r\nHost: a\r\n\r\n".utf8))
        #expect(parser.hasFailed)
        #expect(parser.next() == .needMoreData)
    }

    @Test("bodies are announced, not read")
    func bodies() {
        guard case .request(let head) = parse("POST /metrics HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello") else {
            Issue.record("expected a request")
            return
        }
        #expect(head.hasBody)
        if case .request(let chunked) = parse("GET / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n") {
            #expect(chunked.hasBody)
        }
        if case .request(let empty) = parse("GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n") {
            #expect(!empty.hasBody)
        }
    }
}
