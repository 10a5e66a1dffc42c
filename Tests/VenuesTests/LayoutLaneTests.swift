import MarketModel
import Testing
import VenueKit
@testable import Venues

// Adapters read their hot trade frames with a `LayoutReader` lane first and fall back to the
// general `JSONScanner` path when the frame differs from the venue's usual layout. The lane must
// never change what comes out: for the frames as venues send them and for thousands of seeded
// mutations of them (bytes replaced, dropped, doubled, swapped), the adapter with the lane and the
// same adapter without it must produce the same lines, or both refuse the frame.

/// One venue: frames in its usual layout, and its adapter with or without the lane.
fileprivate struct LaneCase: Sendable, CustomTestStringConvertible {
    let name: String
    let symbol: String
    let frames: [String]
    let make: @Sendable (_ symbol: Symbol, _ lane: Bool) -> any VenueAdapter
    /// Whether the lane alone reads `frame` (so the canonical frames are known to take it).
    let laneReads: @Sendable (_ adapter: inout any VenueAdapter, _ frame: UnsafeRawBufferPointer) -> Bool
    /// Frames the venue sends before trades (Bitfinex's `subscribed` event maps its channel id).
    var setup: [String] = []
    var testDescription: String { name }

    func adapter(lane: Bool) throws -> any VenueAdapter {
        let s = try Symbol(symbol)
        var adapter = make(s, lane)
        _ = adapter.sessionStartFrames()
        _ = adapter.subscribeFrames(for: [Subscription(symbol: s, channel: .trades)])
        for frame in setup { _ = try adapter.parse(frame, context: context) }
        return adapter
    }
}

fileprivate let context = ParseContext(tsRecv: 1_700_000_000_123_456_789)

extension LaneCase {
    /// The case for adapter type `A`: `toggle` turns its lane on or off, `lane` runs the lane alone.
    static func of<A: VenueAdapter>(_ type: A.Type, _ name: String, _ symbol: String, frames: [String], setup: [String] = [],
                                    toggle: @escaping @Sendable (inout A, Bool) -> Void,
                                    lane: @escaping @Sendable (inout A, UnsafeRawBufferPointer, inout VenueOutputs) -> Bool) -> LaneCase {
        LaneCase(name: name, symbol: symbol, frames: frames, make: { s, on in
            var adapter = A(configuration: VenueAdapterConfiguration(symbols: [s]))
            toggle(&adapter, on)
            return adapter
        }, laneReads: { adapter, frame in
            guard var typed = adapter as? A else { return false }
            defer { adapter = typed }
            var output = VenueOutputs()
            return lane(&typed, frame, &output) && !output.trades.isEmpty
        }, setup: setup)
    }
}

fileprivate let laneCases: [LaneCase] = [
    .of(Binance.self, "binance", "BTC-USDT", frames: [
        #"{"stream":"btcusdt@aggTrade","data":{"e":"aggTrade","E":1795219200001,"s":"BTCUSDT","a":3021456789,"p":"87412.35000000","q":"0.56304000","f":5123456789,"l":5123456791,"T":1795219200000,"m":false,"M":true}}"#,
        #"{"stream":"btcusdt@aggTrade","data":{"e":"aggTrade","E":1795219200001,"s":"BTCUSDT","a":7,"p":"0.00000001","q":"100","f":0,"l":0,"T":0,"m":true,"M":false}}"#,
    ], toggle: { $0.usesLayoutLane = $1 }, lane: { Binance.layoutAggTrade($1, venue: .binance, symbols: &$0.symbols, context: context, into: &$2) }),
    .of(BinanceFutures.self, "binance-futures", "BTC-USDT-PERP", frames: [
        #"{"stream":"btcusdt@aggTrade","data":{"e":"aggTrade","E":1767225600249,"a":2908815521,"s":"BTCUSDT","p":"87380.20","q":"0.015","f":6510330101,"l":6510330103,"T":1767225600246,"m":false}}"#,
    ], toggle: { $0.usesLayoutLane = $1 }, lane: { Binance.layoutAggTrade($1, venue: .binanceFutures, symbols: &$0.symbols, context: context, into: &$2) }),
    .of(Coinbase.self, "coinbase", "BTC-USD", frames: [
        #"{"channel":"market_trades","client_id":"","timestamp":"2026-04-07T14:30:02.789012Z","sequence_num":5,"events":[{"type":"update","trades":[{"trade_id":"995098700","product_id":"BTC-USD","price":"68900.50","size":"0.00150000","side":"BUY","time":"2026-04-07T14:30:02.789012Z"}]}]}"#,
        #"{"channel":"market_trades","timestamp":"2026-04-07T14:30:03.1Z","sequence_num":6,"events":[{"type":"update","trades":[{"trade_id":"995098701","product_id":"BTC-USD","price":"68900","size":"1","side":"SELL","time":"2026-04-07T14:30:03.000001Z"},{"trade_id":"995098702","product_id":"BTC-USD","price":"68901.00","size":"0.1","side":"BUY","time":"2026-04-07T14:30:03Z"}]},{"type":"update","trades":[{"trade_id":"995098703","product_id":"BTC-USD","price":"68901.5","size":"2.5","side":"SELL","time":"2026-04-07T14:30:03.5Z"}]}]}"#,
    ], toggle: { $0.usesLayoutLane = $1 }, lane: { $0.layoutTrades($1, context, &$2) }),
    .of(Bitfinex.self, "bitfinex", "BTC-USD", frames: [
        #"[17470,"te",[401597395,1574694478808,0.005,7245.3],1]"#,
        #"[17470,"te",[401597396,1574694478809,-1.7023900800000002,7245],2]"#,
    ], setup: [#"{"event":"subscribed","channel":"trades","chanId":17470,"symbol":"tBTCUSD","pair":"BTCUSD"}"#], toggle: { $0.usesLayoutLane = $1 }, lane: { $0.layoutTrade($1, context, &$2) }),
    .of(OKX.self, "okx", "BTC-USDT", frames: [
        #"{"arg":{"channel":"trades","instId":"BTC-USDT"},"data":[{"instId":"BTC-USDT","tradeId":"730639474","px":"87412.4","sz":"0.66614607","side":"buy","ts":"1795219200000","count":"2","source":"0"}]}"#,
        #"{"arg":{"channel":"trades","instId":"BTC-USDT"},"data":[{"instId":"BTC-USDT","tradeId":"730639475","px":"87412.5","sz":"1","side":"sell","ts":"1795219200001","count":"1"},{"instId":"BTC-USDT","tradeId":"730639476","px":"87412","sz":"0.00000001","side":"buy","ts":"1795219200002","count":"3","source":"1"}]}"#,
    ], toggle: { $0.usesLayoutLane = $1 }, lane: { $0.layoutTrades($1, context, &$2) }),
    .of(Bybit.self, "bybit", "BTC-USDT-PERP", frames: [
        #"{"topic":"publicTrade.BTCUSDT","type":"snapshot","ts":1795219200002,"data":[{"T":1795219200000,"s":"BTCUSDT","S":"Sell","v":"2.304","p":"87412.40","L":"ZeroMinusTick","i":"6fb77fdb-0663-63fb-d873-a3180359e776","BT":false,"RPI":false,"seq":178328461700}]}"#,
        #"{"topic":"publicTrade.BTCUSDT","type":"snapshot","ts":1795219200002,"data":[{"T":1795219200000,"s":"BTCUSDT","S":"Buy","v":"0.001","p":"87412.50","L":"PlusTick","i":"20f43950-d8dd-5b31-9112-a178eb6023af","BT":false,"seq":1783284617},{"T":1795219200001,"s":"BTCUSDT","S":"Sell","v":"1","p":"87412","L":"MinusTick","i":"20f43950-d8dd-5b31-9112-a178eb6023b0","BT":true,"seq":1783284618}]}"#,
    ], toggle: { $0.usesLayoutLane = $1 }, lane: { $0.layoutTrades($1, context, &$2) }),
    .of(Kraken.self, "kraken", "BTC-USD", frames: [
        #"{"channel":"trade","type":"update","data":[{"symbol":"BTC/USD","side":"buy","price":87412.4,"qty":0.66614607,"ord_type":"market","trade_id":80218208,"timestamp":"2026-11-21T00:00:00.000450Z"}]}"#,
        #"{"channel":"trade","type":"snapshot","data":[{"symbol":"BTC/USD","side":"sell","price":87412,"qty":1,"ord_type":"limit","trade_id":80218209,"timestamp":"2026-11-21T00:00:01.5Z"},{"symbol":"BTC/USD","side":"buy","price":0.5,"qty":6423.46326,"ord_type":"market","trade_id":80218210,"timestamp":"2026-11-21T00:00:02Z"}]}"#,
    ], toggle: { $0.usesLayoutLane = $1 }, lane: { $0.layoutTrades($1, context, &$2) }),
    .of(Deribit.self, "deribit", "BTC-USD-PERP", frames: [
        #"{"jsonrpc":"2.0","method":"subscription","params":{"channel":"trades.BTC-PERPETUAL.100ms","data":[{"trade_seq":271252854,"trade_id":"403691824","timestamp":1795219200000,"tick_direction":3,"price":87413.0,"mark_price":87411.16,"instrument_name":"BTC-PERPETUAL","index_price":87408.10,"direction":"sell","amount":3040.0,"contracts":304.0}]}}"#,
        #"{"jsonrpc":"2.0","method":"subscription","params":{"channel":"trades.BTC-PERPETUAL.raw","data":[{"trade_seq":1,"trade_id":403691825,"timestamp":1795219200001,"tick_direction":0,"price":87413.5,"mark_price":87411,"instrument_name":"BTC-PERPETUAL","index_price":87408,"direction":"buy","amount":10,"contracts":1.0},{"trade_seq":2,"trade_id":"403691826","timestamp":1795219200002,"tick_direction":1,"price":87414,"mark_price":87411.5,"instrument_name":"BTC-PERPETUAL","index_price":87408.5,"direction":"sell","amount":20.0,"contracts":2}]}}"#,
    ], toggle: { $0.usesLayoutLane = $1 }, lane: { $0.layoutTrades($1, context, &$2) }),
    .of(BitMEX.self, "bitmex", "BTC-USD-PERP", frames: [
        #"{"table":"trade","action":"insert","data":[{"timestamp":"2026-11-21T00:00:00.000Z","symbol":"XBTUSD","side":"Buy","size":30400,"price":87412.6,"tickDirection":"ZeroMinusTick","trdMatchID":"00000000-006d-1000-0000-6fb77fdb0663","grossValue":34777833,"homeNotional":0.34777833,"foreignNotional":30400,"trdType":"Regular"}]}"#,
        #"{"table":"trade","action":"insert","data":[{"timestamp":"2026-11-21T00:00:00.001Z","symbol":"XBTUSD","side":"Sell","size":100,"price":87412,"tickDirection":"MinusTick","trdMatchID":"00000000-006d-1000-0000-6fb77fdb0664","grossValue":114400,"homeNotional":0.001144,"foreignNotional":100,"trdType":"Regular"},{"timestamp":"2026-11-21T00:00:00.001Z","symbol":"XBTUSD","side":"Sell","size":200,"price":87411.5,"tickDirection":"MinusTick","trdMatchID":"00000000-006d-1000-0000-6fb77fdb0665","grossValue":228800,"homeNotional":0.002288,"foreignNotional":200,"trdType":"Regular"}]}"#,
    ], toggle: { $0.usesLayoutLane = $1 }, lane: { $0.layoutTrades($1, context, &$2) }),
]

/// The adapter's output for `frame` as NDJSON lines, or `nil` if it refused the frame.
fileprivate func lines(_ adapter: inout any VenueAdapter, _ frame: [UInt8]) -> [String]? {
    var output = VenueOutputs()
    let refused = frame.withUnsafeBytes { bytes -> Bool in
        do {
            try adapter.parse(bytes, context: context, into: &output)
            return false
        } catch {
            return true
        }
    }
    if refused { return nil }
    return output.all.map { value -> String in
        switch value {
        case .trade(let t): return NDJSONEncoder().line(for: .trade(t))
        default: return "\(value)"
        }
    }
}

/// A seeded change to `frame`: one byte replaced by a JSON-significant one, dropped, doubled, or
/// swapped with its neighbour.
fileprivate func mutate(_ frame: [UInt8], _ rng: inout SplitMix64) -> [UInt8] {
    var bytes = frame
    let at = Int(rng.next() % UInt64(bytes.count))
    let alphabet = Array(#"0159-.eE"\,:{}[] atfnxé"#.utf8)
    switch rng.next() % 4 {
    case 0: bytes[at] = alphabet[Int(rng.next() % UInt64(alphabet.count))]
    case 1: bytes.remove(at: at)
    case 2: bytes.insert(bytes[at], at: at)
    default: if at + 1 < bytes.count { bytes.swapAt(at, at + 1) }
    }
    return bytes
}

@Suite("Layout lanes read exactly what the general path reads")
struct LayoutLaneTests {
    @Test("the usual layout takes the lane, and the lane's lines equal the general path's", arguments: laneCases)
    fileprivate func usualLayout(_ c: LaneCase) throws {
        for frame in c.frames {
            var on = try c.adapter(lane: true), off = try c.adapter(lane: false), probe = try c.adapter(lane: true)
            let bytes = Array(frame.utf8)
            #expect(bytes.withUnsafeBytes { c.laneReads(&probe, $0) }, "lane reads \(frame)")
            let fast = lines(&on, bytes), general = lines(&off, bytes)
            #expect(fast != nil && fast == general)
        }
    }

    @Test("seeded mutations: same lines or both refuse", arguments: laneCases)
    fileprivate func mutations(_ c: LaneCase) throws {
        var rng = SplitMix64(seed: 0x4c616e65)
        var on = try c.adapter(lane: true), off = try c.adapter(lane: false)
        var taken = 0
        for frame in c.frames {
            let original = Array(frame.utf8)
            for _ in 0 ..< 3000 {
                var bytes = mutate(original, &rng)
                if rng.next() % 3 == 0 { bytes = mutate(bytes, &rng) }
                let fast = lines(&on, bytes), general = lines(&off, bytes)
                #expect(fast == general, "\(String(decoding: bytes, as: UTF8.self))")
                if fast != nil { taken += 1 }
            }
        }
        // Some mutations (a digit changed) stay valid: the comparison covered accepted frames too.
        #expect(taken > 100)
    }
}
