/// Counters of one NATS connection (cumulative since it was created), for metrics and tests.
///
/// Accounting identity for publishes: every `publish` call ends in exactly one of
/// `sentMessages` (handed to a socket), `droppedMessages` (policy), `rejectedMessages`
/// (refused, the caller was told) or is still pending (`pendingMessages`). Of the sent ones,
/// `confirmedMessages` were acknowledged by a `PONG` (the server processed them) and
/// `unconfirmedAtDisconnect` were written to a connection that died before its `PONG` — those
/// may or may not have reached the server (core NATS is at-most-once).
public struct NATSStatistics: Sendable, Hashable {
    /// `publish` calls accepted into the client.
    public var publishedMessages: UInt64 = 0
    /// Frames handed to a socket.
    public var sentMessages: UInt64 = 0
    /// Sent frames a later `PONG` proved the server processed.
    public var confirmedMessages: UInt64 = 0
    /// Sent frames whose connection died before the confirming `PONG` (possibly lost).
    public var unconfirmedAtDisconnect: UInt64 = 0
    /// Frames dropped by the bounded-buffer policy.
    public var droppedMessages: UInt64 = 0
    /// Bytes dropped by the bounded-buffer policy.
    public var droppedBytes: UInt64 = 0
    /// Non-droppable publishes refused because the buffer was full, or above `max_payload`.
    public var rejectedMessages: UInt64 = 0
    /// Frames waiting in the pending buffer now.
    public var pendingMessages: Int = 0
    /// Bytes waiting in the pending buffer now.
    public var pendingBytes: Int = 0
    /// The highest `pendingBytes` seen.
    public var pendingBytesHighWater: Int = 0
    /// Messages delivered to our subscriptions.
    public var receivedMessages: UInt64 = 0
    /// Completed handshakes (the first connection counts as 1).
    public var connects: UInt64 = 0
    /// Connections lost or refused.
    public var disconnects: UInt64 = 0
    /// `-ERR` lines received.
    public var serverErrors: UInt64 = 0
    /// The server currently connected to.
    public var currentServer: String?

    /// An empty set of counters.
    public init() {}
}
