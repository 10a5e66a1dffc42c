import MarketModel
import VenueKit

extension OrderMultiplexer {
    /// What happened to one attempt to put a request on the wire.
    enum SendOutcome {
        /// Sent and recorded as pending.
        case sent
        /// The throttle does not allow it yet; nothing changed.
        case throttled
        /// The frame builder refused; nothing was sent or charged.
        case failed(OrderRoutingError)
    }

    /// The common tail of every entry point: expire what waited too long, send what the throttle
    /// allows, forget old finished orders, and ask for the next wake-up.
    mutating func finishCall(now: Nanoseconds, into actions: inout [OrderAction]) {
        for venue in deskOrder {
            expireOverdue(venue: venue, now: now, into: &actions)
            release(venue: venue, now: now, into: &actions)
        }
        purgeRetained(now: now)
        scheduleWakeUp(now: now, into: &actions)
    }

    /// Expires queued orders whose deadline has come (also while the connection is down: an
    /// order is never sent late, whatever kept it waiting).
    mutating func expireOverdue(venue: VenueID, now: Nanoseconds, into actions: inout [OrderAction]) {
        guard let earliest = desks[venue]?.earliestDeadline, earliest <= now, let queued = desks[venue]?.newLane.allElements else { return }
        var overdue: [OrderKey] = []
        var next: Nanoseconds?
        for key in queued {
            guard let record = records[key] else { continue }
            if record.queueDeadline <= now { overdue.append(key) } else { next = min(next ?? record.queueDeadline, record.queueDeadline) }
        }
        desks[venue]?.earliestDeadline = next
        overdue.sort { (ordinals[$0] ?? 0) < (ordinals[$1] ?? 0) }
        for key in overdue {
            unqueue(key, venue: venue)
            expire(key, now: now, into: &actions)
        }
    }

    /// Ends a queued order as `expired`, naming how long it waited.
    mutating func expire(_ key: OrderKey, now: Nanoseconds, into actions: inout [OrderAction]) {
        guard let record = records[key], let venue = venues[record.venue] else { return }
        let waited = (now - record.submittedAt) / 1_000_000
        finish(key, as: .expired, reason: "waited \(waited) ms in the queue, longer than the \(venue.maxQueueAge / 1_000_000) ms queue TTL",
               now: now, into: &actions)
    }

    /// Sends, lane by lane in strict priority, every request the throttle allows at `now`.
    mutating func release(venue: VenueID, now: Nanoseconds, into actions: inout [OrderAction]) {
        while desks[venue]?.isUp == true {
            if let job = desks[venue]?.cancelLane.first {
                guard releaseCancel(job, venue: venue, now: now, into: &actions) else { return }
            } else if let key = desks[venue]?.statusLane.first {
                guard releaseStatus(key, venue: venue, now: now, into: &actions) else { return }
            } else if let key = desks[venue]?.newLane.first?.element {
                guard releaseNew(key, venue: venue, now: now, into: &actions) else { return }
            } else {
                return
            }
        }
    }

    /// Handles the cancel lane's head; `false` when it must wait for the throttle.
    private mutating func releaseCancel(_ job: CancelJob, venue: VenueID, now: Nanoseconds, into actions: inout [OrderAction]) -> Bool {
        switch job {
        case .one(let key):
            guard let record = records[key], record.isAtVenue else {
                // Ended (or resolved as never received) while the cancel waited: nothing to cancel.
                _ = desks[venue]?.cancelLane.popFirst()
                if records[key]?.cancel == .queued { records[key]?.cancel = .idle }
                return true
            }
            let request = OutboundOrderRequest.cancel(venueClientOrderID: record.order.venueClientOrderID, symbol: record.order.symbol)
            switch trySend(request, venue: venue, usesReserve: true, pending: .cancel(key), demands: cancelDemands(job, venue: venue, now: now),
                           now: now, into: &actions) {
            case .throttled:
                return false
            case .sent:
                _ = desks[venue]?.cancelLane.popFirst()
                records[key]?.cancel = .inFlight
            case .failed(let error):
                _ = desks[venue]?.cancelLane.popFirst()
                records[key]?.cancel = .idle
                records[key]?.reason = "cancel could not be sent: \(error.message)"
                emit(key, now: now, into: &actions)
            }
        case .all(let symbol):
            let scope = sortedKeys { $0.venue == venue && $0.isAtVenue && (symbol == nil || $0.order.symbol == symbol) }
            switch trySend(.cancelAll(symbol: symbol), venue: venue, usesReserve: true,
                           pending: .cancelAll(symbol: symbol, scope: scope), now: now, into: &actions) {
            case .throttled:
                return false
            case .sent:
                _ = desks[venue]?.cancelLane.popFirst()
            case .failed(let error):
                // The venue's cancel-all cannot express this scope (Binance's needs a symbol): cancel
                // the same orders one by one instead, still in the cancel lane. A kill switch must not
                // end with orders left open at the venue.
                _ = desks[venue]?.cancelLane.popFirst()
                actions.append(.diagnostic(OrderDiagnostic(venue: venue,
                    message: "cancel-all could not be sent (\(error.message)); canceling \(scope.count) orders one by one")))
                for key in scope { requestCancel(key) }
            }
        }
        return true
    }

    /// Handles the status lane's head; `false` when it must wait for the throttle.
    private mutating func releaseStatus(_ key: OrderKey, venue: VenueID, now: Nanoseconds, into actions: inout [OrderAction]) -> Bool {
        guard let record = records[key], record.isAtVenue else {
            _ = desks[venue]?.statusLane.popFirst()
            if records[key]?.status == .queued { records[key]?.status = .idle }
            return true
        }
        let request = OutboundOrderRequest.status(venueClientOrderID: record.order.venueClientOrderID, symbol: record.order.symbol)
        switch trySend(request, venue: venue, usesReserve: false, pending: .status(key), now: now, into: &actions) {
        case .throttled:
            return false
        case .sent:
            _ = desks[venue]?.statusLane.popFirst()
            records[key]?.status = .inFlight
        case .failed:
            // No status query on this venue's WebSocket (the router throws): the shell asks out of
            // band and answers with onStatusAnswer. Nothing was sent or charged here.
            _ = desks[venue]?.statusLane.popFirst()
            records[key]?.status = .inFlight
            actions.append(.queryStatus(venue: venue, order: key, venueClientOrderID: record.order.venueClientOrderID,
                                        symbol: record.order.symbol))
        }
        return true
    }

    /// Handles the new-order lane's head (the subscriber whose turn it is); `false` when it must
    /// wait for the throttle.
    private mutating func releaseNew(_ key: OrderKey, venue: VenueID, now: Nanoseconds, into actions: inout [OrderAction]) -> Bool {
        guard let record = records[key], record.state == .queued else {
            _ = desks[venue]?.newLane.popFirst()
            return true
        }
        if record.queueDeadline <= now {
            _ = desks[venue]?.newLane.popFirst()
            expire(key, now: now, into: &actions)
            return true
        }
        switch trySend(.place(record.order), venue: venue, usesReserve: false, pending: .place(key), now: now, into: &actions) {
        case .throttled:
            return false
        case .sent:
            _ = desks[venue]?.newLane.popFirst()
            records[key]?.placeFramesSent += 1
            transition(key, to: .sent, reason: nil, now: now, into: &actions)
        case .failed(let error):
            _ = desks[venue]?.newLane.popFirst()
            finish(key, as: .rejected, reason: "the request could not be built: \(error.message)", now: now, into: &actions)
        }
        return true
    }

    /// Acquires the throttle for `request` (all of its limits, atomically), builds the frame and
    /// records the pending request. The frame is built before the throttle is charged, so a
    /// builder failure costs no budget.
    mutating func trySend(_ request: OutboundOrderRequest, venue: VenueID, usesReserve: Bool, pending: PendingRequest,
                          demands: [ThrottleDemand]? = nil, now: Nanoseconds, into actions: inout [OrderAction]) -> SendOutcome {
        guard let builder = desks[venue]?.builder else { return .throttled }
        let demands = demands ?? desks[venue]?.demands[request.kind] ?? []
        guard throttle.earliestTime(for: demands, usesReserve: usesReserve, now: now) <= now else { return .throttled }
        let requestID = String(nextRequestNumber)
        let frame: OutboundMessage
        do {
            frame = try builder.frame(for: request, requestID: requestID, now: now)
        } catch {
            return .failed(error)
        }
        nextRequestNumber += 1
        _ = throttle.tryAcquire(demands, usesReserve: usesReserve, now: now)
        desks[venue]?.pending[requestID] = pending
        if let replyKey = builder.replyCorrelationKey(for: request) {
            desks[venue]?.correlation[replyKey, default: FIFOQueue()].append(requestID)
        }
        actions.append(.send(venue: venue, requestID: requestID, request: request, frame: frame))
        return .sent
    }

    /// The earliest time anything can happen without outside input: a lane head conforming on
    /// an up connection, or a queued order's deadline.
    func nextWakeUp(now: Nanoseconds) -> Nanoseconds? {
        var wake: Nanoseconds?
        for venue in deskOrder {
            guard let desk = desks[venue] else { continue }
            if !desk.newLane.isEmpty, let deadline = desk.earliestDeadline { wake = min(wake ?? deadline, deadline) }
            guard desk.isUp else { continue }
            let head: ([ThrottleDemand], Bool)?
            if let job = desk.cancelLane.first {
                head = (cancelDemands(job, venue: venue, now: now), true)
            } else if !desk.statusLane.isEmpty {
                head = (desk.demands[.status] ?? [], false)
            } else if !desk.newLane.isEmpty {
                head = (desk.demands[.place] ?? [], false)
            } else {
                head = nil
            }
            if let (demands, usesReserve) = head {
                let time = throttle.earliestTime(for: demands, usesReserve: usesReserve, now: now)
                wake = min(wake ?? time, time)
            }
        }
        return wake
    }

    /// What the cancel lane's `job` costs: the venue's cancel or cancel-all weights, and for a
    /// venue with a ``VenueKit/CancelPenalty`` a single cancel weighs by the order's age since the
    /// venue confirmed it (not confirmed yet: age 0, the heaviest) — so the throttle paces cancels
    /// as the venue counts them instead of learning it from rate-limit refusals.
    func cancelDemands(_ job: CancelJob, venue: VenueID, now: Nanoseconds) -> [ThrottleDemand] {
        guard let desk = desks[venue] else { return [] }
        switch job {
        case .all:
            return desk.demands[.cancelAll] ?? []
        case .one(let key):
            let base = desk.demands[.cancel] ?? []
            guard let penalty = desk.spec.cancelPenalty else { return base }
            let age = records[key]?.acknowledgedAt.map { now &- $0 } ?? 0
            let weight = max(desk.spec.weight(of: .cancel), penalty.weight(age: age))
            return base.map { ThrottleDemand(key: $0.key, weight: weight) }
        }
    }

    /// Appends a wake-up request when the next wake-up differs from the one already requested.
    mutating func scheduleWakeUp(now: Nanoseconds, into actions: inout [OrderAction]) {
        guard let wake = nextWakeUp(now: now), wake != armedWakeUp else { return }
        armedWakeUp = wake
        actions.append(.scheduleWakeUp(at: wake))
    }
}
