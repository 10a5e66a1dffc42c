import Foundation
import MarketModel
import Replay
import Sessions
import Testing
import Transport
import Venues

/// Faults inside a connection that keeps flowing — silence on one subscription, a sequence gap, a
/// corrupted checksum, malformed JSON — against the real pool over loopback: only the affected
/// subscription changes state, in the documented order, and comes back; everything else keeps
/// every trade exactly once and correct books.
@Suite("Pool recovery from stream faults", .serialized)
struct StreamFaultTests {
    static let recording = 0..<400
    static let lastStep = recording.upperBound - 1

    static func allTradesDelivered(_ sink: RecordingSink) -> Bool {
        SyntheticBinance.markets.allSatisfy { sink.tradeIDs($0.symbol).contains(SyntheticBinance.tradeID($0, step: lastStep)) }
    }

    static func checkTradesAndBooks(_ sink: RecordingSink, silenced: String? = nil, recording: Range<Int> = recording,
                                    sourceLocation: SourceLocation = #_sourceLocation) {
        let lastStep = recording.upperBound - 1
        for market in SyntheticBinance.markets {
            let ids = sink.tradeIDs(market.symbol)
            #expect(TradeChecks.duplicates(ids).isEmpty, "\(market.symbol) duplicates", sourceLocation: sourceLocation)
            let runs = TradeChecks.runs(ids)
            let all = SyntheticBinance.tradeID(market, step: recording.lowerBound)...SyntheticBinance.tradeID(market, step: lastStep)
            if market.symbol == silenced {
                // One documented hole: the trades the venue withheld.
                #expect(runs.count == 2 && runs.first?.lowerBound == all.lowerBound && runs.last?.upperBound == all.upperBound,
                        "\(market.symbol) runs \(runs)", sourceLocation: sourceLocation)
            } else {
                #expect(runs == [all], "\(market.symbol) runs \(runs)", sourceLocation: sourceLocation)
            }
            let book = SubscriberBook.from(sink.books(market.symbol))
            let expected = SyntheticBinance.book(market, through: lastStep)
            #expect(book == expected, "\(market.symbol) book \(book) vs \(expected)", sourceLocation: sourceLocation)
            #expect(book.crossedStates == 0, sourceLocation: sourceLocation)
        }
    }

    @Test("silence on one symbol: only its subscriptions go stale, the other symbol stays live, then back")
    func silenceOneSubscription() async throws {
        // The silence is scripted in recorded time (after step 99, for 6 s: steps 100…699), not
        // injected when the test sees the streams live: a loaded CI machine can delay the test's
        // own polling by seconds, and a late silence met the end of the recording instead.
        // 4 frames per step (two symbols × depth + trade) after the subscription ack.
        let silence = "binance/silence:BTC-USDT:6000@1+\(1 + 4 * 100)"
        // Stale windows with a wide margin over the 10 ms between frames and under the 6 s silence.
        let windows: [MarketModel.Channel: Nanoseconds] = [.trades: Interval.milliseconds(2000), .book: Interval.milliseconds(2000)]
        let lifecycle = ConnectionLifecycleConfiguration(backoff: FaultHarness.backoff, dataIdleTimeout: Interval.seconds(20),
                                                         staleAfterOverrides: windows)
        // The first delta after the silence is step 700; the resync snapshot is taken there.
        let run = try await FaultHarness.runSynthetic(connections: [0..<900], resyncStep: { _ in 700 }, faults: [silence],
                                                      speed: .factor(1), lifecycle: lifecycle) { sink in
            SyntheticBinance.markets.allSatisfy { sink.tradeIDs($0.symbol).contains(SyntheticBinance.tradeID($0, step: 899)) } &&
            sink.reached(.live, after: .stale, "BTC-USDT", .book)
        }
        let sink = run.sink
        #expect(run.reached, "\(FaultHarness.describe(sink))")
        #expect(sink.states("BTC-USDT", .trades) == [.connecting, .live, .stale, .live], "\(FaultHarness.describe(sink))")
        // The book also lost the deltas sent during the silence: stale, then a gap resync, then live.
        let book = sink.statuses("BTC-USDT", .book)
        #expect(book.map(\.state) == [.connecting, .live, .stale, .resyncing, .live], "\(FaultHarness.describe(sink))")
        #expect(book.first { $0.state == .resyncing }?.reason.hasPrefix("gap") == true)
        for channel in [MarketModel.Channel.trades, .book] {
            #expect(sink.states("ETH-USDT", channel) == [.connecting, .live], "ETH \(channel): \(FaultHarness.describe(sink))")
        }
        let withheld = Set((100..<700).map { SyntheticBinance.tradeID(SyntheticBinance.markets[0], step: $0) })
        #expect(SyntheticBinance.markets[0].symbol == "BTC-USDT")
        #expect(withheld.isDisjoint(with: sink.tradeIDs("BTC-USDT")), "the silence withheld steps 100…699")
        Self.checkTradesAndBooks(sink, silenced: "BTC-USDT", recording: 0..<900)
    }

    @Test("sequence gap: that book goes resyncing (gap), refetches its snapshot and is live again; nothing else moves")
    func sequenceGap() async throws {
        // Scripted after step 99 (recorded time, at speed 1: a second after connecting, with the
        // books long live), so it lands before the resync snapshot at step 200 however loaded the
        // machine is; the next book delta (BTC-USDT, step 100) is withheld.
        let run = try await FaultHarness.runSynthetic(connections: [Self.recording], faults: ["binance/gap@1+\(1 + 4 * 100)"],
                                                      speed: .factor(1)) { sink in
            Self.allTradesDelivered(sink) && SyntheticBinance.symbols.contains { sink.reached(.live, after: .resyncing, $0, .book) }
        }
        let sink = run.sink
        #expect(run.reached, "\(FaultHarness.describe(sink))")
        let affected = SyntheticBinance.symbols.filter { sink.states($0, .book).contains(.resyncing) }
        #expect(affected == ["BTC-USDT"], "\(FaultHarness.describe(sink))")
        for symbol in SyntheticBinance.symbols {
            #expect(sink.states(symbol, .trades) == [.connecting, .live], "\(FaultHarness.describe(sink))")
            let book = sink.statuses(symbol, .book)
            if affected.contains(symbol) {
                #expect(book.map(\.state) == [.connecting, .live, .resyncing, .live], "\(FaultHarness.describe(sink))")
                #expect(book.first { $0.state == .resyncing }?.reason.hasPrefix("gap: expected") == true, "\(book)")
            } else {
                #expect(book.map(\.state) == [.connecting, .live], "\(FaultHarness.describe(sink))")
            }
        }
        #expect(sink.books(affected.first ?? "").filter(\.isSnapshot).count == 2)
        Self.checkTradesAndBooks(sink)
    }

    @Test("malformed JSON: a parse-error status, the connection keeps flowing, books untouched")
    func malformedFrame() async throws {
        // Scripted in recorded time (after step 99), so it never lands after the recording ended.
        let run = try await FaultHarness.runSynthetic(connections: [Self.recording], faults: ["binance/malformed@1+\(1 + 4 * 100)"],
                                                      until: Self.allTradesDelivered)
        let sink = run.sink
        #expect(run.reached, "\(FaultHarness.describe(sink))")
        #expect(sink.connectionStatuses.contains { $0.reason.hasPrefix("parse error") }, "\(sink.connectionStatuses)")
        for symbol in SyntheticBinance.symbols {
            for channel in [MarketModel.Channel.trades, .book] {
                #expect(sink.states(symbol, channel) == [.connecting, .live], "\(FaultHarness.describe(sink))")
            }
        }
        #expect(sink.logLines.filter { $0.contains("open") && $0.contains("connection") }.count == 1, "one connection only")
        Self.checkTradesAndBooks(sink)
    }

    @Test("corrupted checksum (OKX): resyncing with a checksum reason, resubscribe, fresh snapshot, live, later checksums hold")
    func corruptedChecksum() async throws {
        var configuration = SimulatorConfiguration(speed: .factor(10), scenarios: .named(["checksum-mismatch"]), venues: ["okx"],
                                                   sessionEnd: .stayOpen)
        // +2: after the ack and the snapshot, so the first update's checksum is corrupted.
        configuration.faults = FaultPlan(steps: [try FaultPlan.Step(parsing: "okx/bad-checksum@1+2")])
        let library = try FixtureLibrary(directory: FaultHarness.fixtures)
        let run = try await FaultHarness.run(OKX.self, library: library, simulator: configuration, symbols: ["BTC-USDT"],
                                             channels: [.book]) { sink in
            guard sink.reached(.live, after: .resyncing, "BTC-USDT", .book) else { return false }
            // The update after the fresh snapshot (recorded t=700) applied with a good checksum.
            let books = sink.books("BTC-USDT")
            guard let lastSnapshot = books.lastIndex(where: \.isSnapshot) else { return false }
            return books.count > lastSnapshot + 1
        }
        let sink = run.sink
        #expect(run.reached, "\(sink.statuses("BTC-USDT", .book)) \(sink.logLines.suffix(8))")
        let statuses = sink.statuses("BTC-USDT", .book)
        #expect(statuses.map(\.state) == [.connecting, .live, .resyncing, .live], "\(statuses)")
        #expect(statuses.first { $0.state == .resyncing }?.reason.hasPrefix("checksum: expected") == true, "\(statuses)")
        #expect(run.simulatorEvents.contains { if case .faultInjected(_, .corruptChecksum, false) = $0 { true } else { false } })
        let books = sink.books("BTC-USDT")
        #expect(books.filter(\.isSnapshot).count == 2)
        let book = SubscriberBook.from(books)
        #expect(book.crossedStates == 0)
        #expect(!book.bids.isEmpty && !book.asks.isEmpty)
    }
}
