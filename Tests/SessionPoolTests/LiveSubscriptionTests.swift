import Foundation
import MarketModel
import NIOPosix
import Replay
import Sessions
import SessionPool
import Testing
import VenueKit
import Venues

/// Live (un)subscribe on a running pool: the connection that carries a venue's streams is reused
/// (no reconnect), removed streams report `disconnected: unsubscribed` and stop publishing, and
/// re-added streams go `connecting` → `live` again (the book through a fresh REST snapshot).
@Suite("Pool live (un)subscribe", .serialized)
struct LiveSubscriptionTests {
    @Test("remove ETH-USDT, then add it back, on the same connection")
    func removeAndAddOnTheSameConnection() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        var configuration = SimulatorConfiguration(speed: .factor(0.1), scenarios: .named(["synthetic"]), venues: ["binance"],
                                                   sessionEnd: .stayOpen)
        configuration.faults = FaultPlan(steps: [])
        let simulator = try SimulatedVenueServer(library: try SyntheticBinance().library(connections: [0..<3000]),
                                                 configuration: configuration, eventLoop: group.next())
        _ = try await simulator.start()
        let sink = RecordingSink()
        let symbols = SyntheticBinance.symbols
        let pool = VenueSessionPool<Binance>(
            configuration: VenueSessionConfiguration(
                symbols: try symbols.map { try Symbol($0) }, channels: [.trades, .book],
                marketDataURLs: [simulator.webSocketURL(for: "binance")], restBaseURL: simulator.restURL(for: "binance"),
                pool: PoolConfiguration(lifecycle: ConnectionLifecycleConfiguration(backoff: FaultHarness.backoff))),
            eventLoop: group.next(), sink: sink)
        pool.start()
        let allLive = await FaultHarness.eventually {
            symbols.allSatisfy { symbol in [MarketModel.Channel.trades, .book].allSatisfy { sink.states(symbol, $0).last == .live } }
        }
        #expect(allLive, "\(FaultHarness.describe(sink))")

        let btc = try Symbol("BTC-USDT"), eth = try Symbol("ETH-USDT")
        let btcOnly = [Subscription(symbol: btc, channel: .trades), Subscription(symbol: btc, channel: .book)]
        pool.setSubscriptions(btcOnly)
        let removed = await FaultHarness.eventually {
            sink.statuses("ETH-USDT", .trades).last.map { $0.state == .disconnected && $0.reason == "unsubscribed" } ?? false
                && sink.statuses("ETH-USDT", .book).last.map { $0.state == .disconnected && $0.reason == "unsubscribed" } ?? false
        }
        #expect(removed, "\(FaultHarness.describe(sink))")
        let ethTradesAtRemoval = sink.tradeIDs("ETH-USDT").count
        let btcTradesAtRemoval = sink.tradeIDs("BTC-USDT").count
        let btcKeepsFlowing = await FaultHarness.eventually { sink.tradeIDs("BTC-USDT").count > btcTradesAtRemoval + 20 }
        #expect(btcKeepsFlowing)
        #expect(sink.tradeIDs("ETH-USDT").count == ethTradesAtRemoval, "ETH trades published after the unsubscribe")

        pool.setSubscriptions(btcOnly + [Subscription(symbol: eth, channel: .trades), Subscription(symbol: eth, channel: .book)])
        let back = await FaultHarness.eventually {
            sink.states("ETH-USDT", .trades).suffix(2) == [.connecting, .live] && sink.states("ETH-USDT", .book).suffix(2) == [.connecting, .live]
        }
        #expect(back, "\(FaultHarness.describe(sink))")
        #expect(sink.tradeIDs("ETH-USDT").count > ethTradesAtRemoval)
        #expect(TradeChecks.duplicates(sink.tradeIDs("ETH-USDT")).isEmpty)
        #expect(SubscriberBook.from(sink.books("ETH-USDT")).crossedStates == 0)
        // One socket all along: nothing reconnected to change what it carries.
        let counters = try await pool.snapshotCounters().get()
        #expect(counters.opens == 1, "opens: \(counters.opens)")
        #expect(sink.states("BTC-USDT", .trades) == [.connecting, .live])
        sink.freeze()
        pool.stop()
        try? await Task.sleep(nanoseconds: 50_000_000)
        await simulator.stop()
        try await group.shutdownGracefully()
    }
}
