import NATS
import Operations
import Testing

/// `marketmux_nats_*` on /metrics: the NATS link's delivery accounting (docs/scaling.md).
@Suite("NATS metrics")
struct NATSMetricsTests {
    @Test("published, dropped, reconnects, pending bytes and JetStream acks, from the link's counters")
    func families() {
        var connection = NATSStatistics()
        connection.publishedMessages = 12_000
        connection.sentMessages = 11_000
        connection.confirmedMessages = 10_990
        connection.droppedMessages = 720
        connection.droppedBytes = 144_000
        connection.pendingMessages = 280
        connection.pendingBytes = 56_000
        connection.pendingBytesHighWater = 8 << 20
        connection.connects = 3
        connection.disconnects = 2
        var publisher = NATSPublisherStatistics()
        publisher.publishedEvents = 11_990
        publisher.skippedOtherShard = 42
        publisher.lossReports = 2
        var snapshot = Fixtures.snapshot()
        snapshot.nats = NATSLinkStatus(connection: connection, publisher: publisher, isConnected: true)
        let text = MetricsExporter.render(snapshot)
        for line in [
            "marketmux_nats_connected 1",
            "marketmux_nats_messages_published_total 12000",
            "marketmux_nats_messages_sent_total 11000",
            "marketmux_nats_messages_dropped_total 720",
            "marketmux_nats_bytes_dropped_total 144000",
            "marketmux_nats_pending_messages 280",
            "marketmux_nats_pending_bytes 56000",
            "marketmux_nats_pending_bytes_high_water 8388608",
            "marketmux_nats_reconnects_total 2",
            "marketmux_nats_disconnects_total 2",
            "marketmux_nats_events_published_total 11990",
            "marketmux_nats_events_skipped_other_shard_total 42",
            "marketmux_nats_loss_reports_total 2",
            "# TYPE marketmux_nats_reconnects_total counter",
            "# TYPE marketmux_nats_pending_bytes gauge",
        ] {
            #expect(text.contains("\n" + line + "\n"), "missing: \(line)")
        }
        #expect(!text.contains("jetstream"))   // JetStream off: no empty ack series
        publisher.isStreamReady = true
        publisher.acks = 11_990
        snapshot.nats = NATSLinkStatus(connection: connection, publisher: publisher, isConnected: false)
        let withStream = MetricsExporter.render(snapshot)
        #expect(withStream.contains("\nmarketmux_nats_jetstream_acks_total 11990\n") && withStream.contains("\nmarketmux_nats_connected 0\n"))
        #expect(!MetricsExporter.render(Fixtures.snapshot()).contains("marketmux_nats_"))
    }
}
