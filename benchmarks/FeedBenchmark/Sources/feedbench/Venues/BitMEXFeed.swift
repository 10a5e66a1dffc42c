import MarketModel
import Venues

/// BitMEX XBTUSD: `trade` and `orderBookL2_25` (a partial image, then `update` rows keyed by id;
/// JSON numbers, tick 0.1 written trimmed, sizes in contracts of 100). BitMEX sends one action
/// per message, so the 20-row messages here are `update`s (size changes); inserts and deletes
/// would be separate one- or few-row messages.
struct BitMEXFeed: FeedVenue {
    typealias Adapter = BitMEX
    let name = "bitmex"
    let symbol = Symbol(unchecked: "BTC-USD-PERP", kind: .perpetual)
    static let format = NumberFormat(priceScale: 1, tick: 1, sizeScale: 0, sizes: 100 ... 2_000_000, sizeStep: 100, isTrimmed: true)

    func setupFrames() -> [String] {
        [#"{"info":"Welcome to the BitMEX Realtime API.","version":"2.0.0","timestamp":"2026-11-21T00:00:00.000Z","docs":"https://www.bitmex.com/app/wsAPI","heartbeatEnabled":false,"limit":{"remaining":719}}"#,
         #"{"success":true,"subscribe":"trade:XBTUSD","request":{"op":"subscribe","args":["trade:XBTUSD","orderBookL2_25:XBTUSD"]}}"#,
         #"{"success":true,"subscribe":"orderBookL2_25:XBTUSD","request":{"op":"subscribe","args":["trade:XBTUSD","orderBookL2_25:XBTUSD"]}}"#]
    }

    // {"table":"trade","action":"insert","data":[{"timestamp":"..","symbol":"XBTUSD","side":"Sell","size":100,"price":87412.5,
    //  "tickDirection":"ZeroPlusTick","trdMatchID":"..","grossValue":114400,"homeNotional":0.001144,"foreignNotional":100,"trdType":"Regular"}]}
    func tradeFrames(count: Int, seed: UInt64) -> [String] {
        var rng = SplitMix64(seed: seed), clock = SessionClock(seed: seed)
        var ticks: Int64 = 874_125
        let directions = ["PlusTick", "ZeroPlusTick", "MinusTick", "ZeroMinusTick"]
        return (0 ..< count).map { _ in
            ticks += rng.value(in: -2 ... 2)
            let price = FixedDecimal(mantissa: ticks, scale: 1).normalized
            let size = rng.value(in: 1 ... 500) * 100
            let gross = size * 100_000_000 / (ticks / 10)
            let home = FixedDecimal(mantissa: gross, scale: 8).normalized
            _ = clock.tick()
            let match = "00000000-006d-1000-0000-\(rng.hex(12))"
            return #"{"table":"trade","action":"insert","data":[{"timestamp":"\#(WireText.rfc3339(nanos: clock.nanos(), fractionDigits: 3))","symbol":"XBTUSD","side":"\#(rng.chance(50) ? "Buy" : "Sell")","size":\#(size),"price":\#(price),"tickDirection":"\#(directions[rng.below(4)])","trdMatchID":"\#(match)","grossValue":\#(gross),"homeNotional":\#(home),"foreignNotional":\#(size),"trdType":"Regular"}]}"#
        }
    }

    // {"table":"orderBookL2_25","action":"update","data":[{"symbol":"XBTUSD","id":8798309800,"side":"Buy","size":42800,"price":87412.3,
    //  "timestamp":"..","transactTime":".."}, ...]}
    func depthSession(updates: Int, seed: UInt64) -> DepthSession {
        var book = SyntheticBook(depth: 25, mid: 874_125, format: Self.format, seed: seed)
        var clock = SessionClock(seed: seed)
        func row(_ id: Int64, _ isBid: Bool, _ size: FixedDecimal, _ price: FixedDecimal, _ time: String) -> String {
            #"{"symbol":"XBTUSD","id":\#(id),"side":"\#(isBid ? "Buy" : "Sell")","size":\#(size),"price":\#(price),"timestamp":"\#(time)","transactTime":"\#(time)"}"#
        }
        _ = clock.tick()
        let t0 = WireText.rfc3339(nanos: clock.nanos(), fractionDigits: 3)
        // BitMEX partials list asks (worst → best) then bids (best → worst).
        let rows = book.levels(isBid: false).reversed().map { row($0.level.id, false, $0.level.size, $0.price, t0) }
            + book.levels(isBid: true).map { row($0.level.id, true, $0.level.size, $0.price, t0) }
        let partial = #"{"table":"orderBookL2_25","action":"partial","keys":["symbol","id","side"],"types":{"symbol":"symbol","id":"long","side":"symbol","size":"long","price":"float","timestamp":"timestamp","transactTime":"timestamp"},"filter":{"symbol":"XBTUSD"},"data":[\#(rows.joined(separator: ","))]}"#
        var frames: [String] = []
        for _ in 0 ..< updates {
            let changes = book.nextDelta(perSide: 10, window: 25, insertDelete: false)
            _ = clock.tick()
            let t = WireText.rfc3339(nanos: clock.nanos(), fractionDigits: 3)
            let data = changes.map { row($0.id, $0.isBid, $0.size, $0.price, t) }.joined(separator: ",")
            frames.append(#"{"table":"orderBookL2_25","action":"update","data":[\#(data)]}"#)
        }
        return DepthSession(bootstrap: .frame(partial), deltas: MessageSet(frames), framesPerUpdate: 1,
                            finalBook: book, checksumNote: "no checksum or sequence (id map kept by the adapter)")
    }
}
