import MarketModel
import Venues

/// Bybit v5 linear BTCUSDT: `publicTrade` and `orderbook.50` (snapshot, then deltas with update id
/// `u`; tick 0.10, lot 0.001).
struct BybitFeed: FeedVenue {
    typealias Adapter = Bybit
    let name = "bybit"
    let symbol = Symbol(unchecked: "BTC-USDT-PERP", kind: .perpetual)
    static let format = NumberFormat(priceScale: 2, tick: 10, sizeScale: 3, sizes: 1 ... 30_000)

    func setupFrames() -> [String] {
        [#"{"success":true,"ret_msg":"","conn_id":"3cd84cb1-4d06-4a05-930a-2efe5fc70f0f","req_id":"1","op":"subscribe"}"#]
    }

    // {"topic":"publicTrade.BTCUSDT","type":"snapshot","ts":..,"data":[{"T":..,"s":"BTCUSDT","S":"Buy","v":"0.001","p":"87412.30","L":"PlusTick","i":"<uuid>","BT":false,"RPI":false,"seq":..}]}
    func tradeFrames(count: Int, seed: UInt64) -> [String] {
        var rng = SplitMix64(seed: seed), clock = SessionClock(seed: seed)
        var seq: Int64 = 178_328_461_700, ticks: Int64 = 874_123
        let ticksNames = ["PlusTick", "ZeroPlusTick", "MinusTick", "ZeroMinusTick"]
        return (0 ..< count).map { _ in
            ticks += rng.value(in: -2 ... 2)
            let p = FixedDecimal(mantissa: ticks * 10, scale: 2)
            let v = FixedDecimal(mantissa: rng.value(in: 1 ... 9_000), scale: 3)
            let t = clock.tick()
            let uuid = "\(rng.hex(8))-\(rng.hex(4))-\(rng.hex(4))-\(rng.hex(4))-\(rng.hex(12))"
            defer { seq += 1 + Int64(rng.below(3)) }
            return #"{"topic":"publicTrade.BTCUSDT","type":"snapshot","ts":\#(t + 2),"data":[{"T":\#(t),"s":"BTCUSDT","S":"\#(rng.chance(50) ? "Buy" : "Sell")","v":"\#(v)","p":"\#(p)","L":"\#(ticksNames[rng.below(4)])","i":"\#(uuid)","BT":false,"RPI":false,"seq":\#(seq)}]}"#
        }
    }

    // {"topic":"orderbook.50.BTCUSDT","type":"delta","ts":..,"data":{"s":"BTCUSDT","b":[["87412.20","0.006"]],"a":[..],"u":..,"seq":..},"cts":..}
    func depthSession(updates: Int, seed: UInt64) -> DepthSession {
        var book = SyntheticBook(depth: 50, mid: 874_123, format: Self.format, seed: seed)
        var rng = SplitMix64(seed: seed ^ 0xBB), clock = SessionClock(seed: seed)
        var u: Int64 = 18_521_288, seq: Int64 = 7_961_638_724
        func frame(type: String, bids: [(FixedDecimal, FixedDecimal)], asks: [(FixedDecimal, FixedDecimal)]) -> String {
            let t = clock.tick()
            defer { u += 1; seq += rng.value(in: 1 ... 50) }
            return #"{"topic":"orderbook.50.BTCUSDT","type":"\#(type)","ts":\#(t + 1),"data":{"s":"BTCUSDT","b":[\#(WireText.quotedPairs(bids))],"a":[\#(WireText.quotedPairs(asks))],"u":\#(u),"seq":\#(seq)},"cts":\#(t)}"#
        }
        let snapshot = frame(type: "snapshot", bids: WireText.sides(book, isBid: true), asks: WireText.sides(book, isBid: false))
        var frames: [String] = []
        for _ in 0 ..< updates {
            let changes = book.nextDelta(perSide: 10, window: 25)
            frames.append(frame(type: "delta", bids: WireText.sides(changes, isBid: true, deleteSize: .zero),
                                asks: WireText.sides(changes, isBid: false, deleteSize: .zero)))
        }
        return DepthSession(bootstrap: .frame(snapshot), deltas: MessageSet(frames), framesPerUpdate: 1,
                            finalBook: book, checksumNote: "no checksum (u checked)")
    }
}
