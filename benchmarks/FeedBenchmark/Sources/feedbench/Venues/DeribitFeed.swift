import MarketModel
import Venues

/// Deribit BTC-PERPETUAL (JSON-RPC notifications): `trades.BTC-PERPETUAL.100ms` and
/// `book.BTC-PERPETUAL.100ms` (snapshot, then changes chained by `change_id`/`prev_change_id`;
/// JSON numbers, tick 0.5, amounts in multiples of 10 USD).
struct DeribitFeed: FeedVenue {
    typealias Adapter = Deribit
    let name = "deribit"
    let symbol = Symbol(unchecked: "BTC-USD-PERP", kind: .perpetual)
    static let format = NumberFormat(priceScale: 1, tick: 5, sizeScale: 1, sizes: 100 ... 5_000_000, sizeStep: 100)

    func setupFrames() -> [String] {
        [#"{"jsonrpc":"2.0","id":3,"result":["trades.BTC-PERPETUAL.100ms","book.BTC-PERPETUAL.100ms"],"usIn":1795219200012345,"usOut":1795219200012399,"usDiff":54,"testnet":false}"#]
    }

    // {"jsonrpc":"2.0","method":"subscription","params":{"channel":"trades.BTC-PERPETUAL.100ms","data":[{"trade_seq":..,"trade_id":"..",
    //  "timestamp":..,"tick_direction":2,"price":87412.5,"mark_price":87410.37,"instrument_name":"BTC-PERPETUAL","index_price":87405.12,"direction":"sell","amount":10.0,"contracts":1.0}]}}
    func tradeFrames(count: Int, seed: UInt64) -> [String] {
        var rng = SplitMix64(seed: seed), clock = SessionClock(seed: seed)
        var seq: Int64 = 271_252_854, id: Int64 = 403_691_824, halves: Int64 = 174_825
        return (0 ..< count).map { _ in
            halves += rng.value(in: -2 ... 2)
            let price = FixedDecimal(mantissa: halves * 5, scale: 1)
            let contracts = rng.value(in: 1 ... 2_000)
            let amount = FixedDecimal(mantissa: contracts * 100, scale: 1)
            let mark = FixedDecimal(mantissa: halves * 50 + rng.value(in: -300 ... 300), scale: 2)
            let index = FixedDecimal(mantissa: halves * 50 + rng.value(in: -900 ... 900), scale: 2)
            defer { seq += 1; id += 1 }
            return #"{"jsonrpc":"2.0","method":"subscription","params":{"channel":"trades.BTC-PERPETUAL.100ms","data":[{"trade_seq":\#(seq),"trade_id":"\#(id)","timestamp":\#(clock.tick()),"tick_direction":\#(rng.below(4)),"price":\#(price),"mark_price":\#(mark),"instrument_name":"BTC-PERPETUAL","index_price":\#(index),"direction":"\#(rng.chance(50) ? "buy" : "sell")","amount":\#(amount),"contracts":\#(contracts).0}]}}"#
        }
    }

    // {"jsonrpc":"2.0","method":"subscription","params":{"channel":"book.BTC-PERPETUAL.100ms","data":{"type":"change","timestamp":..,
    //  "prev_change_id":..,"instrument_name":"BTC-PERPETUAL","change_id":..,"bids":[["change",87412.0,1000.0]],"asks":[["delete",87413.5,0.0]]}}}
    func depthSession(updates: Int, seed: UInt64) -> DepthSession {
        var book = SyntheticBook(depth: 500, mid: 174_825, format: Self.format, seed: seed)
        var rng = SplitMix64(seed: seed ^ 0xDB), clock = SessionClock(seed: seed)
        func levels(_ entries: [(action: String, price: FixedDecimal, amount: FixedDecimal)]) -> String {
            entries.map { #"["\#($0.action)",\#($0.price),\#($0.amount)]"# }.joined(separator: ",")
        }
        var change: Int64 = 33_195_894_355
        let snapshot = #"{"jsonrpc":"2.0","method":"subscription","params":{"channel":"book.BTC-PERPETUAL.100ms","data":{"type":"snapshot","timestamp":\#(clock.tick()),"instrument_name":"BTC-PERPETUAL","change_id":\#(change),"bids":[\#(levels(book.levels(isBid: true).map { ("new", $0.price, $0.level.size) }))],"asks":[\#(levels(book.levels(isBid: false).map { ("new", $0.price, $0.level.size) }))]}}}"#
        let deleted = FixedDecimal(mantissa: 0, scale: 1)
        var frames: [String] = []
        for _ in 0 ..< updates {
            let changes = book.nextDelta(perSide: 10, window: 25)
            func side(_ isBid: Bool) -> String {
                levels(changes.filter { $0.isBid == isBid }.map {
                    switch $0.kind {
                    case .insert: ("new", $0.price, $0.size)
                    case .modify: ("change", $0.price, $0.size)
                    case .delete: ("delete", $0.price, deleted)
                    }
                })
            }
            let next = change + rng.value(in: 1 ... 6)
            frames.append(#"{"jsonrpc":"2.0","method":"subscription","params":{"channel":"book.BTC-PERPETUAL.100ms","data":{"type":"change","timestamp":\#(clock.tick()),"prev_change_id":\#(change),"instrument_name":"BTC-PERPETUAL","change_id":\#(next),"bids":[\#(side(true))],"asks":[\#(side(false))]}}}"#)
            change = next
        }
        return DepthSession(bootstrap: .frame(snapshot), deltas: MessageSet(frames), framesPerUpdate: 1,
                            finalBook: book, checksumNote: "no checksum (change_id chain checked)")
    }
}
