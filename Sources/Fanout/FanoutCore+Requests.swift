import MarketModel

extension FanoutCore {
    /// Handles one request line from `id` (without its `\n`; a trailing `\r` and blank lines are
    /// tolerated). Replies are queued behind the lines already queued for the subscriber, so an
    /// `ack` of `unsubscribe` comes after the last line of that subscription.
    public mutating func receive(line: UnsafeRawBufferPointer, from id: SubscriberID, into actions: inout [FanoutAction]) {
        guard let subscriber = subscribers[id], !subscriber.queue.isClosing else { return }
        var line = line
        if let last = line.last, last == 0x0D { line = UnsafeRawBufferPointer(rebasing: line.dropLast()) }
        guard line.contains(where: { $0 != 0x20 && $0 != 0x09 }) else { return }
        let request: ClientRequest
        do {
            request = try RequestParser.parse(line, catalog: catalog, isOrderEntryEnabled: isOrderEntryEnabled)
        } catch {
            return reply(error, to: id, into: &actions)
        }
        switch request {
        case .subscribe(let requestID, let filter):
            subscribe(filter, requestID: requestID, from: id, into: &actions)
        case .unsubscribe(let requestID, let filter):
            unsubscribe(filter, requestID: requestID, from: id, into: &actions)
        case .status(let requestID):
            var bytes: [UInt8] = []
            encodeStatusReply(id: requestID, for: id, into: &bytes)
            push(reply: bytes, to: id, into: &actions)
        case .order(let order):
            actions.append(.submitOrder(order, from: id))
        case .orderOptions(let requestID, let cancelOnDisconnect):
            actions.append(.setOrderOptions(cancelOnDisconnect: cancelOnDisconnect, requestID: requestID, from: id))
        }
    }

    /// Convenience for tests: one request line as text.
    public mutating func receive(line: String, from id: SubscriberID, into actions: inout [FanoutAction]) {
        var copy = line
        copy.withUTF8 { receive(line: UnsafeRawBufferPointer($0), from: id, into: &actions) }
    }

    /// The framer discarded a line longer than ``FanoutConfiguration/maxLineBytes``.
    public mutating func lineTooLong(from id: SubscriberID, into actions: inout [FanoutAction]) {
        let message = "request line longer than \(configuration.maxLineBytes) bytes; it was discarded"
        reply(RequestError(id: nil, code: .lineTooLong, message: message), to: id, into: &actions)
    }

    /// Queues `{"type":"ack","id":..}` for `id`.
    public mutating func acknowledge(requestID: String, to id: SubscriberID, into actions: inout [FanoutAction]) {
        var bytes: [UInt8] = []
        encoder.encodeAck(id: requestID, into: &bytes)
        push(reply: bytes, to: id, into: &actions)
    }

    /// Queues `{"type":"error","id":..,"code":..,"message":..}` for `id`.
    public mutating func reply(_ error: RequestError, to id: SubscriberID, into actions: inout [FanoutAction]) {
        var bytes: [UInt8] = []
        encoder.encodeError(id: error.id, code: error.code.rawValue, message: error.message, into: &bytes)
        push(reply: bytes, to: id, into: &actions)
    }

    private mutating func push(reply bytes: [UInt8], to id: SubscriberID, into actions: inout [FanoutAction]) {
        guard let index = subscribers.index(forKey: id) else { return }
        let outcome = subscribers.values[index].queue.pushReply(EncodedLine(bytes))
        if outcome != .ignored { schedule(index, id, &actions) }
        if outcome == .overflowed { actions.append(.disconnect(id)) }
    }

    private mutating func subscribe(_ filter: SubscriptionFilter, requestID: String, from id: SubscriberID,
                                    into actions: inout [FanoutAction]) {
        guard let index = subscribers.index(forKey: id) else { return }
        let filters = subscribers.values[index].filters
        if filters.contains(filter) {
            return acknowledge(requestID: requestID, to: id, into: &actions)  // idempotent
        }
        guard filters.count < configuration.maxSubscriptionsPerSubscriber else {
            let message = "this connection already holds \(filters.count) subscriptions (the limit); unsubscribe first or use wildcards"
            return reply(RequestError(id: requestID, code: .tooManySubscriptions, message: message), to: id, into: &actions)
        }
        subscribers.values[index].filters.append(filter)
        invalidateRoutes()
        acknowledge(requestID: requestID, to: id, into: &actions)
        // Snapshot, then deltas: every book the filter selects starts with the current book.
        guard filter.channel.matches(Channel.book.rawValue) else { return }
        for key in books.bookKeys where filter.matchesBook(key) {
            subscribers.values[index].queue.requestSnapshot(of: key)
        }
    }

    private mutating func unsubscribe(_ filter: SubscriptionFilter, requestID: String, from id: SubscriberID,
                                      into actions: inout [FanoutAction]) {
        guard let index = subscribers.index(forKey: id) else { return }
        guard let position = subscribers.values[index].filters.firstIndex(of: filter) else {
            let held = subscribers.values[index].filters.map(\.description)
            let message = "no subscription \(filter) on this connection (unsubscribe names a subscribed venue/channel/symbol exactly); "
                + "held: \(Catalog.list(held))"
            return reply(RequestError(id: requestID, code: .notSubscribed, message: message), to: id, into: &actions)
        }
        subscribers.values[index].filters.remove(at: position)
        invalidateRoutes()
        let remaining = subscribers.values[index].filters
        for key in books.bookKeys where filter.matchesBook(key) && !remaining.contains(where: { $0.matchesBook(key) }) {
            subscribers.values[index].queue.forget(key)
        }
        acknowledge(requestID: requestID, to: id, into: &actions)
    }

    /// The `status` reply: an `ack` with this connection's subscriptions and queue state and the
    /// last known state of every stream (docs/protocol.md, "status").
    private func encodeStatusReply(id requestID: String, for id: SubscriberID, into b: inout [UInt8]) {
        guard let subscriber = subscribers[id] else { return }
        b.append(contentsOf: #"{"type":"ack","id":"#.utf8)
        NDJSONEncoder.string(requestID, &b)
        b.append(contentsOf: #","subscriber":"#.utf8)
        b.append(contentsOf: String(id.rawValue).utf8)
        b.append(contentsOf: #","subscriptions":["#.utf8)
        for (i, filter) in subscriber.filters.enumerated() {
            if i > 0 { b.append(UInt8(ascii: ",")) }
            var fields: [UInt8] = []
            filter.appendFields(to: &fields)
            b.append(UInt8(ascii: "{"))
            b.append(contentsOf: fields.dropFirst())  // drop the leading ','
            b.append(UInt8(ascii: "}"))
        }
        b.append(contentsOf: #"],"queued":"#.utf8)
        b.append(contentsOf: String(subscriber.queue.queuedEvents).utf8)
        b.append(contentsOf: subscriber.queue.isLagging ? #","lagging":true"#.utf8 : #","lagging":false"#.utf8)
        b.append(contentsOf: #","streams":["#.utf8)
        let sorted = streams.values.sorted {
            ($0.venue.rawValue, $0.symbol?.rawValue ?? "", $0.channel?.rawValue ?? "")
                < ($1.venue.rawValue, $1.symbol?.rawValue ?? "", $1.channel?.rawValue ?? "")
        }
        for (i, status) in sorted.enumerated() {
            if i > 0 { b.append(UInt8(ascii: ",")) }
            b.append(contentsOf: #"{"venue":"#.utf8)
            NDJSONEncoder.string(status.venue.rawValue, &b)
            if let symbol = status.symbol {
                b.append(contentsOf: #","symbol":"#.utf8)
                NDJSONEncoder.string(symbol.rawValue, &b)
            }
            if let channel = status.channel {
                b.append(contentsOf: #","channel":"#.utf8)
                NDJSONEncoder.string(channel.rawValue, &b)
            }
            b.append(contentsOf: #","state":"#.utf8)
            NDJSONEncoder.string(status.state.rawValue, &b)
            b.append(contentsOf: #","reason":"#.utf8)
            NDJSONEncoder.string(status.reason, &b)
            b.append(UInt8(ascii: "}"))
        }
        b.append(contentsOf: "]}\n".utf8)
    }
}
