import Foundation
import MarketModel
import Replay
import Sessions
import Testing
import Transport

/// Server-initiated rotation (Binance `serverShutdown`, then close 1001): make-before-break. The
/// replacement connects while the old connection still serves; subscribers see no `disconnected`,
/// and the trade stream has neither a gap nor a duplicate across the cut-over.
@Suite("Pool make-before-break rotation on a venue's shutdown notice", .serialized)
struct RotationFaultTests {
    @Test("serverShutdown notice: replacement first, no status change, trades exactly once across the cut-over")
    func serverRotation() async throws {
        // The notice goes out after replayed frame 40 (step 9); the venue then streams the same
        // market to the replacement, which replays from step 10 on, as a real venue would.
        let first = 0..<200
        let second = 10..<260
        let lastStep = second.upperBound - 1
        let run = try await FaultHarness.runSynthetic(connections: [first, second], faults: ["binance/rotate@1+40"],
                                                      speed: .factor(1)) { sink in
            SyntheticBinance.markets.allSatisfy { sink.tradeIDs($0.symbol).contains(SyntheticBinance.tradeID($0, step: lastStep)) }
        }
        let sink = run.sink
        #expect(run.reached, "\(FaultHarness.describe(sink))")
        #expect(run.simulatorEvents.contains { if case .faultInjected(_, .rotate, false) = $0 { true } else { false } })
        #expect(sink.logLines.contains { $0.contains("venue asked to reconnect") }, "\(sink.logLines)")
        for market in SyntheticBinance.markets {
            for channel in [MarketModel.Channel.trades, .book] {
                #expect(sink.states(market.symbol, channel) == [.connecting, .live], "\(FaultHarness.describe(sink))")
            }
            let ids = sink.tradeIDs(market.symbol)
            #expect(TradeChecks.duplicates(ids).isEmpty, "\(market.symbol) duplicates \(TradeChecks.duplicates(ids))")
            let all = SyntheticBinance.tradeID(market, step: 0)...SyntheticBinance.tradeID(market, step: lastStep)
            #expect(TradeChecks.runs(ids) == [all], "\(market.symbol) runs \(TradeChecks.runs(ids))")
            let book = SubscriberBook.from(sink.books(market.symbol))
            #expect(book == SyntheticBinance.book(market, through: lastStep), "\(market.symbol) \(book)")
            #expect(book.crossedStates == 0)
        }
    }
}
