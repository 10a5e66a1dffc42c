import MarketModel

/// A text frame to send on the venue connection.
public struct OutboundMessage: Sendable, Hashable {
    /// The frame's text (JSON or a bare word like `ping`).
    public var text: String
    /// How much of the connection's outbound message budget the frame costs (usually 1).
    public var weight: Int

    /// Creates a text frame.
    public init(text: String, weight: Int = 1) {
        self.text = text
        self.weight = weight
    }
}
