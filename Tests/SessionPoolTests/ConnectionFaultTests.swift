import Foundation
import MarketModel
import Replay
import Sessions
import Testing
import Transport
import WebSocketWire

/// Faults that end the connection — TCP drop without a close frame, half-open socket, oversized
/// frame, slow TLS handshake — against the real pool over loopback: each must end in a reconnect,
/// a fresh snapshot and `live` again, with statuses in order, every trade the venue sent exactly
/// once (the documented gap is what the dead connection never delivered), and correct books.
@Suite("Pool recovery from connection faults", .serialized)
struct ConnectionFaultTests {
    static let first = 0..<400
    static let second = 1_000..<1_200

    /// Waits until both symbols delivered the second recording's last trade and books are live again.
    static func recoveredOnSecondConnection(_ sink: RecordingSink) -> Bool {
        SyntheticBinance.markets.allSatisfy { market in
            sink.tradeIDs(market.symbol).contains(SyntheticBinance.tradeID(market, step: second.upperBound - 1))
                && sink.reached(.live, after: .disconnected, market.symbol, .book)
                && sink.books(market.symbol).count > 0
        }
    }

    /// The common proof for a fault that kills connection 1 and recovers on connection 2.
    /// `wasLiveBefore`: whether connection 1 served data before the fault.
    static func checkRecovered(_ run: FaultHarness.Run, wasLiveBefore: Bool, reason: String,
                               sourceLocation: SourceLocation = #_sourceLocation) {
        let sink = run.sink
        #expect(run.reached, "not recovered:\n\(FaultHarness.describe(sink))", sourceLocation: sourceLocation)
        guard run.reached else { return }
        for market in SyntheticBinance.markets {
            for channel in [MarketModel.Channel.trades, .book] {
                let statuses = sink.statuses(market.symbol, channel)
                var states = statuses.map(\.state)
                // Up to the recovery (later statuses may come from the recording running out).
                if let disconnected = states.firstIndex(of: .disconnected),
                   let live = states[disconnected...].firstIndex(of: .live) { states = Array(states[...live]) }
                var expected: [StreamState] = wasLiveBefore ? [.connecting, .live, .disconnected, .connecting, .live]
                                                            : [.connecting, .disconnected, .connecting, .live]
                // A connect that fails again (a handshake slowed by a loaded machine) repeats the
                // disconnected → connecting pair; the order is what matters.
                while !wasLiveBefore && states.count > expected.count && expected.count < 12 {
                    expected.insert(contentsOf: [.disconnected, .connecting], at: 1)
                }
                #expect(states == expected, "\(market.symbol) \(channel): \(statuses.map { "\($0.state.rawValue)(\($0.reason))" })",
                        sourceLocation: sourceLocation)
                let disconnect = statuses.first { $0.state == .disconnected }
                #expect(disconnect?.reason.localizedCaseInsensitiveContains(reason) == true,
                        "\(market.symbol) \(channel) disconnected reason: \(disconnect?.reason ?? "none"), expected '\(reason)'",
                        sourceLocation: sourceLocation)
            }
            // Trades: a gap-free prefix of recording 1 (what it delivered before dying), then all of
            // recording 2, each exactly once.
            var ids = sink.tradeIDs(market.symbol)
            let last = SyntheticBinance.tradeID(market, step: second.upperBound - 1)
            if let end = ids.firstIndex(of: last) { ids = Array(ids[...end]) }
            #expect(TradeChecks.duplicates(ids).isEmpty, "\(market.symbol) duplicate trades \(TradeChecks.duplicates(ids).prefix(5))",
                    sourceLocation: sourceLocation)
            let runs = TradeChecks.runs(ids)
            let secondRun = SyntheticBinance.tradeID(market, step: second.lowerBound)...last
            if wasLiveBefore {
                #expect(runs.count == 2 && runs.first?.lowerBound == SyntheticBinance.tradeID(market, step: first.lowerBound)
                        && runs.last == secondRun, "\(market.symbol) trade runs \(runs)", sourceLocation: sourceLocation)
            } else {
                #expect(runs == [secondRun] || (runs.count == 2 && runs.last == secondRun), "\(market.symbol) trade runs \(runs)",
                        sourceLocation: sourceLocation)
            }
            // Books: what a subscriber rebuilt equals the recording's book at its last step; never crossed.
            let book = SubscriberBook.from(sink.books(market.symbol))
            #expect(book == SyntheticBinance.book(market, through: second.upperBound - 1),
                    "\(market.symbol) book \(book) vs expected \(SyntheticBinance.book(market, through: second.upperBound - 1))",
                    sourceLocation: sourceLocation)
            #expect(book.crossedStates == 0, sourceLocation: sourceLocation)
        }
    }

    @Test("TCP closed without a close frame mid-stream: disconnected, reconnect, resnapshot, live")
    func dropWithoutCloseFrame() async throws {
        let run = try await FaultHarness.runSynthetic(connections: [Self.first, Self.second], injectWhenLive: .dropConnection,
                                                      until: Self.recoveredOnSecondConnection)
        Self.checkRecovered(run, wasLiveBefore: true, reason: "without")
        #expect(run.simulatorEvents.contains { if case .disconnected(_, 1, let reason) = $0 { reason.contains("TCP dropped") } else { false } })
    }

    @Test("half-open socket (silent, TCP open): the data-idle timer aborts it and the pool reconnects")
    func halfOpen() async throws {
        let lifecycle = ConnectionLifecycleConfiguration(backoff: FaultHarness.backoff, dataIdleTimeout: Interval.milliseconds(400))
        let run = try await FaultHarness.runSynthetic(connections: [Self.first, Self.second], injectWhenLive: .halfOpen,
                                                      lifecycle: lifecycle, until: Self.recoveredOnSecondConnection)
        Self.checkRecovered(run, wasLiveBefore: true, reason: "data idle")
    }

    @Test("oversized frame: the client fails the connection with 1009 before buffering it, then reconnects")
    func oversizedFrame() async throws {
        var options = WebSocketClientOptions()
        options.configuration.maxFrameSize = 64 << 10
        options.configuration.maxMessageSize = 64 << 10
        let run = try await FaultHarness.runSynthetic(connections: [Self.first, Self.second], injectWhenLive: .oversizedFrame(bytes: 1_000_000),
                                                      clientOptions: options, until: Self.recoveredOnSecondConnection)
        Self.checkRecovered(run, wasLiveBefore: true, reason: "1009")
    }

    @Test("slow TLS handshake: the handshake timeout fires, the next attempt connects over TLS + deflate")
    func slowTLSHandshake() async throws {
        var options = WebSocketClientOptions()
        options.handshakeTimeoutNanoseconds = 1_000_000_000
        // The held connection is attempt 1 only at the TLS layer; the venue first sees the second
        // TCP connection, which replays recording 1 (here: the `second` range, so ids stay distinct).
        let run = try await FaultHarness.runSynthetic(connections: [Self.second, Self.first], faults: ["binance/slow-handshake:8000@1"],
                                                      tls: true, clientOptions: options) { sink in
            SyntheticBinance.markets.allSatisfy { market in
                sink.tradeIDs(market.symbol).contains(SyntheticBinance.tradeID(market, step: Self.second.upperBound - 1))
                    && sink.states(market.symbol, .book).contains(.live)
            }
        }
        Self.checkRecovered(run, wasLiveBefore: false, reason: "handshake")
        #expect(run.sink.logLines.contains { $0.contains("took longer than 1000 ms") }, "\(run.sink.logLines.prefix(6))")
    }
}
