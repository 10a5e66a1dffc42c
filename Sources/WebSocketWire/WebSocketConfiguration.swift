/// Every limit and knob of a WebSocket client connection, with defaults sized for venue market data.
public struct WebSocketConfiguration: Sendable, Equatable {
    /// Largest single frame payload accepted from the server; bigger frames fail with 1009.
    public var maxFrameSize: Int
    /// Largest reassembled (and, for compressed messages, still-compressed) message; bigger fails with 1009.
    public var maxMessageSize: Int
    /// Largest message after inflating; a deflate bomb fails with 1009 before memory grows past it.
    public var maxDecompressedMessageSize: Int
    /// Largest HTTP response head accepted during the opening handshake.
    public var maxHandshakeResponseSize: Int
    /// permessage-deflate offer, or `nil` to not offer compression.
    public var compression: PerMessageDeflateOffer?
    /// Whether to validate UTF-8 of text messages (RFC 6455 §8.1 requires it; always on by default).
    public var validatesUTF8: Bool
    /// Outgoing messages shorter than this are sent uncompressed even when deflate is negotiated
    /// (compressing a 20-byte subscribe frame costs more than it saves).
    public var minimumCompressedMessageSize: Int

    /// Defaults: 16 MiB frames and messages, 64 MiB inflated, deflate offered with context takeover.
    public init(maxFrameSize: Int = 16 << 20,
                maxMessageSize: Int = 16 << 20,
                maxDecompressedMessageSize: Int = 64 << 20,
                maxHandshakeResponseSize: Int = 16 << 10,
                compression: PerMessageDeflateOffer? = PerMessageDeflateOffer(),
                validatesUTF8: Bool = true,
                minimumCompressedMessageSize: Int = 64) {
        self.maxFrameSize = maxFrameSize
        self.maxMessageSize = maxMessageSize
        self.maxDecompressedMessageSize = maxDecompressedMessageSize
        self.maxHandshakeResponseSize = maxHandshakeResponseSize
        self.compression = compression
        self.validatesUTF8 = validatesUTF8
        self.minimumCompressedMessageSize = minimumCompressedMessageSize
    }
}
