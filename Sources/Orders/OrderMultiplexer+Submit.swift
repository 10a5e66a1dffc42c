import MarketModel
import VenueKit

extension OrderMultiplexer {
    /// Takes a subscriber's `order.place` / `order.cancel` / `order.cancel_all`. Returns exactly one
    /// ``OrderAction/reply(subscriber:requestID:result:)`` for it, then the updates and sends it caused.
    ///
    /// A place is validated completely before anything is queued (venue, order entry, symbol,
    /// side/type/tif, price/size grid, duplicate id, stale data, queue bound); an accepted one is
    /// reported `queued` and, throttle permitting, `sent` in the same call.
    public mutating func submit(_ request: OrderRequest, from subscriber: OrderSubscriber, now: Nanoseconds) -> [OrderAction] {
        var actions: [OrderAction] = []
        let result: Result<Void, OrderRejection>
        switch request {
        case .place(let placement):
            result = place(placement, from: subscriber, now: now, into: &actions)
        case .cancel(let cancellation):
            result = cancel(cancellation, from: subscriber, now: now, into: &actions)
        case .cancelAll(let request):
            result = cancelAll(request, from: subscriber, now: now, into: &actions)
        }
        switch result {
        case .success:
            break
        case .failure(let rejection):
            actions.insert(.reply(subscriber: subscriber, requestID: request.requestID, result: .rejected(rejection)), at: 0)
        }
        finishCall(now: now, into: &actions)
        return actions
    }

    private mutating func place(_ placement: OrderPlacement, from subscriber: OrderSubscriber, now: Nanoseconds,
                                into actions: inout [OrderAction]) -> Result<Void, OrderRejection> {
        let venue = venues[placement.venue]
        if let rejection = OrderValidator.validate(placement, venue: venue) { return .failure(rejection) }
        // Read what is needed from the desk without holding a copy of it: a live copy would make
        // the lane mutations below copy their storage.
        guard let venue, let format = desks[placement.venue]?.spec.clientOrderIDFormat,
              let queuedBySubscriber = desks[placement.venue]?.newLane.count(of: subscriber) else {
            return .failure(OrderRejection(.unsupported, "venue '\(placement.venue)' has no WebSocket order entry"))
        }
        if let id = placement.clientOrderID, records[OrderKey(subscriber: subscriber, clientOrderID: id)] != nil {
            return .failure(OrderRejection(.duplicateClientOrderID, "client_order_id '\(id)' was already used by this connection"))
        }
        if let reason = marketData.refusal(venue: placement.venue, symbol: placement.symbol,
                                          configuration: venue.staleDataGuard) {
            return .failure(OrderRejection(.staleMarketData, reason))
        }
        guard queuedBySubscriber < configuration.maxQueuedOrdersPerSubscriber else {
            return .failure(OrderRejection(.queueFull, "\(configuration.maxQueuedOrdersPerSubscriber) orders already queued for \(placement.venue)"))
        }
        guard let venueClientOrderID = idGenerator.next(format: format) else {
            return .failure(OrderRejection(.unsupported, "cannot generate a client order id in \(placement.venue)'s format"))
        }
        let key = OrderKey(subscriber: subscriber, clientOrderID: placement.clientOrderID ?? venueClientOrderID)
        if records[key] != nil {
            // A generated id equal to one the client chose earlier: refuse rather than alias.
            return .failure(OrderRejection(.duplicateClientOrderID, "client_order_id '\(key.clientOrderID)' was already used by this connection"))
        }
        let order = VenueOrder(venueClientOrderID: venueClientOrderID, symbol: placement.symbol, side: placement.side,
                               type: placement.type, price: placement.price, size: placement.size,
                               timeInForce: placement.timeInForce)
        let deadline = now + venue.maxQueueAge
        records[key] = OrderRecord(key: key, venue: placement.venue, order: order, submittedAt: now, queueDeadline: deadline)
        ordinals[key] = nextOrdinal
        nextOrdinal += 1
        byVenueClientID[placement.venue, default: [:]][venueClientOrderID] = key
        desks[placement.venue]?.newLane.append(key, owner: subscriber)
        let earliest = min(desks[placement.venue]?.earliestDeadline ?? deadline, deadline)
        desks[placement.venue]?.earliestDeadline = earliest
        actions.append(.reply(subscriber: subscriber, requestID: placement.requestID, result: .accepted))
        emit(key, now: now, into: &actions)
        return .success(())
    }

    /// Why a cancel or cancel-all cannot go to `venue`: not configured, or no order entry there
    /// (with the reason start-up recorded, as a new order gets from ``OrderValidator``).
    private func orderEntryRefusal(_ venue: VenueID) -> OrderRejection? {
        guard let configuration = venues[venue] else { return OrderRejection(.unknownVenue, "venue '\(venue)' is not configured") }
        guard desks[venue] != nil else {
            return OrderRejection(.unsupported, configuration.unavailableReason ?? "venue '\(venue)' has no WebSocket order entry")
        }
        return nil
    }

    private mutating func cancel(_ cancellation: OrderCancellation, from subscriber: OrderSubscriber, now: Nanoseconds,
                                 into actions: inout [OrderAction]) -> Result<Void, OrderRejection> {
        if let refusal = orderEntryRefusal(cancellation.venue) { return .failure(refusal) }
        let key = OrderKey(subscriber: subscriber, clientOrderID: cancellation.clientOrderID)
        guard let record = records[key] else {
            return .failure(OrderRejection(.unknownOrder, "no order '\(cancellation.clientOrderID)' from this connection"))
        }
        guard record.venue == cancellation.venue, record.order.symbol == cancellation.symbol else {
            return .failure(OrderRejection(.invalidField,
                "order '\(cancellation.clientOrderID)' is on \(record.venue) \(record.order.symbol), not \(cancellation.venue) \(cancellation.symbol)"))
        }
        guard record.isOpen else {
            return .failure(OrderRejection(.orderNotOpen, "order '\(cancellation.clientOrderID)' is already \(record.state.rawValue)"))
        }
        actions.append(.reply(subscriber: subscriber, requestID: cancellation.requestID, result: .accepted))
        cancelOne(key, record: record, now: now, into: &actions)
        return .success(())
    }

    /// `order.cancel_all`: the requester's open orders on the venue (of the symbol), each canceled
    /// as by `order.cancel` — in the cancel lane, ahead of new orders — or, with `allClients`, the
    /// kill switch for everyone's. Accepted even when nothing is open (the request is idempotent).
    private mutating func cancelAll(_ request: OrderCancelAll, from subscriber: OrderSubscriber, now: Nanoseconds,
                                    into actions: inout [OrderAction]) -> Result<Void, OrderRejection> {
        if let refusal = orderEntryRefusal(request.venue) { return .failure(refusal) }
        actions.append(.reply(subscriber: subscriber, requestID: request.requestID, result: .accepted))
        if request.allClients {
            killAll(venue: request.venue, symbol: request.symbol, now: now, into: &actions)
            return .success(())
        }
        let mine = sortedKeys { record in
            record.venue == request.venue && record.isOpen && (request.symbol == nil || record.order.symbol == request.symbol)
        }.filter { $0.subscriber == subscriber }
        for key in mine {
            guard let record = records[key] else { continue }
            cancelOne(key, record: record, now: now, into: &actions)
        }
        return .success(())
    }

    /// Cancels one open order: locally if it was never sent, else through the cancel lane.
    private mutating func cancelOne(_ key: OrderKey, record: OrderRecord, now: Nanoseconds, into actions: inout [OrderAction]) {
        if record.state == .queued {
            // Never sent: cancel locally, the venue never hears of it.
            unqueue(key, venue: record.venue)
            finish(key, as: .canceled, reason: "canceled before it was sent", now: now, into: &actions)
        } else {
            requestCancel(key)
        }
    }
}
