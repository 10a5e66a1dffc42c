import MarketModel
import Testing
import VenueKit

// `LevelIDMap` is held to a plain `Dictionary` model of its documented rules (snapshot → id map,
// insert/update/delete by id, an unknown id stops the message) over random messages of two
// symbols' rows, and each rule and bad input is also checked on its own.

fileprivate typealias Row = LevelIDMap.Row

/// `p/s` per level, for readable comparisons.
fileprivate func text(_ levels: [BookLevel]) -> [String] { levels.map { "\($0.price)/\($0.size)" } }

fileprivate func price(_ text: String) -> Price { FixedDecimal(text)! }

/// A complete row of symbol 0.
fileprivate func row(_ id: Int64, _ isBid: Bool?, _ size: String?, _ price: String?, time: Nanoseconds? = nil, symbolIndex: Int = 0) -> Row {
    Row(symbolIndex: symbolIndex, id: id, isBid: isBid, size: size.flatMap(FixedDecimal.init), price: price.flatMap(FixedDecimal.init), time: time)
}

/// Applies `rows` and returns the outcome with the levels.
fileprivate func apply(_ map: inout LevelIDMap, _ action: LevelIDMap.Action, _ rows: [Row], symbolIndex: Int = 0)
    -> (bids: [String], asks: [String], time: Nanoseconds?, unknownID: Int64?) {
    var bids: [BookLevel] = [], asks: [BookLevel] = []
    let applied = map.apply(rows, symbolIndex: symbolIndex, action: action, bids: &bids, asks: &asks)
    return (text(bids), text(asks), applied.time, applied.unknownID)
}

@Suite("LevelIDMap")
struct LevelIDMapTests {
    @Test("a snapshot rebuilds the map, makes it live, and lists its levels best first with the latest row time")
    func snapshot() {
        var map = LevelIDMap()
        #expect(!map.isLive && map.count == 0)
        let out = apply(&map, .snapshot, [row(1, false, "10", "101.5", time: 5), row(2, true, "20", "99"), row(3, false, "30", "100.5", time: 7),
                                          row(4, true, "40", "99.5", time: 6), row(9, true, "1", "1", symbolIndex: 1)])
        #expect(out.asks == ["100.5/30", "101.5/10"] && out.bids == ["99.5/40", "99/20"])
        #expect(out.time == 7 && out.unknownID == nil)
        #expect(map.isLive && map.count == 4)   // symbol 1's row is not this map's
        #expect(map.level(of: 3) == LevelIDMap.Level(isBid: false, price: price("100.5")))
        #expect(map.level(of: 9) == nil)
        // A second snapshot replaces the first.
        let again = apply(&map, .snapshot, [row(5, true, "1", "98")])
        #expect(again.bids == ["98/1"] && again.asks == [] && again.time == nil)
        #expect(map.count == 1 && map.level(of: 1) == nil)
    }

    @Test("insert sets an id; a reused id at another price clears its old level first")
    func insert() {
        var map = LevelIDMap()
        _ = apply(&map, .snapshot, [row(1, true, "10", "99")])
        let out = apply(&map, .insert, [row(2, false, "5", "101", time: 3), row(1, true, "7", "98", time: 2), row(2, false, "6", "101")])
        #expect(out.asks == ["101/5", "101/6"])   // same price again: no clearing level
        #expect(out.bids == ["99/0", "98/7"])
        #expect(out.time == 3 && out.unknownID == nil)
        #expect(map.level(of: 1) == LevelIDMap.Level(isBid: true, price: price("98")) && map.count == 2)
    }

    @Test("update takes the side from the map, moves a level whose price changed, and keeps the price when the row has none")
    func update() {
        var map = LevelIDMap()
        _ = apply(&map, .snapshot, [row(1, true, "10", "99"), row(2, false, "10", "101")])
        let out = apply(&map, .update, [row(1, nil, "11", nil), row(2, true, "12", "102"), row(2, nil, "13", "102")])
        #expect(out.bids == ["99/11"])
        #expect(out.asks == ["101/0", "102/12", "102/13"])   // the row's side is not the map's: ignored
        #expect(map.level(of: 2) == LevelIDMap.Level(isBid: false, price: price("102")))
    }

    @Test("delete clears the id's level and forgets the id")
    func delete() {
        var map = LevelIDMap()
        _ = apply(&map, .snapshot, [row(1, true, "10", "99"), row(2, false, "10", "101")])
        let out = apply(&map, .delete, [row(2, nil, nil, nil, time: 4)])
        #expect(out.asks == ["101/0"] && out.bids == [] && out.time == 4)
        #expect(map.level(of: 2) == nil && map.count == 1)
        // Deleting it again is a divergence.
        #expect(apply(&map, .delete, [row(2, nil, nil, nil)]).unknownID == 2)
    }

    @Test("an update or delete for an unknown id returns it and applies none of the rows after it")
    func unknownID() {
        for action in [LevelIDMap.Action.update, .delete] {
            var map = LevelIDMap()
            _ = apply(&map, .snapshot, [row(1, true, "10", "99"), row(2, true, "10", "98")])
            let out = apply(&map, action, [row(1, nil, "5", nil, time: 1), row(7, nil, "5", nil, time: 2), row(2, nil, "5", nil, time: 3)])
            #expect(out.unknownID == 7, "\(action)")
            #expect(out.bids == [action == .update ? "99/5" : "99/0"], "\(action)")
            #expect(out.time == 2, "\(action)")
            #expect(map.level(of: 2) != nil, "\(action)")   // the row after the unknown id was not applied
            map.forget()
            #expect(!map.isLive && map.count == 0, "\(action)")
        }
    }

    @Test("other actions only count the rows' times; rows lacking fields are skipped")
    func otherAndIncompleteRows() {
        var map = LevelIDMap()
        _ = apply(&map, .snapshot, [row(1, true, "10", "99")])
        let other = apply(&map, .other, [row(1, true, "5", "98", time: 9)])
        #expect(other.bids == [] && other.asks == [] && other.time == 9 && map.count == 1)
        let incomplete = apply(&map, .insert, [row(2, nil, "5", "98"), row(3, true, nil, "98"), row(4, true, "5", nil)])
        #expect(incomplete.bids == [] && incomplete.unknownID == nil && map.count == 1)
        #expect(apply(&map, .update, [row(1, true, nil, "98")]).bids == [])
    }

    @Test("check names the fields each action needs", arguments: [
        (LevelIDMap.Action.snapshot, row(1, nil, "1", "1"), "side/size/price" as String?), (.snapshot, row(1, true, nil, "1"), "side/size/price"),
        (.insert, row(1, true, "1", nil), "side/size/price"), (.update, row(1, true, nil, "1"), "size"),
        (.update, row(1, nil, "1", nil), nil), (.delete, row(1, nil, nil, nil), nil), (.other, row(1, nil, nil, nil), nil),
        (.insert, row(1, false, "0", "1"), nil),
    ])
    fileprivate func check(_ action: LevelIDMap.Action, _ row: Row, _ missing: String?) {
        if let missing {
            #expect(throws: VenueParseError.missingField(missing)) { try row.check(for: action) }
        } else {
            #expect(throws: Never.self) { try row.check(for: action) }
        }
    }

    @Test("= a Dictionary model over random messages of two symbols' rows", arguments: [0, 1, 2, 3])
    func matchesModel(_ seed: Int) {
        var rng = SplitMix64(seed: 0x1D_3A90 &+ UInt64(seed))
        var maps = [LevelIDMap(), LevelIDMap()]
        var models: [[Int64: (isBid: Bool, price: Price)]] = [[:], [:]]
        let actions: [LevelIDMap.Action] = [.snapshot, .insert, .insert, .update, .update, .update, .delete, .other]
        var diverged = 0
        for step in 0 ..< 2_000 {
            let action = actions[Int(rng.next() % UInt64(actions.count))]
            var rows: [Row] = []
            for _ in 0 ..< Int(rng.next() % 10) {
                let symbolIndex = Int(rng.next() % 2)
                let known = models[symbolIndex].keys.sorted()
                // Mostly known ids for update/delete (one in 30 not), small fresh ids otherwise.
                let id = action != .snapshot && action != .insert && !known.isEmpty && rng.next() % 30 != 0
                    ? known[Int(rng.next() % UInt64(known.count))] : Int64(rng.next() % 40)
                if action == .snapshot, rows.contains(where: { $0.symbolIndex == symbolIndex && $0.id == id }) { continue }
                rows.append(Row(symbolIndex: symbolIndex, id: id, isBid: rng.next() % 2 == 0,
                                size: FixedDecimal(mantissa: Int64(rng.next() % 50), scale: 0),
                                price: rng.next() % 4 == 0 ? nil : FixedDecimal(mantissa: 1_000 + Int64(rng.next() % 20), scale: 1),
                                time: rng.next() % 3 == 0 ? nil : Int64(rng.next() % 1_000)))
            }
            if action == .snapshot || action == .insert {   // those need every field
                rows = rows.map { var r = $0; r.price = r.price ?? FixedDecimal(mantissa: 1_000, scale: 1); return r }
            }
            for symbolIndex in 0 ..< 2 {
                let got = apply(&maps[symbolIndex], action, rows, symbolIndex: symbolIndex)
                let want = Self.model(&models[symbolIndex], action, rows.filter { $0.symbolIndex == symbolIndex })
                #expect(got.bids == want.bids && got.asks == want.asks, "step \(step) symbol \(symbolIndex) \(action)")
                #expect(got.time == want.time && got.unknownID == want.unknownID, "step \(step) symbol \(symbolIndex) \(action)")
                if got.unknownID != nil {
                    diverged += 1
                    maps[symbolIndex].forget()
                    models[symbolIndex] = [:]
                }
                #expect(maps[symbolIndex].count == models[symbolIndex].count, "step \(step)")
                for (id, level) in models[symbolIndex] {
                    #expect(maps[symbolIndex].level(of: id) == LevelIDMap.Level(isBid: level.isBid, price: level.price), "step \(step)")
                }
            }
        }
        #expect(diverged > 10)
    }

    /// The documented rules on a `Dictionary`.
    fileprivate static func model(_ levels: inout [Int64: (isBid: Bool, price: Price)], _ action: LevelIDMap.Action, _ rows: [Row])
        -> (bids: [String], asks: [String], time: Nanoseconds?, unknownID: Int64?) {
        var bids: [BookLevel] = [], asks: [BookLevel] = [], time: Nanoseconds?
        func set(_ isBid: Bool, _ price: Price, _ size: Size) {
            if isBid { bids.append(BookLevel(price: price, size: size)) } else { asks.append(BookLevel(price: price, size: size)) }
        }
        if action == .snapshot { levels = [:] }
        for row in rows {
            if let t = row.time { time = max(time ?? t, t) }
            switch action {
            case .snapshot, .insert:
                let (isBid, price, size) = (row.isBid!, row.price!, row.size!)
                if let old = levels[row.id], old.price != price, action == .insert { set(old.isBid, old.price, .zero) }
                levels[row.id] = (isBid, price)
                set(isBid, price, size)
            case .update:
                guard let level = levels[row.id] else { return (text(bids), text(asks), time, row.id) }
                let price = row.price ?? level.price
                if price != level.price { set(level.isBid, level.price, .zero) }
                levels[row.id] = (level.isBid, price)
                set(level.isBid, price, row.size!)
            case .delete:
                guard let old = levels.removeValue(forKey: row.id) else { return (text(bids), text(asks), time, row.id) }
                set(old.isBid, old.price, .zero)
            case .other:
                continue
            }
        }
        if action == .snapshot {
            bids.sort { $0.price > $1.price }
            asks.sort { $0.price < $1.price }
        }
        return (text(bids), text(asks), time, nil)
    }
}
