/// What one simulated connection plays: one recorded connection (`conn`) of one scenario, from its
/// `connect` to its `disconnect` (or the end of the session), as steps in recorded order.
///
/// Consecutive `send` lines with no `recv` between them become one `awaitClient` step: the client
/// may batch or split its subscribe frames, and one client message is enough to move on. Recorded
/// application heartbeats (`FrameInspector.isClientHeartbeat`) are left out: they never open a gate.
public struct ReplaySegment: Sendable, Equatable, CustomStringConvertible {
    /// One step of the script.
    public enum Step: Sendable, Equatable {
        /// Wait until the client sends a message (the recorded `send` texts, for diagnostics).
        case awaitClient(t: Int64, texts: [String])
        /// Send a recorded frame at its time.
        case frame(ReplayFrame)
        /// End the connection as recorded: code 1006 or none drops TCP, any other sends a close frame.
        case disconnect(t: Int64, code: Int?, reason: String?)
    }

    /// Venue id.
    public let venue: String
    /// Scenario name.
    public let scenario: String
    /// The recorded connection id.
    public let conn: Int
    /// The URL the recording connected to.
    public let url: String
    /// `t` of the `connect` line: the segment's time zero.
    public let startT: Int64
    /// The script.
    public let steps: [Step]
    /// REST exchanges recorded while this connection was the newest one (between its `connect` and
    /// the next `connect`): the snapshots that match its deltas.
    public let rest: [FixtureREST]

    /// Creates a segment.
    public init(venue: String, scenario: String, conn: Int, url: String, startT: Int64, steps: [Step], rest: [FixtureREST]) {
        self.venue = venue
        self.scenario = scenario
        self.conn = conn
        self.url = url
        self.startT = startT
        self.steps = steps
        self.rest = rest
    }

    /// `venue/scenario#conn`.
    public var description: String { "\(venue)/\(scenario)#\(conn)" }

    /// The recorded frames, in order (what a client sees without faults).
    public var frames: [ReplayFrame] {
        steps.compactMap { if case .frame(let frame) = $0 { frame } else { nil } }
    }

    /// One segment per recorded connection, in `connect` order.
    public static func segments(of scenario: FixtureScenario) -> [ReplaySegment] {
        let lines = scenario.session.lines
        var segments: [ReplaySegment] = []
        for (index, line) in lines.enumerated() {
            guard case .connect(let conn, let url) = line.event else { continue }
            var steps: [Step] = []
            var rest: [FixtureREST] = []
            var isNewest = true
            for later in lines[(index + 1)...] {
                switch later.event {
                case .connect:
                    isNewest = false
                case .rest(let exchange):
                    if isNewest { rest.append(exchange) }
                case .send(let c, let text) where c == conn:
                    // A recorded heartbeat (Deribit `public/test` after a `test_request`) is no gate:
                    // heartbeats never open one (`SessionPlayer.clientDidSend`), so the replay would
                    // wait for ever there. Its recorded answer plays on time instead.
                    if FrameInspector.isClientHeartbeat(Array(text.utf8)) { continue }
                    if case .awaitClient(let t, let texts)? = steps.last {
                        steps[steps.count - 1] = .awaitClient(t: t, texts: texts + [text])
                    } else {
                        steps.append(.awaitClient(t: later.t, texts: [text]))
                    }
                case .recv(let c, let payload, let isBinary) where c == conn:
                    steps.append(.frame(ReplayFrame(payload: payload, isBinary: isBinary, t: later.t)))
                case .disconnect(let c, let code, let reason) where c == conn:
                    steps.append(.disconnect(t: later.t, code: code, reason: reason))
                default:
                    break
                }
                if case .disconnect? = steps.last { break }
            }
            segments.append(ReplaySegment(venue: scenario.venue, scenario: scenario.name, conn: conn, url: url,
                                          startT: line.t, steps: steps, rest: rest))
        }
        return segments
    }
}
