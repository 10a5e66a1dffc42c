import NIOCore

/// Every bound of the fan-out in one place (STYLE §8). The defaults suit a few hundred local
/// subscribers on a 2-core machine; docs/protocol.md ("Limits") lists them.
public struct FanoutConfiguration: Sendable, Hashable {
    /// Longest request line in bytes, without its `\n`. Longer lines are refused with
    /// `line_too_long` and discarded; the connection stays up.
    public var maxLineBytes: Int
    /// Most simultaneous connections; one more is told `unavailable` and closed.
    public var maxSubscribers: Int
    /// Most subscriptions (filters) one connection may hold.
    public var maxSubscriptionsPerSubscriber: Int
    /// Each subscriber's queue bounds and slow-consumer thresholds.
    public var queue: SubscriberQueue.Configuration
    /// Bytes gathered into one socket write.
    public var writeChunkBytes: Int
    /// NIO's per-connection outbound buffer: above `high` the socket counts as full and lines
    /// wait in the subscriber queue; below `low` it takes lines again.
    public var socketBufferLowWaterMark: Int
    /// See ``socketBufferLowWaterMark``.
    public var socketBufferHighWaterMark: Int
    /// How long a disconnected slow consumer gets to read its final line before the socket is
    /// closed anyway.
    public var disconnectGrace: TimeAmount
    /// Most distinct streams whose last `status` is remembered for `status` requests.
    public var maxTrackedStreams: Int

    /// The defaults (see each property).
    public init(maxLineBytes: Int = 8192, maxSubscribers: Int = 1024, maxSubscriptionsPerSubscriber: Int = 256,
                queue: SubscriberQueue.Configuration = .init(), writeChunkBytes: Int = 64 << 10,
                socketBufferLowWaterMark: Int = 64 << 10, socketBufferHighWaterMark: Int = 256 << 10,
                disconnectGrace: TimeAmount = .seconds(2), maxTrackedStreams: Int = 16384) {
        self.maxLineBytes = maxLineBytes
        self.maxSubscribers = maxSubscribers
        self.maxSubscriptionsPerSubscriber = maxSubscriptionsPerSubscriber
        self.queue = queue
        self.writeChunkBytes = writeChunkBytes
        self.socketBufferLowWaterMark = socketBufferLowWaterMark
        self.socketBufferHighWaterMark = socketBufferHighWaterMark
        self.disconnectGrace = disconnectGrace
        self.maxTrackedStreams = maxTrackedStreams
    }
}
