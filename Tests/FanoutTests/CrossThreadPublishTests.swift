@testable import Fanout
import Foundation
import MarketModel
import Testing

/// Publishes from threads other than the hub's loop go through one locked inbox that a single
/// loop task drains: every event arrives exactly once, each publisher's order is kept, and `seq`
/// counts up without a hole.
@Suite("FanoutHub cross-thread publishing", .timeLimit(.minutes(2)))
struct CrossThreadPublishTests {
    @Test func twoPublisherThreadsEveryEventOnceInEachThreadsOrder() async throws {
        // Queue marks above the 8,000 lines published, so the slow-consumer policy (lag notices)
        // never applies however slowly this test's client is scheduled.
        let fixture = ServerFixture(configuration: FanoutConfiguration(
            queue: .init(highWaterMark: 16384, highWaterBytes: 16 << 20, capacity: 16384, maxBytes: 16 << 20)))
        try await fixture.server.start()
        let client = try await TestClient.connect(fixture.path)
        try await client.send(Fixtures.subscribe("1", "*", "trades", "*") + "\n")
        try await client.lines(1)

        // Thread A publishes binance trades 1…4000 one by one, thread B okx trades in batches of 10.
        let perThread = 4000
        let hub = fixture.hub
        let a = Thread { for id in 1 ... perThread { hub.publish(Fixtures.trade(id: id)) } }
        let b = Thread {
            for start in stride(from: 1, through: perThread, by: 10) {
                hub.publish(contentsOf: (start ..< start + 10).map { Fixtures.trade("okx", Fixtures.btc, id: $0) })
            }
        }
        a.start()
        b.start()
        let lines = Array(try await client.lines(1 + 2 * perThread).dropFirst())
        let seqs = lines.map(TextLines.seq)
        let firstBreak = seqs.indices.first { seqs[$0] != UInt64($0 + 1) }
        #expect(firstBreak == nil, "seq breaks at line \(firstBreak ?? -1): \(firstBreak.map { lines[max(0, $0 - 1)...min(lines.count - 1, $0 + 1)].joined(separator: " | ") } ?? "")")
        for venue in ["binance", "okx"] {
            let ids = lines.filter { TextLines.string($0, "venue") == venue }.compactMap { TextLines.string($0, "trade_id").flatMap(Int.init) }
            #expect(ids == Array(1 ... perThread), "\(venue): \(ids.count) trades, in order: \(ids == ids.sorted()), distinct: \(Set(ids).count)")
        }
        await client.close()
        await fixture.stop()
    }
}
