import MarketModel
import Venues

/// Binance spot BTCUSDT over the combined stream: `aggTrade` and `depth@100ms` diffs bootstrapped
/// from a REST `GET /api/v3/depth?limit=1000` body (tick 0.01, lot 0.00001, 8-decimal strings).
struct BinanceFeed: FeedVenue {
    typealias Adapter = Binance
    let name = "binance"
    let symbol = Symbol(unchecked: "BTC-USDT", kind: .spot)
    static let format = NumberFormat(priceScale: 8, tick: 1_000_000, sizeScale: 8, sizes: 1_000 ... 250_000_000, sizeStep: 1_000)

    func setupFrames() -> [String] { [#"{"result":null,"id":1}"#] }

    // {"stream":"btcusdt@aggTrade","data":{"e":"aggTrade","E":..,"s":"BTCUSDT","a":..,"p":"87412.35000000","q":"0.01234000","f":..,"l":..,"T":..,"m":true,"M":true}}
    func tradeFrames(count: Int, seed: UInt64) -> [String] {
        var rng = SplitMix64(seed: seed), clock = SessionClock(seed: seed)
        var aggID: Int64 = 3_021_456_789, tradeID: Int64 = 5_123_456_789, cents: Int64 = 8_741_235
        return (0 ..< count).map { _ in
            cents += rng.value(in: -3 ... 3)
            let price = FixedDecimal(mantissa: cents * 1_000_000, scale: 8)
            let qty = FixedDecimal(mantissa: rng.value(in: 1 ... 150_000) * 1_000, scale: 8)
            let fills = rng.value(in: 0 ... 3), t = clock.tick()
            defer { aggID += 1; tradeID += fills + 1 }
            return #"{"stream":"btcusdt@aggTrade","data":{"e":"aggTrade","E":\#(t + 1),"s":"BTCUSDT","a":\#(aggID),"p":"\#(price)","q":"\#(qty)","f":\#(tradeID),"l":\#(tradeID + fills),"T":\#(t),"m":\#(rng.chance(50)),"M":true}}"#
        }
    }

    // REST {"lastUpdateId":..,"bids":[[..]],"asks":[[..]]}, then
    // {"stream":"btcusdt@depth@100ms","data":{"e":"depthUpdate","E":..,"s":"BTCUSDT","U":..,"u":..,"b":[..],"a":[..]}} with U = previous u + 1.
    func depthSession(updates: Int, seed: UInt64) -> DepthSession {
        var book = SyntheticBook(depth: 1000, mid: 8_741_235, format: Self.format, seed: seed)
        var rng = SplitMix64(seed: seed ^ 0xB1), clock = SessionClock(seed: seed)
        var last: Int64 = 72_345_678_901
        let rest = #"{"lastUpdateId":\#(last),"bids":[\#(WireText.quotedPairs(WireText.sides(book, isBid: true)))],"asks":[\#(WireText.quotedPairs(WireText.sides(book, isBid: false)))]}"#
        let zero = FixedDecimal(mantissa: 0, scale: 8)
        var frames: [String] = []
        for _ in 0 ..< updates {
            let changes = book.nextDelta(perSide: 10, window: 25)
            let first = last + 1
            last = first + rng.value(in: 19 ... 80)
            let b = WireText.quotedPairs(WireText.sides(changes, isBid: true, deleteSize: zero))
            let a = WireText.quotedPairs(WireText.sides(changes, isBid: false, deleteSize: zero))
            frames.append(#"{"stream":"btcusdt@depth@100ms","data":{"e":"depthUpdate","E":\#(clock.tick()),"s":"BTCUSDT","U":\#(first),"u":\#(last),"b":[\#(b)],"a":[\#(a)]}}"#)
        }
        return DepthSession(bootstrap: .rest(rest), deltas: MessageSet(frames), framesPerUpdate: 1,
                            finalBook: book, checksumNote: "no checksum (U/u contiguity checked)")
    }
}
