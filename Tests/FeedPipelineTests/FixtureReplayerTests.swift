import FeedPipeline
import Foundation
import MarketModel
import Testing
import Venues

/// The replay itself enforces the session's contract: frames and REST answers, not only output.
@Suite struct FixtureReplayerTests {
    static func replay(_ lines: [String]) throws -> [String] {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("replayer-\(UUID().uuidString).jsonl")
        try lines.joined(separator: "\n").write(to: url, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: url) }
        var replayer = FixtureReplayer<Binance>()
        try replayer.replay(try FixtureSession(contentsOf: url))
        return replayer.lines
    }

    static let config = #"{"t":0,"ev":"config","symbols":["BTC-USDT"],"channels":["book"]}"#
    static let connect = #"{"t":0,"ev":"connect","conn":1,"url":"wss://stream.binance.com:9443/stream"}"#
    static let subscribe = #"{"t":1,"ev":"send","conn":1,"text":"{\"method\":\"SUBSCRIBE\",\"params\":[\"btcusdt@depth@100ms\"],\"id\":1}"}"#
    static let rest = #"{"t":300,"ev":"rest","method":"GET","url":"https://api.binance.com/api/v3/depth?symbol=BTCUSDT&limit=1000","status":200,"body":"{\"lastUpdateId\":1,\"bids\":[],\"asks\":[]}"}"#

    @Test func aFrameThePipelineDoesNotProduceFailsTheReplay() {
        let wrong = #"{"t":1,"ev":"send","conn":1,"text":"{\"method\":\"SUBSCRIBE\",\"params\":[\"btcusdt@trade\"],\"id\":1}"}"#
        #expect(throws: FixtureReplayer<Binance>.Failure.self) { try Self.replay([Self.config, Self.connect, wrong]) }
    }

    @Test func aFrameTheSessionNeverSentFailsTheReplay() {
        #expect(throws: FixtureReplayer<Binance>.Failure.self) { try Self.replay([Self.config, Self.connect]) }
    }

    @Test func anUnrequestedRESTAnswerFailsTheReplay() {
        #expect(throws: FixtureReplayer<Binance>.Failure.self) { try Self.replay([Self.config, Self.connect, Self.subscribe, Self.rest]) }
    }

    @Test func aMatchingSessionReplays() throws {
        let lines = try Self.replay([Self.config, Self.connect, Self.subscribe])
        #expect(lines == [#"{"type":"status","venue":"binance","symbol":"BTC-USDT","channel":"book","state":"connecting","reason":""}"#])
    }
}
