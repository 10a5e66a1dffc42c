import FeedPipeline
import MarketModel
import Testing
import VenueKit
import Venues

/// Live (un)subscribe on an open connection: frames from the connection's own adapter, statuses
/// for exactly the changed subscriptions, books dropped with their subscription.
@Suite struct LiveSubscriptionTests {
    static let btc = FeedPipelineTests.btc
    static let eth = FeedPipelineTests.eth

    static func openPipeline(knownSymbols: [Symbol] = [eth]) -> FeedPipeline<Binance> {
        var configuration = FeedPipelineConfiguration(symbols: [btc], channels: [.trades])
        configuration.knownSymbols = knownSymbols
        var pipeline = FeedPipeline<Binance>(configuration: configuration)
        var out = FeedOutput()
        pipeline.connectionOpened(into: &out)
        return pipeline
    }

    @Test func addingOnAnOpenConnectionSubscribesOnlyTheNewStreams() {
        var pipeline = Self.openPipeline()
        var out = FeedOutput()
        pipeline.addSubscriptions([Subscription(symbol: Self.btc, channel: .trades),
                                   Subscription(symbol: Self.eth, channel: .trades)], into: &out)
        #expect(FeedPipelineTests.sends(out) == [#"{"method":"SUBSCRIBE","params":["ethusdt@aggTrade"],"id":2}"#])
        #expect(FeedPipelineTests.statuses(out) == ["ETH-USDT trades connecting "])
        #expect(pipeline.subscriptions.map(\.symbol) == [Self.btc, Self.eth])
        out.removeAll()
        pipeline.receive(FeedPipelineTests.trade(9, symbol: "ETHUSDT"), tsRecv: 5, into: &out)
        #expect(FeedPipelineTests.statuses(out) == ["ETH-USDT trades live "])
        #expect(out.events.count == 2)
    }

    @Test func addingASymbolTheAdapterDoesNotKnowIsRejectedWithTheReason() {
        var pipeline = Self.openPipeline(knownSymbols: [])
        var out = FeedOutput()
        pipeline.addSubscriptions([Subscription(symbol: Self.eth, channel: .trades)], into: &out)
        #expect(FeedPipelineTests.sends(out).isEmpty)
        #expect(FeedPipelineTests.statuses(out) == ["ETH-USDT trades disconnected rejected: binance has no instrument for ETH-USDT"])
        #expect(pipeline.subscriptions.count == 1)
    }

    @Test func removingUnsubscribesReportsAndStopsPublishing() {
        var pipeline = Self.openPipeline()
        var out = FeedOutput()
        pipeline.removeSubscriptions([Subscription(symbol: Self.btc, channel: .trades)], into: &out)
        #expect(FeedPipelineTests.sends(out) == [#"{"method":"UNSUBSCRIBE","params":["btcusdt@aggTrade"],"id":2}"#])
        #expect(FeedPipelineTests.statuses(out) == ["BTC-USDT trades disconnected unsubscribed"])
        out.removeAll()
        pipeline.receive(FeedPipelineTests.trade(10), tsRecv: 6, into: &out)
        #expect(out.events.isEmpty)
    }

    @Test func subscriptionsAddedWhileClosedAreSubscribedOnTheNextOpen() {
        var configuration = FeedPipelineConfiguration(symbols: [Self.btc], channels: [.trades])
        configuration.knownSymbols = [Self.eth]
        var pipeline = FeedPipeline<Binance>(configuration: configuration)
        var out = FeedOutput()
        pipeline.addSubscriptions([Subscription(symbol: Self.eth, channel: .trades)], into: &out)
        #expect(out.actions.isEmpty && out.events.isEmpty)
        pipeline.connectionOpened(into: &out)
        #expect(FeedPipelineTests.sends(out) == [#"{"method":"SUBSCRIBE","params":["btcusdt@aggTrade","ethusdt@aggTrade"],"id":1}"#])
    }

    @Test func removingABookDropsItAndAReSubscribeBootstrapsAgain() {
        var configuration = FeedPipelineConfiguration(symbols: [Self.btc], channels: [.book])
        configuration.knownSymbols = []
        var pipeline = FeedPipeline<Binance>(configuration: configuration)
        var out = FeedOutput()
        pipeline.connectionOpened(into: &out)
        pipeline.receive(FeedPipelineTests.depth(101, 101), tsRecv: 1, into: &out)
        pipeline.restResponse(symbol: Self.btc, status: 200, body: FeedPipelineTests.restBody, tsRecv: 2, into: &out)
        #expect(pipeline.books[Self.btc] != nil)
        out.removeAll()
        pipeline.removeSubscriptions([Subscription(symbol: Self.btc, channel: .book)], into: &out)
        #expect(pipeline.books[Self.btc] == nil)
        out.removeAll()
        pipeline.addSubscriptions([Subscription(symbol: Self.btc, channel: .book)], into: &out)
        #expect(FeedPipelineTests.statuses(out) == ["BTC-USDT book connecting "])
        out.removeAll()
        pipeline.receive(FeedPipelineTests.depth(102, 102), tsRecv: 3, into: &out)
        #expect(out.actions.contains { if case .fetchSnapshot = $0 { return true } else { return false } })
    }
}
