/// Everything the simulated venue server needs, with defaults for a loopback demo.
public struct SimulatorConfiguration: Sendable {
    /// Which scenarios each venue replays.
    public enum ScenarioSelection: Sendable, Equatable {
        /// Every scenario of the venue, in name order, one recorded connection after another.
        case all
        /// Only these scenario names (venues without any of them are not served).
        case named([String])
    }

    /// What a connection does when its recorded connection runs out of frames.
    public enum SessionEnd: Sendable, Equatable {
        /// Close with this code; the client reconnects and the next connection replays the next
        /// recorded connection from its start (the loop).
        case close(code: UInt16, reason: String)
        /// Stay open and silent (a finite replay: the client decides when to leave).
        case stayOpen
    }

    /// The order in which a venue's new connections take its recorded connections.
    public enum SegmentOrder: Sendable, Equatable {
        /// Scenario by scenario, each scenario's connections in recorded order.
        case recorded
        /// Alternating between recordings of scenarios that subscribe to trades and the others
        /// (the demo: each venue's trades keep coming between the fault recordings).
        case tradesInterleaved
    }

    /// Address to listen on (loopback).
    public var host: String
    /// Port (0: any free port; read it back from the server).
    public var port: Int
    /// Replay speed.
    public var speed: ReplaySpeed
    /// Scenarios to replay.
    public var scenarios: ScenarioSelection
    /// Venues to serve (`nil`: every venue with fixtures).
    public var venues: [String]?
    /// The end of a recorded connection.
    public var sessionEnd: SessionEnd
    /// Whether recorded `send` lines hold the replay until the client sends something.
    public var waitsForClientMessages: Bool
    /// permessage-deflate policy (`nil`: never negotiate compression).
    public var deflate: ServerDeflateConfiguration?
    /// TLS certificate chain and key PEM paths (`nil`: plain ws:// and http://).
    public var tls: (certificatePath: String, privateKeyPath: String)?
    /// Faults to inject.
    public var faults: FaultPlan
    /// Client-side limits and outgoing fragmentation of the WebSocket layer.
    public var webSocket: WebSocketServerEngine.Configuration
    /// Recorded time between a rotation notice and the close.
    public var rotationGraceMilliseconds: Int64
    /// Answer the text `ping` with `pong` (OKX and BitMEX application heartbeats).
    public var answersTextPing: Bool
    /// After our close frame, how long (real nanoseconds) to wait for the client's before closing TCP.
    public var closeTimeoutNanoseconds: Int64
    /// Order entry at `/<venue>/orders` (docs/simulator.md "Orders").
    public var orders = OrderSimulationConfiguration()
    /// How often (real milliseconds) venues that push heartbeats on their market-data connections
    /// send one once the client has subscribed (Kraken `{"channel":"heartbeat"}`, ~1 s [KR-HB]).
    /// Heartbeats go on while the recorded data pauses or has ended (`stayOpen`), as the venue's
    /// do while a feed stalls, and stop on a half-open fault.
    public var heartbeatIntervalMilliseconds: Int64 = 1000
    /// The round-robin order of each venue's recorded connections.
    public var segmentOrder = SegmentOrder.recorded

    /// Defaults: 127.0.0.1, any port, real time, every scenario, loop by closing with 1001, deflate
    /// offered, no TLS, no faults.
    public init(host: String = "127.0.0.1", port: Int = 0, speed: ReplaySpeed = .realTime, scenarios: ScenarioSelection = .all,
                venues: [String]? = nil,
                sessionEnd: SessionEnd = .close(code: 1001, reason: "end of recorded session; reconnect to replay again"),
                waitsForClientMessages: Bool = true, deflate: ServerDeflateConfiguration? = ServerDeflateConfiguration(),
                tls: (certificatePath: String, privateKeyPath: String)? = nil, faults: FaultPlan = .none,
                webSocket: WebSocketServerEngine.Configuration = WebSocketServerEngine.Configuration(),
                rotationGraceMilliseconds: Int64 = 500, answersTextPing: Bool = true, closeTimeoutNanoseconds: Int64 = 2_000_000_000) {
        self.host = host
        self.port = port
        self.speed = speed
        self.scenarios = scenarios
        self.venues = venues
        self.sessionEnd = sessionEnd
        self.waitsForClientMessages = waitsForClientMessages
        self.deflate = deflate
        self.tls = tls
        self.faults = faults
        self.webSocket = webSocket
        self.rotationGraceMilliseconds = rotationGraceMilliseconds
        self.answersTextPing = answersTextPing
        self.closeTimeoutNanoseconds = closeTimeoutNanoseconds
    }
}
