import Configuration
import Foundation
import MarketModel
import NIOCore
import NIOPosix
import Testing
@testable import NATS

/// Two instances of the 3-host deployment in docs/scaling.md, each from its own YAML (`nats:` and
/// `shard:` parsed by Configuration, exactly as `marketmux run` does), publishing to one
/// nats-server: together they publish every venue exactly once.
@Suite("Two sharded instances on one NATS server", .serialized, .enabled(if: natsServerTestsEnabled, "\(NATSServerProcess.skipMessage)"))
struct NATSShardingTests {
    static let venues: [(VenueID, String)] = [
        (.binance, "BTC-USDT"), (.coinbase, "BTC-USD"), (.kraken, "BTC-USD"),
        (.okx, "BTC-USDT"), (.bybit, "BTC-USDT-PERP"), (.deribit, "BTC-USD-PERP"),
    ]

    static func yaml(url: String, shard: [String]) -> String {
        var text = "venues:\n"
        for (venue, symbol) in venues { text += "  \(venue):\n    symbols: [\(symbol)]\n    channels: [trades]\n" }
        text += "nats:\n  urls: [\(url)]\n  subject_prefix: mm\nshard: {venues: [\(shard.joined(separator: ", "))]}\n"
        return text
    }

    /// Every event of every venue: each instance is fed all of them (as if a pool of another
    /// shard's venue had been started by mistake), so the publisher's own shard guard is tested too.
    static func events(perVenue: Int) -> [MarketEvent] {
        var events: [MarketEvent] = []
        for i in 0..<perVenue {
            for (venue, symbol) in venues {
                events.append(Events.trade(i, venue: venue, symbol: symbol))
            }
        }
        for (venue, _) in venues { events.append(.status(StatusEvent(venue: venue, state: .live, reason: "test"))) }
        return events
    }

    @Test("shard.venues split: every event of every venue arrives exactly once; each instance publishes only its own")
    func exactlyOnce() async throws {
        let server = NATSServerProcess(port: NATSServerProcess.freePort())
        try server.start()
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        let a = try MarketMuxConfiguration.parse(yaml: Self.yaml(url: server.url, shard: ["binance", "coinbase", "kraken"]), file: "host-a.yaml")
        let b = try MarketMuxConfiguration.parse(yaml: Self.yaml(url: server.url, shard: ["okx", "bybit", "deribit"]), file: "host-b.yaml")
        // The shards are disjoint and cover every configured venue.
        let shardA = Set(a.activeVenues.map(\.id)), shardB = Set(b.activeVenues.map(\.id))
        #expect(shardA.isDisjoint(with: shardB) && shardA.union(shardB) == Set(Self.venues.map(\.0)))

        let consumer = NATSConnection(configuration: try clientConfiguration([server.url], name: "consumer"), eventLoop: group.next())
        consumer.start()
        try await consumer.waitUntilConnected().get()
        let md = try await collect(consumer, "mm.md.>")
        let status = try await collect(consumer, "mm.status.>")
        try await consumer.flush().get()

        var instances: [(NATSConnection, NATSPublisher)] = []
        for configuration in [a, b] {
            let settings = try #require(configuration.nats)
            let connection = NATSConnection(configuration: try settings.clientConfiguration(environment: [:]), eventLoop: group.next())
            let publisher = NATSPublisher(connection: connection,
                                          configuration: try settings.publisherConfiguration(shardVenues: configuration.shardVenues))
            publisher.start()
            connection.start()
            try await connection.waitUntilConnected().get()
            instances.append((connection, publisher))
        }
        let perVenue = 500
        let events = Self.events(perVenue: perVenue)
        // Both instances publish concurrently, in batches, as pools do.
        await withTaskGroup(of: Void.self) { tasks in
            for (_, publisher) in instances {
                tasks.addTask {
                    for start in stride(from: 0, to: events.count, by: 64) {
                        publisher.publish(Array(events[start..<min(start + 64, events.count)]))
                    }
                }
            }
        }
        for (connection, _) in instances { try await connection.flush().get() }
        let expectedMD = Self.venues.count * perVenue
        try await waitFor("\(expectedMD) events", timeout: .seconds(20), on: consumer.eventLoop) {
            md.messages.count >= expectedMD && status.messages.count >= Self.venues.count
        }
        try await consumer.flush().get()
        try await Task.sleep(nanoseconds: 200_000_000)   // a duplicate would have arrived by now
        let (received, statuses) = try await consumer.eventLoop.submit { (md.messages, status.messages) }.get()
        #expect(received.count == expectedMD && statuses.count == Self.venues.count)
        // Exactly the published set, each once, with the right subject.
        let expected = events.compactMap { event -> String? in
            guard case .trade = event else { return nil }
            return "mm.md.\(event.venue).trades.\(event.symbol?.description ?? "") \(Events.payload(event))"
        }
        let got = received.map { "\($0.subject) \($0.payload)" }
        #expect(Set(got).count == got.count, "duplicates")
        #expect(Set(got) == Set(expected))
        #expect(Set(statuses.map(\.subject)) == Set(Self.venues.map { "mm.status.\($0.0)" }))
        // Order is kept per venue (one instance publishes each).
        for (venue, _) in Self.venues {
            let ids = received.filter { $0.subject.hasPrefix("mm.md.\(venue).") }.map { $0.payload.components(separatedBy: #""trade_id":""#)[1].prefix { $0 != "\"" } }
            #expect(ids == (0..<perVenue).map { Substring(String($0)) }, "\(venue) out of order")
        }
        for (index, (_, publisher)) in instances.enumerated() {
            let stats = try await publisher.statistics().get()
            #expect(stats.publishedEvents == UInt64(3 * perVenue + 3), "instance \(index)")
            #expect(stats.skippedOtherShard == UInt64(3 * perVenue + 3), "instance \(index)")
        }
        for (connection, _) in instances { _ = try await connection.close().get() }
        _ = try await consumer.close().get()
        try await group.shutdownGracefully()
    }
}
