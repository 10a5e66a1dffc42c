import Fanout
import MarketModel
import SessionPool

/// The `/metrics` families, from an ``OperationsSnapshot``. Names follow Prometheus practice
/// (`marketmux_` prefix, `_total` counters, base units in the name); one `venue` label per venue
/// series, `connection` for per-connection gauges. Fan-out series are hub-wide: per-subscriber
/// labels would let a burst of short-lived clients blow up the series count.
public enum MetricsExporter {
    /// The families in exposition order.
    public static func families(_ snapshot: OperationsSnapshot) -> [PrometheusText.Family] {
        typealias Family = PrometheusText.Family
        typealias Sample = PrometheusText.Sample
        var families: [Family] = []
        let venues = snapshot.venues

        func perVenue(_ name: String, _ help: String, _ kind: Family.Kind, _ value: (VenueSessionStatus) -> Double?) {
            let samples = venues.compactMap { venue in value(venue).map { Sample([("venue", venue.venue.rawValue)], $0) } }
            families.append(Family(name: name, help: help, kind: kind, samples: samples))
        }

        families.append(Family(name: "marketmux_uptime_seconds", help: "Seconds since the process started serving.", kind: .gauge,
                               samples: [Sample([], Double(max(0, snapshot.time - snapshot.startedAt)) / 1e9)]))
        perVenue("marketmux_venue_messages_total", "WebSocket messages received from the venue.", .counter) { Double($0.counters.messages) }
        perVenue("marketmux_venue_bytes_total", "WebSocket payload bytes received from the venue.", .counter) { Double($0.counters.bytes) }
        perVenue("marketmux_venue_connections_opened_total", "Venue connections opened (first opens, reconnects and rotations).", .counter) {
            Double($0.counters.opens)
        }
        perVenue("marketmux_venue_reconnects_total", "Opens of a venue connection that had been open before.", .counter) {
            Double($0.counters.reconnects)
        }
        perVenue("marketmux_venue_connection_closes_total", "Venue connections closed or failed.", .counter) { Double($0.counters.closes) }
        perVenue("marketmux_venue_open_sockets", "Venue sockets open now.", .gauge) { Double($0.counters.openSockets) }
        perVenue("marketmux_venue_parse_errors_total", "Venue messages the adapter could not parse.", .counter) {
            Double($0.counters.parseErrors)
        }
        perVenue("marketmux_venue_rest_snapshots_total", "REST book snapshots fetched.", .counter) { Double($0.counters.snapshots) }
        perVenue("marketmux_venue_stale_events_total", "Streams that went stale (no data within their window).", .counter) {
            Double($0.counters.staleEvents)
        }
        perVenue("marketmux_venue_resyncs_total", "Book resyncs (sequence gap, checksum mismatch, crossed book).", .counter) {
            Double($0.counters.resyncs)
        }
        perVenue("marketmux_venue_last_trade_timestamp_seconds", "Receive time of the venue's last trade, Unix seconds.", .gauge) {
            $0.counters.lastTrade.map { Double($0.tsRecv) / 1e9 }
        }
        perVenue("marketmux_venue_book_age_seconds", "Seconds since the venue's last book update.", .gauge) {
            $0.counters.lastBookUpdate.map { Double(max(0, snapshot.time - $0)) / 1e9 }
        }

        var streamSamples: [Sample] = []
        for venue in venues {
            let counts = venue.streamCounts
            for state in StreamState.allCases {
                streamSamples.append(Sample([("venue", venue.venue.rawValue), ("state", state.rawValue)], Double(counts[state, default: 0])))
            }
        }
        families.append(Family(name: "marketmux_venue_streams", help: "Streams (symbol x channel) per published state.",
                               kind: .gauge, samples: streamSamples))

        var throttle: [Sample] = []
        for venue in venues {
            for connection in venue.connections {
                throttle.append(Sample([("venue", venue.venue.rawValue), ("connection", String(connection.id))],
                                       Double(connection.throttleQueue)))
            }
        }
        families.append(Family(name: "marketmux_connection_throttle_queue", help: "Frames waiting in a connection's outbound throttle.",
                               kind: .gauge, samples: throttle))

        let bounds = LatencyHistogram.boundsMicroseconds.map(Double.init)
        families.append(Family(
            name: "marketmux_pipeline_latency_microseconds",
            help: "Frame read (ts_recv) to hand-off to the fan-out, per published batch, in microseconds.",
            histograms: venues.map { venue in
                PrometheusText.Histogram([("venue", venue.venue.rawValue)], bounds: bounds,
                                         cumulativeCounts: venue.counters.latency.cumulativeCounts,
                                         sum: Double(venue.counters.latency.sumNanoseconds) / 1000)
            }))

        if let fanout = snapshot.fanout {
            let subscribers = fanout.subscribers
            families.append(Family(name: "marketmux_fanout_subscribers", help: "Subscriber connections on the local socket.",
                                   kind: .gauge, samples: [Sample([], Double(subscribers.count))]))
            families.append(Family(name: "marketmux_fanout_lagging_subscribers", help: "Subscribers past their queue's high-water mark.",
                                   kind: .gauge, samples: [Sample([], Double(subscribers.filter(\.isLagging).count))]))
            families.append(Family(name: "marketmux_fanout_queued_events", help: "Events queued for subscribers, summed.",
                                   kind: .gauge, samples: [Sample([], Double(subscribers.reduce(0) { $0 + $1.queuedEvents }))]))
            families.append(Family(name: "marketmux_fanout_queued_bytes", help: "Bytes queued for subscribers, summed.",
                                   kind: .gauge, samples: [Sample([], Double(subscribers.reduce(0) { $0 + $1.queuedBytes }))]))
            families.append(Family(name: "marketmux_fanout_max_queue_depth", help: "Deepest subscriber queue now, in events.",
                                   kind: .gauge, samples: [Sample([], Double(subscribers.map(\.queuedEvents).max() ?? 0))]))
            families.append(Family(name: "marketmux_fanout_events_published_total", help: "Events handed to the fan-out for routing.",
                                   kind: .counter, samples: [Sample([], Double(fanout.totals.eventsPublished))]))
            families.append(Family(name: "marketmux_fanout_conflated_updates_total",
                                   help: "Book lines dropped for slow subscribers (conflated; a snapshot follows).",
                                   kind: .counter, samples: [Sample([], Double(fanout.conflatedUpdates))]))
            families.append(Family(name: "marketmux_fanout_lag_episodes_total", help: "Times a subscriber started lagging.",
                                   kind: .counter, samples: [Sample([], Double(fanout.lagEpisodes))]))
            families.append(Family(name: "marketmux_fanout_overflow_disconnects_total",
                                   help: "Subscribers disconnected because their queue overflowed.",
                                   kind: .counter, samples: [Sample([], Double(fanout.totals.overflowDisconnects))]))
            families.append(Family(name: "marketmux_fanout_subscribers_accepted_total", help: "Subscriber connections accepted.",
                                   kind: .counter, samples: [Sample([], Double(fanout.totals.subscribersAccepted))]))
            families.append(Family(name: "marketmux_fanout_subscribers_refused_total",
                                   help: "Subscriber connections refused (limit reached or shutting down).",
                                   kind: .counter, samples: [Sample([], Double(fanout.totals.subscribersRefused))]))
        }
        if let nats = snapshot.nats { families += natsFamilies(nats) }
        return families
    }

    /// `marketmux_nats_*`: the NATS link (docs/scaling.md "Delivery policy"). Every publish is
    /// sent, dropped (market data, oldest first), rejected, or still pending.
    static func natsFamilies(_ nats: NATSLinkStatus) -> [PrometheusText.Family] {
        typealias Family = PrometheusText.Family
        typealias Sample = PrometheusText.Sample
        let c = nats.connection, p = nats.publisher
        func one(_ name: String, _ help: String, _ kind: Family.Kind, _ value: some BinaryInteger) -> Family {
            Family(name: name, help: help, kind: kind, samples: [Sample([], Double(value))])
        }
        var families = [
            one("marketmux_nats_connected", "1 while the NATS connection is up.", .gauge, nats.isConnected ? 1 : 0),
            one("marketmux_nats_messages_published_total", "Messages handed to the NATS client (events, loss reports, order replies and updates).",
                .counter, c.publishedMessages),
            one("marketmux_nats_messages_sent_total", "Messages written to a NATS socket.", .counter, c.sentMessages),
            one("marketmux_nats_messages_confirmed_total", "Sent messages a later PONG proved the server processed.", .counter,
                c.confirmedMessages),
            one("marketmux_nats_messages_dropped_total", "Market-data messages dropped by the bounded publish buffer (reported on status subjects).",
                .counter, c.droppedMessages),
            one("marketmux_nats_bytes_dropped_total", "Bytes dropped by the bounded publish buffer.", .counter, c.droppedBytes),
            one("marketmux_nats_messages_rejected_total", "Must-not-drop messages refused (buffer full of them, or above max_payload).",
                .counter, c.rejectedMessages),
            one("marketmux_nats_messages_unconfirmed_at_disconnect_total",
                "Messages written to a connection that died before confirming them (possibly lost).", .counter, c.unconfirmedAtDisconnect),
            one("marketmux_nats_pending_messages", "Messages waiting in the publish buffer.", .gauge, c.pendingMessages),
            one("marketmux_nats_pending_bytes", "Bytes waiting in the publish buffer.", .gauge, c.pendingBytes),
            one("marketmux_nats_pending_bytes_high_water", "Most bytes ever waiting in the publish buffer.", .gauge, c.pendingBytesHighWater),
            one("marketmux_nats_connects_total", "Completed NATS handshakes (the first connection counts).", .counter, c.connects),
            one("marketmux_nats_reconnects_total", "NATS handshakes after the first.", .counter, max(0, Int64(c.connects) - 1)),
            one("marketmux_nats_disconnects_total", "NATS connections lost or refused.", .counter, c.disconnects),
            one("marketmux_nats_server_errors_total", "-ERR lines from the NATS server.", .counter, c.serverErrors),
            one("marketmux_nats_events_published_total", "Normalized events published (this instance's shard).", .counter, p.publishedEvents),
            one("marketmux_nats_events_skipped_other_shard_total", "Events of venues outside shard.venues, not published.", .counter,
                p.skippedOtherShard),
            one("marketmux_nats_loss_reports_total", "Status events sent to report dropped or possibly lost events.", .counter, p.lossReports),
        ]
        if p.isStreamReady || p.acks > 0 || p.ackFailures > 0 || p.streamError != nil {
            families.append(one("marketmux_nats_jetstream_acks_total", "JetStream publish acks received.", .counter, p.acks))
            families.append(one("marketmux_nats_jetstream_ack_failures_total", "JetStream negative or timed-out acks.", .counter, p.ackFailures))
            families.append(one("marketmux_nats_jetstream_outstanding_acks", "JetStream acks awaited now.", .gauge, p.outstandingAcks))
        }
        return families
    }

    /// The whole `/metrics` body.
    public static func render(_ snapshot: OperationsSnapshot) -> String {
        PrometheusText.render(families(snapshot))
    }
}
