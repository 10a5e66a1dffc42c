import MarketModel

/// The externally visible phase of a ``ConnectionLifecycle`` (of its serving socket; a rotation
/// in progress is reported separately by ``ConnectionLifecycle/isRotating``).
public enum ConnectionPhase: Sendable, Hashable {
    /// Not started.
    case idle
    /// Waiting out a reconnect delay.
    case backoff(until: Nanoseconds)
    /// Waiting for the venue's connect budget.
    case awaitingConnectSlot
    /// TCP/TLS/WebSocket handshake in progress.
    case connecting(generation: Int)
    /// Open and subscribed, no data yet.
    case subscribing(generation: Int)
    /// Open and data has arrived.
    case live(generation: Int)
    /// Stopped for good (``ConnectionEvent/stop(reason:)``, or every endpoint refused us
    /// non-retryably).
    case stopped(reason: String)
}
