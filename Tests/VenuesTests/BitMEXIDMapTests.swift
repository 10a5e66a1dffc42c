import MarketModel
import Testing
import VenueKit
@testable import Venues

// BitMEX's L2 id maps are VenueKit's `LevelIDMap` (an `IntegerKeyedTable` keyed by the row id, both
// held to `Dictionary` models in VenueKitTests), and book rows carry a symbol index instead of a `Symbol`. These
// tests hold the adapter to a plain reference model of VENUES.md §7.4 (partial → id map, insert/update/delete by id, unknown id →
// divergence) over random sessions of two symbols, with rows in compact and spaced spellings.

@Suite("BitMEX id map and book semantics")
struct BitMEXIDMapTests {
    @Test("random BitMEX sessions: the adapter's book messages equal the reference model's (compact rows and the general reader)",
          arguments: [0, 1, 2, 3, 4, 5])
    func sessionsMatchModel(_ seed: Int) throws {
        var session = Session(rng: SplitMix64(seed: 0xB17E_1D00 &+ UInt64(seed)))
        var adapter = BitMEX(configuration: VenueAdapterConfiguration(symbols: try Session.symbols.map { try Symbol($0.normalized) }))
        _ = adapter.subscribeFrames(for: try Session.symbols.map { Subscription(symbol: try Symbol($0.normalized), channel: .book) })
        var checked = 0
        for _ in 0 ..< 400 {
            let (frame, expected) = try session.next()
            let got = try adapter.parse(frame, context: ParseContext(tsRecv: 1)).map(render)
            #expect(got == expected, "\(frame)")
            checked += got.count
        }
        #expect(checked > 300)
    }

    @Test("a row the compact reader gives up on after reading its symbol adds no book for that symbol")
    func abandonedCompactRowAddsNoSymbol() throws {
        let xbt = try Symbol("BTC-USD-PERP"), eth = try Symbol("ETH-USD-PERP")
        var adapter = BitMEX(configuration: VenueAdapterConfiguration(symbols: [xbt, eth]))
        // A repeated key: the general reader keeps the last `symbol`, so this row is ETHUSD's.
        let row = #"{"symbol":"XBTUSD","id":1,"side":"Buy","size":5,"price":1.5,"timestamp":"2026-11-21T00:00:00.008Z","symbol":"ETHUSD"}"#
        let outputs = try adapter.parse(#"{"table":"orderBookL2_25","action":"partial","data":["# + row + "]}", context: ParseContext(tsRecv: 1))
        #expect(outputs.map(render) == ["ETH-USD-PERP snapshot=true ts=Optional(1795219200008000000) bids=[\"1.5/5\"] asks=[] none"])
    }
}

/// A book output as text: symbol, snapshot flag, time and levels with their digits; or a divergence.
fileprivate func render(_ output: VenueOutput) -> String {
    switch output {
    case .book(let m):
        let u = m.update
        return "\(u.symbol) snapshot=\(u.isSnapshot) ts=\(String(describing: u.tsExchange)) bids=\(u.bids.map { "\($0.price)/\($0.size)" }) "
            + "asks=\(u.asks.map { "\($0.price)/\($0.size)" }) \(m.sequencing)"
    case .bookInvalidated(let symbol, let reason): return "invalidated \(symbol) \(reason)"
    default: return "other \(output)"
    }
}

/// Generates BitMEX `orderBookL2_25` messages and what VENUES.md §7.4 says they mean, from a plain
/// `Dictionary` model: the oracle is written independently of the adapter's table and row types.
fileprivate struct Session {
    static let symbols: [(venue: String, normalized: String)] = [("XBTUSD", "BTC-USD-PERP"), ("ETHUSD", "ETH-USD-PERP")]
    struct Level { var isBid: Bool; var price: FixedDecimal }
    struct Row { var symbol: Int; var id: Int64; var side: Bool?; var size: FixedDecimal?; var price: FixedDecimal?; var ts: Int64 }

    var rng: SplitMix64
    var maps: [Int: [Int64: Level]] = [:]
    var nextID: Int64 = 8_798_000_000

    mutating func pick<T>(_ values: [T]) -> T { values[Int(rng.next() % UInt64(values.count))] }

    mutating func price(_ isBid: Bool) -> FixedDecimal {
        let ticks = Int64(rng.next() % 200)
        return FixedDecimal(mantissa: isBid ? 870_000 - ticks * 5 : 870_005 + ticks * 5, scale: 1)
    }

    mutating func size() -> FixedDecimal { FixedDecimal(mantissa: Int64(1 + rng.next() % 20_000) * 100, scale: 0) }

    /// The next message and its expected outputs.
    mutating func next() throws -> (String, [String]) {
        // Mostly one symbol per message (BitMEX topics are per symbol); sometimes both.
        let first = Int(rng.next() % 2)
        let symbolsInMessage = rng.next() % 6 == 0 ? [first, 1 - first] : [first]
        let live = symbolsInMessage.allSatisfy { maps[$0] != nil }
        let action = !live && rng.next() % 3 != 0 ? "partial" : pick(["partial", "insert", "insert", "update", "update", "update", "delete"])
        var rows: [Row] = []
        let ts = 1_795_219_200_000_000_000 + Int64(rng.next() % 5) * 1_000_000
        for symbol in symbolsInMessage {
            let known = Array((maps[symbol] ?? [:]).keys).sorted()
            for _ in 0 ..< 1 + Int(rng.next() % 12) {
                let isBid = rng.next() % 2 == 0
                let t = ts + Int64(rng.next() % 2) * 1_000_000
                switch action {
                case "partial", "insert":
                    // Inserts sometimes reuse a known id (at its price or another one).
                    let reuse = action == "insert" && !known.isEmpty && rng.next() % 4 == 0
                    let id = reuse ? pick(known) : { nextID += 1; return nextID }()
                    let p = reuse && rng.next() % 2 == 0 ? (maps[symbol]?[id]?.price ?? price(isBid)) : price(isBid)
                    rows.append(Row(symbol: symbol, id: id, side: isBid, size: size(), price: p, ts: t))
                case "update":
                    let id = known.isEmpty || rng.next() % 25 == 0 ? 1 : pick(known)   // id 1 is never known
                    let current = maps[symbol]?[id]
                    let p: FixedDecimal? = rng.next() % 4 == 0 ? nil : rng.next() % 5 == 0 ? price(current?.isBid ?? isBid) : current?.price ?? price(isBid)
                    rows.append(Row(symbol: symbol, id: id, side: current?.isBid ?? isBid, size: size(), price: p, ts: t))
                default:
                    let id = known.isEmpty || rng.next() % 25 == 0 ? 1 : pick(known)
                    let current = maps[symbol]?[id]
                    rows.append(Row(symbol: symbol, id: id, side: current?.isBid ?? isBid, size: nil,
                                    price: rng.next() % 2 == 0 ? current?.price : nil, ts: t))
                }
            }
        }
        if action == "partial" {   // a partial's ids are unique
            var seen = Set<Int64>()
            rows = rows.filter { seen.insert($0.id).inserted }
        }
        var spelled: [String] = []
        for row in rows { spelled.append(spell(row)) }
        let frame = #"{"table":"orderBookL2_25","action":"\#(action)","data":["# + spelled.joined(separator: ",") + "]}"
        return (frame, try expected(action, rows))
    }

    /// A row in BitMEX's compact layout or (one in three) with whitespace, which the general reader takes.
    mutating func spell(_ row: Row) -> String {
        var text = #"{"symbol":"\#(Self.symbols[row.symbol].venue)","id":\#(row.id)"#
        if let side = row.side { text += #","side":"\#(side ? "Buy" : "Sell")""# }
        if let size = row.size { text += #","size":\#(size)"# }
        if let price = row.price { text += #","price":\#(price)"# }
        // Row times are a few ms after 2026-11-21T00:00:00Z (1795219200 s).
        text += #","timestamp":"2026-11-21T00:00:00.00\#((row.ts - 1_795_219_200_000_000_000) / 1_000_000)Z""#
        if rng.next() % 2 == 0 { text += #","transactTime":"2026-11-21T00:00:00.000Z""# }
        text += "}"
        return rng.next() % 3 == 0 ? spaced(text) : text
    }

    /// The outputs VENUES.md §7.4 asks for, from the model (which it updates).
    mutating func expected(_ action: String, _ rows: [Row]) throws -> [String] {
        var order: [Int] = []
        for row in rows where !order.contains(row.symbol) { order.append(row.symbol) }
        var lines: [String] = []
        for symbol in order {
            let name = try Symbol(Self.symbols[symbol].normalized)
            var bids: [BookLevel] = [], asks: [BookLevel] = [], ts: Int64?
            func set(_ isBid: Bool, _ price: FixedDecimal, _ size: FixedDecimal) {
                if isBid { bids.append(BookLevel(price: price, size: size)) } else { asks.append(BookLevel(price: price, size: size)) }
            }
            let mine = rows.filter { $0.symbol == symbol }
            if action == "partial" {
                var map: [Int64: Level] = [:]
                for row in mine {
                    guard let side = row.side, let price = row.price, let size = row.size else { continue }
                    map[row.id] = Level(isBid: side, price: price)
                    set(side, price, size)
                    ts = max(ts ?? row.ts, row.ts)
                }
                maps[symbol] = map
                bids.sort { $0.price > $1.price }
                asks.sort { $0.price < $1.price }
            } else {
                guard var map = maps[symbol] else { continue }   // nothing before the partial
                var unknown: Int64?
                for row in mine {
                    ts = max(ts ?? row.ts, row.ts)
                    if action == "insert", let side = row.side, let price = row.price, let size = row.size {
                        if let old = map.updateValue(Level(isBid: side, price: price), forKey: row.id), old.price != price { set(old.isBid, old.price, .zero) }
                        set(side, price, size)
                    } else if action == "update" {
                        guard let size = row.size, var level = map[row.id] else { unknown = row.id; break }
                        if let price = row.price, price != level.price {
                            set(level.isBid, level.price, .zero)
                            level.price = price
                            map[row.id] = level
                        }
                        set(level.isBid, level.price, size)
                    } else if action == "delete" {
                        guard let old = map.removeValue(forKey: row.id) else { unknown = row.id; break }
                        set(old.isBid, old.price, .zero)
                    }
                }
                if let unknown {
                    maps[symbol] = nil
                    lines.append("invalidated \(name) gap: \(action) for unknown id \(unknown)")
                    continue
                }
                maps[symbol] = map
            }
            lines.append("\(name) snapshot=\(action == "partial") ts=\(String(describing: ts)) bids=\(bids.map { "\($0.price)/\($0.size)" }) "
                + "asks=\(asks.map { "\($0.price)/\($0.size)" }) none")
        }
        return lines
    }
}
