import MarketModel

/// Per-frame facts the adapter may need while parsing.
public struct ParseContext: Sendable {
    /// When the frame was read from the socket, ns since the epoch: stamp every event with it.
    public var tsRecv: Nanoseconds
    /// The session layer's id for the connection (for per-connection sequences).
    public var connectionID: Int
    /// `true` when the frame was a binary (not text) WebSocket message.
    public var isBinary: Bool

    /// Memberwise initializer.
    public init(tsRecv: Nanoseconds, connectionID: Int = 0, isBinary: Bool = false) {
        self.tsRecv = tsRecv
        self.connectionID = connectionID
        self.isBinary = isBinary
    }
}
