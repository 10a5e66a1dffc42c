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

    /// Cumulative counters of the hub since it started, including subscribers that are gone.
    public struct Totals: Sendable, Hashable {
        /// Events handed to the hub for routing.
        public var eventsPublished: UInt64 = 0
        /// Subscriber connections accepted.
        public var subscribersAccepted: UInt64 = 0
        /// Connections refused (subscriber limit reached, or shutting down).
        public var subscribersRefused: UInt64 = 0
        /// Book lines not delivered because of conflation, by subscribers that have disconnected.
        public var departedConflatedUpdates: UInt64 = 0
        /// Lag episodes of subscribers that have disconnected.
        public var departedLagEpisodes: UInt64 = 0
        /// Subscribers disconnected because their queue overflowed.
        public var overflowDisconnects: UInt64 = 0

        /// Zero counters.
        public init() {}
    }

    /// Every connected subscriber, by id.
    public var subscribers: [Subscriber]
    /// Hub-wide cumulative counters.
    public var totals = Totals()

    /// Book lines dropped by conflation since start (connected and departed subscribers).
    public var conflatedUpdates: UInt64 {
        subscribers.reduce(totals.departedConflatedUpdates) { $0 &+ UInt64($1.queue.conflatedUpdates) }
    }

    /// Lag episodes since start (connected and departed subscribers).
    public var lagEpisodes: UInt64 {
        subscribers.reduce(totals.departedLagEpisodes) { $0 &+ UInt64($1.queue.lagEpisodes) }
    }
}
