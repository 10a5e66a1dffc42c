@testable import Fanout
import Foundation
import MarketModel
import Testing

/// Randomized (seeded, deterministic) check of the whole policy: subscribers that read at very
/// different speeds, many lag/catch-up episodes, resyncs; each client rebuilds its books from
/// the lines it got and must end with exactly the hub's books, every trade in order, and a
/// gap-free `seq`.
@Suite("Conflation keeps every client's books exact")
struct ConflationPropertyTests {
    /// SplitMix64: small, seeded, platform-independent.
    struct Random {
        var state: UInt64
        mutating func next(_ bound: Int) -> Int {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return Int((z ^ (z >> 31)) % UInt64(bound))
        }
    }

    /// What a client keeps: books by "venue/symbol", and the trades it saw.
    struct Client {
        var books: [String: (bids: [String: String], asks: [String: String])] = [:]
        var trades: [Int] = []
        var lastSeq: UInt64 = 0
        var seqOK = true

        mutating func apply(_ line: String) {
            let object = TextLines.object(line)
            if case .number(let text)? = object["seq"], let seq = UInt64(text) {
                if seq != lastSeq + 1 { seqOK = false }
                lastSeq = seq
            }
            guard case .string(let type)? = object["type"], case .string(let venue)? = object["venue"] else { return }
            let key = "\(venue)/\(TextLines.string(line, "symbol") ?? "")"
            switch type {
            case "trade":
                trades.append(Int(TextLines.string(line, "trade_id") ?? "") ?? -1)
            case "book":
                var book = object["snapshot"] == .bool(true) ? ([:], [:]) : (books[key] ?? ([:], [:]))
                for (side, field) in [(0, "bids"), (1, "asks")] {
                    guard case .array(let levels)? = object[field] else { continue }
                    for case .array(let pair) in levels {
                        guard pair.count == 2, case .string(let price) = pair[0], case .string(let size) = pair[1] else { continue }
                        let normalized = FixedDecimal(price).map { "\($0.normalized)" } ?? price
                        let value = FixedDecimal(size)?.isZero == true ? nil : size
                        if side == 0 { book.0[normalized] = value } else { book.1[normalized] = value }
                    }
                }
                books[key] = book
            case "status" where object["state"] == .string("resyncing"):
                books[key] = nil
            default:
                break
            }
        }
    }

    static func expectedBooks(_ cache: BookCache) -> [String: (bids: [String: String], asks: [String: String])] {
        var books: [String: (bids: [String: String], asks: [String: String])] = [:]
        for key in cache.bookKeys {
            guard let snapshot = cache.snapshot(of: key) else { continue }
            let bids = Dictionary(uniqueKeysWithValues: snapshot.bids.map { ("\($0.price.normalized)", "\($0.size)") })
            let asks = Dictionary(uniqueKeysWithValues: snapshot.asks.map { ("\($0.price.normalized)", "\($0.size)") })
            books[key.description] = (bids, asks)
        }
        return books
    }

    @Test("three reading speeds, 6,000 events", arguments: [1 as UInt64, 2, 3])
    func readersAtThreeSpeeds(seed: UInt64) {
        var random = Random(state: seed)
        let queue = SubscriberQueue.Configuration(highWaterMark: 40, highWaterBytes: 1 << 20, capacity: 100_000, maxBytes: 64 << 20)
        var h = CoreHarness(configuration: FanoutConfiguration(queue: queue))
        let readers = [h.connect(), h.connect(), h.connect()]
        let budgets = [1 << 20, 350, 200]  // bytes per step: keeps up, lags sometimes, lags mostly
        var clients = [Client(), Client(), Client()]
        for id in readers { h.send(Fixtures.subscribe("s", "*", "*", "*"), from: id) }
        let symbols = [Fixtures.btc, Fixtures.eth]
        var tradeID = 0
        var isLive: [Symbol: Bool] = [:]
        for step in 0 ..< 6_000 {
            let symbol = symbols[random.next(2)]
            switch random.next(20) {
            case 0:
                tradeID += 1
                h.publish(Fixtures.trade("binance", symbol, id: tradeID))
            case 1 where step % 7 == 0:
                h.publish(Fixtures.status("binance", symbol, .book, .resyncing, "gap"))
                isLive[symbol] = false
            default:
                if isLive[symbol] != true {
                    h.publish(Fixtures.book("binance", symbol, snapshot: true, bids: [("100", "1")], asks: [("101", "1")], ts: Int64(step)))
                    isLive[symbol] = true
                } else {
                    let price = String(90 + random.next(20))
                    let size = random.next(4) == 0 ? "0" : String(random.next(1000) + 1)
                    let level = [(price, size)]
                    h.publish(random.next(2) == 0
                        ? Fixtures.book("binance", symbol, snapshot: false, bids: level, ts: Int64(step))
                        : Fixtures.book("binance", symbol, snapshot: false, asks: level, ts: Int64(step)))
                }
            }
            for (i, id) in readers.enumerated() where step % (i + 1) == 0 {
                for line in h.drain(id, maxBytes: budgets[i]).lines { clients[i].apply(line) }
            }
        }
        var expected: [String: (bids: [String: String], asks: [String: String])] = [:]
        if let cache = h.core.books as? BookCache { expected = Self.expectedBooks(cache) }
        for (i, id) in readers.enumerated() {
            while true {
                let (lines, outcome) = h.drain(id)
                for line in lines { clients[i].apply(line) }
                if outcome == .idle { break }
            }
            let queueStats = h.core.queue(of: id)?.statistics
            #expect(queueStats?.overflowed == false)
            #expect(clients[i].seqOK, "reader \(i): seq has a gap")
            #expect(clients[i].trades == Array(1 ... tradeID), "reader \(i): trades missing or out of order")
            #expect(Set(clients[i].books.keys) == Set(expected.keys), "reader \(i)")
            for (key, book) in expected {
                #expect(clients[i].books[key]?.bids == book.bids, "reader \(i) \(key) bids")
                #expect(clients[i].books[key]?.asks == book.asks, "reader \(i) \(key) asks")
            }
            if i == 2 { #expect((queueStats?.lagEpisodes ?? 0) >= 3 && (queueStats?.conflatedUpdates ?? 0) >= 100, "\(String(describing: queueStats))") }
        }
    }
}
