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
    var testDescription: String { name }

    func adapter(lane: Bool) throws -> any VenueAdapter {
        let s = try Symbol(symbol)
        var adapter = make(s, lane)
        _ = adapter.sessionStartFrames()
        _ = adapter.subscribeFrames(for: [Subscription(symbol: s, channel: .trades)])
        return adapter
    }
}

fileprivate let context = ParseContext(tsRecv: 1_700_000_000_123_456_789)

fileprivate let laneCases: [LaneCase] = [
    LaneCase(name: "binance", symbol: "BTC-USDT", frames: [
        #"{"stream":"btcusdt@aggTrade","data":{"e":"aggTrade","E":1795219200001,"s":"BTCUSDT","a":3021456789,"p":"87412.35000000","q":"0.56304000","f":5123456789,"l":5123456791,"T":1795219200000,"m":false,"M":true}}"#,
        #"{"stream":"btcusdt@aggTrade","data":{"e":"aggTrade","E":1795219200001,"s":"BTCUSDT","a":7,"p":"0.00000001","q":"100","f":0,"l":0,"T":0,"m":true,"M":false}}"#,
    ], make: { s, lane in
        var a = Binance(configuration: VenueAdapterConfiguration(symbols: [s]))
        a.usesLayoutLane = lane
        return a
    }, laneReads: { adapter, frame in
        guard var a = adapter as? Binance else { return false }
        defer { adapter = a }
        return Binance.layoutAggTrade(frame, venue: .binance, symbols: &a.symbols, context: context) != nil
    }),
    LaneCase(name: "binance-futures", symbol: "BTC-USDT-PERP", frames: [
        #"{"stream":"btcusdt@aggTrade","data":{"e":"aggTrade","E":1767225600249,"a":2908815521,"s":"BTCUSDT","p":"87380.20","q":"0.015","f":6510330101,"l":6510330103,"T":1767225600246,"m":false}}"#,
    ], make: { s, lane in
        var a = BinanceFutures(configuration: VenueAdapterConfiguration(symbols: [s]))
        a.usesLayoutLane = lane
        return a
    }, laneReads: { adapter, frame in
        guard var a = adapter as? BinanceFutures else { return false }
        defer { adapter = a }
        return Binance.layoutAggTrade(frame, venue: .binanceFutures, symbols: &a.symbols, context: context) != nil
    }),
]

/// The adapter's output for `frame` as NDJSON lines, or `nil` if it refused the frame.
fileprivate func lines(_ adapter: inout any VenueAdapter, _ frame: [UInt8]) -> [String]? {
    var output: [VenueOutput] = []
    let refused = frame.withUnsafeBytes { bytes -> Bool in
        do {
            try adapter.parse(bytes, context: context, into: &output)
            return false
        } catch {
            return true
        }
    }
    if refused { return nil }
    return output.map { value -> String in
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
