import Books
import MarketModel
import Venues

/// Bitfinex v2 tBTCUSD with `conf` flags SEQ_ALL + CHECKSUM + BULK_UPDATES (the adapter's
/// `Bitfinex.confFlags`): trades (`te`) and a P0 book of 25 levels. With BULK_UPDATES the venue
/// sends a book update's levels as one array of levels (docs.bitfinex.com ws-public books: "Bulk
/// updates can be enabled using a conf event flag of 536870912"), so one "20-level update" here
/// is one bulk frame followed by the `cs` checksum frame (2 frames), the checksum computed over
/// the generator's book and verified by Books. Numbers are JavaScript's shortest form.
struct BitfinexFeed: FeedVenue {
    typealias Adapter = Bitfinex
    let name = "bitfinex"
    let symbol = Symbol(unchecked: "BTC-USD", kind: .spot)
    static let format = NumberFormat(priceScale: 0, tick: 1, sizeScale: 8, sizes: 10_000 ... 300_000_000, isTrimmed: true)
    static let tradeChannel = 17_470, bookChannel = 232_957

    func setupFrames() -> [String] {
        [#"{"event":"info","version":2,"serverId":"083bd8d4-aca7-4690-a573-eabfc8103de8","platform":{"status":1}}"#,
         // 537067520 = SEQ_ALL 65536 + CHECKSUM 131072 + BULK_UPDATES 536870912, as the adapter asks.
         #"{"event":"conf","status":"OK","flags":537067520}"#,
         #"{"event":"subscribed","channel":"trades","chanId":\#(Self.tradeChannel),"symbol":"tBTCUSD","pair":"BTCUSD"}"#,
         Self.bookSubscribed]
    }

    /// The book channel's `subscribed` event (the snapshot follows it).
    static let bookSubscribed = #"{"event":"subscribed","channel":"book","chanId":\#(bookChannel),"symbol":"tBTCUSD","prec":"P0","freq":"F0","len":"25","pair":"BTCUSD"}"#

    // [17470,"te",[1715234567,1795219200123,-0.00254,87412],SEQ]
    func tradeFrames(count: Int, seed: UInt64) -> [String] {
        var rng = SplitMix64(seed: seed), clock = SessionClock(seed: seed)
        var id: Int64 = 1_715_234_567, price: Int64 = 87_412, seq: Int64 = 10
        return (0 ..< count).map { _ in
            price += rng.value(in: -1 ... 1)
            var amount = FixedDecimal(mantissa: rng.value(in: 10_000 ... 90_000_000), scale: 8).normalized
            if rng.chance(50) { amount = amount.negated }
            defer { id += 1; seq += 1 }
            return #"[\#(Self.tradeChannel),"te",[\#(id),\#(clock.tick()),\#(WireText.javaScript(amount)),\#(price)],\#(seq)]"#
        }
    }

    // [232957,[[87411,2,0.5],[87413,0,-1],...],SEQ]  one bulk update: set a bid, delete an ask, ... (20 levels)
    // [232957,"cs",-1582707309,SEQ]  checksum after it
    func depthSession(updates: Int, seed: UInt64) -> DepthSession {
        var book = SyntheticBook(depth: 25, mid: 87_412, format: Self.format, seed: seed)
        var seq: Int64 = 5
        func level(_ price: FixedDecimal, _ orders: Int, _ amount: FixedDecimal) -> String {
            "[\(WireText.javaScript(price)),\(orders),\(WireText.javaScript(amount))]"
        }
        func next() -> Int64 { seq += 1; return seq }
        let all = book.levels(isBid: true).map { level($0.price, $0.level.orders, $0.level.size) }
            + book.levels(isBid: false).map { level($0.price, $0.level.orders, $0.level.size.negated) }
        let snapshot = "[\(Self.bookChannel),[\(all.joined(separator: ","))],\(next())]"
        var frames: [String] = []
        for _ in 0 ..< updates {
            let levels = book.nextDelta(perSide: 10, window: 25).map { c in
                c.kind == .delete ? level(c.price, 0, FixedDecimal(c.isBid ? 1 : -1))
                    : level(c.price, c.orders, c.isBid ? c.size : c.size.negated)
            }
            frames.append("[\(Self.bookChannel),[\(levels.joined(separator: ","))],\(next())]")
            let cs = Int32(bitPattern: book.checksum(.bitfinexTop25))
            frames.append("[\(Self.bookChannel),\"cs\",\(cs),\(next())]")
        }
        // Each run re-subscribes: the snapshot is read as one only right after `subscribed`.
        return DepthSession(bootstrap: .frame(snapshot), deltas: MessageSet(frames), preamble: [Self.bookSubscribed], framesPerUpdate: 2,
                            finalBook: book, checksumNote: "CRC-32 top-25 (JS form) verified once per update (bulk frame); SEQ_ALL checked")
    }
}
