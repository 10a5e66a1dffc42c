import MarketModel
import VenueKit

extension OrderMultiplexer {
    /// `venue`'s order connection is authenticated and may carry requests (after the login
    /// frames were answered, or right after the open when requests are signed one by one).
    ///
    /// Reconciliation: a status query is queued for every `unknown` order (and, with
    /// ``ReconcileScope/allOpen``, every acknowledged open order); cancels lost in flight go out
    /// again first (a cancel is idempotent, a place never is); queued orders go out as the
    /// throttle allows, if their TTL has not passed.
    public mutating func onConnectionUp(venue: VenueID, now: Nanoseconds) -> [OrderAction] {
        var actions: [OrderAction] = []
        if desks[venue] != nil {
            desks[venue]?.isUp = true
            for key in sortedKeys(where: { $0.venue == venue && $0.isAtVenue }) {
                records[key]?.statusAttempts = 0
                guard let record = records[key] else { continue }
                switch (record.state, configuration.reconcileScope) {
                case (.unknown, _), (.accepted, .allOpen), (.partiallyFilled, .allOpen):
                    requestStatus(key)
                default:
                    break
                }
            }
        }
        finishCall(now: now, into: &actions)
        return actions
    }

    /// `venue`'s order connection is gone. Every order `sent` without an answer becomes
    /// `unknown` (never `rejected`, never resent); cancels in flight are queued again; status
    /// queries are dropped (all are re-issued on the next ``onConnectionUp(venue:now:)``);
    /// queued new orders stay queued; the per-connection limits start afresh.
    public mutating func onConnectionDown(venue: VenueID, now: Nanoseconds) -> [OrderAction] {
        var actions: [OrderAction] = []
        if let pending = desks[venue]?.pending, let connectionKeys = desks[venue]?.connectionKeys {
            desks[venue]?.isUp = false
            desks[venue]?.pending = [:]
            desks[venue]?.correlation = [:]
            let lost = pending.sorted { (UInt64($0.key) ?? 0) < (UInt64($1.key) ?? 0) }
            var resend: [CancelJob] = []
            for (_, request) in lost {
                switch request {
                case .place(let key):
                    guard records[key]?.state == .sent else { continue }
                    transition(key, to: .unknown, reason: "connection lost before the venue answered; outcome unknown until reconciled",
                               now: now, into: &actions)
                case .cancel(let key):
                    guard records[key]?.cancel == .inFlight else { continue }
                    records[key]?.cancel = .queued
                    resend.append(.one(key))
                case .cancelAll(let symbol, _):
                    resend.append(.all(symbol: symbol))
                case .status(let key):
                    if records[key]?.status == .inFlight { records[key]?.status = .idle }
                }
            }
            // Back in front of anything queued meanwhile, in their original order.
            for job in resend.reversed() { desks[venue]?.cancelLane.prepend(job) }
            for key in desks[venue]?.statusLane.elements ?? [] where records[key]?.status == .queued { records[key]?.status = .idle }
            desks[venue]?.statusLane = FIFOQueue()
            throttle.resetUsage(of: connectionKeys)
        }
        finishCall(now: now, into: &actions)
        return actions
    }

    /// The subscriber went away. With cancel-on-disconnect set for it
    /// (``setCancelOnDisconnect(_:for:)``), its queued orders are canceled locally and a cancel is
    /// queued for each of its orders at a venue; otherwise its orders keep working (their
    /// updates still come out as actions; the shell drops them).
    public mutating func onSubscriberGone(_ subscriber: OrderSubscriber, now: Nanoseconds) -> [OrderAction] {
        var actions: [OrderAction] = []
        if cancelOnDisconnect.remove(subscriber) != nil {
            for key in sortedKeys(where: { $0.key.subscriber == subscriber && $0.isOpen }) {
                guard let record = records[key] else { continue }
                if record.state == .queued {
                    unqueue(key, venue: record.venue)
                    finish(key, as: .canceled, reason: "canceled before it was sent: subscriber disconnected (cancel-on-disconnect)",
                           now: now, into: &actions)
                } else {
                    requestCancel(key)
                }
            }
        }
        finishCall(now: now, into: &actions)
        return actions
    }

    /// The kill switch: cancel everything on `venue` (of `symbol`, or all symbols), for every
    /// subscriber. Queued orders are canceled locally; orders at the venue are canceled with
    /// one cancel-all request where the venue has one, otherwise one cancel each. All of it
    /// travels in the cancel lane, ahead of new orders and from the reserved budget. It does not
    /// stop later orders (refuse them upstream to halt trading).
    public mutating func killSwitch(venue: VenueID, symbol: Symbol?, now: Nanoseconds) -> [OrderAction] {
        var actions: [OrderAction] = []
        killAll(venue: venue, symbol: symbol, now: now, into: &actions)
        finishCall(now: now, into: &actions)
        return actions
    }

    /// The kill switch's work, shared with `order.cancel_all` with `all_clients`.
    mutating func killAll(venue: VenueID, symbol: Symbol?, now: Nanoseconds, into actions: inout [OrderAction]) {
        if let supportsCancelAll = desks[venue]?.spec.supportsCancelAll {
            let matching = sortedKeys { $0.venue == venue && $0.isOpen && (symbol == nil || $0.order.symbol == symbol) }
            for key in matching {
                guard let record = records[key] else { continue }
                if record.state == .queued {
                    unqueue(key, venue: venue)
                    finish(key, as: .canceled, reason: "canceled before it was sent: kill switch", now: now, into: &actions)
                } else if !supportsCancelAll {
                    requestCancel(key)
                }
            }
            if supportsCancelAll { desks[venue]?.cancelLane.append(.all(symbol: symbol)) }
        }
    }
}
