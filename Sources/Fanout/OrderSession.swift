import MarketModel

/// The protocol side of `marketmux order place|cancel|cancel-all`: builds the request line and classifies
/// the server's replies until the order reaches a terminal state (SPEC §2, §5). Sans-IO: the
/// command does the socket and stdout I/O.
public struct OrderSession: Sendable {
    /// What to do with one server line.
    public enum Step: Sendable, Hashable {
        /// Print the line on stdout (an order update for our order).
        case print
        /// Print the line; the order reached a terminal state: exit 0 (1 when it was `rejected`/`expired`).
        case finished(exitCode: Int32)
        /// Nothing to show (our ack, other subscribers' data).
        case skip
        /// The request was refused: this sentence to stderr, exit 1.
        case fail(String)
    }

    /// The request `id` used on the wire.
    public let requestID: String
    /// The order the session follows.
    public let clientOrderID: String
    /// The request line to send (with its `\n`).
    public let requestLine: [UInt8]
    /// Whether the server acknowledged the request.
    public private(set) var isAcknowledged = false

    /// `order.place`; `clientOrderID` must be set (the command generates one when the user gave none).
    public init(place: OrderPlacement) {
        requestID = place.requestID
        clientOrderID = place.clientOrderID ?? ""
        var line: [UInt8] = []
        line.append(contentsOf: #"{"op":"order.place","id":"#.utf8)
        NDJSONEncoder.string(place.requestID, &line)
        line.append(contentsOf: #","venue":"#.utf8)
        NDJSONEncoder.string(place.venue.rawValue, &line)
        line.append(contentsOf: #","symbol":"#.utf8)
        NDJSONEncoder.string(place.symbol.rawValue, &line)
        line.append(contentsOf: #","side":"#.utf8)
        NDJSONEncoder.string(place.side.rawValue, &line)
        line.append(contentsOf: #","type":"#.utf8)
        NDJSONEncoder.string(place.type.rawValue, &line)
        if let price = place.price {
            line.append(contentsOf: #","price":"#.utf8)
            NDJSONEncoder.string(price.description, &line)
        }
        line.append(contentsOf: #","size":"#.utf8)
        NDJSONEncoder.string(place.size.description, &line)
        line.append(contentsOf: #","tif":"#.utf8)
        NDJSONEncoder.string(place.timeInForce.rawValue, &line)
        line.append(contentsOf: #","client_order_id":"#.utf8)
        NDJSONEncoder.string(clientOrderID, &line)
        line.append(contentsOf: "}\n".utf8)
        requestLine = line
    }

    /// `order.cancel`.
    public init(cancel: OrderCancellation) {
        requestID = cancel.requestID
        clientOrderID = cancel.clientOrderID
        var line: [UInt8] = []
        line.append(contentsOf: #"{"op":"order.cancel","id":"#.utf8)
        NDJSONEncoder.string(cancel.requestID, &line)
        line.append(contentsOf: #","venue":"#.utf8)
        NDJSONEncoder.string(cancel.venue.rawValue, &line)
        line.append(contentsOf: #","symbol":"#.utf8)
        NDJSONEncoder.string(cancel.symbol.rawValue, &line)
        line.append(contentsOf: #","client_order_id":"#.utf8)
        NDJSONEncoder.string(cancel.clientOrderID, &line)
        line.append(contentsOf: "}\n".utf8)
        requestLine = line
    }

    /// `order.cancel_all`: the session ends at the acknowledgement (the orders canceled belong to
    /// other connections, which get their updates; a fresh connection has none of its own).
    public init(cancelAll: OrderCancelAll) {
        requestID = cancelAll.requestID
        clientOrderID = ""
        endsAtAcknowledgement = true
        var line: [UInt8] = []
        line.append(contentsOf: #"{"op":"order.cancel_all","id":"#.utf8)
        NDJSONEncoder.string(cancelAll.requestID, &line)
        line.append(contentsOf: #","venue":"#.utf8)
        NDJSONEncoder.string(cancelAll.venue.rawValue, &line)
        if let symbol = cancelAll.symbol {
            line.append(contentsOf: #","symbol":"#.utf8)
            NDJSONEncoder.string(symbol.rawValue, &line)
        }
        line.append(contentsOf: (cancelAll.allClients ? #","all_clients":true}"# : "}").utf8)
        line.append(0x0A)
        requestLine = line
    }

    /// Whether the session is over once the request is acknowledged (`order.cancel_all`).
    private var endsAtAcknowledgement = false

    /// Classifies one line (without its `\n`).
    public mutating func receive(_ line: UnsafeRawBufferPointer) -> Step {
        guard let object = try? JSONLineParser.parseObject(line), case .string(let type)? = object["type"] else {
            return .fail("the server sent a line that is not a JSON object")
        }
        switch type {
        case "ack":
            guard object["id"] == .string(requestID) else { return .skip }
            isAcknowledged = true
            return endsAtAcknowledgement ? .finished(exitCode: 0) : .skip
        case "error":
            guard object["id"] == .string(requestID) else { return .skip }
            var message = "the request was refused"
            if case .string(let text)? = object["message"] { message = text }
            if case .string(let code)? = object["code"] { message = "\(code): \(message)" }
            return .fail(message)
        case "order":
            guard object["client_order_id"] == .string(clientOrderID), case .string(let name)? = object["state"],
                  let state = OrderState(rawValue: name) else { return .skip }
            guard state.isTerminal else { return .print }
            return .finished(exitCode: state == .rejected || state == .expired ? 1 : 0)
        default:
            return .skip
        }
    }
}
