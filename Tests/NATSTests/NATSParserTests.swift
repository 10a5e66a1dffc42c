import Testing
@testable import NATS

@Suite("NATSParser")
struct NATSParserTests {
    static func parseAll(_ text: String, splitAt splits: [Int] = [], maxPayload: Int = 1_048_576) throws -> [NATSServerOp] {
        var parser = NATSParser(maxPayload: maxPayload)
        var ops: [NATSServerOp] = []
        let bytes = Array(text.utf8)
        var start = 0
        for cut in splits + [bytes.count] where cut >= start {
            try bytes[start..<cut].withUnsafeBytes { try parser.parse($0) { ops.append($0) } }
            start = cut
        }
        return ops
    }

    static let table: [(name: String, input: String, expected: [NATSServerOp])] = [
        ("ping", "PING\r\n", [.ping]),
        ("pong lower case", "pong\r\n", [.pong]),
        ("ok", "+OK\r\n", [.ok]),
        ("err strips quotes", "-ERR 'Authorization Violation'\r\n", [.error("Authorization Violation")]),
        ("msg", "MSG a.b 7 5\r\nhello\r\n", [.message(NATSMessage(subject: "a.b", sid: 7, payload: Array("hello".utf8)))]),
        ("msg with reply", "MSG a.b 7 _INBOX.x 2\r\nhi\r\n",
         [.message(NATSMessage(subject: "a.b", sid: 7, replyTo: "_INBOX.x", payload: Array("hi".utf8)))]),
        ("empty payload", "MSG a 1 0\r\n\r\n", [.message(NATSMessage(subject: "a", sid: 1, payload: []))]),
        ("payload containing CRLF", "MSG a 1 4\r\n\r\n\r\n\r\n", [.message(NATSMessage(subject: "a", sid: 1, payload: [13, 10, 13, 10]))]),
        ("hmsg", "HMSG a 2 _R 24 26\r\nNATS/1.0\r\nA: b\r\nC: d\r\n\r\nok\r\n",
         [.message(NATSMessage(subject: "a", sid: 2, replyTo: "_R", headers: NATSHeaders([("A", "b"), ("C", "d")]), payload: Array("ok".utf8)))]),
        ("hmsg status 503", "HMSG _INBOX.1 3 16 16\r\nNATS/1.0 503\r\n\r\n\r\n",
         [.message(NATSMessage(subject: "_INBOX.1", sid: 3, headers: NATSHeaders(status: 503), payload: []))]),
        ("several ops in one read", "PING\r\nMSG x 1 1\r\nA\r\nPONG\r\n",
         [.ping, .message(NATSMessage(subject: "x", sid: 1, payload: [65])), .pong]),
        ("tabs between fields", "MSG\tx\t1\t1\r\nA\r\n", [.message(NATSMessage(subject: "x", sid: 1, payload: [65]))]),
    ]

    @Test("table of valid server operations")
    func valid() throws {
        for row in Self.table {
            #expect(try Self.parseAll(row.input) == row.expected, "\(row.name)")
        }
    }

    @Test("every split point of every input gives the same operations")
    func splitReads() throws {
        for row in Self.table {
            for cut in 0...row.input.utf8.count {
                #expect(try Self.parseAll(row.input, splitAt: [cut]) == row.expected, "\(row.name) split at \(cut)")
            }
            // Byte by byte.
            #expect(try Self.parseAll(row.input, splitAt: Array(0...row.input.utf8.count)) == row.expected, "\(row.name) bytewise")
        }
    }

    @Test("INFO fields, connect_urls and max_payload")
    func info() throws {
        let ops = try Self.parseAll(#"INFO {"server_id":"S1","version":"2.9.10","proto":1,"max_payload":1024,"headers":true,"connect_urls":["127.0.0.1:4223","127.0.0.1:4224"],"tls_required":false,"nonce":"abc"}"# + "\r\n")
        guard case .info(let info) = ops.first else { Issue.record("no INFO"); return }
        #expect(info.serverID == "S1")
        #expect(info.maxPayload == 1024)
        #expect(info.supportsHeaders)
        #expect(info.connectURLs == ["127.0.0.1:4223", "127.0.0.1:4224"])
        #expect(info.nonce == "abc")
        #expect(!info.isLameDuck)
    }

    @Test("malformed input is a clear error naming the op or byte")
    func malformed() {
        let cases: [(String, String)] = [
            ("FOO bar\r\n", "unknown operation 'FOO'"),
            ("MSG a x 5\r\nhello\r\n", "MSG sid 'x' is not a number"),
            ("MSG a 1\r\n", "MSG has 2 arguments"),
            ("MSG a 1 5\r\nhelloXY", "followed by byte 0x58 instead of CRLF"),
            ("MSG a 1 99999999\r\n", "up to max_payload"),
            ("HMSG a 1 10 5\r\n", "HMSG header size '10'"),
            ("HMSG a 1 4 6\r\nXXXXok\r\n", "does not start with NATS/1.0"),
            ("INFO {\"a\":}\r\n", "invalid JSON"),
            ("INFO [1]\r\n", "not a JSON object"),
            ("\r\n", "empty control line"),
        ]
        for (input, fragment) in cases {
            do {
                _ = try Self.parseAll(input, maxPayload: 1000)
                Issue.record("accepted \(input.debugDescription)")
            } catch let error as NATSError {
                #expect(error.kind == .protocolViolation)
                #expect(error.message.contains(fragment), "\(error.message) should contain \(fragment)")
            } catch {
                Issue.record("\(error)")
            }
        }
    }

    @Test("a control line without end is bounded")
    func unboundedLine() {
        var parser = NATSParser(maxControlLineLength: 64)
        let junk = [UInt8](repeating: UInt8(ascii: "A"), count: 100)
        #expect(throws: NATSError.self) {
            try junk.withUnsafeBytes { try parser.parse($0) { _ in } }
        }
        var parser2 = NATSParser(maxControlLineLength: 64)
        let partial = [UInt8](repeating: UInt8(ascii: "A"), count: 30)
        #expect(throws: Never.self) { try partial.withUnsafeBytes { try parser2.parse($0) { _ in } } }
        #expect(parser2.bufferedByteCount == 30)
    }
}

@Suite("NATSClientEncoder and subjects")
struct NATSEncoderTests {
    @Test("client operations are encoded byte-exactly")
    func encoding() {
        var b: [UInt8] = []
        Array("hello".utf8).withUnsafeBytes { NATSClientEncoder.publish(subject: "a.b", payload: $0, into: &b) }
        #expect(String(decoding: b, as: UTF8.self) == "PUB a.b 5\r\nhello\r\n")
        b = []
        Array("x".utf8).withUnsafeBytes { NATSClientEncoder.publish(subject: "a", replyTo: "r.1", payload: $0, into: &b) }
        #expect(String(decoding: b, as: UTF8.self) == "PUB a r.1 1\r\nx\r\n")
        b = []
        Array("ok".utf8).withUnsafeBytes {
            NATSClientEncoder.publish(subject: "a", headers: NATSHeaders([("Nats-Msg-Id", "7")]), payload: $0, into: &b)
        }
        #expect(String(decoding: b, as: UTF8.self) == "HPUB a 28 30\r\nNATS/1.0\r\nNats-Msg-Id: 7\r\n\r\nok\r\n")
        b = []
        NATSClientEncoder.subscribe(subject: "md.>", queueGroup: "q", sid: 12, into: &b)
        NATSClientEncoder.unsubscribe(sid: 12, into: &b)
        NATSClientEncoder.ping(into: &b)
        NATSClientEncoder.pong(into: &b)
        #expect(String(decoding: b, as: UTF8.self) == "SUB md.> q 12\r\nUNSUB 12\r\nPING\r\nPONG\r\n")
    }

    @Test("CONNECT carries the options and credentials as JSON")
    func connect() throws {
        var b: [UInt8] = []
        NATSClientEncoder.connect(NATSConnectOptions(name: "mm \"1\"", auth: .userPassword(user: "u", password: "p")), into: &b)
        let text = String(decoding: b, as: UTF8.self)
        #expect(text.hasPrefix("CONNECT {") && text.hasSuffix("}\r\n"))
        let json = try NATSJSON.parse(Array(text.utf8.dropFirst(8).dropLast(2)))
        #expect(json["verbose"] == .bool(false))
        #expect(json["pedantic"] == .bool(false))
        #expect(json["headers"] == .bool(true))
        #expect(json["name"]?.stringValue == "mm \"1\"")
        #expect(json["user"]?.stringValue == "u")
        #expect(json["pass"]?.stringValue == "p")
        b = []
        NATSClientEncoder.connect(NATSConnectOptions(name: "x", auth: .token("s3cret")), into: &b)
        #expect(try NATSJSON.parse(Array(b.dropFirst(8).dropLast(2)))["auth_token"]?.stringValue == "s3cret")
    }

    @Test("subject tokens cannot be split or widened")
    func subjectTokens() {
        #expect(NATSSubject.token("BTC-USDT-PERP") == "BTC-USDT-PERP")
        #expect(NATSSubject.token("BTC-USD-20261225-100000.5-C") == "BTC-USD-20261225-100000%2E5-C")
        #expect(NATSSubject.token("a*b>c d%") == "a%2Ab%3Ec%20d%25")
        #expect(NATSSubject.token("") == "_")
        for raw in ["BTC-USD-20261225-100000.5-C", "a*b>c d%", "x.y.z", "%2E"] {
            #expect(NATSSubject.decodeToken(NATSSubject.token(raw)) == raw)
            #expect(NATSSubject.isValidSubject("p.md.v.c." + NATSSubject.token(raw)))
        }
        #expect(NATSSubject.isValidSubject("marketmux.md.binance.trades.BTC-USDT"))
        #expect(!NATSSubject.isValidSubject("a..b"))
        #expect(!NATSSubject.isValidSubject("a.*"))
        #expect(NATSSubject.isValidFilter("a.*.>"))
        #expect(!NATSSubject.isValidFilter("a.>.b"))
    }

    @Test("server URLs: schemes, credentials, defaults, advertised host:port")
    func urls() throws {
        let a = try NATSServerURL("nats://u:p@10.0.0.5:4223")
        #expect(a.host == "10.0.0.5" && a.port == 4223 && !a.isTLS && a.auth == .userPassword(user: "u", password: "p"))
        let b = try NATSServerURL("tls://tok@nats.example.com")
        #expect(b.isTLS && b.port == 4222 && b.auth == .token("tok"))
        let c = try NATSServerURL("127.0.0.1:4224", isDiscovered: true)
        #expect(c.host == "127.0.0.1" && c.port == 4224 && c.isDiscovered)
        let d = try NATSServerURL("nats://[::1]:4222")
        #expect(d.host == "::1" && d.description == "nats://[::1]:4222")
        #expect(throws: NATSError.self) { try NATSServerURL("http://x") }
        #expect(throws: NATSError.self) { try NATSServerURL("nats://x:99999") }
    }
}
