/// What ``FanoutHub/statistics()`` reports.
public struct FanoutStatistics: Sendable, Hashable {
    /// One connection.
    public struct Subscriber: Sendable, Hashable {
        /// Its id.
        public var id: SubscriberID
        /// Its subscriptions.
        public var filters: [SubscriptionFilter]
        /// Events and replies queued now.
        public var queuedEvents: Int
        /// Bytes queued now.
        public var queuedBytes: Int
        /// Whether its book updates are being conflated.
        public var isLagging: Bool
        /// Whether it is being disconnected.
        public var isClosing: Bool
        /// Event lines written so far (its last `seq`).
        public var linesWritten: UInt64
        /// Peaks and counters.
        public var queue: SubscriberQueue.Statistics
    }

    /// Every connected subscriber, by id.
    public var subscribers: [Subscriber]
}
