import MarketModel
import VenueKit

extension OrderMultiplexer {
    /// Takes one event parsed from `venue`'s order connection (``VenueKit/OrderRouting/parseOrderMessage(_:tsRecv:into:)``).
    ///
    /// Responses are correlated by request id; execution reports by venue client order id (or
    /// venue order id). Rate-limit feedback and rate-limited rejections adjust the throttle.
    public mutating func onVenueEvent(_ event: OrderVenueEvent, venue: VenueID, now: Nanoseconds) -> [OrderAction] {
        var actions: [OrderAction] = []
        switch event {
        case .loggedIn, .heartbeat:
            // Readiness is the shell's call (onConnectionUp); liveness is the session's.
            break
        case .loginFailed(let reason):
            actions.append(.diagnostic(OrderDiagnostic(venue: venue, message: "order connection login failed: \(reason)")))
        case .send(let message):
            actions.append(.sendControl(venue: venue, frame: message))
        case .rateLimit(let feedback):
            applyFeedback(feedback, venue: venue, now: now, into: &actions)
        case .update(let view):
            if let key = lookUp(view, venue: venue) {
                apply(view, to: key, now: now, into: &actions)
            } else {
                let id = view.venueClientOrderID ?? view.venueOrderID ?? "?"
                actions.append(.diagnostic(OrderDiagnostic(venue: venue,
                    message: "update for order \(id), which this instance did not place (or forgot after the retention window)")))
            }
        case .response(let requestID, let response):
            if let pending = desks[venue]?.takePending(replyID: requestID) {
                handle(response, to: pending, venue: venue, now: now, into: &actions)
            } else {
                actions.append(.diagnostic(OrderDiagnostic(venue: venue, message: "response to unknown request id \(requestID)")))
            }
        }
        finishCall(now: now, into: &actions)
        return actions
    }

    /// The ledger key an execution report refers to.
    func lookUp(_ view: VenueOrderState, venue: VenueID) -> OrderKey? {
        if let id = view.venueClientOrderID, let key = byVenueClientID[venue]?[id] { return key }
        if let id = view.venueOrderID, let key = byVenueOrderID[venue]?[id] { return key }
        return nil
    }

    /// Used/limit feedback tightens the named limit's cells; `retryAfter` blocks them. Feedback
    /// naming no limit applies to every cell of the venue (the conservative reading).
    private mutating func applyFeedback(_ feedback: RateLimitFeedback, venue: VenueID, now: Nanoseconds,
                                        into actions: inout [OrderAction]) {
        guard let desk = desks[venue] else { return }
        let keys = feedback.name.map { desk.keys(named: $0) } ?? desk.allKeys
        if keys.isEmpty {
            let name = feedback.name ?? ""
            if desks[venue]?.unmatchedFeedbackNames.insert(name).inserted == true {
                actions.append(.diagnostic(OrderDiagnostic(venue: venue,
                    message: "rate-limit feedback for '\(name)', which matches no configured limit (map it in feedbackLimitNames)")))
            }
            if let retryAfter = feedback.retryAfter { throttle.block(desk.allKeys, until: now + max(0, retryAfter)) }
            return
        }
        throttle.apply(feedback, to: keys, now: now)
    }

    /// Blocks every cell of `venue` after the venue refused a request for rate limits.
    private mutating func backOff(venue: VenueID, retryAfter: Nanoseconds?, now: Nanoseconds) {
        guard let desk = desks[venue] else { return }
        throttle.block(desk.allKeys, until: now + max(0, retryAfter ?? desk.configuration.defaultRetryAfter))
    }

    private mutating func handle(_ response: OrderResponse, to pending: PendingRequest, venue: VenueID, now: Nanoseconds,
                                 into actions: inout [OrderAction]) {
        switch pending {
        case .place(let key): handlePlace(response, key: key, venue: venue, now: now, into: &actions)
        case .cancel(let key): handleCancel(response, key: key, venue: venue, now: now, into: &actions)
        case .status(let key): handleStatus(response, key: key, venue: venue, now: now, into: &actions)
        case .cancelAll(let symbol, let scope):
            handleCancelAll(response, symbol: symbol, scope: scope, venue: venue, now: now, into: &actions)
        }
    }

    private mutating func handlePlace(_ response: OrderResponse, key: OrderKey, venue: VenueID, now: Nanoseconds,
                                      into actions: inout [OrderAction]) {
        guard let record = records[key] else { return }
        switch response {
        case .accepted(let view):
            apply(view ?? VenueOrderState(venueClientOrderID: record.order.venueClientOrderID, venueOrderID: nil, state: .accepted),
                  to: key, now: now, into: &actions)
        case .rejected(let reason, true, let retryAfter):
            backOff(venue: venue, retryAfter: retryAfter, now: now)
            // The venue did not take it (OrderResponse contract), so sending it again is not a
            // duplicate; same venue client order id, so a venue that did take it would refuse.
            guard record.state == .sent else { return }
            if record.cancel != .idle {
                // The client asked to cancel it while it was in flight, and the venue did not take
                // it: it ends here like a never-sent order. Queued again, it would be sent again
                // while its cancel (queued: dropped on release, the order not being at the venue;
                // in flight: refused too) is lost, and it would rest at the venue.
                finish(key, as: .canceled, reason: "canceled before the venue took it (the place was rate limited: \(reason))",
                       now: now, into: &actions)
                return
            }
            transition(key, to: .queued, reason: "rate limited by the venue (\(reason)); queued again", now: now, into: &actions)
            desks[venue]?.newLane.prepend(key, owner: key.subscriber)
            let earliest = min(desks[venue]?.earliestDeadline ?? record.queueDeadline, record.queueDeadline)
            desks[venue]?.earliestDeadline = earliest
        case .rejected(let reason, false, _), .notFound(let reason):
            if record.state == .sent {
                finish(key, as: .rejected, reason: reason, now: now, into: &actions)
            } else if record.isOpen {
                actions.append(.diagnostic(OrderDiagnostic(venue: venue, clientOrderID: key.clientOrderID,
                    message: "place rejected (\(reason)) after the order was already \(record.state.rawValue); keeping that state")))
            }
        }
    }

    private mutating func handleCancel(_ response: OrderResponse, key: OrderKey, venue: VenueID, now: Nanoseconds,
                                       into actions: inout [OrderAction]) {
        guard let record = records[key] else { return }
        if record.cancel == .inFlight { records[key]?.cancel = .idle }
        switch response {
        case .accepted(let view):
            if let view, view.state.isTerminal {
                apply(view, to: key, now: now, into: &actions)
            } else {
                let canceled = VenueOrderState(venueClientOrderID: record.order.venueClientOrderID, venueOrderID: view?.venueOrderID,
                                               state: .canceled, filledSize: view?.filledSize, averagePrice: view?.averagePrice,
                                               reason: view?.reason ?? "canceled on request")
                apply(canceled, to: key, now: now, into: &actions)
            }
        case .rejected(_, true, let retryAfter):
            backOff(venue: venue, retryAfter: retryAfter, now: now)
            guard record.isAtVenue else { return }
            records[key]?.cancel = .queued
            desks[venue]?.cancelLane.prepend(.one(key))
        case .rejected(let reason, false, _):
            guard record.isOpen else { return }
            records[key]?.reason = "cancel refused by the venue: \(reason)"
            emit(key, now: now, into: &actions)
        case .notFound(let reason):
            // The venue does not know it: it ended (an execution report may still be on its way)
            // or, for an `unknown` order, never arrived. A status query settles which.
            guard record.isOpen else { return }
            actions.append(.diagnostic(OrderDiagnostic(venue: venue, clientOrderID: key.clientOrderID,
                message: "cancel answered 'not found' (\(reason)) while \(record.state.rawValue); querying status")))
            requestStatus(key)
        }
    }

    /// The answer to an ``OrderAction/queryStatus(venue:order:venueClientOrderID:symbol:)`` the
    /// shell obtained out of band (the venue's REST API, for venues whose WebSocket has no status
    /// query). Handled exactly like a WebSocket status reply, including the one "not received by
    /// venue" conclusion for an `unknown` order answered `.notFound`.
    public mutating func onStatusAnswer(_ response: OrderResponse, for key: OrderKey, now: Nanoseconds) -> [OrderAction] {
        var actions: [OrderAction] = []
        if let venue = records[key]?.venue {
            handleStatus(response, key: key, venue: venue, now: now, into: &actions)
        }
        finishCall(now: now, into: &actions)
        return actions
    }

    private mutating func handleStatus(_ response: OrderResponse, key: OrderKey, venue: VenueID, now: Nanoseconds,
                                       into actions: inout [OrderAction]) {
        guard let record = records[key] else { return }
        if record.status == .inFlight { records[key]?.status = .idle }
        switch response {
        case .accepted(let view):
            apply(view ?? VenueOrderState(venueClientOrderID: record.order.venueClientOrderID, venueOrderID: nil, state: .accepted),
                  to: key, now: now, into: &actions)
        case .notFound(let reason):
            if record.state == .unknown {
                // Sent, then the connection dropped before an answer; the venue, asked after the
                // reconnect, has no such client order id: it never received the frame. The one
                // case where "rejected" is concluded without the venue saying so (docs/orders.md).
                finish(key, as: .rejected, reason: "not received by venue (status query: \(reason))", now: now, into: &actions)
            } else if record.isOpen {
                actions.append(.diagnostic(OrderDiagnostic(venue: venue, clientOrderID: key.clientOrderID,
                    message: "status query answered 'not found' (\(reason)) for an order the venue acknowledged; leaving it \(record.state.rawValue)")))
            }
        case .rejected(_, true, let retryAfter):
            backOff(venue: venue, retryAfter: retryAfter, now: now)
            guard record.isAtVenue else { return }
            records[key]?.status = .queued
            desks[venue]?.statusLane.prepend(key)
        case .rejected(let reason, false, _):
            records[key]?.statusAttempts += 1
            if (records[key]?.statusAttempts ?? 0) < configuration.maxStatusAttempts {
                requestStatus(key)
            } else if record.isOpen {
                actions.append(.diagnostic(OrderDiagnostic(venue: venue, clientOrderID: key.clientOrderID,
                    message: "status query refused \(configuration.maxStatusAttempts) times (\(reason)); order stays \(record.state.rawValue) until the next reconnect")))
            }
        }
    }

    private mutating func handleCancelAll(_ response: OrderResponse, symbol: Symbol?, scope: [OrderKey], venue: VenueID,
                                          now: Nanoseconds, into actions: inout [OrderAction]) {
        switch response {
        case .accepted:
            // The venue processed the cancel-all after every order acknowledged before it was
            // sent; those that are still working are canceled. Orders whose outcome is still
            // open (sent, unknown) settle through their own response or status query.
            for key in scope {
                guard let record = records[key], record.state == .accepted || record.state == .partiallyFilled else { continue }
                apply(VenueOrderState(venueClientOrderID: record.order.venueClientOrderID, venueOrderID: record.venueOrderID,
                                      state: .canceled, reason: "canceled by cancel-all"), to: key, now: now, into: &actions)
            }
        case .rejected(_, true, let retryAfter):
            backOff(venue: venue, retryAfter: retryAfter, now: now)
            desks[venue]?.cancelLane.prepend(.all(symbol: symbol))
        case .rejected(let reason, false, _), .notFound(let reason):
            actions.append(.diagnostic(OrderDiagnostic(venue: venue, message: "cancel-all refused: \(reason)")))
        }
    }
}
