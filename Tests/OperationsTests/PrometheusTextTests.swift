import Operations
import SessionPool
import Testing

@Suite("Prometheus text exposition")
struct PrometheusTextTests {
    @Test("HELP/TYPE lines, label escaping, histogram buckets with +Inf, sum and count: byte for byte")
    func exact() {
        let text = PrometheusText.render([
            .init(name: "demo_total", help: "A counter.\nSecond line with a \\ backslash.", kind: .counter, samples: [
                .init([("venue", "bin\"ance"), ("path", "C:\\x\ny")], 42),
                .init([], 1.5),
            ]),
            .init(name: "demo_gauge", help: "A gauge.", kind: .gauge, samples: [.init([], -3), .init([("k", "v")], .infinity)]),
            .init(name: "demo_latency_microseconds", help: "A histogram.", histograms: [
                .init([("venue", "okx")], bounds: [10, 100], cumulativeCounts: [1, 3, 4], sum: 1234.5),
            ]),
        ])
        #expect(text == """
            # HELP demo_total A counter.\\nSecond line with a \\\\ backslash.
            # TYPE demo_total counter
            demo_total{venue="bin\\"ance",path="C:\\\\x\\ny"} 42
            demo_total 1.5
            # HELP demo_gauge A gauge.
            # TYPE demo_gauge gauge
            demo_gauge -3
            demo_gauge{k="v"} +Inf
            # HELP demo_latency_microseconds A histogram.
            # TYPE demo_latency_microseconds histogram
            demo_latency_microseconds_bucket{venue="okx",le="10"} 1
            demo_latency_microseconds_bucket{venue="okx",le="100"} 3
            demo_latency_microseconds_bucket{venue="okx",le="+Inf"} 4
            demo_latency_microseconds_sum{venue="okx"} 1234.5
            demo_latency_microseconds_count{venue="okx"} 4

            """)
    }

    @Test("numbers")
    func numbers() {
        #expect(PrometheusText.format(0) == "0")
        #expect(PrometheusText.format(1e20) == "1e+20")
        #expect(PrometheusText.format(.nan) == "NaN")
        #expect(PrometheusText.format(-.infinity) == "-Inf")
        #expect(PrometheusText.format(0.25) == "0.25")
    }

    @Test("latency histogram: fixed µs buckets, cumulative, quantile bounds")
    func histogram() {
        var histogram = LatencyHistogram()
        #expect(histogram.upperBoundMicroseconds(forQuantile: 0.5) == nil)
        for nanoseconds: Int64 in [-5, 10_000, 10_001, 2_000_000_000, 99_000] { histogram.record(nanoseconds: nanoseconds) }
        #expect(histogram.count == 5)
        #expect(histogram.sumNanoseconds == 10_000 + 10_001 + 2_000_000_000 + 99_000)
        #expect(histogram.cumulativeCounts == [2, 3, 3, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 5])
        #expect(histogram.upperBoundMicroseconds(forQuantile: 0.5) == 25)
        #expect(histogram.upperBoundMicroseconds(forQuantile: 0.8) == 100)
        #expect(histogram.upperBoundMicroseconds(forQuantile: 1) == nil)  // above every bound
        var merged = LatencyHistogram()
        merged.merge(histogram)
        merged.merge(histogram)
        #expect(merged.count == 10 && merged.cumulativeCounts.last == 10)
    }

    @Test("/metrics from a snapshot: the pipeline's counters under their names")
    func exporter() {
        let text = MetricsExporter.render(Fixtures.snapshot())
        let lines = Set(text.split(separator: "\n").map(String.init))
        for expected in [
            "# TYPE marketmux_venue_messages_total counter",
            "marketmux_venue_messages_total{venue=\"binance\"} 1200",
            "marketmux_venue_bytes_total{venue=\"binance\"} 345678",
            "marketmux_venue_reconnects_total{venue=\"binance\"} 1",
            "marketmux_venue_stale_events_total{venue=\"binance\"} 5",
            "marketmux_venue_resyncs_total{venue=\"binance\"} 6",
            "marketmux_venue_open_sockets{venue=\"binance\"} 2",
            "marketmux_venue_book_age_seconds{venue=\"binance\"} 0.003",
            "marketmux_venue_last_trade_timestamp_seconds{venue=\"binance\"} 1700000009.96",
            "marketmux_venue_streams{venue=\"binance\",state=\"live\"} 2",
            "marketmux_venue_streams{venue=\"binance\",state=\"resyncing\"} 1",
            "marketmux_connection_throttle_queue{venue=\"binance\",connection=\"1\"} 3",
            "# TYPE marketmux_pipeline_latency_microseconds histogram",
            "marketmux_pipeline_latency_microseconds_bucket{venue=\"binance\",le=\"10\"} 1",
            "marketmux_pipeline_latency_microseconds_bucket{venue=\"binance\",le=\"50\"} 3",
            "marketmux_pipeline_latency_microseconds_bucket{venue=\"binance\",le=\"100\"} 4",
            "marketmux_pipeline_latency_microseconds_bucket{venue=\"binance\",le=\"2500\"} 5",
            "marketmux_pipeline_latency_microseconds_bucket{venue=\"binance\",le=\"+Inf\"} 5",
            "marketmux_pipeline_latency_microseconds_sum{venue=\"binance\"} 2145",
            "marketmux_pipeline_latency_microseconds_count{venue=\"binance\"} 5",
            "marketmux_uptime_seconds 12.5",
        ] {
            #expect(lines.contains(expected), "missing: \(expected)")
        }
        // Every family has exactly one HELP and one TYPE, and every sample line belongs to the family above it.
        var family = ""
        for line in text.split(separator: "\n") {
            if line.hasPrefix("# HELP ") { family = String(line.split(separator: " ")[2]); continue }
            if line.hasPrefix("# TYPE ") { #expect(line.split(separator: " ")[2] == family); continue }
            #expect(line.hasPrefix(family), "\(line) outside its family \(family)")
        }
    }
}
