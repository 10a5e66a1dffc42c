import Fanout
import Foundation
import MarketModel
import NIOPosix
import Operations
import Testing

@Suite("/status JSON")
struct StatusDocumentTests {
    @Test("the document's shape and values")
    func shape() throws {
        let text = StatusDocument.render(Fixtures.snapshot())
        let root = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(Set(root.keys) == ["time_ns", "uptime_seconds", "venues", "fanout"])
        #expect(root["uptime_seconds"] as? Double == 12.5)
        #expect(root["fanout"] is NSNull)
        let venues = try #require(root["venues"] as? [[String: Any]])
        let venue = try #require(venues.first)
        #expect(Set(venue.keys) == ["venue", "name", "state", "streams_by_state", "msgs_per_sec", "messages", "bytes",
                                    "connections_opened", "reconnects", "open_sockets", "stale_events", "resyncs",
                                    "parse_errors", "rest_snapshots", "last_trade", "book_age_ms", "latency_us",
                                    "connections", "streams"])
        #expect(venue["venue"] as? String == "binance")
        #expect(venue["state"] as? String == "resyncing")  // the most severe stream state
        #expect(venue["msgs_per_sec"] as? Double == 812.4)
        #expect(venue["book_age_ms"] as? Int == 3)
        #expect(venue["streams_by_state"] as? [String: Int] == ["connecting": 0, "live": 2, "stale": 0, "resyncing": 1, "disconnected": 0])
        let trade = try #require(venue["last_trade"] as? [String: Any])
        #expect(trade["price"] as? String == "50000.10")  // exact decimal text, never a float
        #expect(trade["age_ms"] as? Int == 40)
        #expect(venue["latency_us"] as? [String: Int] == ["count": 5, "p50_le": 50, "p99_le": 2500])
        let connections = try #require(venue["connections"] as? [[String: Any]])
        #expect(connections.map { $0["phase"] as? String } == ["live", "backoff"])
        #expect(connections[1]["throttle_queue"] as? Int == 3)
        #expect(connections[1]["msgs_per_sec"] as? Double == 112.4)
        let streams = try #require(venue["streams"] as? [[String: Any]])
        #expect(streams[2]["reason"] as? String == "gap: expected 101 got 103")
    }

    @Test("keys in a stable order, strings escaped")
    func exactPrefix() {
        var snapshot = Fixtures.snapshot()
        snapshot.venues[0].displayName = "Quote \" and \\ and \n"
        let text = StatusDocument.render(snapshot)
        #expect(text.hasPrefix("{\"time_ns\":1700000010000000000,\"uptime_seconds\":12.5,\"venues\":[{\"venue\":\"binance\","
            + "\"name\":\"Quote \\\" and \\\\ and \\n\",\"state\":\"resyncing\",\"streams_by_state\":{\"connecting\":0,\"live\":2,"))
    }

    @Test("fan-out section from a real hub")
    func fanout() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let hub = FanoutHub(catalog: Catalog(), eventLoop: group.next())
        hub.publish(.status(StatusEvent(venue: .binance, state: .live)))
        var snapshot = Fixtures.snapshot()
        snapshot.fanout = try await hub.statistics().get()
        let root = try #require(try JSONSerialization.jsonObject(with: Data(StatusDocument.render(snapshot).utf8)) as? [String: Any])
        #expect(root["fanout"] as? [String: Int] == ["subscribers": 0, "lagging": 0, "queued_events": 0, "queued_bytes": 0,
                                                     "max_queue_depth": 0, "events_published": 1, "conflated_updates": 0,
                                                     "overflow_disconnects": 0])
        let metrics = MetricsExporter.render(snapshot)
        #expect(metrics.contains("\nmarketmux_fanout_events_published_total 1\n"))
        #expect(metrics.contains("\nmarketmux_fanout_subscribers 0\n"))
        try await group.shutdownGracefully()
    }
}
