import Replay
import Testing

@Suite("FixtureSession: the canonical session.jsonl reader")
struct FixtureSessionTests {
    static let valid = """
    {"t":0,"ev":"config","symbols":["BTC-USDT"],"channels":["trades"],"book_depth":10}
    {"t":0,"ev":"connect","conn":1,"url":"wss://example.test/ws"}
    {"t":1,"ev":"send","conn":1,"text":"{\\"op\\":\\"subscribe\\"}"}
    {"t":5,"ev":"recv","conn":1,"text":"{\\"p\\":\\"1.50\\"}"}
    {"t":6,"ev":"recv","conn":1,"binary_b64":"AAEC"}
    {"t":7,"ev":"rest","method":"GET","url":"https://api.example.test/depth?symbol=BTCUSDT","status":200,"body":"{}"}

    {"t":9,"ev":"disconnect","conn":1,"code":1006,"reason":"reset"}
    """

    @Test("every event kind parses into typed lines with exact bytes and line numbers")
    func parsesEveryKind() throws {
        let session = try FixtureSession(text: Self.valid, file: "x/session.jsonl")
        #expect(session.config == FixtureConfig(symbols: ["BTC-USDT"], channels: ["trades"], bookDepth: 10))
        #expect(session.lines.map(\.line) == [1, 2, 3, 4, 5, 6, 8])
        #expect(session.lines[2].event == .send(conn: 1, text: "{\"op\":\"subscribe\"}"))
        #expect(session.lines[3].event == .recv(conn: 1, payload: Array("{\"p\":\"1.50\"}".utf8), isBinary: false))
        #expect(session.lines[4].event == .recv(conn: 1, payload: [0, 1, 2], isBinary: true))
        #expect(session.lines[5].event == .rest(FixtureREST(method: "GET", url: "https://api.example.test/depth?symbol=BTCUSDT", status: 200, body: Array("{}".utf8))))
        #expect(session.lines[6].event == .disconnect(conn: 1, code: 1006, reason: "reset"))
        #expect(session.connections == [1])
        #expect(session.duration == 9)
    }

    @Test("a bad line fails naming the file, the line and the field", arguments: [
        ("not json", nil as String?),
        (#"{"ev":"recv","conn":1,"text":"x"}"#, "t"),
        (#"{"t":-1,"ev":"recv","conn":1,"text":"x"}"#, "t"),
        (#"{"t":1.5,"ev":"recv","conn":1,"text":"x"}"#, "t"),
        (#"{"t":true,"ev":"recv","conn":1,"text":"x"}"#, "t"),
        (#"{"t":1,"ev":"shout","conn":1}"#, "ev"),
        (#"{"t":1,"ev":"recv","conn":1}"#, "text"),
        (#"{"t":1,"ev":"recv","conn":"1","text":"x"}"#, "conn"),
        (#"{"t":1,"ev":"recv","conn":2,"text":"x"}"#, "conn"),
        (#"{"t":1,"ev":"recv","conn":1,"binary_b64":"%%%"}"#, "binary_b64"),
        (#"{"t":1,"ev":"rest","url":"/x","status":999,"body":""}"#, "status"),
        (#"{"t":1,"ev":"rest","url":"/x","status":200}"#, "body"),
        (#"{"t":1,"ev":"connect","conn":1,"url":"ws://again"}"#, "conn"),
        (#"{"t":1,"ev":"config","symbols":[],"channels":[]}"#, "ev"),
    ])
    func badLine(line: String, field: String?) {
        let session = #"{"t":0,"ev":"config","symbols":["BTC-USDT"],"channels":["trades"]}"# + "\n"
            + #"{"t":0,"ev":"connect","conn":1,"url":"wss://x"}"# + "\n" + line + "\n"
        #expect {
            try FixtureSession(text: session, file: "f.jsonl")
        } throws: { error in
            guard let error = error as? FixtureError else { return false }
            return error.file == "f.jsonl" && error.line == 3 && error.field == field && error.description.hasPrefix("f.jsonl:3: ")
        }
    }

    @Test("time going backwards and a missing config line are refused")
    func ordering() {
        #expect(throws: FixtureError.self) {
            try FixtureSession(text: #"{"t":0,"ev":"connect","conn":1,"url":"wss://x"}"#, file: "f")
        }
        let backwards = """
        {"t":5,"ev":"config","symbols":["BTC-USDT"],"channels":["trades"]}
        {"t":4,"ev":"connect","conn":1,"url":"wss://x"}
        """
        #expect(throws: FixtureError(file: "f", line: 2, field: "t", message: "decreases (4 after 5)")) {
            try FixtureSession(text: backwards, file: "f")
        }
    }

    @Test("every scenario under fixtures/ loads; the library knows the venues")
    func repositoryFixturesLoad() throws {
        let library = try TestFixtures.load()
        #expect(library.scenarios.count >= 40)
        #expect(library.venues.contains("binance") && library.venues.contains("kraken") && library.venues.contains("okx"))
        #expect(library.scenarios(for: "binance").map(\.name).contains("server-shutdown"))
        #expect(!library.venues.contains("tools"), "folders without session.jsonl are not venues")
        for scenario in library.scenarios {
            if case .config = scenario.session.lines.first?.event {} else { Issue.record("\(scenario.id) does not start with config") }
        }
    }

    @Test("a missing directory is a clear error")
    func missingDirectory() {
        #expect(throws: FixtureError(file: "/nonexistent/fixtures", line: nil, field: nil, message: "is not a directory")) {
            try FixtureLibrary(directory: "/nonexistent/fixtures")
        }
    }
}

@Suite("ReplaySegment: one recorded connection as a script")
struct ReplaySegmentTests {
    @Test("server-shutdown: two overlapping connections, each with its own gate, frames and end")
    func overlappingConnections() throws {
        let segments = ReplaySegment.segments(of: try TestFixtures.scenario("binance", "server-shutdown"))
        #expect(segments.map(\.conn) == [1, 2])
        let first = segments[0]
        #expect(first.startT == 0)
        guard case .awaitClient(1, let texts) = first.steps.first else { Issue.record("no gate first"); return }
        #expect(texts == [#"{"method":"SUBSCRIBE","params":["btcusdt@aggTrade"],"id":1}"#])
        #expect(first.frames.map(\.t) == [118, 240, 600])
        #expect(first.steps.last == .disconnect(t: 1000, code: 1000, reason: "server shutdown"))
        #expect(segments[1].startT == 610)
        #expect(segments[1].frames.map(\.t) == [730, 1240])
    }

    @Test("REST answers belong to the connection that was newest when they were recorded")
    func restAttribution() throws {
        let segments = ReplaySegment.segments(of: try TestFixtures.scenario("binance", "reconnect"))
        #expect(segments.count == 2)
        #expect(segments[0].rest.count == 1 && segments[1].rest.count == 1)
        #expect(String(decoding: segments[0].rest[0].body, as: UTF8.self).contains("72845130021"))
        #expect(String(decoding: segments[1].rest[0].body, as: UTF8.self).contains("72845130192"))
        #expect(segments[0].rest[0].requestTarget == "/api/v3/depth?symbol=BTCUSDT&limit=1000")
        #expect(segments[0].steps.last == .disconnect(t: 900, code: 1006, reason: "connection reset by peer"))
    }

    @Test("consecutive sends with no answer between them make one gate")
    func mergedGates() throws {
        let segment = try TestFixtures.segment("deribit", "book")
        guard case .awaitClient(0, let texts) = segment.steps.first else { Issue.record("no gate first"); return }
        #expect(texts.count == 3)
        #expect(segment.steps.filter { if case .awaitClient = $0 { true } else { false } }.count == 1)
    }

    @Test("a recorded heartbeat (Deribit public/test) is no gate: the replay goes on past it")
    func heartbeatIsNoGate() throws {
        let segment = try TestFixtures.segment("deribit", "trades")
        let gates = segment.steps.compactMap { step -> [String]? in if case .awaitClient(_, let texts) = step { texts } else { nil } }
        #expect(gates.count == 1)
        #expect(gates.allSatisfy { texts in !texts.contains { $0.contains("public/test") } })
        var player = SessionPlayer(segment: segment, speed: .max, startedAt: 0)
        player.clientDidSend(Array("{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"public/subscribe\"}".utf8), at: 0)
        let (outputs, _) = player.poll(now: 0)
        #expect(outputs.last == .finished)
        #expect(player.framesPlayed == segment.frames.count)
    }
}
