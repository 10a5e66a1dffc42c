import MarketModel

/// What ``NATSPublisher`` publishes where (SPEC §7 `nats:` and `shard:`).
public struct NATSPublisherConfiguration: Sendable, Hashable {
    /// `subject_prefix` (may itself contain dots, e.g. `prod.marketmux`).
    public var subjectPrefix: String
    /// `shard.venues`: the venues this instance publishes; `nil` = all. Events of other
    /// venues are skipped (and counted), so two instances with disjoint shards never publish
    /// the same venue twice.
    public var shardVenues: Set<VenueID>?
    /// Whether `ts_recv` is in the payload (SPEC §5 lines carry it; on by default).
    public var includesReceiveTime: Bool
    /// Optional JetStream stream capturing everything published.
    public var jetStream: NATSJetStreamConfiguration?
    /// Subjects cached (venue × channel × symbol); the cache is cleared when it grows past this.
    public var subjectCacheLimit: Int

    /// Creates a configuration; the prefix must be a valid subject.
    public init(subjectPrefix: String = "marketmux", shardVenues: Set<VenueID>? = nil, includesReceiveTime: Bool = true,
                jetStream: NATSJetStreamConfiguration? = nil, subjectCacheLimit: Int = 100_000) throws(NATSError) {
        guard NATSSubject.isValidSubject(subjectPrefix) else {
            throw NATSError(.invalidArgument, "subject_prefix '\(subjectPrefix)' is not a valid NATS subject")
        }
        self.subjectPrefix = subjectPrefix
        self.shardVenues = shardVenues
        self.includesReceiveTime = includesReceiveTime
        self.jetStream = jetStream
        self.subjectCacheLimit = subjectCacheLimit
    }
}

/// SPEC §7 `jetstream: {stream: MARKETMUX, max_age: 1h}`.
public struct NATSJetStreamConfiguration: Sendable, Hashable {
    /// Where the stream keeps messages.
    public enum Storage: String, Sendable, Hashable {
        /// On disk (survives a server restart).
        case file
        /// In memory.
        case memory
    }

    /// Stream name.
    public var stream: String
    /// `max_age` of the stream (`nil`: unlimited).
    public var maxAge: Nanoseconds?
    /// Storage kind.
    public var storage: Storage
    /// Replicas (1 for a single server; 3 for a 3-node cluster).
    public var replicas: Int
    /// Publish with a reply subject and count JetStream's acks (`{"stream":…,"seq":N}`).
    public var tracksAcks: Bool
    /// An ack that has not come after this long is counted as failed.
    public var ackTimeout: Nanoseconds
    /// At most this many acks are awaited at once; beyond it messages are published without
    /// a reply subject (counted as `untrackedPublishes`).
    public var maxOutstandingAcks: Int

    /// Memberwise initializer with defaults.
    public init(stream: String, maxAge: Nanoseconds? = nil, storage: Storage = .file, replicas: Int = 1,
                tracksAcks: Bool = true, ackTimeout: Nanoseconds = Interval.seconds(5), maxOutstandingAcks: Int = 65_536) {
        self.stream = stream
        self.maxAge = maxAge
        self.storage = storage
        self.replicas = replicas
        self.tracksAcks = tracksAcks
        self.ackTimeout = ackTimeout
        self.maxOutstandingAcks = maxOutstandingAcks
    }
}

/// Counters of a ``NATSPublisher``.
public struct NATSPublisherStatistics: Sendable, Hashable {
    /// Events handed to the connection.
    public var publishedEvents: UInt64 = 0
    /// Events of venues outside `shard.venues`, not published.
    public var skippedOtherShard: UInt64 = 0
    /// Events refused by the connection (see ``NATSPublishOutcome/rejected(_:)``).
    public var rejectedEvents: UInt64 = 0
    /// Status events the publisher generated itself to report drops or possible loss.
    public var lossReports: UInt64 = 0
    /// Whether the JetStream stream exists (created or found).
    public var isStreamReady = false
    /// The last JetStream API error, if any.
    public var streamError: String?
    /// JetStream acks received.
    public var acks: UInt64 = 0
    /// JetStream negative acks (`{"error":…}`) and acks that timed out.
    public var ackFailures: UInt64 = 0
    /// Acks awaited now.
    public var outstandingAcks: Int = 0
    /// Publishes sent without a reply subject because too many acks were outstanding.
    public var untrackedPublishes: UInt64 = 0
    /// The last JetStream sequence acked.
    public var lastAckedSequence: UInt64 = 0

    /// Zeroed counters.
    public init() {}
}
