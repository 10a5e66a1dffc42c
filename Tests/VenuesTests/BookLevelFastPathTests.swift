import Foundation
import MarketModel
import Testing
import VenueKit
import Venues

// Kraken's and Coinbase's book levels, and BitMEX's book rows, are read in their compact wire form
// in one pass, and every other spelling rewinds to the general member loop. These tests build book frames with 0...40
// levels and require the compact frame, a frame with whitespace after every `,` and `:` (no level
// is compact), and frames mixing both per level to give the same levels, in order, with the same
// digits; malformed levels must still raise a VenueParseError.

/// Deterministic prices and sizes in the venues' usual spellings (and some unusual ones).
fileprivate struct LevelTexts {
    var rng: SplitMix64
    mutating func price() -> String {
        switch rng.next() % 4 {
        case 0: return "\(87000 + rng.next() % 900).\(rng.next() % 10)"
        case 1: return "\(87000 + rng.next() % 900).\(10 + rng.next() % 90)"
        case 2: return "\(87000 + rng.next() % 900)"           // integer: general reader inside the fast path
        default: return "0.\(String(1_000_000 + rng.next() % 9_000_000))"
        }
    }
    mutating func size() -> String {
        switch rng.next() % 4 {
        case 0: return "0.\(String(10_000_000 + rng.next() % 90_000_000))"   // eight digits
        case 1: return "\(rng.next() % 50).\(rng.next() % 1000)"
        case 2: return rng.next() % 2 == 0 ? "0" : "0.00000000"           // deletes
        default: return "123456789.123456789"                            // long: general digit loop
        }
    }
}

@Suite("Book level fast paths (Kraken, Coinbase, BitMEX)")
struct BookLevelFastPathTests {
    static let counts = [0, 1, 2, 15, 16, 17, 33, 40]

    func krakenAdapter() throws -> Kraken {
        Kraken(configuration: VenueAdapterConfiguration(symbols: [try Symbol("BTC-USD")]))
    }

    func coinbaseAdapter() throws -> Coinbase {
        let btc = try Symbol("BTC-USD")
        var adapter = Coinbase(configuration: VenueAdapterConfiguration(symbols: [btc]))
        _ = adapter.subscribeFrames(for: [Subscription(symbol: btc, channel: .book)])
        return adapter
    }

    /// Kraken levels: compact, or (`spacedLevel`) with whitespace inside.
    static func krakenLevels(_ count: Int, seed: UInt64, spacedEvery: Int?) -> (bids: String, asks: String) {
        var texts = LevelTexts(rng: SplitMix64(seed: seed))
        func side() -> String {
            "[" + (0 ..< count).map { i in
                let level = "{\"price\":\(texts.price()),\"qty\":\(texts.size())}"
                if let every = spacedEvery, i % every == 0 { return spaced(level) }
                return level
            }.joined(separator: ",") + "]"
        }
        return (side(), side())
    }

    static func krakenFrame(_ sides: (bids: String, asks: String)) -> String {
        #"{"channel":"book","type":"update","data":[{"symbol":"BTC/USD","bids":"# + sides.bids + #","asks":"# + sides.asks
            + #","checksum":2114181697,"timestamp":"2023-10-06T17:35:56.440295Z"}]}"#
    }

    @Test("Kraken: compact, spaced and mixed levels read the same", arguments: counts)
    func kraken(_ count: Int) throws {
        var adapter = try krakenAdapter()
        let seed = 0x4B52_0000 &+ UInt64(count)
        let compact = Self.krakenFrame(Self.krakenLevels(count, seed: seed, spacedEvery: nil))
        let expected = try expectSameLevels(&adapter, levelCount: 2 * count, mixedEvery: 3) {
            Self.krakenFrame(Self.krakenLevels(count, seed: seed, spacedEvery: $0))
        }
        // Members in the other order, and an extra member: the general loop, same levels.
        let reordered = compact.replacingOccurrences(of: #"{"price":"#, with: #"{"x":1,"price":"#)
        #expect(try bookLevelTexts(&adapter, reordered) == expected)
    }

    @Test("Kraken: malformed levels raise VenueParseError", arguments: [
        #"{"price":01.5,"qty":1.0}"#, #"{"price":1.5,"qty":1.}"#, #"{"price":1.5}"#, #"{"qty":1.5}"#,
        #"{"price":1.5,"qty":1.0,}"#, #"{"price":1.5,"qty":"1.0}"#, #"{"price":1.5,"qty":1.0x}"#, #"{"price":-,"qty":1.0}"#,
    ])
    func krakenMalformed(_ level: String) throws {
        var adapter = try krakenAdapter()
        let good = #"{"price":87412.4,"qty":0.10000000}"#
        let frame = Self.krakenFrame(("[" + good + "," + level + "," + good + "]", "[]"))
        #expect(throws: VenueParseError.self) { _ = try adapter.parse(frame, context: ParseContext(tsRecv: 1)) }
    }

    /// Coinbase updates (bids and asks interleaved), compact or with whitespace inside some.
    static func coinbaseUpdates(_ count: Int, seed: UInt64, spacedEvery: Int?) -> String {
        var texts = LevelTexts(rng: SplitMix64(seed: seed))
        return "[" + (0 ..< count).map { i in
            let side = (i * 7 + 3) % 5 < 2 ? "offer" : "bid"
            // Mostly one time per message (compared with the previous), sometimes another (scanned).
            let time = i % 5 == 4 ? "2026-04-07T14:30:01.45679Z" : "2026-04-07T14:30:01.456789Z"
            let u = "{\"side\":\"\(side)\",\"event_time\":\"\(time)\",\"price_level\":\"\(texts.price())\",\"new_quantity\":\"\(texts.size())\"}"
            if let every = spacedEvery, i % every == 0 { return spaced(u) }
            return u
        }.joined(separator: ",") + "]"
    }

    static func coinbaseFrame(_ updates: String) -> String {
        #"{"channel":"l2_data","client_id":"","timestamp":"2026-04-07T14:30:01.456789Z","sequence_num":1,"events":[{"type":"update","product_id":"BTC-USD","updates":"#
            + updates + "}]}"
    }

    @Test("Coinbase: compact, spaced and mixed updates read the same", arguments: counts)
    func coinbase(_ count: Int) throws {
        var adapter = try coinbaseAdapter()
        let seed = 0xCB00_0000 &+ UInt64(count)
        let compact = Self.coinbaseFrame(Self.coinbaseUpdates(count, seed: seed, spacedEvery: nil))
        let expected = try expectSameLevels(&adapter, levelCount: count, mixedEvery: 4) {
            Self.coinbaseFrame(Self.coinbaseUpdates(count, seed: seed, spacedEvery: $0))
        }
        // An escaped character in event_time, keys in another order: the general loop.
        let escaped = Self.coinbaseFrame(Self.coinbaseUpdates(count, seed: seed, spacedEvery: nil)
            .replacingOccurrences(of: "T14:30:01", with: #"\u005414:30:01"#))
        #expect(try bookLevelTexts(&adapter, escaped) == expected)
        let reordered = compact.replacingOccurrences(of: #"{"side":"#, with: #"{"x":[1],"side":"#)
        #expect(try bookLevelTexts(&adapter, reordered) == expected)
    }

    func bitmexAdapter() throws -> BitMEX {
        let xbt = try Symbol("BTC-USD-PERP")
        var adapter = BitMEX(configuration: VenueAdapterConfiguration(symbols: [xbt]))
        _ = adapter.subscribeFrames(for: [Subscription(symbol: xbt, channel: .book)])
        return adapter
    }

    /// BitMEX book rows (ids from `firstID`, sides alternating), compact or with whitespace inside some.
    static func bitmexRows(_ count: Int, seed: UInt64, firstID: Int = 1000, withSize: Bool = true, spacedEvery: Int?) -> String {
        var rng = SplitMix64(seed: seed)
        return "[" + (0 ..< count).map { i in
            let side = i % 2 == 0 ? "Buy" : "Sell"
            let price = i % 2 == 0 ? "\(87000 - i).\(rng.next() % 10)" : "\(88000 + i)"
            let size = withSize ? #","size":\#(1 + rng.next() % 2_000_000)"# : ""
            let time = i < count / 2 ? "2026-11-21T00:00:00.008Z" : "2026-11-21T00:00:00.009Z"
            let transact = i % 3 == 0 ? #","transactTime":"2026-11-21T00:00:00.00\#(i % 2)Z""# : ""
            let row = #"{"symbol":"XBTUSD","id":\#(firstID + i),"side":"\#(side)""# + size + #","price":\#(price),"timestamp":"\#(time)""# + transact + "}"
            if let every = spacedEvery, i % every == 0 { return spaced(row) }
            return row
        }.joined(separator: ",") + "]"
    }

    /// Every book message of a partial then an insert, update and delete of the same rows.
    func bitmexSession(_ count: Int, spacedEvery: Int?) throws -> [String] {
        var adapter = try bitmexAdapter()
        var out: [String] = []
        let seed = 0xB17E_0000 &+ UInt64(count)
        for (action, rowsSeed, withSize) in [("partial", seed, true), ("insert", seed &+ 1, true), ("update", seed &+ 2, true),
                                             ("delete", seed &+ 2, false)] {
            // Inserts use fresh ids, the rest the partial's.
            let rows = Self.bitmexRows(count, seed: rowsSeed, firstID: action == "insert" ? 2000 : 1000, withSize: withSize,
                                       spacedEvery: spacedEvery)
            let frame = #"{"table":"orderBookL2_25","action":"\#(action)","data":"# + rows + "}"
            for output in try adapter.parse(frame, context: ParseContext(tsRecv: 1)) {
                guard case .book(let m) = output else { continue }
                out.append("\(m.update.isSnapshot) \(String(describing: m.update.tsExchange)) "
                    + m.update.bids.map { "b \($0.price)/\($0.size)" }.joined(separator: " ")
                    + " | " + m.update.asks.map { "a \($0.price)/\($0.size)" }.joined(separator: " "))
            }
        }
        return out
    }

    @Test("BitMEX: compact, spaced and mixed book rows give the same book messages", arguments: [1, 2, 16, 25])
    func bitmex(_ count: Int) throws {
        let expected = try bitmexSession(count, spacedEvery: 1)
        #expect(expected.count == 4)
        #expect(try bitmexSession(count, spacedEvery: nil) == expected)
        #expect(try bitmexSession(count, spacedEvery: 3) == expected)
    }

    @Test("BitMEX: malformed book rows raise VenueParseError", arguments: [
        #"{"symbol":"XBTUSD","id":7,"side":"Buy","size":5,"price":01.5,"timestamp":"2026-11-21T00:00:00.008Z"}"#,
        #"{"symbol":"XBTUSD","id":7,"side":"Hold","size":5,"price":1.5,"timestamp":"2026-11-21T00:00:00.008Z"}"#,
        #"{"symbol":"XBTUSD","id":7.5,"side":"Buy","size":5,"price":1.5,"timestamp":"2026-11-21T00:00:00.008Z"}"#,
        #"{"symbol":"XBTUSD","id":7,"side":"Buy","size":5,"price":1.5,"timestamp":"2026-11-21 00:00:00"}"#,
        #"{"symbol":"XBTUSD","id":7,"side":"Buy","size":5,"price":1.5,"timestamp":"2026-11-21T00:00:00.008Z","transactTime":"x}"#,
        #"{"symbol":"ETHUSD","id":7,"side":"Buy","size":5,"price":1.5,"timestamp":"2026-11-21T00:00:00.008Z"}"#,
        #"{"symbol":"XBTUSD","side":"Buy","size":5,"price":1.5,"timestamp":"2026-11-21T00:00:00.008Z"}"#,
    ])
    func bitmexMalformed(_ row: String) throws {
        var adapter = try bitmexAdapter()
        let good = #"{"symbol":"XBTUSD","id":1,"side":"Buy","size":5,"price":1.5,"timestamp":"2026-11-21T00:00:00.008Z"}"#
        _ = try adapter.parse(#"{"table":"orderBookL2_25","action":"partial","data":["# + good + "]}", context: ParseContext(tsRecv: 1))
        let frame = #"{"table":"orderBookL2_25","action":"insert","data":["# + good.replacingOccurrences(of: #""id":1"#, with: #""id":2"#)
            + "," + row + "]}"
        #expect(throws: VenueParseError.self) { _ = try adapter.parse(frame, context: ParseContext(tsRecv: 1)) }
    }

    @Test("Coinbase: malformed updates raise VenueParseError", arguments: [
        #"{"side":"ask","event_time":"2026-04-07T14:30:01.456789Z","price_level":"1.5","new_quantity":"1.0"}"#,
        #"{"side":"bid","event_time":"2026-04-07T14:30:01.456789Z","price_level":"1.5"}"#,
        #"{"side":"bid","event_time":"2026-04-07T14:30:01.456789Z","price_level":"1.5","new_quantity":"1.x"}"#,
        #"{"side":"bid","event_time":"2026-04-07T14:30:01.456789Z","price_level":"1.5","new_quantity":"1.0",}"#,
        #"{"side":"bid","event_time":"2026-04-07T14:30:01.456789Z,"price_level":"1.5","new_quantity":"1.0"}"#,
        #"{"side":"offer","event_time":"2026-04-07T14:30:01.456789Z","price_level":"1.","new_quantity":"1.0"}"#,
    ])
    func coinbaseMalformed(_ update: String) throws {
        var adapter = try coinbaseAdapter()
        let good = #"{"side":"bid","event_time":"2026-04-07T14:30:01.456789Z","price_level":"68900.00","new_quantity":"1.50000000"}"#
        let frame = Self.coinbaseFrame("[" + good + "," + update + "," + good + "]")
        #expect(throws: VenueParseError.self) { _ = try adapter.parse(frame, context: ParseContext(tsRecv: 1)) }
    }
}
