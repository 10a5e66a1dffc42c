import Replay
import Testing

/// Each fault as a pure function over a frame list (`FaultInjector.apply`), on real fixture frames.
@Suite("Faults over the outgoing frame stream")
struct FaultInjectorTests {
    typealias Action = FaultInjector.Action

    func sent(_ actions: [Action]) -> [ReplayFrame] {
        actions.compactMap { if case .send(let frame) = $0 { frame } else { nil } }
    }

    @Test("drop: close TCP at once, no close frame")
    func drop() throws {
        let frames = try TestFixtures.segment("binance", "book").frames
        let actions = FaultInjector.apply(.dropConnection, to: frames)
        #expect(actions.first == .dropConnection)
    }

    @Test("half-open: stop sending, keep TCP")
    func halfOpen() throws {
        let actions = FaultInjector.apply(.halfOpen, to: try TestFixtures.segment("binance", "book").frames)
        #expect(actions.first == .stopSending)
        #expect(!actions.contains(.dropConnection))
    }

    @Test("silence one symbol: its data frames vanish, the other symbol's and the acks stay")
    func silence() throws {
        let frames = try TestFixtures.segment("binance", "gap-resync").frames
        let out = sent(FaultInjector.apply(.silenceSymbol("ETH-USDT", durationMilliseconds: nil), to: frames))
        #expect(out.count == frames.count - frames.filter { $0.text.contains("ETHUSDT") }.count)
        #expect(!out.contains { $0.text.contains("ethusdt@depth") })
        #expect(out.filter { $0.text.contains("BTCUSDT") }.count == frames.filter { $0.text.contains("BTCUSDT") }.count)
        #expect(out.first?.text == #"{"result":null,"id":1}"#)
    }

    @Test("silence ends after its duration of recorded time")
    func silenceDuration() throws {
        let frames = try TestFixtures.segment("binance", "gap-resync").frames
        // Injected at t=121 (the ack) for 200 ms: ETH frames at 206 and 406 vs 506.
        let out = sent(FaultInjector.apply(.silenceSymbol("ETH-USDT", durationMilliseconds: 200), to: frames))
        let eth = out.filter { $0.text.contains("ETHUSDT") }.map(\.t)
        #expect(eth == frames.filter { $0.text.contains("ETHUSDT") && $0.t > 321 }.map(\.t))
    }

    @Test("silence on a channel-id venue (Bitfinex) follows the chanId of the subscribed ack")
    func silenceBitfinex() throws {
        let frames = try TestFixtures.segment("bitfinex", "book").frames
        var injector = FaultInjector()
        var out: [ReplayFrame] = []
        for frame in frames {
            if frame.text.contains("\"event\":\"info\"") { _ = injector.inject(.silenceSymbol("BTC-USD", durationMilliseconds: nil), at: frame.t) }
            out += sent(injector.process(frame))
        }
        #expect(out.contains { $0.text.contains("\"event\":\"subscribed\"") }, "the ack still reaches the client")
        #expect(!out.contains { $0.text.hasPrefix("[232957,") }, "every channel frame is silenced")
        // Armed after the ack: the injector remembered the binding.
        var late = FaultInjector()
        var lateOut: [ReplayFrame] = []
        for (index, frame) in frames.enumerated() {
            lateOut += sent(late.process(frame))
            if index == 2 { _ = late.inject(.silenceSymbol("BTC-USD", durationMilliseconds: nil), at: frame.t) }
        }
        #expect(lateOut.count == 3)
    }

    @Test("gap: exactly one book delta is dropped")
    func gap() throws {
        let frames = try TestFixtures.segment("binance", "book").frames
        let out = sent(FaultInjector.apply(.sequenceGap, to: frames))
        let deltas = frames.filter { $0.text.contains("depthUpdate") }
        #expect(out.count == frames.count - 1)
        #expect(!out.contains(deltas[0]))
        #expect(out.contains(deltas[1]))
    }

    @Test("bad checksum: one digit of the next checksum changes, nothing else", arguments: [
        ("kraken", "book"), ("okx", "checksum-mismatch"), ("bitfinex", "book"),
    ])
    func badChecksum(venue: String, scenario: String) throws {
        let frames = try TestFixtures.segment(venue, scenario).frames
        let out = sent(FaultInjector.apply(.corruptChecksum, to: frames))
        #expect(out.count == frames.count)
        let changed = zip(frames, out).filter { $0.0 != $0.1 }
        try #require(changed.count == 1)
        let (before, after) = (changed[0].0.payload, changed[0].1.payload)
        #expect(before.count == after.count)
        let differing = zip(before, after).enumerated().filter { $0.element.0 != $0.element.1 }
        #expect(differing.count == 1)
        #expect(differing.allSatisfy { (48...57).contains($0.element.1) })
    }

    @Test("malformed: a truncated copy goes out before the intact frame")
    func malformed() throws {
        let frames = try TestFixtures.segment("okx", "trades").frames
        let out = sent(FaultInjector.apply(.malformedFrame, to: frames))
        #expect(out.count == frames.count + 1)
        #expect(out[0].payload == Array(frames[0].payload.prefix(out[0].payload.count)))
        #expect(out[0].payload.count < frames[0].payload.count)
        #expect(Array(out.dropFirst()) == frames)
    }

    @Test("oversized: one uncompressible frame of the asked size, valid JSON")
    func oversized() {
        let actions = FaultInjector.apply(.oversizedFrame(bytes: 70_000), to: [])
        guard case .send(let frame)? = actions.first else { Issue.record("no frame"); return }
        #expect(frame.payload.count == 70_000)
        #expect(!frame.isCompressible)
        #expect(frame.text.hasPrefix("{\"oversized\":\"xxx") && frame.text.hasSuffix("x\"}"))
    }

    @Test("rotate: the venue's shutdown notice, then close 1001 after the grace; without one, close at once")
    func rotate() throws {
        let notice = try TestFixtures.segment("binance", "server-shutdown").frames.first { FrameInspector.isShutdownNotice($0.payload) }
        let withNotice = FaultInjector.apply(.rotate, to: [], shutdownNotice: notice)
        #expect(withNotice.count == 2)
        #expect(sent(withNotice).first?.text.contains("serverShutdown") == true)
        #expect(withNotice.last == .close(code: 1001, reason: "service rotation", afterMilliseconds: 500))
        #expect(FaultInjector.apply(.rotate, to: []) == [.close(code: 1001, reason: "service rotation", afterMilliseconds: 0)])
    }

    @Test("handshake faults leave an open connection's stream alone")
    func handshakeFaults() throws {
        let frames = try TestFixtures.segment("binance", "book").frames
        for fault in [Fault.rejectConnect(status: 429, retryAfterSeconds: 3), .slowHandshake(delayMilliseconds: 100)] {
            #expect(sent(FaultInjector.apply(fault, to: frames)) == frames)
            #expect(fault.isHandshakeFault)
        }
    }

    @Test("429 on connect: status, Retry-After and close")
    func rejection() {
        let response = HTTPResponse.rejection(status: 429, retryAfterSeconds: 7)
        let text = String(decoding: response.bytes, as: UTF8.self)
        #expect(text.hasPrefix("HTTP/1.1 429 Too Many Requests\r\n"))
        #expect(text.contains("\r\nRetry-After: 7\r\n"))
        #expect(text.contains("\r\nConnection: close\r\n"))
    }
}

@Suite("FrameInspector heuristics")
struct FrameInspectorTests {
    @Test("book deltas of every venue are recognised; snapshots, trades and acks are not")
    func bookDeltas() throws {
        let deltas: [(String, String)] = [("binance", "book"), ("binance-futures", "book"), ("kraken", "book"), ("okx", "book"),
                                          ("bybit", "book"), ("coinbase", "book"), ("deribit", "book"), ("bitmex", "book"),
                                          ("bitfinex", "book")]
        for (venue, scenario) in deltas {
            let frames = try TestFixtures.segment(venue, scenario).frames
            #expect(frames.contains { FrameInspector.isBookDelta($0.payload) }, "\(venue)/\(scenario) has a delta")
            #expect(!FrameInspector.isBookDelta(frames[0].payload), "\(venue)/\(scenario): the first frame (ack/info) is not a delta")
        }
        for (venue, scenario) in [("binance", "trades"), ("okx", "trades"), ("kraken", "trades")] {
            let frames = try TestFixtures.segment(venue, scenario).frames
            #expect(!frames.contains { FrameInspector.isBookDelta($0.payload) }, "\(venue)/\(scenario) has no delta")
        }
        #expect(!FrameInspector.isBookDelta(Array("[232957,[[60400,1,0.5]]]".utf8)))
        #expect(FrameInspector.isBookDelta(Array("[232957,[60403,1,0.6879704],3]".utf8)))
    }

    @Test("symbols match as whole tokens in each venue's spelling", arguments: [
        ("BTC-USDT", #"{"stream":"btcusdt@depth@100ms"}"#, true),
        ("BTC-USDT", #"{"s":"BTCUSDT"}"#, true),
        ("BTC-USD", #"{"s":"BTCUSDT"}"#, false),
        ("BTC-USD", #"{"symbol":"BTC/USD"}"#, true),
        ("BTC-USD-PERP", #"{"symbol":"XBTUSD"}"#, true),
        ("BTC-USD-PERP", #"{"channel":"book.BTC-PERPETUAL.100ms"}"#, true),
        ("BTC-USDT-PERP", #"{"topic":"orderbook.50.BTCUSDT"}"#, true),
        ("ETH-USDT", #"{"instId":"BTC-USDT"}"#, false),
    ])
    func mentions(symbol: String, frame: String, expected: Bool) {
        #expect(FrameInspector.mentions(Array(frame.utf8), anyOf: FrameInspector.spellings(of: symbol)) == expected)
    }

    @Test("checksum digits change within range", arguments: [
        (#"{"checksum":3310070434}"#, #"{"checksum":3310070435}"#),
        (#"{"checksum":4294967295}"#, #"{"checksum":4294967294}"#),
        (#"{"checksum":-1}"#, #"{"checksum":-3}"#),
        (#"{"checksum":0}"#, #"{"checksum":1}"#),
        (#"[1,"cs",-57521265,2]"#, #"[1,"cs",-57521264,2]"#),
    ])
    func checksum(before: String, after: String) {
        #expect(FrameInspector.corruptingChecksum(Array(before.utf8)).map { String(decoding: $0, as: UTF8.self) } == after)
    }

    @Test("no checksum field: nothing to corrupt")
    func noChecksum() {
        #expect(FrameInspector.corruptingChecksum(Array(#"{"p":"1"}"#.utf8)) == nil)
    }

    @Test("client heartbeats are told apart from requests")
    func heartbeats() {
        for text in ["ping", #"{"op":"ping"}"#, #"{"method":"ping","req_id":7}"#, #"{"event":"ping","cid":1}"#,
                     #"{"jsonrpc":"2.0","id":9,"method":"public/test"}"#] {
            #expect(FrameInspector.isClientHeartbeat(Array(text.utf8)), "\(text)")
        }
        for text in [#"{"op":"subscribe","args":["ping"]}"#, #"{"method":"SUBSCRIBE","params":["btcusdt@depth"],"id":1}"#] {
            #expect(!FrameInspector.isClientHeartbeat(Array(text.utf8)), "\(text)")
        }
    }
}

@Suite("Fault specs, plans and seeded chaos")
struct FaultPlanTests {
    @Test("fault specs parse and print back", arguments: [
        "drop", "half-open", "silence:BTC-USDT", "silence:ETH-USD:3000", "gap", "bad-checksum", "reject:429:5",
        "rotate", "oversized:1024", "malformed", "slow-handshake:1500",
    ])
    func roundTrip(spec: String) throws {
        #expect(try Fault(parsing: spec).description == spec)
    }

    @Test("defaults and refusals")
    func defaults() throws {
        #expect(try Fault(parsing: "reject") == .rejectConnect(status: 429, retryAfterSeconds: 1))
        #expect(try Fault(parsing: "oversized") == .oversizedFrame(bytes: (16 << 20) + 1))
        for bad in ["explode", "silence", "reject:200", "gap:1", "oversized:-5", "slow-handshake:soon"] {
            #expect(throws: ReplayError.self, "\(bad)") { try Fault(parsing: bad) }
        }
    }

    @Test("plan steps: venue/fault[@connection][+frames]")
    func steps() throws {
        #expect(try FaultPlan.Step(parsing: "binance/reject:429:5@1") == .init(venue: "binance", connection: 1, fault: .rejectConnect(status: 429, retryAfterSeconds: 5)))
        #expect(try FaultPlan.Step(parsing: "*/gap@2+10") == .init(venue: nil, connection: 2, afterFrames: 10, fault: .sequenceGap))
        #expect(try FaultPlan.Step(parsing: "okx/silence:BTC-USDT:500+3").description == "okx/silence:BTC-USDT:500+3")
        #expect(throws: ReplayError.self) { try FaultPlan.Step(parsing: "gap") }
        let plan = FaultPlan(steps: [try .init(parsing: "binance/drop@2"), try .init(parsing: "*/gap")])
        #expect(plan.steps(forVenue: "binance", connection: 2).map(\.fault) == [.dropConnection, .sequenceGap])
        #expect(plan.steps(forVenue: "okx", connection: 2).map(\.fault) == [.sequenceGap])
    }

    @Test("chaos is a pure function of its seed")
    func chaos() {
        let venues = [(id: "binance", symbols: ["BTC-USDT"]), (id: "okx", symbols: ["BTC-USDT", "ETH-USDT"])]
        func run(seed: UInt64) -> [String] {
            var schedule = ChaosSchedule(configuration: ChaosConfiguration(seed: seed))
            return (0..<20).map { _ in
                let delay = schedule.nextDelayMilliseconds()
                let pick = schedule.nextPick(venues: venues)
                return "\(delay) \(pick?.venue ?? "-") \(pick?.fault.description ?? "-")"
            }
        }
        #expect(run(seed: 42) == run(seed: 42))
        #expect(run(seed: 42) != run(seed: 43))
        var schedule = ChaosSchedule(configuration: ChaosConfiguration(seed: 1, intervalMilliseconds: 2_000...3_000))
        for _ in 0..<100 { #expect((2_000...3_000).contains(schedule.nextDelayMilliseconds())) }
        let kinds = Set((0..<200).compactMap { _ in schedule.nextPick(venues: venues)?.fault.kind })
        #expect(kinds == Set(ChaosConfiguration.defaultKinds))
    }

    @Test("chaos intervals scale with the replay speed; max still ticks")
    func scaling() {
        #expect(ReplaySpeed.realTime.nanosecondsForTimer(sessionMilliseconds: 3_000) == 3_000_000_000)
        #expect(ReplaySpeed.factor(10).nanosecondsForTimer(sessionMilliseconds: 3_000) == 300_000_000)
        #expect(ReplaySpeed.max.nanosecondsForTimer(sessionMilliseconds: 3_000) == 3_000_000)
    }
}
