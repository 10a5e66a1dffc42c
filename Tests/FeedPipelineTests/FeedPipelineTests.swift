import Books
import FeedPipeline
import MarketModel
import Testing
import VenueKit
import Venues

/// Behaviour of the pipeline that the recorded fixtures do not pin down (REST failures, stale
/// guard, refused and rejected subscriptions, the cross-connection status board).
@Suite struct FeedPipelineTests {
    static let btc = Symbol(unchecked: "BTC-USDT", kind: .spot)
    static let eth = Symbol(unchecked: "ETH-USDT", kind: .spot)

    static func trade(_ id: Int, symbol: String = "BTCUSDT") -> String {
        #"{"stream":"btcusdt@aggTrade","data":{"e":"aggTrade","E":1767225600239,"s":"\#(symbol)","a":\#(id),"p":"87412.36000000","q":"0.00120000","f":1,"l":1,"T":1767225600238,"m":false,"M":true}}"#
    }

    static func depth(_ first: Int64, _ last: Int64, bid: String = "87412.35000000") -> String {
        #"{"stream":"btcusdt@depth@100ms","data":{"e":"depthUpdate","E":1767225600300,"s":"BTCUSDT","U":\#(first),"u":\#(last),"b":[["\#(bid)","0.50000000"]],"a":[]}}"#
    }

    static let restBody = #"{"lastUpdateId":100,"bids":[["87412.35000000","0.41230000"]],"asks":[["87412.36000000","2.10442000"]]}"#

    static func statuses(_ output: FeedOutput) -> [String] {
        output.events.compactMap {
            guard case .status(let s) = $0 else { return nil }
            return "\(s.symbol?.rawValue ?? "*") \(s.channel?.rawValue ?? "*") \(s.state.rawValue) \(s.reason)"
        }
    }

    static func sends(_ output: FeedOutput) -> [String] {
        output.actions.compactMap { if case .send(let m) = $0 { return m.text } else { return nil } }
    }

    @Test func openingSendsStartAndSubscribeFramesAndReportsConnecting() {
        var pipeline = FeedPipeline<Coinbase>(configuration: .init(symbols: [Symbol(unchecked: "BTC-USD", kind: .spot)],
                                                                   channels: [.trades]))
        var out = FeedOutput()
        pipeline.connectionOpened(into: &out)
        #expect(Self.sends(out) == [#"{"type":"subscribe","channel":"heartbeats"}"#,
                                    #"{"type":"subscribe","product_ids":["BTC-USD"],"channel":"market_trades"}"#])
        #expect(Self.statuses(out) == ["BTC-USD trades connecting "])
    }

    @Test func unsupportedSubscriptionsAreRejectedNotSubscribed() {
        var pipeline = FeedPipeline<Binance>(configuration: .init(symbols: [Self.btc], channels: [.trades, .funding]))
        var out = FeedOutput()
        pipeline.connectionOpened(into: &out)
        #expect(pipeline.subscriptions == [Subscription(symbol: Self.btc, channel: .trades)])
        #expect(Self.statuses(out) == ["BTC-USDT trades connecting ",
                                       "BTC-USDT funding disconnected rejected: binance has no funding channel"])
        #expect(Self.sends(out) == [#"{"method":"SUBSCRIBE","params":["btcusdt@aggTrade"],"id":1}"#])
    }

    @Test func nonBookChannelsGoLiveOnAckOnceAndPublishData() {
        var pipeline = FeedPipeline<Binance>(configuration: .init(symbols: [Self.btc], channels: [.trades]))
        var out = FeedOutput()
        pipeline.connectionOpened(into: &out)
        out.removeAll()
        pipeline.receive(#"{"result":null,"id":1}"#, tsRecv: 1, into: &out)
        #expect(Self.statuses(out) == ["BTC-USDT trades live "])
        out.removeAll()
        pipeline.receive(Self.trade(7), tsRecv: 2, into: &out)
        #expect(Self.statuses(out).isEmpty)
        #expect(out.events.count == 1)
        guard case .trade(let t)? = out.events.first else { Issue.record("no trade"); return }
        #expect(t.tradeID == "7" && t.tsRecv == 2 && t.side == .buy)
    }

    @Test func firstDataMakesALiveWithoutAck() {
        var pipeline = FeedPipeline<Binance>(configuration: .init(symbols: [Self.btc], channels: [.trades]))
        var out = FeedOutput()
        pipeline.connectionOpened(into: &out)
        out.removeAll()
        pipeline.receive(Self.trade(7), tsRecv: 2, into: &out)
        #expect(Self.statuses(out) == ["BTC-USDT trades live "])
        #expect(out.events.count == 2)
    }

    @Test func parseErrorIsAVenueWideStatusAndALogAndTheStreamGoesOn() {
        var pipeline = FeedPipeline<Binance>(configuration: .init(symbols: [Self.btc], channels: [.trades]))
        var out = FeedOutput()
        pipeline.connectionOpened(into: &out)
        out.removeAll()
        pipeline.receive(#"{"stream":"btcusdt@aggTrade","data":{"e":"aggTrade","#, tsRecv: 1, into: &out)
        #expect(Self.statuses(out).count == 1)
        #expect(Self.statuses(out).first?.hasPrefix("* * live parse error: malformed JSON") == true)
        #expect(out.actions.contains { if case .log(let e) = $0 { return e.message.hasPrefix("binance: parse error:") } else { return false } })
        #expect(pipeline.parseErrorCount == 1)
        #expect(pipeline.lastParseError?.kind == .malformedJSON)
        out.removeAll()
        pipeline.receive(Self.trade(8), tsRecv: 2, into: &out)
        #expect(out.events.contains { if case .trade = $0 { return true } else { return false } })
    }

    @Test func venueErrorsAndReconnectRequestsReachTheSessionLayer() {
        var pipeline = FeedPipeline<Binance>(configuration: .init(symbols: [Self.btc], channels: [.trades]))
        var out = FeedOutput()
        pipeline.connectionOpened(into: &out)
        out.removeAll()
        pipeline.receive(#"{"code":2,"msg":"Invalid request","id":99}"#, tsRecv: 1, into: &out)
        #expect(Self.statuses(out) == ["* * live venue error: code 2: Invalid request"])
        out.removeAll()
        pipeline.receive(#"{"stream":"!serverShutdown","data":{"e":"serverShutdown","E":1}}"#, tsRecv: 2, into: &out)
        #expect(out.events.isEmpty)
        #expect(out.actions.first == .reconnect(reason: "serverShutdown"))
    }

    @Test func refusedSubscriptionGoesDisconnectedWithTheVenueReason() {
        var pipeline = FeedPipeline<Binance>(configuration: .init(symbols: [Self.btc], channels: [.trades]))
        var out = FeedOutput()
        pipeline.connectionOpened(into: &out)
        out.removeAll()
        pipeline.receive(#"{"code":2,"msg":"Invalid request","id":1}"#, tsRecv: 1, into: &out)
        #expect(Self.statuses(out) == ["BTC-USDT trades disconnected subscribe refused: code 2: Invalid request"])
    }

    @Test func restSnapshotIsRequestedOnceRetriedOnFailureAndIgnoredWhenUnrequested() {
        var pipeline = FeedPipeline<Binance>(configuration: .init(symbols: [Self.btc, Self.eth], channels: [.book]))
        var out = FeedOutput()
        pipeline.connectionOpened(into: &out)
        out.removeAll()
        pipeline.receive(Self.depth(99, 101), tsRecv: 1, into: &out)
        pipeline.receive(Self.depth(102, 102), tsRecv: 2, into: &out)
        let url = "https://api.binance.com/api/v3/depth?symbol=BTCUSDT&limit=1000"
        #expect(out.actions == [.fetchSnapshot(Self.btc, RESTRequest(url: url, weight: 50))])
        #expect(pipeline.pendingSnapshots == [Self.btc])
        out.removeAll()

        pipeline.restResponse(symbol: Self.eth, status: 200, body: Self.restBody, tsRecv: 3, into: &out)
        #expect(out.events.isEmpty)
        #expect(out.actions == [.log(FeedLogEntry(severity: .warning, message: "binance: unrequested ETH-USDT snapshot ignored"))])
        out.removeAll()

        pipeline.restResponse(symbol: Self.btc, status: 503, body: "", tsRecv: 3, into: &out)
        #expect(Self.statuses(out) == ["BTC-USDT book connecting snapshot: HTTP 503; retrying"])
        #expect(out.actions.last == .fetchSnapshot(Self.btc, RESTRequest(url: url, weight: 50)))
        out.removeAll()

        pipeline.restResponse(symbol: Self.btc, status: 200, body: Self.restBody, tsRecv: 4, into: &out)
        #expect(Self.statuses(out) == ["BTC-USDT book live "])
        let books = out.events.compactMap { if case .book(let b) = $0 { return b } else { return nil } }
        #expect(books.map(\.isSnapshot) == [true, false, false])
        #expect(pipeline.pendingSnapshots.isEmpty)
        #expect(pipeline.state(of: Subscription(symbol: Self.btc, channel: .book)) == .live)
    }

    @Test func closingDisconnectsEverySubscriptionAndDropsBooks() {
        var pipeline = FeedPipeline<Binance>(configuration: .init(symbols: [Self.btc], channels: [.trades, .book]))
        var out = FeedOutput()
        pipeline.connectionOpened(into: &out)
        pipeline.receive(Self.depth(99, 101), tsRecv: 1, into: &out)
        pipeline.restResponse(symbol: Self.btc, status: 200, body: Self.restBody, tsRecv: 2, into: &out)
        #expect(pipeline.books[Self.btc]?.phase == .live)
        out.removeAll()
        pipeline.connectionClosed(reason: "code 1006", into: &out)
        #expect(Self.statuses(out) == ["BTC-USDT trades disconnected code 1006", "BTC-USDT book disconnected code 1006"])
        #expect(pipeline.books[Self.btc] == nil)
        #expect(!pipeline.isOpen)
        out.removeAll()
        pipeline.receive(Self.trade(1), tsRecv: 3, into: &out)
        #expect(out.events.isEmpty)
    }

    @Test func staleGuardFlagsSilentSubscriptionsAndDataRevivesThem() {
        var pipeline = FeedPipeline<Binance>(configuration: .init(symbols: [Self.btc], channels: [.trades]))
        var out = FeedOutput()
        pipeline.connectionOpened(into: &out)
        pipeline.receive(Self.trade(1), tsRecv: Interval.seconds(1), into: &out)
        out.removeAll()
        pipeline.checkStaleness(now: Interval.seconds(31), into: &out)
        #expect(out.events.isEmpty)  // exactly 30 s: not yet
        pipeline.checkStaleness(now: Interval.seconds(32), into: &out)
        #expect(Self.statuses(out) == ["BTC-USDT trades stale no data for 30 s"])
        out.removeAll()
        pipeline.checkStaleness(now: Interval.seconds(40), into: &out)
        #expect(out.events.isEmpty)
        pipeline.receive(Self.trade(2), tsRecv: Interval.seconds(41), into: &out)
        #expect(Self.statuses(out) == ["BTC-USDT trades live "])
    }

    @Test func statusBoardHidesMakeBeforeBreakRotation() {
        var board = FeedStatusBoard()
        func merge(_ state: StreamState, _ conn: Int, _ reason: String = "") -> String? {
            let event = MarketEvent.status(StatusEvent(venue: .binance, symbol: Self.btc, channel: .trades, state: state, reason: reason))
            guard case .status(let s)? = board.merge(event, connection: conn) else { return nil }
            return "\(s.state.rawValue) \(s.reason)"
        }
        #expect(merge(.connecting, 1) == "connecting ")
        #expect(merge(.live, 1) == "live ")
        #expect(merge(.live, 1) == nil)                  // repeat
        #expect(merge(.connecting, 2) == nil)            // rotation: the old connection still serves
        #expect(merge(.live, 2) == nil)
        #expect(merge(.disconnected, 1, "code 1000") == nil)
        #expect(merge(.resyncing, 2, "gap: expected 1 got 3") == "resyncing gap: expected 1 got 3")
        #expect(merge(.resyncing, 2, "gap: expected 4 got 6") == "resyncing gap: expected 4 got 6")
        #expect(merge(.disconnected, 2, "code 1006") == "disconnected code 1006")
        let trade = MarketEvent.trade(Trade(venue: .binance, symbol: Self.btc, price: .zero, size: .zero, side: nil, tradeID: "1",
                                            tsExchange: nil, tsRecv: 0))
        #expect(board.merge(trade, connection: 1) == trade)
        #expect(board.state(venue: .binance, symbol: Self.btc, channel: .trades) == .disconnected)
    }
}
