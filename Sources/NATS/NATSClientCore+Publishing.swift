import MarketModel

/// Publishing, subscribing and taking the bytes to write.
extension NATSClientCore {
    /// Publishes `payload` to `subject` (with an optional reply subject and headers).
    ///
    /// Connected and writable with nothing pending: encoded straight into the outbound bytes.
    /// Otherwise it joins the bounded pending buffer (`isDroppable` frames may be dropped, oldest
    /// first, to make room; see ``NATSPendingQueue``). `key` groups drops for reporting.
    public mutating func publish(subject: String, replyTo: String? = nil, headers: NATSHeaders? = nil,
                                 payload: UnsafeRawBufferPointer, isDroppable: Bool, key: String? = nil,
                                 isWritable: Bool = true) -> NATSPublishOutcome {
        guard phase != .closed else {
            statistics.rejectedMessages += 1
            return .rejected(NATSError(.invalidArgument, "the NATS client is closed"))
        }
        guard payload.count + (headers.map { $0.bytes.count } ?? 0) <= maxPayload else {
            statistics.rejectedMessages += 1
            return .rejected(NATSError(.invalidArgument, "payload of \(payload.count) bytes to '\(subject)' exceeds the server's max_payload \(maxPayload)"))
        }
        statistics.publishedMessages += 1
        if phase == .connected && isWritable && pending.isEmpty && wire.count < configuration.writeBatchLimit {
            encode(subject: subject, replyTo: replyTo, headers: headers, payload: payload, into: &wire)
            wireMessages += 1
            return .written
        }
        var frame: [UInt8] = []
        frame.reserveCapacity(subject.utf8.count + (replyTo?.utf8.count ?? 0) + payload.count + 32)
        encode(subject: subject, replyTo: replyTo, headers: headers, payload: payload, into: &frame)
        let result = pending.enqueue(frame, isDroppable: isDroppable, key: key)
        syncPendingStatistics()
        switch result {
        case .queued(let dropped): return dropped == 0 ? .queued : .queuedDroppingOlder(dropped)
        case .droppedNew: return .dropped
        case .rejected:
            statistics.rejectedMessages += 1
            statistics.publishedMessages -= 1
            return .rejected(NATSError(.invalidArgument, "pending buffer full (\(configuration.pendingBufferLimit) bytes) of messages that must not be dropped"))
        }
    }

    /// Adds a subscription (sent now if connected, and again after every reconnect).
    public mutating func subscribe(subject: String, queueGroup: String? = nil) -> UInt64 {
        let sid = nextSID
        nextSID += 1
        subscriptions[sid] = (subject, queueGroup)
        if phase == .connected || phase == .awaitingPong {
            NATSClientEncoder.subscribe(subject: subject, queueGroup: queueGroup, sid: sid, into: &wire)
        }
        return sid
    }

    /// Removes a subscription.
    public mutating func unsubscribe(sid: UInt64) {
        guard subscriptions.removeValue(forKey: sid) != nil else { return }
        if phase == .connected || phase == .awaitingPong {
            NATSClientEncoder.unsubscribe(sid: sid, into: &wire)
        }
    }

    /// Whether ``takeOutbound(now:isWritable:)`` has anything to hand out: bytes, pending
    /// publishes it may write now, or a confirming `PING` owed for writes made while the previous
    /// one was outstanding (without it, a burst that ends before that `PONG` stays unconfirmed
    /// until the next keep-alive).
    public func hasOutbound(isWritable: Bool) -> Bool {
        !wire.isEmpty || (phase == .connected && isWritable && !pending.isEmpty) || owesConfirmingPing
    }

    /// Writes went out after the outstanding `PING` and none is outstanding any more.
    var owesConfirmingPing: Bool {
        configuration.confirmsWrites && phase == .connected && unpinged > 0 && pingHead == pings.count
    }

    /// The bytes to write now: control ops and fast-path publishes, then (when connected and
    /// writable) pending publishes up to ``NATSClientConfiguration/writeBatchLimit``, then a
    /// confirming `PING` if none is outstanding. Empty when there is nothing to send.
    public mutating func takeOutbound(now: Nanoseconds, isWritable: Bool) -> [UInt8] {
        var out: [UInt8] = []
        swap(&out, &wire)
        var frames = wireMessages
        wireMessages = 0
        if phase == .connected && isWritable && !pending.isEmpty && out.count < configuration.writeBatchLimit {
            frames += pending.dequeue(into: &out, maxBytes: configuration.writeBatchLimit)
            syncPendingStatistics()
        }
        statistics.sentMessages += UInt64(frames)
        unpinged += frames
        if owesConfirmingPing {
            pings.append((now, unpinged))
            unpinged = 0
            pingsSent += 1
            NATSClientEncoder.ping(into: &out)
        }
        return out
    }

    /// Drops counted since the last call, per key (the publisher reports them as status events).
    public mutating func takeDrops() -> [String: Int] { pending.takeDrops() }

    /// Whether drops are waiting to be reported.
    public var hasUnreportedDrops: Bool { pending.hasUnreportedDrops }
}
