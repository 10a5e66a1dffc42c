@testable import FeedPipeline
import MarketModel
import Testing
import VenueKit
import Venues

/// The core of `marketmux normalize`: lines in, stdout/stderr lines out.
@Suite struct NormalizeTests {
    static let btc = Symbol(unchecked: "BTC-USDT", kind: .spot)

    static func trade(_ id: Int, _ symbol: String = "BTCUSDT", m: Bool = false) -> String {
        #"{"stream":"x@aggTrade","data":{"e":"aggTrade","E":1767225600239,"s":"\#(symbol)","a":\#(id),"p":"87412.36000000","q":"0.00120000","f":1,"l":1,"T":1767225600238,"m":\#(m),"M":true}}"#
    }

    static let depth = #"{"stream":"btcusdt@depth@100ms","data":{"e":"depthUpdate","E":1767225600300,"s":"BTCUSDT","U":99,"u":101,"b":[["87412.35000000","0.50000000"]],"a":[]}}"#

    static func clock(_ line: Int) -> Nanoseconds { 1_767_225_600_000_000_000 + Nanoseconds(line) }

    @Test func tradesAreNormalizedAndABadLineIsReportedWithItsNumber() {
        let input = [Self.trade(1), "", #"{"stream":"x@aggTrade","data":{"e":"aggTrade","s":"BTCUSDT","#, Self.trade(2, m: true)]
        let out = FeedNormalizer<Binance>.normalize(input, options: .init(symbols: [Self.btc], channels: [.trades]), clock: Self.clock)
        #expect(out.stdout == [
            #"{"type":"status","venue":"binance","symbol":"BTC-USDT","channel":"trades","state":"connecting","reason":""}"#,
            #"{"type":"status","venue":"binance","symbol":"BTC-USDT","channel":"trades","state":"live","reason":""}"#,
            #"{"type":"trade","venue":"binance","symbol":"BTC-USDT","price":"87412.36000000","size":"0.00120000","side":"buy","trade_id":"1","ts_exchange":1767225600238000000,"ts_recv":1767225600000000001}"#,
            #"{"type":"status","venue":"binance","state":"live","reason":"parse error: malformed JSON at byte 60: expected '\"' to start an object key, found end of input"}"#,
            #"{"type":"trade","venue":"binance","symbol":"BTC-USDT","price":"87412.36000000","size":"0.00120000","side":"sell","trade_id":"2","ts_exchange":1767225600238000000,"ts_recv":1767225600000000004}"#,
        ])
        #expect(out.stderr == [#"line 3: binance: parse error: malformed JSON at byte 60: expected '"' to start an object key, found end of input"#])
    }

    @Test func restBootstrappedBookSaysItWaitsForASnapshot() {
        let out = FeedNormalizer<Binance>.normalize([Self.depth], options: .init(symbols: [Self.btc], channels: [.book]), clock: Self.clock)
        let reason = "waiting for a REST snapshot (GET https://api.binance.com/api/v3/depth?symbol=BTCUSDT&limit=1000): normalize cannot fetch it; pass --snapshot BTC-USDT=FILE"
        #expect(out.stdout == [
            #"{"type":"status","venue":"binance","symbol":"BTC-USDT","channel":"book","state":"connecting","reason":""}"#,
            #"{"type":"status","venue":"binance","symbol":"BTC-USDT","channel":"book","state":"connecting","reason":"\#(reason)"}"#,
        ])
        #expect(out.stderr == ["line 1: binance: BTC-USDT book is \(reason)"])
    }

    @Test func snapshotOptionBootstrapsTheBook() {
        let body = #"{"lastUpdateId":100,"bids":[["87412.35000000","0.41230000"]],"asks":[["87412.36000000","2.10442000"]]}"#
        let options = FeedNormalizer<Binance>.Options(symbols: [Self.btc], channels: [.book], snapshots: [Self.btc: Array(body.utf8)])
        let out = FeedNormalizer<Binance>.normalize([Self.depth], options: options, clock: Self.clock)
        #expect(out.stderr.isEmpty)
        #expect(out.stdout.count == 4)
        #expect(out.stdout[1].hasPrefix(#"{"type":"book","venue":"binance","symbol":"BTC-USDT","snapshot":true,"#))
        #expect(out.stdout[2] == #"{"type":"status","venue":"binance","symbol":"BTC-USDT","channel":"book","state":"live","reason":""}"#)
        #expect(out.stdout[3].hasPrefix(#"{"type":"book","venue":"binance","symbol":"BTC-USDT","snapshot":false,"#))
        #expect(out.stdout[1].contains(#""bids":[["87412.35000000","0.50000000"]],"asks":[["87412.36000000","2.10442000"]]"#))
    }

    @Test func symbolsAreLearnedFromTheInputWhenNoneAreGiven() {
        let input = [Self.trade(1), Self.trade(2, "ETHUSDT"), Self.trade(3)]
        let out = FeedNormalizer<Binance>.normalize(input, options: .init(channels: [.trades]), clock: Self.clock)
        #expect(out.stderr == ["line 1: learned symbol BTC-USDT from 'BTCUSDT'", "line 2: learned symbol ETH-USDT from 'ETHUSDT'"])
        let trades = out.stdout.filter { $0.hasPrefix(#"{"type":"trade""#) }
        #expect(trades.count == 3)
        #expect(trades[1].contains(#""symbol":"ETH-USDT""#) && trades[1].contains(#""trade_id":"2""#))
        let statuses = out.stdout.filter { $0.hasPrefix(#"{"type":"status""#) }
        #expect(statuses == [
            #"{"type":"status","venue":"binance","symbol":"BTC-USDT","channel":"trades","state":"connecting","reason":""}"#,
            #"{"type":"status","venue":"binance","symbol":"BTC-USDT","channel":"trades","state":"live","reason":""}"#,
            #"{"type":"status","venue":"binance","symbol":"ETH-USDT","channel":"trades","state":"connecting","reason":""}"#,
            #"{"type":"status","venue":"binance","symbol":"ETH-USDT","channel":"trades","state":"live","reason":""}"#,
        ])
    }

    @Test(arguments: [
        ("binance", "BTCUSDT", "BTC-USDT"), ("binance-futures", "BTCUSDT", "BTC-USDT-PERP"), ("kraken", "BTC/USD", "BTC-USD"),
        ("okx", "BTC-USDT-SWAP", "BTC-USDT-PERP"), ("bitmex", "XBTUSD", "BTC-USD-PERP"), ("bitfinex", "tBTCUSD", "BTC-USD"),
        ("deribit", "BTC-PERPETUAL", "BTC-USD-PERP"), ("coinbase", "ETH-USD", "ETH-USD"),
    ])
    func venueNamesMapBackToNormalizedSymbols(venue: String, name: String, expected: String) throws {
        let adapter = try #require(VenueRegistry.adapterType(for: VenueID(rawValue: venue)))
        #expect(Self.guess(adapter, name) == expected)
    }

    static func guess<A: VenueAdapter>(_ type: A.Type, _ name: String) -> String? {
        SymbolGuesser<A>.symbol(forVenueName: name)?.rawValue
    }
}
