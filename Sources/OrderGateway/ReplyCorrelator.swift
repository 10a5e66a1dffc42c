import VenueKit

/// Maps venue replies that do not echo our request ids back to them (Bitfinex names the order's
/// `cid`, see ``VenueKit/OrderRouting/replyCorrelationKey(kind:venueClientOrderID:)``). Requests
/// sharing a key are answered in the order they were sent, so each key holds a FIFO of ids.
struct ReplyCorrelator: Sendable {
    private var waiting: [String: [String]] = [:]

    /// Remembers that the reply carrying `key` answers `requestID`.
    mutating func expect(key: String, requestID: String) {
        waiting[key, default: []].append(requestID)
    }

    /// The request id the reply carrying `key` answers, or `nil` when none is waiting (the event
    /// is then passed on unchanged, and the core reports it as unmatched).
    mutating func resolve(key: String) -> String? {
        guard var ids = waiting[key], !ids.isEmpty else { return nil }
        let first = ids.removeFirst()
        waiting[key] = ids.isEmpty ? nil : ids
        return first
    }

    /// Forgets everything (the connection dropped: its replies will never come).
    mutating func removeAll() { waiting.removeAll() }
}
