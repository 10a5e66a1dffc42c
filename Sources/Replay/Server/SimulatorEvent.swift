/// Something the simulator did, reported to `SimulatedVenueServer`'s observer (logs, the demo's
/// status line, tests waiting for a fault to land).
public enum SimulatorEvent: Sendable, Equatable, CustomStringConvertible {
    /// A WebSocket connection opened and started replaying `segment` (`venue/scenario#conn`).
    case connected(venue: String, connection: Int, segment: String)
    /// A connection attempt was refused with an HTTP status (a fault or a bad request).
    case rejected(venue: String, connection: Int, status: Int)
    /// A fault was applied (to an open connection, or armed for the next one).
    case faultInjected(venue: String, fault: Fault, armed: Bool)
    /// A WebSocket connection ended.
    case disconnected(venue: String, connection: Int, reason: String)
    /// A REST request was answered.
    case restServed(venue: String, target: String, status: Int)
    /// A connection failed below WebSocket (TLS, HTTP parse error).
    case connectionFailed(reason: String)

    /// One log line.
    public var description: String {
        switch self {
        case .connected(let venue, let connection, let segment): "\(venue) connection \(connection) open, replaying \(segment)"
        case .rejected(let venue, let connection, let status): "\(venue) connection \(connection) refused with HTTP \(status)"
        case .faultInjected(let venue, let fault, let armed): "\(venue) fault \(fault)\(armed ? " armed for the next connection" : " injected")"
        case .disconnected(let venue, let connection, let reason): "\(venue) connection \(connection) closed: \(reason)"
        case .restServed(let venue, let target, let status): "\(venue) REST \(target) -> \(status)"
        case .connectionFailed(let reason): "connection failed: \(reason)"
        }
    }
}
