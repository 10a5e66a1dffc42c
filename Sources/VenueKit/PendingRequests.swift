import MarketModel

/// A connection's request ids and, per subscribe or unsubscribe request, the subscriptions waiting
/// for the venue's answer: Binance (`"id":1`), Bybit (`"req_id":"1"`) and Deribit (JSON-RPC `id`)
/// answer a request by its id only, so the id is what ties an ack or a refusal to subscriptions.
/// Every adapter used to keep its own counter and dictionary for this.
public struct PendingRequests: Sendable {
    /// The id the next request gets.
    public private(set) var nextID: Int64
    /// Subscriptions by the id of the request that carries them.
    private var waiting: [Int64: [Subscription]] = [:]

    /// No request yet; ids count up from `firstID` (Deribit's session-start requests use 1 and 2).
    public init(firstID: Int64 = 1) {
        nextID = firstID
    }

    /// Takes the next request id; `subscriptions` wait on it for the venue's answer. With none (a
    /// request whose answer confirms nothing, e.g. Deribit's `public/test`) nothing waits, so an
    /// answer to it is not taken for an ack.
    public mutating func register(_ subscriptions: [Subscription] = []) -> Int64 {
        let id = nextID
        nextID += 1
        if !subscriptions.isEmpty { waiting[id] = subscriptions }
        return id
    }

    /// The subscriptions waiting on request `id`, which stop waiting; `nil` when none wait on it
    /// (an unknown id, an answer without an id, or one taken already).
    public mutating func take(_ id: Int64?) -> [Subscription]? {
        guard let id else { return nil }
        return waiting.removeValue(forKey: id)
    }

    /// ``take(_:)`` for an id the venue echoes as text (Bybit's `"req_id":"3"`): only the text this
    /// table wrote, `String(id)`, matches.
    public mutating func take(requestID text: String) -> [Subscription]? {
        guard let id = Int64(text), String(id) == text else { return nil }
        return take(id)
    }

    /// `.subscribed` success for request `id`: the subscriptions waiting on it (none for an id
    /// nothing waits on) and the id as the ack's `requestID`.
    public mutating func acknowledgement(_ id: Int64?) -> VenueOutput {
        .acknowledged(take(id) ?? [], requestID: id.map { String($0) })
    }

    /// `.subscribed` refusal of the subscriptions waiting on request `id`, with the venue's reason;
    /// `nil` when none wait on it (the caller reports the reason some other way).
    public mutating func refusal(_ id: Int64?, message: String) -> VenueOutput? {
        guard let id, let subscriptions = take(id) else { return nil }
        return .refused(subscriptions, requestID: String(id), message: message)
    }

    /// The request frames for `topics`, each subscription with the venue topic it rides on (Binance
    /// streams, Bybit topics): topics in subscription order (symbol, then channel: the frames do
    /// not depend on the caller's order), each listed once however many subscriptions share it
    /// (Bybit's `tickers` serves BBO and funding), at most `maxTopics` per frame. Each frame gets
    /// the next id, and its subscriptions wait on it; `text` writes the frame from the id and the
    /// topics as a JSON array's contents (`"btcusdt@aggTrade","btcusdt@depth@100ms"`).
    public mutating func frames(for topics: [(subscription: Subscription, topic: String)], maxTopics: Int = .max,
                                text: (_ id: Int64, _ topics: String) -> String) -> [OutboundMessage] {
        var order: [String] = [], users: [String: [Subscription]] = [:]
        for (subscription, topic) in topics.sorted(by: { Subscription.symbolThenChannel($0.subscription, $1.subscription) }) {
            if users[topic] == nil { order.append(topic) }
            users[topic, default: []].append(subscription)
        }
        return OutboundMessage.batches(order, maxCount: maxTopics).map { batch in
            let id = register(batch.flatMap { users[$0] ?? [] })
            return OutboundMessage(text: text(id, batch.map { "\"\($0)\"" }.joined(separator: ",")))
        }
    }
}
