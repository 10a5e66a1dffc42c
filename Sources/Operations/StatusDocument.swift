import MarketModel
import SessionPool

/// The `/status` JSON (the same view as the demo's screen, for scripts and the status page):
///
/// ```json
/// {"time_ns":…,"uptime_seconds":12.5,
///  "venues":[{"venue":"binance","name":"Binance Spot","state":"live","streams_by_state":{"live":6,…},
///             "msgs_per_sec":812.4,"messages":…,"bytes":…,"connections_opened":1,"reconnects":0,"open_sockets":1,
///             "stale_events":0,"resyncs":0,"parse_errors":0,"rest_snapshots":2,
///             "last_trade":{"symbol":"BTC-USDT","price":"50000.1","size":"0.01","side":"buy","ts_recv":…,"age_ms":40},
///             "book_age_ms":3,"latency_us":{"count":…,"p50_le":50,"p99_le":250},
///             "connections":[{"id":0,"phase":"live","rotating":false,"url":"wss://…","subscriptions":6,
///                             "messages":…,"msgs_per_sec":812.4,"throttle_queue":0}],
///             "streams":[{"symbol":"BTC-USDT","channel":"book","state":"live","reason":"","since_ns":…}]}],
///  "fanout":{"subscribers":1,"lagging":0,"queued_events":0,"queued_bytes":0,"max_queue_depth":0,
///            "events_published":…,"conflated_updates":0,"overflow_disconnects":0}}
/// ```
///
/// Prices and sizes stay exact decimal strings; latencies are bucket upper bounds (`p99_le`:
/// 99 % of batches took at most this many µs), `null` when nothing was measured yet.
public enum StatusDocument {
    /// The document for `snapshot`.
    public static func render(_ snapshot: OperationsSnapshot) -> String {
        var json = JSONWriter()
        json.beginObject()
        json.integer("time_ns", snapshot.time)
        json.number("uptime_seconds", Double(max(0, snapshot.time - snapshot.startedAt)) / 1e9)
        json.beginArray("venues")
        for venue in snapshot.venues { write(venue, snapshot: snapshot, into: &json) }
        json.endArray()
        if let fanout = snapshot.fanout {
            json.beginObject("fanout")
            json.integer("subscribers", fanout.subscribers.count)
            json.integer("lagging", fanout.subscribers.filter(\.isLagging).count)
            json.integer("queued_events", fanout.subscribers.reduce(0) { $0 + $1.queuedEvents })
            json.integer("queued_bytes", fanout.subscribers.reduce(0) { $0 + $1.queuedBytes })
            json.integer("max_queue_depth", fanout.subscribers.map(\.queuedEvents).max() ?? 0)
            json.integer("events_published", fanout.totals.eventsPublished)
            json.integer("conflated_updates", fanout.conflatedUpdates)
            json.integer("overflow_disconnects", fanout.totals.overflowDisconnects)
            json.endObject()
        } else {
            json.string("fanout", nil)
        }
        json.endObject()
        return json.text + "\n"
    }

    private static func write(_ venue: VenueSessionStatus, snapshot: OperationsSnapshot, into json: inout JSONWriter) {
        let counters = venue.counters
        json.beginObject()
        json.string("venue", venue.venue.rawValue)
        json.string("name", venue.displayName)
        json.string("state", venue.overallState.rawValue)
        json.beginObject("streams_by_state")
        let counts = venue.streamCounts
        for state in StreamState.allCases { json.integer(state.rawValue, counts[state, default: 0]) }
        json.endObject()
        json.number("msgs_per_sec", snapshot.venueRates[venue.venue] ?? 0)
        json.integer("messages", counters.messages)
        json.integer("bytes", counters.bytes)
        json.integer("connections_opened", counters.opens)
        json.integer("reconnects", counters.reconnects)
        json.integer("open_sockets", counters.openSockets)
        json.integer("stale_events", counters.staleEvents)
        json.integer("resyncs", counters.resyncs)
        json.integer("parse_errors", counters.parseErrors)
        json.integer("rest_snapshots", counters.snapshots)
        if let trade = counters.lastTrade {
            json.beginObject("last_trade")
            json.string("symbol", trade.symbol.rawValue)
            json.string("price", trade.price.description)
            json.string("size", trade.size.description)
            json.string("side", trade.side?.rawValue)
            json.integer("ts_recv", trade.tsRecv)
            json.integer("age_ms", max(0, snapshot.time - trade.tsRecv) / 1_000_000)
            json.endObject()
        } else {
            json.string("last_trade", nil)
        }
        json.integer("book_age_ms", counters.lastBookUpdate.map { max(0, snapshot.time - $0) / 1_000_000 })
        json.beginObject("latency_us")
        json.integer("count", counters.latency.count)
        json.integer("p50_le", counters.latency.upperBoundMicroseconds(forQuantile: 0.5))
        json.integer("p99_le", counters.latency.upperBoundMicroseconds(forQuantile: 0.99))
        json.endObject()
        json.beginArray("connections")
        for connection in venue.connections {
            json.beginObject()
            json.integer("id", connection.id)
            json.string("phase", connection.phase.name)
            json.bool("rotating", connection.isRotating)
            json.string("url", connection.url)
            json.integer("subscriptions", connection.subscriptions)
            json.integer("messages", connection.messages)
            json.number("msgs_per_sec", snapshot.connectionRates[OperationsSnapshot.connectionKey(venue: venue.venue, id: connection.id)] ?? 0)
            json.integer("throttle_queue", connection.throttleQueue)
            json.endObject()
        }
        json.endArray()
        json.beginArray("streams")
        for stream in venue.streams {
            json.beginObject()
            json.string("symbol", stream.symbol?.rawValue)
            json.string("channel", stream.channel?.rawValue)
            json.string("state", stream.state.rawValue)
            json.string("reason", stream.reason)
            json.integer("since_ns", stream.since)
            json.endObject()
        }
        json.endArray()
        json.endObject()
    }
}
