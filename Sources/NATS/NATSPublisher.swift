import MarketModel
import NIOCore

/// Publishes normalized events to NATS (SPEC §7): market data to
/// `<prefix>.md.<venue>.<channel>.<symbol>`, status to `<prefix>.status.<venue>`, each payload
/// exactly the SPEC §5 JSON object of the event **without** `seq` and without the trailing
/// newline (NATS frames messages itself; JetStream's stream sequence plays `seq`'s role).
///
/// Loss is never silent: when the connection's bounded buffer drops market data, or a
/// connection dies with unconfirmed writes, the publisher sends a `status` event
/// (`"state":"resyncing"`, reason `nats: …`) to each affected venue's status subject — status
/// events themselves are never dropped — and calls ``onLoss(_:)`` observers, so the pipeline can
/// re-snapshot books.
///
/// ```swift
/// let publisher = NATSPublisher(connection: nats, configuration: try NATSPublisherConfiguration(subjectPrefix: "marketmux"))
/// publisher.start()
/// publisher.publish(events)            // from any thread; one hop per batch
/// ```
public final class NATSPublisher: @unchecked Sendable {
    // @unchecked: mutable state is touched only on `connection.eventLoop`.

    /// The connection published through.
    public let connection: NATSConnection
    /// The subject layout and options.
    public let configuration: NATSPublisherConfiguration

    private struct SubjectKey: Hashable {
        let venue: VenueID
        let channel: MarketModel.Channel
        let symbol: Symbol
    }

    private var encoder: NDJSONEncoder
    private var subjects: [SubjectKey: String] = [:]
    private var statusSubjects: [VenueID: String] = [:]
    private var scratch: [UInt8] = []
    private var stats = NATSPublisherStatistics()
    private var venuesSeen: Set<VenueID> = []
    private var lastUnconfirmed: UInt64 = 0
    private var lastLossReport: Nanoseconds = .min / 2
    private var isLossReportScheduled = false
    private var lossObservers: [@Sendable ([VenueID: Int]) -> Void] = []
    private var ackPrefix: String?
    private var ackSID: UInt64?
    private var nextAck: UInt64 = 1
    private var outstanding: [UInt64: Nanoseconds] = [:]
    private var sweeper: RepeatedTask?

    /// A publisher over `connection` (which it does not start).
    public init(connection: NATSConnection, configuration: NATSPublisherConfiguration) {
        self.connection = connection
        self.configuration = configuration
        encoder = NDJSONEncoder(includesReceiveTime: configuration.includesReceiveTime)
    }

    /// Hooks into the connection: loss reports on reconnect and, with JetStream, stream
    /// creation on every (re)connect and the ack subscription.
    public func start() {
        connection.onStateChange { [self] state in
            guard state == .connected else { return }
            // Write the buffered events first, so the report does not displace one of them.
            connection.flushOnLoop()
            reportLoss()
            if configuration.jetStream != nil { createStream() }
        }
        guard let js = configuration.jetStream else { return }
        connection.eventLoop.execute { [self] in
            if js.tracksAcks {
                var generator = SystemRandomNumberGenerator()
                let prefix = "_INBOX.jsack\(String(generator.next(), radix: 36))."
                ackPrefix = prefix
                ackSID = connection.subscribeOnLoop(subject: prefix + "*") { [self] message in handleAck(message) }
                let interval = TimeAmount.nanoseconds(max(Interval.milliseconds(100), js.ackTimeout / 4))
                sweeper = connection.eventLoop.scheduleRepeatedTask(initialDelay: interval, delay: interval) { [self] _ in sweepAcks() }
            }
            if connection.stateOnLoop == .connected { createStream() }
        }
    }

    /// Stops the ack sweeper (the connection is left open).
    public func stop() {
        connection.eventLoop.execute { [self] in sweeper?.cancel(); sweeper = nil }
    }

    /// Calls `observer` on the loop with the events lost (dropped by policy, or possibly lost
    /// with a dead connection) per venue, after they were reported on the status subjects.
    public func onLoss(_ observer: @escaping @Sendable ([VenueID: Int]) -> Void) {
        connection.eventLoop.execute { [self] in lossObservers.append(observer) }
    }

    /// Publishes `events` from any thread (one hop to the loop per call).
    public func publish(_ events: [MarketEvent]) {
        guard !events.isEmpty else { return }
        if connection.eventLoop.inEventLoop {
            publishOnLoop(events)
        } else {
            connection.eventLoop.execute { [self] in publishOnLoop(events) }
        }
    }

    /// Publishes `events` from the connection's loop.
    public func publishOnLoop(_ events: some Sequence<MarketEvent>) {
        for event in events { publishOne(event) }
        // Drops while connected (the socket cannot keep up) are reported at most once a second;
        // drops while disconnected are reported once, on reconnect (see `start()`).
        if connection.takeDropsPending && connection.stateOnLoop == .connected { reportLossSoon() }
    }

    /// A snapshot of the counters.
    public func statistics() -> EventLoopFuture<NATSPublisherStatistics> {
        connection.eventLoop.submit { [self] in stats }
    }

    /// The counters (from the loop).
    public var statisticsOnLoop: NATSPublisherStatistics { stats }

    /// The subject `event` is published to (`nil` for order updates, which go to
    /// `<prefix>.orders.updates.<client>` through ``publishOrderUpdate(_:client:)``).
    public func subject(for event: MarketEvent) -> String? {
        switch event {
        case .status(let e): return NATSSubject.status(prefix: configuration.subjectPrefix, venue: e.venue)
        case .order: return nil
        default:
            guard let channel = event.channel, let symbol = event.symbol else { return nil }
            return NATSSubject.marketData(prefix: configuration.subjectPrefix, venue: event.venue, channel: channel, symbol: symbol)
        }
    }

    /// Publishes an order update to `<prefix>.orders.updates.<client>` (never dropped).
    public func publishOrderUpdate(_ update: OrderUpdate, client: String) {
        connection.eventLoop.execute { [self] in
            scratch.removeAll(keepingCapacity: true)
            encoder.encode(update, into: &scratch)
            scratch.removeLast()
            connection.publishOnLoop(subject: NATSSubject.orderUpdates(prefix: configuration.subjectPrefix, client: client),
                                     payload: scratch, isDroppable: false, key: update.venue.rawValue)
        }
    }

    /// Order intake (SPEC §7): subscribes `<prefix>.orders.<venue>` for each venue of this
    /// instance's shard, in queue group `queueGroup` (so several instances serving the same
    /// venue share requests instead of each executing them). `handler` runs on the loop with the
    /// request; answer with ``NATSConnection/respondOnLoop(to:payload:headers:)`` (the reply goes
    /// to the request's reply subject; it is never dropped). Returns the subscription ids.
    public func serveOrderIntake(venues: [VenueID], queueGroup: String = "marketmux-orders",
                                 handler: @escaping @Sendable (VenueID, NATSMessage) -> Void) -> EventLoopFuture<[UInt64]> {
        connection.eventLoop.submit { [self] in
            venues.filter { configuration.shardVenues?.contains($0) ?? true }.map { venue in
                connection.subscribeOnLoop(subject: NATSSubject.orders(prefix: configuration.subjectPrefix, venue: venue),
                                           queueGroup: queueGroup) { message in handler(venue, message) }
            }
        }
    }

    // MARK: - Internals

    private func publishOne(_ event: MarketEvent) {
        let venue = event.venue
        if let shard = configuration.shardVenues, !shard.contains(venue) {
            stats.skippedOtherShard += 1
            return
        }
        let subject: String
        let isDroppable: Bool
        switch event {
        case .status(let e):
            subject = statusSubject(e.venue)
            isDroppable = false
        case .order:
            return
        default:
            guard let channel = event.channel, let symbol = event.symbol else { return }
            let key = SubjectKey(venue: venue, channel: channel, symbol: symbol)
            if let cached = subjects[key] {
                subject = cached
            } else {
                if subjects.count >= configuration.subjectCacheLimit { subjects.removeAll() }
                let made = NATSSubject.marketData(prefix: configuration.subjectPrefix, venue: venue, channel: channel, symbol: symbol)
                subjects[key] = made
                subject = made
            }
            isDroppable = true
        }
        if !venuesSeen.contains(venue) { venuesSeen.insert(venue) }
        scratch.removeAll(keepingCapacity: true)
        encoder.encode(event, seq: nil, into: &scratch)
        scratch.removeLast()   // the NDJSON '\n'
        var replyTo: String?
        if let js = configuration.jetStream, js.tracksAcks, let prefix = ackPrefix {
            if outstanding.count < js.maxOutstandingAcks {
                let id = nextAck
                nextAck += 1
                outstanding[id] = Nanoseconds(NIODeadline.now().uptimeNanoseconds)
                replyTo = prefix + String(id)
            } else {
                stats.untrackedPublishes += 1
            }
        }
        let outcome = scratch.withUnsafeBytes {
            connection.publishOnLoop(subject: subject, replyTo: replyTo, payload: $0, isDroppable: isDroppable, key: venue.rawValue)
        }
        switch outcome {
        case .rejected:
            stats.rejectedEvents += 1
        default:
            stats.publishedEvents += 1
        }
        stats.outstandingAcks = outstanding.count
    }

    private func statusSubject(_ venue: VenueID) -> String {
        if let s = statusSubjects[venue] { return s }
        let s = NATSSubject.status(prefix: configuration.subjectPrefix, venue: venue)
        statusSubjects[venue] = s
        return s
    }

    /// Reports drops now, or — within a second of the last report — once that second is over
    /// (so a burst of drops is reported even if publishing stops right after it).
    private func reportLossSoon() {
        let now = Nanoseconds(NIODeadline.now().uptimeNanoseconds)
        let due = lastLossReport + Interval.seconds(1)
        if now >= due {
            lastLossReport = now
            reportLoss()
            return
        }
        guard !isLossReportScheduled else { return }
        isLossReportScheduled = true
        connection.eventLoop.scheduleTask(in: .nanoseconds(due - now)) { [self] in
            isLossReportScheduled = false
            if connection.takeDropsPending && connection.stateOnLoop == .connected { reportLossSoon() }
        }
    }

    /// Publishes one `status` event per venue that lost events (dropped by the buffer policy,
    /// or written to a connection that died before confirming them).
    private func reportLoss() {
        var losses: [VenueID: Int] = [:]
        for (key, count) in connection.takeDropsOnLoop() { losses[VenueID(rawValue: key), default: 0] += count }
        let unconfirmed = connection.statisticsOnLoop.unconfirmedAtDisconnect
        let atRisk = unconfirmed - lastUnconfirmed
        lastUnconfirmed = unconfirmed
        var reasons: [VenueID: String] = [:]
        for (venue, count) in losses {
            reasons[venue] = "nats: dropped \(count) events (publish buffer of \(connection.configuration.pendingBufferLimit) bytes full)"
        }
        if atRisk > 0 {
            for venue in venuesSeen {
                let extra = "nats: up to \(atRisk) events written to a lost connection may be missing"
                reasons[venue] = reasons[venue].map { $0 + "; " + extra } ?? extra
                if losses[venue] == nil { losses[venue] = 0 }
            }
        }
        guard !reasons.isEmpty else { return }
        for (venue, reason) in reasons.sorted(by: { $0.key < $1.key }) {
            if let shard = configuration.shardVenues, !shard.contains(venue) { continue }
            let status = StatusEvent(venue: venue, state: .resyncing, reason: reason)
            scratch.removeAll(keepingCapacity: true)
            encoder.encode(status, into: &scratch)
            scratch.removeLast()
            connection.publishOnLoop(subject: statusSubject(venue), payload: scratch, isDroppable: false, key: venue.rawValue)
            stats.lossReports += 1
        }
        for observer in lossObservers { observer(losses) }
    }

    // MARK: - JetStream

    private func createStream() {
        guard let js = configuration.jetStream else { return }
        let prefix = configuration.subjectPrefix
        var json = "{\"name\":" + NATSClientEncoder.jsonString(js.stream)
        json += ",\"subjects\":[" + NATSClientEncoder.jsonString(prefix + ".md.>") + "," + NATSClientEncoder.jsonString(prefix + ".status.>") + "]"
        json += ",\"retention\":\"limits\",\"discard\":\"old\",\"storage\":\"\(js.storage.rawValue)\",\"num_replicas\":\(js.replicas)"
        if let maxAge = js.maxAge { json += ",\"max_age\":\(maxAge)" }
        json += "}"
        connection.requestOnLoop(subject: "$JS.API.STREAM.CREATE.\(js.stream)", payload: Array(json.utf8), timeout: .seconds(5))
            .whenComplete { [self] result in
                switch result {
                case .success(let reply):
                    let parsed = try? NATSJSON.parse(reply.payload)
                    if let error = parsed?["error"] {
                        // 10058: stream name already in use (exists from an earlier run): fine.
                        if error["err_code"]?.intValue == 10058 {
                            stats.isStreamReady = true
                            stats.streamError = nil
                        } else {
                            stats.streamError = error["description"]?.stringValue ?? reply.payloadText
                        }
                    } else {
                        stats.isStreamReady = true
                        stats.streamError = nil
                    }
                case .failure(let error):
                    stats.streamError = "\(error)"
                }
            }
    }

    private func handleAck(_ message: NATSMessage) {
        guard let prefix = ackPrefix, let id = UInt64(message.subject.dropFirst(prefix.count)),
              outstanding.removeValue(forKey: id) != nil else { return }
        stats.outstandingAcks = outstanding.count
        if message.headers?.status == 503 {
            stats.ackFailures += 1
            return
        }
        let json = try? NATSJSON.parse(message.payload)
        if json?["error"] != nil || json == nil {
            stats.ackFailures += 1
        } else {
            stats.acks += 1
            if let seq = json?["seq"]?.intValue { stats.lastAckedSequence = UInt64(seq) }
        }
    }

    private func sweepAcks() {
        guard let js = configuration.jetStream else { return }
        let now = Nanoseconds(NIODeadline.now().uptimeNanoseconds)
        var expired: [UInt64] = []
        for (id, sentAt) in outstanding where now - sentAt > js.ackTimeout { expired.append(id) }
        for id in expired { outstanding[id] = nil }
        stats.ackFailures += UInt64(expired.count)
        stats.outstandingAcks = outstanding.count
    }
}
