/// The live state of one simulated venue, owned by the server's event loop: which recorded
/// connection plays next, how many connects it has seen, faults armed for the next connection,
/// its open connections, and REST answers handed out for the current recording. Loop-bound (only
/// touched on the server's event loop), hence `@unchecked Sendable`.
final class VenueRuntime: @unchecked Sendable {
    let profile: VenueProfile
    private var nextSegmentIndex = 0
    /// Upgrade requests so far (rejected ones included): the `connection` of `FaultPlan.Step`.
    private(set) var connectionAttempts = 0
    /// Reject / slow-handshake faults waiting for the next upgrade.
    var armedHandshakeFaults: [Fault] = []
    /// Other faults waiting for the next connection (chaos found none open).
    var armedConnectionFaults: [Fault] = []
    /// Open WebSocket connections, oldest first.
    private(set) var openConnections: [SimulatorConnectionHandler] = []
    /// The recording the newest connection replays (its REST answers are served first).
    private(set) var currentSegment: ReplaySegment?
    private var restServed: [String: Int] = [:]

    init(profile: VenueProfile) { self.profile = profile }

    /// Counts an upgrade request and returns its 1-based number.
    func beginConnectionAttempt() -> Int {
        connectionAttempts += 1
        return connectionAttempts
    }

    /// The next recording, round-robin.
    func takeNextSegment() -> ReplaySegment {
        let segment = profile.segments[nextSegmentIndex % profile.segments.count]
        nextSegmentIndex += 1
        return segment
    }

    func connectionOpened(_ connection: SimulatorConnectionHandler, segment: ReplaySegment) {
        openConnections.append(connection)
        currentSegment = segment
        restServed = [:]
    }

    func connectionClosed(_ connection: SimulatorConnectionHandler) {
        openConnections.removeAll { $0 === connection }
    }

    /// The newest connection that still replays (not half-open, not closing).
    var newestLiveConnection: SimulatorConnectionHandler? {
        openConnections.last { $0.isReplaying }
    }

    func takeArmedHandshakeFaults() -> [Fault] {
        defer { armedHandshakeFaults = [] }
        return armedHandshakeFaults
    }

    func takeArmedConnectionFaults() -> [Fault] {
        defer { armedConnectionFaults = [] }
        return armedConnectionFaults
    }

    /// The REST answer for `method target`, counting repeats within the current recording.
    func restResponse(method: String, target: String) -> FixtureREST? {
        let key = method + " " + target
        let served = restServed[key, default: 0]
        let answer = profile.restResponse(method: method, target: target, segment: currentSegment, servedBefore: served)
        if answer != nil { restServed[key] = served + 1 }
        return answer
    }
}
