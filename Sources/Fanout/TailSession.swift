/// The client side of `marketmux tail` (sans-IO): the subscribe line to send, then what to do
/// with each line the server sends. Event lines are printed exactly as received.
public struct TailSession: Sendable {
    /// What to do with one received line.
    public enum Step: Sendable, Hashable {
        /// Print the line (an event) to stdout as is.
        case print
        /// The subscription was acknowledged; nothing to print.
        case subscribed
        /// The subscription was refused: print the message to stderr and exit non-zero.
        case fail(String)
        /// A later error about this connection: print the message to stderr and go on.
        case warn(String)
    }

    /// The subscription.
    public let filter: SubscriptionFilter
    /// The request id used.
    public let requestID = "tail"
    /// Whether the `ack` arrived.
    public private(set) var isSubscribed = false
    private var finalReason: String?

    /// A session for `filter`.
    public init(filter: SubscriptionFilter) {
        self.filter = filter
    }

    /// The line to send first.
    public var subscribeLine: [UInt8] { filter.requestLine(op: "subscribe", id: requestID) }

    /// Classifies one line (without its `\n`).
    public mutating func receive(_ line: UnsafeRawBufferPointer) -> Step {
        if line.starts(with: #"{"type":"ack""#.utf8) {
            isSubscribed = true
            return .subscribed
        }
        if line.starts(with: #"{"type":"error""#.utf8) {
            let object = (try? JSONLineParser.parseObject(line)) ?? [:]
            var message = "the server sent an error"
            if case .string(let text)? = object["message"] { message = text }
            if case .string(let code)? = object["code"], code == FanoutErrorCode.unavailable.rawValue { return .fail(message) }
            return isSubscribed ? .warn(message) : .fail(message)
        }
        if line.starts(with: #"{"type":"status","venue":"*""#.utf8),
           let object = try? JSONLineParser.parseObject(line), object["state"] == .string("disconnected"),
           case .string(let reason)? = object["reason"] {
            finalReason = reason
        }
        return .print
    }

    /// The stderr sentence when the server closes the connection.
    public var endMessage: String {
        if let finalReason { return "the server ended the stream: \(finalReason)" }
        return isSubscribed ? "the server closed the connection" : "the server closed the connection before answering the subscription"
    }
}
