import MarketModel
import VenueKit

/// The per-symbol book state machine (sans-IO): feed it every `BookMessage` of one symbol (and
/// parsed REST snapshots); it applies them in order under the venue's sequencing rule, verifies
/// checksums, guards against crossed books and returns ``BookAction``s.
///
/// On any inconsistency it resyncs **this symbol only**: it clears the book, emits
/// `status(resyncing, reason)` — `"gap: expected X got Y"`, `"checksum: expected X computed Y"`,
/// `"crossed: bid X >= ask Y"` — plus ``BookAction/fetchSnapshot(_:)`` (REST venues) or
/// ``BookAction/resubscribe(_:)``, and emits `live` once a good snapshot is applied. Published
/// events are a snapshot (the whole book, best first) followed by the venue's deltas.
///
/// REST bootstrap (Binance): deltas are buffered until the snapshot arrives; then deltas with
/// `u <= lastUpdateId` are dropped, the first applied one must bridge the snapshot, and the rest
/// must be contiguous. ``refreshSnapshot(into:)`` fetches a new snapshot while the current book
/// stays live; deltas keep applying to it and are also buffered, and the new book is swapped in
/// (and published as a snapshot) once it has caught up.
public struct BookSynchronizer: Sendable {
    /// Static settings for one symbol's book.
    public struct Configuration: Sendable {
        /// The venue (for emitted events).
        public var venue: VenueID
        /// The symbol (for emitted events).
        public var symbol: Symbol
        /// How snapshots are obtained (and so how to resync).
        public var bootstrap: BookBootstrap
        /// Truncate to this many levels per side after each message (Kraken).
        public var maxDepth: Int?
        /// Verify venue checksums (on by default).
        public var verifiesChecksums: Bool
        /// Consecutive crossed messages tolerated before resync.
        public var crossedTolerance: Int
        /// Bound on buffered deltas while waiting for a REST snapshot (oldest dropped first).
        public var maxBufferedMessages: Int

        /// Settings from the adapter's `BookSpec`.
        public init(venue: VenueID, symbol: Symbol, book: BookSpec = BookSpec(), verifiesChecksums: Bool = true,
                    maxBufferedMessages: Int = 10_000) {
            self.venue = venue
            self.symbol = symbol
            self.bootstrap = book.bootstrap
            self.maxDepth = book.maxDepth
            self.verifiesChecksums = verifiesChecksums
            self.crossedTolerance = book.crossedTolerance
            self.maxBufferedMessages = maxBufferedMessages
        }
    }

    /// Where the synchronizer is.
    public enum Phase: Sendable, Equatable {
        /// No trustworthy book: waiting for a snapshot (deltas are buffered or dropped).
        case awaitingSnapshot
        /// The book is consistent and published.
        case live
    }

    /// The settings.
    public let configuration: Configuration
    /// The current book (empty while awaiting a snapshot).
    public private(set) var book = OrderBook()
    /// The current phase.
    public private(set) var phase = Phase.awaitingSnapshot
    /// The last applied sequence number (`u`, `seqId`, `change_id`, …), if the venue has one.
    public private(set) var lastSequence: Int64?
    /// Whether a REST snapshot has been requested and not yet received.
    public private(set) var isSnapshotRequested = false
    /// Whether a gap-free snapshot refresh is in progress.
    public private(set) var isRefreshing = false

    /// Binance USD-M: the next delta must bridge the snapshot (`U <= lastUpdateId <= u`).
    var needsBridge = false
    var buffer: [BookMessage] = []
    var crossedCount = 0
    /// The last checksum's text per level: the next checksum re-renders only changed levels.
    var checksumCache = ChecksumTextCache()
    var removedBids: [BookLevel] = []
    var removedAsks: [BookLevel] = []

    /// Creates a synchronizer awaiting its first snapshot.
    public init(configuration: Configuration) {
        self.configuration = configuration
    }

    /// Number of deltas buffered for a REST bootstrap or refresh.
    public var bufferedCount: Int { buffer.count }

    // MARK: - Input

    /// Handles one book message (stream snapshot, delta, checksum-only message, or a parsed REST
    /// snapshot with `.restSnapshot` sequencing), appending what to do to `actions`.
    public mutating func handle(_ message: BookMessage, into actions: inout [BookAction]) {
        if case .restSnapshot(let lastUpdateID) = message.sequencing {
            handleRESTSnapshot(message, lastUpdateID: lastUpdateID, into: &actions)
        } else if message.update.isSnapshot {
            handleStreamSnapshot(message, into: &actions)
        } else {
            handleDelta(message, into: &actions)
        }
    }

    /// Declares the book broken from outside (a per-connection sequence gap, a reconnect) and
    /// starts a resync with `reason`.
    public mutating func invalidate(reason: String, into actions: inout [BookAction]) {
        resync(reason: reason, into: &actions)
    }

    /// Starts the REST bootstrap before any delta arrives (optional: the first delta does it).
    public mutating func start(into actions: inout [BookAction]) {
        guard configuration.bootstrap == .restSnapshot, phase == .awaitingSnapshot, !isSnapshotRequested else { return }
        isSnapshotRequested = true
        actions.append(.fetchSnapshot(configuration.symbol))
    }

    /// REST venues: fetch a fresh snapshot without a data gap. The live book keeps applying
    /// deltas; they are also buffered and replayed onto the new snapshot, which is swapped in
    /// and published once consistent.
    public mutating func refreshSnapshot(into actions: inout [BookAction]) {
        guard configuration.bootstrap == .restSnapshot, phase == .live, !isRefreshing else { return }
        isRefreshing = true
        isSnapshotRequested = true
        buffer.removeAll(keepingCapacity: true)
        actions.append(.fetchSnapshot(configuration.symbol))
    }

    // MARK: - Snapshots

    mutating func handleStreamSnapshot(_ message: BookMessage, into actions: inout [BookAction]) {
        book.apply(message.update)
        lastSequence = Self.sequenceNumber(of: message.sequencing)
        needsBridge = false
        crossedCount = 0
        buffer.removeAll(keepingCapacity: true)
        truncateIfNeeded()
        guard verify(message, into: &actions) else { return }
        goLive(tsExchange: message.update.tsExchange, tsRecv: message.update.tsRecv, into: &actions)
    }

    mutating func handleRESTSnapshot(_ message: BookMessage, lastUpdateID: Int64, into actions: inout [BookAction]) {
        isSnapshotRequested = false
        var freshBook = OrderBook()
        var freshSequence: Int64? = lastUpdateID
        var freshNeedsBridge = true
        freshBook.apply(message.update)
        // Replay buffered deltas onto the new snapshot; a gap at the first applicable delta means
        // the snapshot is older than the buffer (fetch again), a gap later means the stream
        // itself skipped (keep what follows the gap and fetch again).
        var applied: [BookUpdate] = []
        var index = 0
        while index < buffer.count {
            let m = buffer[index]
            switch SequenceRule.check(m.sequencing, lastSequence: freshSequence, needsBridge: freshNeedsBridge) {
            case .skip:
                break
            case .gap:
                buffer.removeFirst(index)
                isSnapshotRequested = true
                actions.append(.fetchSnapshot(configuration.symbol))
                return
            case .apply(let next):
                freshBook.apply(m.update)
                freshSequence = next
                freshNeedsBridge = false
                if !m.update.isEmpty { applied.append(m.update) }
            }
            index += 1
        }
        buffer.removeAll(keepingCapacity: true)
        book = freshBook
        lastSequence = freshSequence
        needsBridge = freshNeedsBridge
        isRefreshing = false
        crossedCount = 0
        truncateIfNeeded()
        if book.isCrossed, let bid = book.bestBid, let ask = book.bestAsk {
            resync(reason: "crossed: bid \(bid.price) >= ask \(ask.price)", into: &actions)
            return
        }
        let wasLive = phase == .live
        phase = .live
        actions.append(.publish(book.snapshot(venue: configuration.venue, symbol: configuration.symbol,
                                              tsExchange: message.update.tsExchange, tsRecv: message.update.tsRecv)))
        if !wasLive { actions.append(.status(status(.live, ""))) }
        // Subscribers saw the snapshot; the buffered deltas after it follow in order (a refresh
        // publishes only the swapped-in snapshot, which already contains them).
        if !wasLive { for update in applied { actions.append(.publish(update)) } }
    }

    // MARK: - Deltas

    mutating func handleDelta(_ message: BookMessage, into actions: inout [BookAction]) {
        if phase == .awaitingSnapshot {
            guard configuration.bootstrap == .restSnapshot else { return }  // stale pre-snapshot deltas
            bufferMessage(message)
            if !isSnapshotRequested {
                isSnapshotRequested = true
                actions.append(.fetchSnapshot(configuration.symbol))
            }
            return
        }
        if isRefreshing { bufferMessage(message) }
        switch SequenceRule.check(message.sequencing, lastSequence: lastSequence, needsBridge: needsBridge) {
        case .skip:
            return
        case .gap(let reason):
            resync(reason: reason, into: &actions)
            return
        case .apply(let next):
            lastSequence = next
            needsBridge = false
        }
        book.apply(message.update)
        var update = message.update
        if let depth = configuration.maxDepth {
            removedBids.removeAll(keepingCapacity: true)
            removedAsks.removeAll(keepingCapacity: true)
            book.truncate(toDepth: depth, removedBids: &removedBids, removedAsks: &removedAsks)
            // Only when something was cut: appending copies the arrays, still shared with the caller.
            if !removedBids.isEmpty { update.bids.append(contentsOf: removedBids) }
            if !removedAsks.isEmpty { update.asks.append(contentsOf: removedAsks) }
        }
        guard verify(message, into: &actions) else { return }
        if !update.isEmpty { actions.append(.publish(update)) }
    }

    mutating func bufferMessage(_ message: BookMessage) {
        if buffer.count >= configuration.maxBufferedMessages {
            // Older deltas are below any future snapshot's id anyway.
            buffer.removeFirst(Swift.max(1, buffer.count / 2))
        }
        buffer.append(message)
    }

    // MARK: - Checks

    /// Verifies the checksum and the crossed guard after a message; resyncs and returns `false`
    /// when either fails.
    mutating func verify(_ message: BookMessage, into actions: inout [BookAction]) -> Bool {
        if configuration.verifiesChecksums, let checksum = message.checksum,
           !(checksum.algorithm == .okxTop25Interleaved && checksum.expected == 0) {  // OKX: 0 = deprecated/absent
            let computed = BookChecksums.compute(checksum.algorithm, book: book, cache: &checksumCache)
            if computed != checksum.expected {
                resync(reason: "checksum: expected \(checksum.expected) computed \(computed)", into: &actions)
                return false
            }
        }
        if book.isCrossed, let bid = book.bestBid, let ask = book.bestAsk {
            crossedCount += 1
            if crossedCount > configuration.crossedTolerance {
                resync(reason: "crossed: bid \(bid.price) >= ask \(ask.price)", into: &actions)
                return false
            }
        } else {
            crossedCount = 0
        }
        return true
    }

    mutating func truncateIfNeeded() {
        guard let depth = configuration.maxDepth else { return }
        removedBids.removeAll(keepingCapacity: true)
        removedAsks.removeAll(keepingCapacity: true)
        book.truncate(toDepth: depth, removedBids: &removedBids, removedAsks: &removedAsks)
    }

    mutating func goLive(tsExchange: Nanoseconds?, tsRecv: Nanoseconds, into actions: inout [BookAction]) {
        let wasLive = phase == .live
        phase = .live
        actions.append(.publish(book.snapshot(venue: configuration.venue, symbol: configuration.symbol,
                                              tsExchange: tsExchange, tsRecv: tsRecv)))
        if !wasLive { actions.append(.status(status(.live, ""))) }
    }

    mutating func resync(reason: String, into actions: inout [BookAction]) {
        phase = .awaitingSnapshot
        book.removeAll()
        lastSequence = nil
        needsBridge = false
        crossedCount = 0
        isRefreshing = false
        buffer.removeAll(keepingCapacity: true)
        actions.append(.status(status(.resyncing, reason)))
        switch configuration.bootstrap {
        case .restSnapshot:
            isSnapshotRequested = true
            actions.append(.fetchSnapshot(configuration.symbol))
        case .streamSnapshot:
            actions.append(.resubscribe(configuration.symbol))
        }
    }

    func status(_ state: StreamState, _ reason: String) -> StatusEvent {
        StatusEvent(venue: configuration.venue, symbol: configuration.symbol, channel: .book, state: state, reason: reason)
    }

    /// The id a snapshot establishes for the following deltas.
    static func sequenceNumber(of sequencing: BookSequencing) -> Int64? {
        switch sequencing {
        case .none: return nil
        case .restSnapshot(let id): return id
        case .binanceSpot(_, let last): return last
        case .binanceFutures(_, let last, _): return last
        case .okx(let seq, _): return seq
        case .deribit(let change, _): return change
        case .bybit(let u): return u
        case .connectionSequence(let n): return n
        }
    }
}
