import Replay
import Testing

/// The round-robin order of a venue's recorded connections: as recorded, or (the demo) with
/// recordings that carry trades on every other connection.
@Suite("VenueProfile segment order")
struct SegmentOrderTests {
    /// A scenario with `connections` recorded connections; those in `tradeConnections` carry a trade frame.
    static func scenario(_ name: String, channels: [String], connections: Int = 1, tradeConnections: Set<Int> = []) throws -> FixtureScenario {
        var lines = [#"{"t":0,"ev":"config","symbols":["BTC-USDT"],"channels":[\#(channels.map { "\"\($0)\"" }.joined(separator: ","))]}"#]
        for conn in 1...connections {
            lines.append(#"{"t":\#(conn * 10),"ev":"connect","conn":\#(conn),"url":"wss://example.test/ws"}"#)
            let text = tradeConnections.contains(conn) ? #"{\"channel\":\"trade\",\"data\":[]}"# : "{}"
            lines.append(#"{"t":\#(conn * 10 + 1),"ev":"recv","conn":\#(conn),"text":"\#(text)"}"#)
            lines.append(#"{"t":\#(conn * 10 + 2),"ev":"disconnect","conn":\#(conn),"code":1006,"reason":"reset"}"#)
        }
        let session = try FixtureSession(text: lines.joined(separator: "\n") + "\n", file: "\(name)/session.jsonl")
        return FixtureScenario(venue: "v", name: name, directory: "", session: session)
    }

    static func scenarios() throws -> [FixtureScenario] {
        [try scenario("book", channels: ["book"]), try scenario("gap", channels: ["book"]),
         try scenario("reconnect", channels: ["trades", "book"], connections: 3, tradeConnections: [1, 3]),
         try scenario("resync", channels: ["book"]), try scenario("trades", channels: ["trades"], tradeConnections: [1])]
    }

    @Test("recorded: scenario by scenario, each scenario's connections in order")
    func recorded() throws {
        let profile = VenueProfile(id: "v", scenarios: try Self.scenarios())
        #expect(profile.segments.map(\.description) == ["v/book#1", "v/gap#1", "v/reconnect#1", "v/reconnect#2", "v/reconnect#3",
                                                         "v/resync#1", "v/trades#1"])
    }

    @Test("trades interleaved: a recording with trade frames on every other connection, the shorter list cycled")
    func interleaved() throws {
        let profile = VenueProfile(id: "v", scenarios: try Self.scenarios(), order: .tradesInterleaved)
        // reconnect#2 subscribed to trades but got none: it counts with the trade-less ones.
        #expect(profile.segments.map(\.description) == ["v/reconnect#1", "v/book#1", "v/reconnect#3", "v/gap#1", "v/trades#1", "v/reconnect#2",
                                                         "v/reconnect#1", "v/resync#1"])
        let tradeless = VenueProfile(id: "v", scenarios: [try Self.scenario("book", channels: ["book"])], order: .tradesInterleaved)
        #expect(tradeless.segments.map(\.description) == ["v/book#1"], "nothing to interleave: as recorded")
    }
}
