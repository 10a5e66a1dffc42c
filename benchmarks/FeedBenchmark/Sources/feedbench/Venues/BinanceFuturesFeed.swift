import MarketModel
import Venues

/// Binance USD-M BTCUSDT perpetual: `aggTrade` and `depth@100ms` diffs (`U`, `u`, `pu`) bootstrapped
/// from REST `GET /fapi/v1/depth?limit=1000` (tick 0.10, lot 0.001).
struct BinanceFuturesFeed: FeedVenue {
    typealias Adapter = BinanceFutures
    let name = "binance-futures"
    let symbol = Symbol(unchecked: "BTC-USDT-PERP", kind: .perpetual)
    static let format = NumberFormat(priceScale: 2, tick: 10, sizeScale: 3, sizes: 1 ... 25_000)

    func setupFrames() -> [String] { [#"{"result":null,"id":1}"#] }

    // {"stream":"btcusdt@aggTrade","data":{"e":"aggTrade","E":..,"a":..,"s":"BTCUSDT","p":"87412.30","q":"0.015","f":..,"l":..,"T":..,"m":false}}
    func tradeFrames(count: Int, seed: UInt64) -> [String] {
        var rng = SplitMix64(seed: seed), clock = SessionClock(seed: seed)
        var aggID: Int64 = 2_712_345_678, tradeID: Int64 = 6_012_345_678, ticks: Int64 = 874_123
        return (0 ..< count).map { _ in
            ticks += rng.value(in: -2 ... 2)
            let price = FixedDecimal(mantissa: ticks * 10, scale: 2)
            let qty = FixedDecimal(mantissa: rng.value(in: 1 ... 9_000), scale: 3)
            let fills = rng.value(in: 0 ... 4), t = clock.tick()
            defer { aggID += 1; tradeID += fills + 1 }
            return #"{"stream":"btcusdt@aggTrade","data":{"e":"aggTrade","E":\#(t + 2),"a":\#(aggID),"s":"BTCUSDT","p":"\#(price)","q":"\#(qty)","f":\#(tradeID),"l":\#(tradeID + fills),"T":\#(t),"m":\#(rng.chance(50))}}"#
        }
    }

    // {"stream":"btcusdt@depth@100ms","data":{"e":"depthUpdate","E":..,"T":..,"s":"BTCUSDT","U":..,"u":..,"pu":..,"b":[..],"a":[..]}}:
    // the first diff straddles the snapshot's lastUpdateId, then pu == previous u.
    func depthSession(updates: Int, seed: UInt64) -> DepthSession {
        var book = SyntheticBook(depth: 1000, mid: 874_123, format: Self.format, seed: seed)
        var rng = SplitMix64(seed: seed ^ 0xF1), clock = SessionClock(seed: seed)
        let snapshotID: Int64 = 9_123_456_789_012
        let t0 = clock.tick()
        let rest = #"{"lastUpdateId":\#(snapshotID),"E":\#(t0 + 3),"T":\#(t0),"bids":[\#(WireText.quotedPairs(WireText.sides(book, isBid: true)))],"asks":[\#(WireText.quotedPairs(WireText.sides(book, isBid: false)))]}"#
        let zero = FixedDecimal(mantissa: 0, scale: 3)
        var previous = snapshotID - 40, frames: [String] = []
        var first = snapshotID - 7, last = snapshotID + 12
        for _ in 0 ..< updates {
            let changes = book.nextDelta(perSide: 10, window: 25)
            let b = WireText.quotedPairs(WireText.sides(changes, isBid: true, deleteSize: zero))
            let a = WireText.quotedPairs(WireText.sides(changes, isBid: false, deleteSize: zero))
            let t = clock.tick()
            frames.append(#"{"stream":"btcusdt@depth@100ms","data":{"e":"depthUpdate","E":\#(t + 3),"T":\#(t),"s":"BTCUSDT","U":\#(first),"u":\#(last),"pu":\#(previous),"b":[\#(b)],"a":[\#(a)]}}"#)
            previous = last
            first = last + rng.value(in: 1 ... 30)   // USD-M ids are not contiguous
            last = first + rng.value(in: 5 ... 200)
        }
        return DepthSession(bootstrap: .rest(rest), deltas: MessageSet(frames), framesPerUpdate: 1,
                            finalBook: book, checksumNote: "no checksum (pu chain checked)")
    }
}
