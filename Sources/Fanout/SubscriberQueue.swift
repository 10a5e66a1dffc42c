import MarketModel
import NIOCore

/// One subscriber's bounded outbound queue and its slow-consumer policy (sans-IO: the hub pushes
/// lines, the connection drains bytes while its socket is writable).
///
/// Policy (docs/protocol.md, "Slow consumers"):
/// 1. Normally every line is queued in order and drained as fast as the socket takes it.
/// 2. When the queue passes its high-water mark (events or bytes) the subscriber is *lagging*:
///    a notice `{"type":"status","venue":"*","state":"stale","reason":"slow consumer: N events queued; …"}`
///    jumps to the front of the queue; queued book lines are dropped and every book that had a
///    line dropped is remembered (one entry per (venue, symbol), however many updates it missed).
///    While lagging, book lines are not queued at all (conflation).
/// 3. Trades and every other non-book line are never dropped: they stay queued. If the queue
///    still reaches its capacity (events or bytes), everything queued is dropped except unsent
///    notices, a final `{"type":"status","venue":"*","state":"disconnected","reason":"slow consumer: …"}`
///    is queued, and the connection is closed once that line is written.
/// 4. When a lagging queue drains empty the subscriber has caught up: a `live` notice, then a
///    `"snapshot":true` line for every conflated book (taken from the hub's current book when
///    it is written), then deltas again.
///
/// `seq` is assigned when a line is written, so it counts exactly the event lines the subscriber
/// receives (starting at 1) and stays gap-free across conflation.
///
/// Memory: at most `capacity` events and `maxBytes` bytes of queued lines, plus one marker per
/// book (snapshots are rendered only when written) and at most a few notices.
public struct SubscriberQueue: Sendable {
    /// Bounds of one queue.
    public struct Configuration: Sendable, Hashable {
        /// Queued events at which the subscriber is lagging (notice sent, books conflated).
        public var highWaterMark: Int
        /// Queued bytes at which the subscriber is lagging.
        public var highWaterBytes: Int
        /// Queued events at which a lagging subscriber is disconnected.
        public var capacity: Int
        /// Queued bytes at which a lagging subscriber is disconnected.
        public var maxBytes: Int

        /// Defaults: lagging at 1,024 events or 1 MiB, disconnected at 8,192 events or 4 MiB.
        public init(highWaterMark: Int = 1024, highWaterBytes: Int = 1 << 20, capacity: Int = 8192, maxBytes: Int = 4 << 20) {
            precondition(highWaterMark > 0 && highWaterMark <= capacity && highWaterBytes > 0 && highWaterBytes <= maxBytes,
                         "SubscriberQueue: high-water marks must be positive and at most the limits")
            self.highWaterMark = highWaterMark
            self.highWaterBytes = highWaterBytes
            self.capacity = capacity
            self.maxBytes = maxBytes
        }
    }

    /// What a push did.
    public enum PushOutcome: Sendable, Hashable {
        /// Queued.
        case queued
        /// A book line not queued because the subscriber is lagging; a snapshot follows on catch-up.
        case conflated
        /// The queue overflowed: the subscriber is being disconnected (final line queued).
        case overflowed
        /// The queue is closing; the line was discarded.
        case ignored
    }

    /// What a drain did.
    public enum DrainOutcome: Sendable, Hashable {
        /// Nothing left to write.
        case idle
        /// The byte budget was used up; drain again when the socket takes more.
        case more
        /// The final line was written: close the connection once the bytes are flushed.
        case finished
    }

    /// Counters for status pages and tests.
    public struct Statistics: Sendable, Hashable {
        /// Most events (and replies) ever queued at once.
        public var peakQueuedEvents = 0
        /// Most bytes ever queued at once.
        public var peakQueuedBytes = 0
        /// Book lines not delivered because of conflation.
        public var conflatedUpdates = 0
        /// Times the subscriber started lagging.
        public var lagEpisodes = 0
        /// Whether the queue overflowed.
        public var overflowed = false
    }

    private enum Entry: Sendable {
        /// An event line; `book` is set for book lines.
        case event(EncodedLine, book: BookKey?)
        /// A snapshot of the book, rendered from the hub's current book when written.
        case snapshot(BookKey)
        /// A status notice from Fanout itself (carries `seq`, not counted against the limits).
        case notice(EncodedLine)
        /// An `ack` / `error` reply (no `seq`).
        case reply(EncodedLine)
    }

    /// The bounds.
    public let configuration: Configuration
    /// Events and replies queued (book snapshots to render and notices are not counted).
    public private(set) var queuedEvents = 0
    /// Bytes of the queued events and replies.
    public private(set) var queuedBytes = 0
    /// The `seq` the next event line gets.
    public private(set) var nextSeq: UInt64 = 1
    /// Behind: book lines are conflated until the queue drains.
    public private(set) var isLagging = false
    /// Closing (overflow or shutdown): nothing more is queued; the final line is on its way.
    public private(set) var isClosing = false
    /// Counters.
    public private(set) var statistics = Statistics()

    private var entries = CircularBuffer<Entry>(initialCapacity: 16)
    /// Books the subscriber has a snapshot of, or has one queued for.
    private var booksInSync: Set<BookKey> = []
    /// Books that missed lines while lagging, in the order they first did.
    private var conflated: [BookKey] = []
    private var conflatedSet: Set<BookKey> = []
    /// Book lines per book currently in `entries` (for skipping those a snapshot already covers).
    private var queuedBookLines: [BookKey: Int] = [:]
    /// Queued book lines to skip because a snapshot written before them already contains them.
    private var skippedBookLines: [BookKey: Int] = [:]

    /// An empty queue.
    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
    }

    /// Whether nothing is waiting to be written.
    public var isEmpty: Bool { entries.isEmpty }

    /// Whether the subscriber holds (or will receive) a snapshot of `key` and follows its deltas.
    public func isInSync(_ key: BookKey) -> Bool { booksInSync.contains(key) }

    // MARK: - Pushing

    /// Queues an event line. `book` identifies book lines (and whether the line is a snapshot):
    /// those are conflated while lagging, and a delta for a book the subscriber has no snapshot
    /// of is replaced by a snapshot of the current book.
    public mutating func push(_ line: EncodedLine, book: (key: BookKey, isSnapshot: Bool)? = nil) -> PushOutcome {
        guard !isClosing else { return .ignored }
        if let book {
            if isLagging {
                conflate(book.key)
                return .conflated
            }
            if booksInSync.insert(book.key).inserted, !book.isSnapshot {
                // The hub's book already includes this delta, so the snapshot stands in for it.
                entries.append(.snapshot(book.key))
                return .queued
            }
        }
        if !fits(line) {
            if !isLagging { startLagging() }  // drops queued book lines, which may make room
            if let book {
                conflate(book.key)
                return .conflated
            }
            if !fits(line) {
                overflow()
                return .overflowed
            }
        }
        entries.append(.event(line, book: book?.key))
        if let key = book?.key { queuedBookLines[key, default: 0] += 1 }
        count(line)
        return .queued
    }

    /// Queues an `ack` / `error` reply (counted against the limits like an event).
    public mutating func pushReply(_ line: EncodedLine) -> PushOutcome {
        guard !isClosing else { return .ignored }
        if !fits(line) {
            if !isLagging { startLagging() }
            if !fits(line) {
                overflow()
                return .overflowed
            }
        }
        entries.append(.reply(line))
        count(line)
        return .queued
    }

    /// Asks for a snapshot of `key` (a new book subscription): queued now, or on catch-up when
    /// lagging. Nothing happens if the subscriber already follows the book.
    public mutating func requestSnapshot(of key: BookKey) {
        guard !isClosing, !booksInSync.contains(key) else { return }
        if isLagging {
            if conflatedSet.insert(key).inserted { conflated.append(key) }
            return
        }
        booksInSync.insert(key)
        entries.append(.snapshot(key))
    }

    /// Stops following `key` (unsubscribed); lines already queued still go out.
    public mutating func forget(_ key: BookKey) {
        booksInSync.remove(key)
        if conflatedSet.remove(key) != nil { conflated.removeAll { $0 == key } }
    }

    /// Ends the stream gracefully (shutdown): what is queued is still written, then `line`
    /// (which gets a `seq`), then the drain reports `.finished`.
    public mutating func finish(with line: EncodedLine) {
        guard !isClosing else { return }
        isClosing = true
        entries.append(.notice(line))
    }

    private func fits(_ line: EncodedLine) -> Bool {
        queuedEvents < configuration.capacity && queuedBytes + line.count <= configuration.maxBytes
    }

    private mutating func count(_ line: EncodedLine) {
        queuedEvents += 1
        queuedBytes += line.count
        statistics.peakQueuedEvents = max(statistics.peakQueuedEvents, queuedEvents)
        statistics.peakQueuedBytes = max(statistics.peakQueuedBytes, queuedBytes)
        if !isLagging, queuedEvents >= configuration.highWaterMark || queuedBytes >= configuration.highWaterBytes {
            startLagging()
        }
    }

    private mutating func conflate(_ key: BookKey) {
        statistics.conflatedUpdates += 1
        booksInSync.remove(key)
        if conflatedSet.insert(key).inserted { conflated.append(key) }
    }

    /// Policy step 2: tell the subscriber first, then drop its queued book lines.
    private mutating func startLagging() {
        isLagging = true
        statistics.lagEpisodes += 1
        let reason = "slow consumer: \(queuedEvents) events queued; book updates are conflated and re-snapshotted when you catch up; "
            + "disconnect at \(configuration.capacity) events or \(configuration.maxBytes) bytes queued"
        if !queuedBookLines.isEmpty || entries.contains(where: { if case .snapshot = $0 { return true } else { return false } }) {
            var kept = CircularBuffer<Entry>(initialCapacity: entries.count)
            for entry in entries {
                switch entry {
                case .event(let line, let book?):
                    queuedEvents -= 1
                    queuedBytes -= line.count
                    conflate(book)
                case .snapshot(let key):
                    conflate(key)
                default:
                    kept.append(entry)
                }
            }
            entries = kept
            queuedBookLines.removeAll()
            skippedBookLines.removeAll()
        }
        entries.prepend(.notice(Self.notice(.stale, reason)))
    }

    /// Policy step 3: drop what is queued (but not unsent notices) and queue the final line.
    private mutating func overflow() {
        let reason = "slow consumer: queue limit reached (\(queuedEvents) events, \(queuedBytes) bytes queued; "
            + "limits \(configuration.capacity) events, \(configuration.maxBytes) bytes); closing the connection"
        isClosing = true
        statistics.overflowed = true
        var kept = CircularBuffer<Entry>(initialCapacity: 4)
        for entry in entries {
            if case .notice = entry { kept.append(entry) }
        }
        entries = kept
        queuedEvents = 0
        queuedBytes = 0
        queuedBookLines.removeAll()
        skippedBookLines.removeAll()
        booksInSync.removeAll()
        conflated.removeAll()
        conflatedSet.removeAll()
        entries.append(.notice(Self.notice(.disconnected, reason)))
    }

    /// Policy step 4.
    private mutating func catchUp() {
        isLagging = false
        entries.append(.notice(Self.notice(.live, "slow consumer: caught up; \(conflated.count) book snapshot(s) follow")))
        for key in conflated {
            booksInSync.insert(key)
            entries.append(.snapshot(key))
        }
        conflated.removeAll()
        conflatedSet.removeAll()
    }

    /// A Fanout status line about the whole subscription (`venue` `*`).
    static func notice(_ state: StreamState, _ reason: String) -> EncodedLine {
        var bytes: [UInt8] = []
        NDJSONEncoder().encode(StatusEvent(venue: "*", state: state, reason: reason), into: &bytes)
        return EncodedLine(bytes)
    }

    // MARK: - Draining

    /// Writes queued lines into `buffer` until it holds about `maxBytes` more bytes or the
    /// queue is empty. Book snapshots are rendered from `books` into `scratch` as they are
    /// written.
    public mutating func drain<Books: BookSnapshotProvider>(into buffer: inout ByteBuffer, maxBytes: Int, books: Books,
                                                           scratch: inout [UInt8]) -> DrainOutcome {
        let start = buffer.writerIndex
        while buffer.writerIndex - start < maxBytes {
            guard let entry = entries.popFirst() else {
                if isClosing { return .finished }
                if isLagging {
                    catchUp()
                    continue
                }
                return .idle
            }
            switch entry {
            case .event(let line, let book):
                queuedEvents -= 1
                queuedBytes -= line.count
                if let key = book {
                    queuedBookLines[key] = queuedBookLines[key].flatMap { $0 > 1 ? $0 - 1 : nil }
                    if let skip = skippedBookLines[key] {
                        skippedBookLines[key] = skip > 1 ? skip - 1 : nil
                        continue
                    }
                }
                line.write(seq: takeSeq(), into: &buffer)
            case .snapshot(let key):
                // Every line of this book still queued is already in the current book.
                skippedBookLines[key] = queuedBookLines[key]
                guard let snapshot = books.snapshot(of: key) else {
                    // Unknown or resyncing: wait for the pipeline's next snapshot.
                    booksInSync.remove(key)
                    continue
                }
                scratch.removeAll(keepingCapacity: true)
                NDJSONEncoder().encode(snapshot, seq: takeSeq(), into: &scratch)
                buffer.writeBytes(scratch)
            case .notice(let line):
                line.write(seq: takeSeq(), into: &buffer)
            case .reply(let line):
                queuedEvents -= 1
                queuedBytes -= line.count
                line.write(seq: nil, into: &buffer)
            }
        }
        return entries.isEmpty && !isLagging && !isClosing ? .idle : .more
    }

    private mutating func takeSeq() -> UInt64 {
        defer { nextSeq += 1 }
        return nextSeq
    }
}
