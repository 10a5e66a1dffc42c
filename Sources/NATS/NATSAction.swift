/// What ``NATSClientCore`` asks its shell to do.
public enum NATSAction: Sendable, Hashable {
    /// Open a TCP connection to this server (then report ``NATSClientCore/transportOpened(now:)``
    /// or ``NATSClientCore/transportClosed(_:now:)``).
    case connect(NATSServerURL)
    /// Start TLS on the open connection (then report ``NATSClientCore/tlsEstablished(now:)``).
    case startTLS(NATSServerURL)
    /// Close the connection (then report ``NATSClientCore/transportClosed(_:now:)``).
    case close(NATSError?)
    /// Hand a message to the subscription with its `sid`.
    case deliver(NATSMessage)
    /// The owner-visible state changed.
    case stateChanged(NATSConnectionState)
    /// The server sent `-ERR` (logged / counted by the owner).
    case serverError(NATSError)
}

/// The owner-visible state of a NATS client.
public enum NATSConnectionState: String, Sendable, Hashable {
    /// First connection not established yet.
    case connecting
    /// Connected and handshaken: publishes flow.
    case connected
    /// The connection was lost; buffering (bounded) and reconnecting.
    case reconnecting
    /// Closed by the owner.
    case closed
}

/// What happened to one publish.
public enum NATSPublishOutcome: Sendable, Hashable {
    /// Encoded into the outbound bytes of the live connection.
    case written
    /// Queued in the pending buffer (disconnected or the socket is not writable).
    case queued
    /// Queued after dropping this many older droppable frames (counted and reported).
    case queuedDroppingOlder(Int)
    /// Dropped itself: the buffer is full of frames that must not be dropped (counted).
    case dropped
    /// Refused: the client is closed, the payload exceeds `max_payload`, or a must-not-drop
    /// message does not fit.
    case rejected(NATSError)
}
