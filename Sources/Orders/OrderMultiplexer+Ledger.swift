import MarketModel
import VenueKit

// The ledger's state changes. Every update the subscriber sees goes through `emit`, and every
// terminal state through `finish`, which refuses a second terminal: that is where "exactly one
// outcome" is enforced structurally rather than by each caller being careful.
extension OrderMultiplexer {
    /// Appends the record's current state as an order update.
    func emit(_ key: OrderKey, now: Nanoseconds, into actions: inout [OrderAction]) {
        guard let record = records[key] else { return }
        actions.append(.update(subscriber: key.subscriber, OrderUpdate(
            clientOrderID: key.clientOrderID, venue: record.venue, symbol: record.order.symbol, state: record.state,
            venueOrderID: record.venueOrderID, filledSize: record.filledSize, averagePrice: record.averagePrice,
            reason: record.reason, tsRecv: now)))
    }

    /// Moves an open order to a non-terminal `state` and reports it.
    mutating func transition(_ key: OrderKey, to state: OrderState, reason: String?, now: Nanoseconds,
                             into actions: inout [OrderAction]) {
        guard let record = records[key], record.isOpen, !state.isTerminal else { return }
        records[key]?.state = state
        records[key]?.reason = reason
        if (state == .accepted || state == .partiallyFilled), record.acknowledgedAt == nil { records[key]?.acknowledgedAt = now }
        emit(key, now: now, into: &actions)
    }

    /// Ends an open order in terminal `state` and reports it; `false` (and nothing emitted) when
    /// the order had already ended.
    @discardableResult
    mutating func finish(_ key: OrderKey, as state: OrderState, reason: String?, now: Nanoseconds,
                         into actions: inout [OrderAction]) -> Bool {
        guard let record = records[key], record.isOpen, state.isTerminal else { return false }
        records[key]?.state = state
        records[key]?.reason = reason
        records[key]?.finishedAt = now
        records[key]?.cancel = .idle
        records[key]?.status = .idle
        finished.append(Finished(key: key, at: now))
        emit(key, now: now, into: &actions)
        return true
    }

    /// Removes a queued order from its venue's new-order lane.
    mutating func unqueue(_ key: OrderKey, venue: VenueID) {
        desks[venue]?.newLane.removeAll(of: key.subscriber) { $0 == key }
    }

    /// Queues a cancel for an order at the venue, unless one is already queued or in flight.
    mutating func requestCancel(_ key: OrderKey) {
        guard let record = records[key], record.isAtVenue, record.cancel == .idle else { return }
        records[key]?.cancel = .queued
        desks[record.venue]?.cancelLane.append(.one(key))
    }

    /// Queues a status query for an order at the venue, unless one is pending or the attempts
    /// for this connection are used up.
    mutating func requestStatus(_ key: OrderKey) {
        guard let record = records[key], record.isAtVenue, record.status == .idle,
              record.statusAttempts < configuration.maxStatusAttempts else { return }
        records[key]?.status = .queued
        desks[record.venue]?.statusLane.append(key)
    }

    /// Applies the venue's view of an order (response, status answer or execution report).
    ///
    /// Rules: a terminal order never changes again (a later fill is a diagnostic, the terminal
    /// line stands); states never go backwards (a late `accepted` after `partially_filled` only
    /// contributes ids); filled size never decreases; an unchanged view emits nothing.
    mutating func apply(_ view: VenueOrderState, to key: OrderKey, now: Nanoseconds, into actions: inout [OrderAction]) {
        guard let record = records[key] else { return }
        let reportedFill = view.filledSize ?? .zero
        if record.state.isTerminal {
            if reportedFill > (record.filledSize ?? .zero) {
                actions.append(.diagnostic(OrderDiagnostic(venue: record.venue, clientOrderID: key.clientOrderID,
                    message: "venue reported \(view.state.rawValue) with filled \(reportedFill) after the order was \(record.state.rawValue) with filled \(record.filledSize ?? .zero); the terminal state stands")))
            }
            return
        }
        if record.state == .queued {
            // The venue has an order we re-queued after a rate-limit rejection: it did take it
            // after all. Never send it again.
            unqueue(key, venue: record.venue)
            actions.append(.diagnostic(OrderDiagnostic(venue: record.venue, clientOrderID: key.clientOrderID,
                message: "venue reported an order it had refused for rate limits; not resending")))
        }
        var state = view.state
        switch state {
        case .queued, .sent, .unknown: state = .accepted  // the venue has it: that is all these can mean
        default: break
        }
        if !state.isTerminal && Self.rank(state) < Self.rank(record.state) { state = record.state }
        var filled = record.filledSize
        if let reported = view.filledSize, reported > (filled ?? .zero) || filled == nil { filled = reported }
        if state == .accepted, let filled, !filled.isZero { state = .partiallyFilled }

        var changed = state != record.state || filled != record.filledSize
        if let price = view.averagePrice, price != record.averagePrice {
            records[key]?.averagePrice = price
            changed = true
        }
        if let venueOrderID = view.venueOrderID, record.venueOrderID == nil {
            records[key]?.venueOrderID = venueOrderID
            byVenueOrderID[record.venue, default: [:]][venueOrderID] = key
            changed = true
        }
        records[key]?.filledSize = filled
        if state.isTerminal {
            finish(key, as: state, reason: view.reason ?? record.reason, now: now, into: &actions)
        } else if changed {
            transition(key, to: state, reason: view.reason, now: now, into: &actions)
        }
    }

    /// Life-cycle order for "never go backwards": unsent < at venue, outcome open < acknowledged < partly filled.
    static func rank(_ state: OrderState) -> Int {
        switch state {
        case .queued: return 0
        case .sent, .unknown: return 1
        case .accepted: return 2
        case .partiallyFilled: return 3
        case .filled, .canceled, .rejected, .expired: return 4
        }
    }

    /// Drops finished orders older than the retention window from the ledger.
    mutating func purgeRetained(now: Nanoseconds) {
        while let oldest = finished.first, oldest.at + configuration.idRetention <= now {
            _ = finished.popFirst()
            guard let record = records[oldest.key], record.finishedAt == oldest.at else { continue }
            records[oldest.key] = nil
            ordinals[oldest.key] = nil
            byVenueClientID[record.venue]?[record.order.venueClientOrderID] = nil
            if let venueOrderID = record.venueOrderID { byVenueOrderID[record.venue]?[venueOrderID] = nil }
        }
    }
}
