import MarketModel
import Venues

/// Coinbase Advanced Trade BTC-USD: `market_trades` and `level2` (`l2_data`) with the per-connection
/// `sequence_num` (tick 0.01, 8-decimal sizes, RFC 3339 times).
struct CoinbaseFeed: FeedVenue {
    typealias Adapter = Coinbase
    let name = "coinbase"
    let symbol = Symbol(unchecked: "BTC-USD", kind: .spot)
    static let format = NumberFormat(priceScale: 2, tick: 1, sizeScale: 8, sizes: 1_000 ... 300_000_000)

    // {"channel":"market_trades","client_id":"","timestamp":"..","sequence_num":..,"events":[{"type":"update","trades":[{"trade_id":"..","product_id":"BTC-USD","price":"87412.35","size":"0.00150000","side":"BUY","time":".."}]}]}
    func tradeFrames(count: Int, seed: UInt64) -> [String] {
        var rng = SplitMix64(seed: seed), clock = SessionClock(seed: seed)
        var id: Int64 = 995_098_700, cents: Int64 = 8_741_235, seq: Int64 = 3
        return (0 ..< count).map { _ in
            cents += rng.value(in: -3 ... 3)
            let price = FixedDecimal(mantissa: cents, scale: 2)
            let size = FixedDecimal(mantissa: rng.value(in: 1_000 ... 90_000_000), scale: 8)
            _ = clock.tick()
            let time = WireText.rfc3339(nanos: clock.nanos(), fractionDigits: 6)
            let stamp = WireText.rfc3339(nanos: clock.nanos() + 4_321_987, fractionDigits: 9)
            defer { id += 1; seq += 1 }
            return #"{"channel":"market_trades","client_id":"","timestamp":"\#(stamp)","sequence_num":\#(seq),"events":[{"type":"update","trades":[{"trade_id":"\#(id)","product_id":"BTC-USD","price":"\#(price)","size":"\#(size)","side":"\#(rng.chance(50) ? "BUY" : "SELL")","time":"\#(time)"}]}]}"#
        }
    }

    // {"channel":"l2_data","client_id":"","timestamp":"..","sequence_num":..,"events":[{"type":"update","product_id":"BTC-USD",
    //  "updates":[{"side":"bid","event_time":"..","price_level":"87412.34","new_quantity":"1.50000000"},...]}]}  ("0" deletes)
    func depthSession(updates: Int, seed: UInt64) -> DepthSession {
        var book = SyntheticBook(depth: 1000, mid: 8_741_235, format: Self.format, seed: seed)
        var clock = SessionClock(seed: seed)
        var seq: Int64 = 2
        func entries(_ levels: [(FixedDecimal, FixedDecimal)], side: String, time: String) -> [String] {
            levels.map { #"{"side":"\#(side)","event_time":"\#(time)","price_level":"\#($0.0)","new_quantity":"\#($0.1)"}"# }
        }
        func frame(type: String, bids: [(FixedDecimal, FixedDecimal)], asks: [(FixedDecimal, FixedDecimal)]) -> String {
            _ = clock.tick()
            let time = WireText.rfc3339(nanos: clock.nanos(), fractionDigits: 6)
            let stamp = WireText.rfc3339(nanos: clock.nanos() + 3_141_592, fractionDigits: 9)
            let list = (entries(bids, side: "bid", time: time) + entries(asks, side: "offer", time: time)).joined(separator: ",")
            defer { seq += 1 }
            return #"{"channel":"l2_data","client_id":"","timestamp":"\#(stamp)","sequence_num":\#(seq),"events":[{"type":"\#(type)","product_id":"BTC-USD","updates":[\#(list)]}]}"#
        }
        let snapshot = frame(type: "snapshot", bids: WireText.sides(book, isBid: true), asks: WireText.sides(book, isBid: false))
        var frames: [String] = []
        for _ in 0 ..< updates {
            let changes = book.nextDelta(perSide: 10, window: 25)
            frames.append(frame(type: "update", bids: WireText.sides(changes, isBid: true, deleteSize: .zero),
                                asks: WireText.sides(changes, isBid: false, deleteSize: .zero)))
        }
        return DepthSession(bootstrap: .frame(snapshot), deltas: MessageSet(frames), framesPerUpdate: 1,
                            finalBook: book, checksumNote: "no checksum (sequence_num checked per connection and per book)")
    }
}
