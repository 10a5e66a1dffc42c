import MarketModel
import Operations
import SessionPool
import Sessions

/// A hand-built snapshot with every field set, for exact rendering tests.
enum Fixtures {
    static let now: Nanoseconds = 1_700_000_010_000_000_000
    static let btc = try! Symbol("BTC-USDT")  // swiftlint:disable:this force_try — a literal symbol
    static let eth = try! Symbol("ETH-USDT")

    static func binance() -> VenueSessionStatus {
        var counters = VenueSessionCounters()
        counters.messages = 1200
        counters.bytes = 345_678
        counters.opens = 3
        counters.closes = 1
        counters.openSockets = 2
        counters.reconnects = 1
        counters.parseErrors = 2
        counters.snapshots = 4
        counters.staleEvents = 5
        counters.resyncs = 6
        counters.lastTrade = Trade(venue: .binance, symbol: btc, price: FixedDecimal("50000.10")!, size: FixedDecimal("0.002")!,
                                   side: .buy, tradeID: "1", tsExchange: nil, tsRecv: now - 40_000_000)
        counters.lastBookUpdate = now - 3_000_000
        for microseconds in [5, 30, 30, 80, 2000] as [Int64] { counters.latency.record(nanoseconds: microseconds * 1000) }
        return VenueSessionStatus(
            venue: .binance, displayName: "Binance Spot", counters: counters,
            connections: [
                VenueConnectionStatus(id: 0, phase: .live(generation: 2), isRotating: false, url: "wss://stream.binance.com:9443/stream",
                                      subscriptions: 4, messages: 1000, bytes: 300_000, throttleQueue: 0),
                VenueConnectionStatus(id: 1, phase: .backoff(until: 0), isRotating: false, url: "wss://stream.binance.com:9443/stream",
                                      subscriptions: 2, messages: 200, bytes: 45_678, throttleQueue: 3),
            ],
            streams: [
                StreamStatus(symbol: btc, channel: .book, state: .live, reason: "", since: now - 5_000_000_000),
                StreamStatus(symbol: btc, channel: .trades, state: .live, reason: "", since: now - 5_000_000_000),
                StreamStatus(symbol: eth, channel: .book, state: .resyncing, reason: "gap: expected 101 got 103", since: now - 1_000_000),
            ])
    }

    static func snapshot() -> OperationsSnapshot {
        OperationsSnapshot(time: now, startedAt: now - 12_500_000_000, venues: [binance()], fanout: nil,
                           venueRates: [.binance: 812.44], connectionRates: ["binance#0": 700, "binance#1": 112.44])
    }
}
