import Books
import MarketModel
import Venues

/// Kraken spot v2 BTC/USD: `trade` and `book` (depth 10, the adapter's fixed subscription) with a
/// CRC-32 of the top 10 levels on every message. The generator computes each message's checksum
/// over its own copy of the book, so Books verifies (and would resync on) every delta.
struct KrakenFeed: FeedVenue {
    typealias Adapter = Kraken
    let name = "kraken"
    let symbol = Symbol(unchecked: "BTC-USD", kind: .spot)
    static let format = NumberFormat(priceScale: 1, tick: 1, sizeScale: 8, sizes: 10_000 ... 300_000_000)

    func setupFrames() -> [String] {
        [#"{"channel":"status","data":[{"api_version":"v2","connection_id":12393906104898154338,"system":"online","version":"2.0.0"}],"type":"update"}"#,
         #"{"method":"subscribe","result":{"channel":"book","depth":10,"snapshot":true,"symbol":"BTC/USD"},"success":true,"time_in":"2026-11-21T00:00:00.102934Z","time_out":"2026-11-21T00:00:00.103012Z","req_id":2}"#]
    }

    // {"channel":"trade","type":"update","data":[{"symbol":"BTC/USD","side":"buy","price":105944.2,"qty":0.00027625,"ord_type":"limit","trade_id":..,"timestamp":".."}]}
    func tradeFrames(count: Int, seed: UInt64) -> [String] {
        var rng = SplitMix64(seed: seed), clock = SessionClock(seed: seed)
        var id: Int64 = 80_218_208, ticks: Int64 = 874_123
        return (0 ..< count).map { _ in
            ticks += rng.value(in: -2 ... 2)
            let price = FixedDecimal(mantissa: ticks, scale: 1)
            let qty = FixedDecimal(mantissa: rng.value(in: 1_000 ... 90_000_000), scale: 8)
            _ = clock.tick()
            defer { id += 1 }
            return #"{"channel":"trade","type":"update","data":[{"symbol":"BTC/USD","side":"\#(rng.chance(50) ? "buy" : "sell")","price":\#(price),"qty":\#(qty),"ord_type":"\#(rng.chance(70) ? "market" : "limit")","trade_id":\#(id),"timestamp":"\#(WireText.rfc3339(nanos: clock.nanos(), fractionDigits: 6))"}]}"#
        }
    }

    // {"channel":"book","type":"update","data":[{"symbol":"BTC/USD","bids":[{"price":87412.2,"qty":0.25000000}],"asks":[],"checksum":2114181697,"timestamp":".."}]}
    // At depth 10 a 20-level update rewrites all 10 levels of each side (with an insert/delete pair half the time).
    func depthSession(updates: Int, seed: UInt64) -> DepthSession {
        var book = SyntheticBook(depth: 10, mid: 874_123, format: Self.format, seed: seed)
        var clock = SessionClock(seed: seed)
        func objects(_ levels: [(FixedDecimal, FixedDecimal)]) -> String {
            levels.map { #"{"price":\#($0.0),"qty":\#($0.1)}"# }.joined(separator: ",")
        }
        func frame(type: String, bids: [(FixedDecimal, FixedDecimal)], asks: [(FixedDecimal, FixedDecimal)], checksum: UInt32) -> String {
            _ = clock.tick()
            return #"{"channel":"book","type":"\#(type)","data":[{"symbol":"BTC/USD","bids":[\#(objects(bids))],"asks":[\#(objects(asks))],"checksum":\#(checksum),"timestamp":"\#(WireText.rfc3339(nanos: clock.nanos(), fractionDigits: 6))"}]}"#
        }
        let snapshot = frame(type: "snapshot", bids: WireText.sides(book, isBid: true), asks: WireText.sides(book, isBid: false),
                             checksum: book.checksum(.krakenTop10))
        var frames: [String] = []
        for _ in 0 ..< updates {
            let changes = book.nextDelta(perSide: 10, window: 10)
            frames.append(frame(type: "update", bids: WireText.sides(changes, isBid: true, deleteSize: .zero),
                                asks: WireText.sides(changes, isBid: false, deleteSize: .zero), checksum: book.checksum(.krakenTop10)))
        }
        return DepthSession(bootstrap: .frame(snapshot), deltas: MessageSet(frames), framesPerUpdate: 1,
                            finalBook: book, checksumNote: "CRC-32 top-10 verified on every message")
    }
}
