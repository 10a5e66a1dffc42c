/// The self-contained status page served at `/`: no external scripts, styles or fonts (it must
/// work on an air-gapped trading host). It polls `/status` once a second and draws the demo's
/// table: per venue state, msgs/s, connections, reconnects, book age, last trade, latency, then
/// the connections and the streams that are not live.
public enum StatusPage {
    /// The HTML document.
    public static let html = #"""
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>MarketMux status</title>
<style>
 body { font: 14px/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; margin: 1.5em; background: #fafafa; color: #222; }
 h1 { font-size: 1.2em; margin: 0 0 .3em; } h2 { font-size: 1em; margin: 1.4em 0 .4em; }
 table { border-collapse: collapse; } th, td { padding: .2em .8em; text-align: left; border-bottom: 1px solid #ddd; }
 th { background: #eee; } td.n { text-align: right; }
 .live { color: #17803d; } .stale, .resyncing { color: #b26b00; } .disconnected, .connecting, .backoff { color: #c0262d; }
 #meta { color: #666; } #error { color: #c0262d; }
</style>
</head>
<body>
<h1>MarketMux</h1>
<div id="meta">loading…</div><div id="error"></div>
<h2>Venues</h2>
<table><thead><tr><th>venue</th><th>state</th><th>streams</th><th>msgs/s</th><th>conns</th><th>reconnects</th><th>stale</th><th>resyncs</th><th>book age</th><th>latency p50/p99 µs</th><th>last trade</th></tr></thead><tbody id="venues"></tbody></table>
<h2>Connections</h2>
<table><thead><tr><th>venue</th><th>id</th><th>phase</th><th>url</th><th>streams</th><th>msgs/s</th><th>throttle queue</th></tr></thead><tbody id="connections"></tbody></table>
<h2>Streams not live</h2>
<table><thead><tr><th>venue</th><th>symbol</th><th>channel</th><th>state</th><th>reason</th><th>for</th></tr></thead><tbody id="streams"></tbody></table>
<h2>Subscribers</h2>
<div id="fanout"></div>
<script>
"use strict";
function esc(v) { return String(v === null || v === undefined ? "-" : v).replace(/[&<>"']/g, c => "&#" + c.charCodeAt(0) + ";"); }
function cell(v, cls) { return "<td" + (cls ? " class=\"" + cls + "\"" : "") + ">" + esc(v) + "</td>"; }
function age(ms) { return ms === null || ms === undefined ? "-" : ms < 1000 ? ms + "ms" : (ms / 1000).toFixed(1) + "s"; }
function render(s) {
  document.getElementById("meta").textContent = "up " + Math.round(s.uptime_seconds) + " s, " + new Date(s.time_ns / 1e6).toISOString();
  let v = "", c = "", st = "";
  for (const venue of s.venues) {
    const counts = Object.entries(venue.streams_by_state).filter(e => e[1] > 0).map(e => e[0] + " " + e[1]).join(", ");
    const t = venue.last_trade;
    const trade = t ? t.symbol + " " + t.price + " x " + t.size + (t.side ? " " + t.side : "") + " (" + age(t.age_ms) + " ago)" : "-";
    v += "<tr>" + cell(venue.venue) + cell(venue.state, venue.state) + cell(counts || "-") + cell(venue.msgs_per_sec, "n")
      + cell(venue.open_sockets, "n") + cell(venue.reconnects, "n") + cell(venue.stale_events, "n") + cell(venue.resyncs, "n")
      + cell(age(venue.book_age_ms), "n") + cell((venue.latency_us.p50_le ?? "-") + " / " + (venue.latency_us.p99_le ?? "-"), "n")
      + cell(trade) + "</tr>";
    for (const conn of venue.connections) {
      c += "<tr>" + cell(venue.venue) + cell(conn.id, "n") + cell(conn.phase + (conn.rotating ? " (rotating)" : ""), conn.phase)
        + cell(conn.url) + cell(conn.subscriptions, "n") + cell(conn.msgs_per_sec, "n") + cell(conn.throttle_queue, "n") + "</tr>";
    }
    for (const stream of venue.streams) {
      if (stream.state === "live") continue;
      st += "<tr>" + cell(venue.venue) + cell(stream.symbol) + cell(stream.channel) + cell(stream.state, stream.state)
        + cell(stream.reason) + cell(age(Math.round((s.time_ns - stream.since_ns) / 1e6))) + "</tr>";
    }
  }
  document.getElementById("venues").innerHTML = v;
  document.getElementById("connections").innerHTML = c;
  document.getElementById("streams").innerHTML = st || "<tr><td colspan=6>every stream is live</td></tr>";
  const f = s.fanout;
  document.getElementById("fanout").textContent = f ? f.subscribers + " connected, " + f.lagging + " lagging, " + f.queued_events
    + " events queued (deepest " + f.max_queue_depth + "), " + f.conflated_updates + " book lines conflated, "
    + f.overflow_disconnects + " overflow disconnects" : "no local socket";
}
async function poll() {
  try {
    const response = await fetch("status", { cache: "no-store" });
    if (!response.ok) throw new Error("HTTP " + response.status);
    render(await response.json());
    document.getElementById("error").textContent = "";
  } catch (e) {
    document.getElementById("error").textContent = "cannot reach /status: " + e.message;
  }
  setTimeout(poll, 1000);
}
poll();
</script>
</body>
</html>
"""#
}
