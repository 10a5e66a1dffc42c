import Books
import MarketModel
import Venues

/// OKX v5 BTC-USDT: `trades` and `books` (400-level snapshot, then deltas chained by
/// `seqId`/`prevSeqId`; trimmed decimal strings; `[px, sz, "0", numOrders]` levels).
///
/// `withChecksum`: every delta carries the real CRC-32 of the interleaved top 25 (the historical
/// format), so Books verifies it on every message; without it the field is `0`, as OKX sends it
/// today, and Books skips the check.
struct OKXFeed: FeedVenue {
    typealias Adapter = OKX
    let withChecksum: Bool
    var name: String { withChecksum ? "okx" : "okx (checksum 0)" }
    let symbol = Symbol(unchecked: "BTC-USDT", kind: .spot)
    static let format = NumberFormat(priceScale: 1, tick: 1, sizeScale: 8, sizes: 1_000 ... 300_000_000, isTrimmed: true)

    func setupFrames() -> [String] {
        [#"{"id":"1","event":"subscribe","arg":{"channel":"trades","instId":"BTC-USDT"},"connId":"a4d3ae55"}"#,
         #"{"id":"1","event":"subscribe","arg":{"channel":"books","instId":"BTC-USDT"},"connId":"a4d3ae55"}"#]
    }

    // {"arg":{"channel":"trades","instId":"BTC-USDT"},"data":[{"instId":"BTC-USDT","tradeId":"..","px":"87412.3","sz":"0.0123","side":"buy","ts":"..","count":"1","source":"0"}]}
    func tradeFrames(count: Int, seed: UInt64) -> [String] {
        var rng = SplitMix64(seed: seed), clock = SessionClock(seed: seed)
        var id: Int64 = 730_639_474, ticks: Int64 = 874_123
        return (0 ..< count).map { _ in
            ticks += rng.value(in: -2 ... 2)
            let px = FixedDecimal(mantissa: ticks, scale: 1).normalized
            let sz = FixedDecimal(mantissa: rng.value(in: 1_000 ... 90_000_000), scale: 8).normalized
            defer { id += 1 }
            return #"{"arg":{"channel":"trades","instId":"BTC-USDT"},"data":[{"instId":"BTC-USDT","tradeId":"\#(id)","px":"\#(px)","sz":"\#(sz)","side":"\#(rng.chance(50) ? "buy" : "sell")","ts":"\#(clock.tick())","count":"\#(1 + rng.below(3))","source":"0"}]}"#
        }
    }

    // {"arg":{"channel":"books","instId":"BTC-USDT"},"action":"update","data":[{"asks":[["87412.4","0.0123","0","2"]],
    //  "bids":[..],"ts":"..","checksum":-855196043,"prevSeqId":..,"seqId":..}]}
    func depthSession(updates: Int, seed: UInt64) -> DepthSession {
        var book = SyntheticBook(depth: 400, mid: 874_123, format: Self.format, seed: seed)
        var rng = SplitMix64(seed: seed ^ 0x0C), clock = SessionClock(seed: seed)
        func levels(_ entries: [(price: FixedDecimal, size: FixedDecimal, orders: Int)]) -> String {
            entries.map { #"["\#($0.price)","\#($0.size)","0","\#($0.orders)"]"# }.joined(separator: ",")
        }
        func frame(action: String, bids: String, asks: String, prev: Int64, seq: Int64) -> String {
            let checksum = withChecksum ? Int32(bitPattern: book.checksum(.okxTop25Interleaved)) : 0
            return #"{"arg":{"channel":"books","instId":"BTC-USDT"},"action":"\#(action)","data":[{"asks":[\#(asks)],"bids":[\#(bids)],"ts":"\#(clock.tick())","checksum":\#(checksum),"prevSeqId":\#(prev),"seqId":\#(seq)}]}"#
        }
        var seq: Int64 = 123_456_789
        let snapshot = frame(action: "snapshot", bids: levels(book.levels(isBid: true).map { ($0.price, $0.level.size, $0.level.orders) }),
                             asks: levels(book.levels(isBid: false).map { ($0.price, $0.level.size, $0.level.orders) }), prev: -1, seq: seq)
        var frames: [String] = []
        for _ in 0 ..< updates {
            let changes = book.nextDelta(perSide: 10, window: 25)
            func side(_ isBid: Bool) -> String {
                levels(changes.filter { $0.isBid == isBid }.map { ($0.price, $0.kind == .delete ? .zero : $0.size, $0.orders) })
            }
            let next = seq + rng.value(in: 1 ... 40)
            frames.append(frame(action: "update", bids: side(true), asks: side(false), prev: seq, seq: next))
            seq = next
        }
        return DepthSession(bootstrap: .frame(snapshot), deltas: MessageSet(frames), framesPerUpdate: 1, finalBook: book,
                            checksumNote: withChecksum ? "CRC-32 top-25 interleaved verified on every message" : "checksum 0 (skipped, as OKX sends today); seqId chain checked")
    }
}
