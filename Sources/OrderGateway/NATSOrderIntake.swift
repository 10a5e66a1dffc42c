import Fanout
import MarketModel
import NATS
import NIOCore
import Orders

/// Order intake over NATS (SPEC §7; docs/scaling.md "Order intake"): request-reply on
/// `<prefix>.orders.<venue>` into the same ``OrderGateway`` as the local socket — same JSON as
/// the socket's `order.place` / `order.cancel` (parsed by Fanout's ``Fanout/RequestParser``, so
/// a bad request gets the same error), same validation, throttles and exactly-one-outcome.
///
/// - The reply to each request is the socket's reply line without the newline:
///   `{"type":"ack","id":"1"}` or `{"type":"error","id":"1","code":"…","message":"…"}`.
/// - Order updates of a client go to `<prefix>.orders.updates.<client>` (never dropped), as the
///   socket's `order` lines without `seq`.
/// - A NATS client names itself with the `MarketMux-Client` header or a `"client"` field in the
///   request (`[A-Za-z0-9_-]`, 1–64 bytes). The name is the client's identity in the
///   multiplexer: its client order ids are unique per name, fairness is per name, and any number
///   of processes using one name share its orders and updates. Each name gets an
///   ``Orders/OrderSubscriber`` id from ``firstClientID`` up, never colliding with socket ids.
///   NATS clients have no connection to lose: their open orders are never canceled on
///   disconnect, and they live until a terminal state.
///
/// ```swift
/// let intake = NATSOrderIntake(publisher: publisher, gateway: gateway, catalog: catalog)
/// let served = try await intake.start().get()       // the venues subscribed (this shard's)
/// ```
public final class NATSOrderIntake: @unchecked Sendable {
    // @unchecked: `clients`, `catalog` and `counters` are touched only on the connection's loop.

    /// The first ``Orders/OrderSubscriber`` id given to a NATS client (2^62; socket connections
    /// count up from 1).
    public static let firstClientID: UInt64 = 1 << 62
    /// The header that names the client (checked before the `client` field).
    public static let clientHeader = "MarketMux-Client"
    /// Longest client name.
    public static let maxClientBytes = 64
    /// Most distinct client names remembered; requests from new names beyond it are refused.
    public static let maxClients = 10_000

    /// The publisher whose connection, prefix and shard are used.
    public let publisher: NATSPublisher
    /// The order multiplexer.
    public let gateway: OrderGateway
    private var catalog: Catalog
    private var clients: [String: OrderSubscriber] = [:]
    private var counters = NATSOrderIntakeCounters()
    private var subscriptionIDs: [UInt64] = []

    /// An intake feeding `gateway`, validating against `catalog` (the same one as the local socket).
    public init(publisher: NATSPublisher, gateway: OrderGateway, catalog: Catalog) {
        self.publisher = publisher
        self.gateway = gateway
        self.catalog = catalog
    }

    /// Subscribes `<prefix>.orders.<venue>` in queue group `queueGroup` for `venues` (default:
    /// every venue of the catalog) that are in the publisher's shard; returns those venues.
    /// Venues without order entry are served too, so their requests get `unsupported` at once
    /// instead of NATS "no responders".
    public func start(venues: [VenueID]? = nil, queueGroup: String = "marketmux-orders") -> EventLoopFuture<[VenueID]> {
        let wanted = (venues ?? catalog.venues.keys.sorted())
            .filter { publisher.configuration.shardVenues?.contains($0) ?? true }
        return publisher.serveOrderIntake(venues: wanted, queueGroup: queueGroup) { [self] venue, message in
            handle(message, venue: venue)
        }.map { [self] sids in
            subscriptionIDs += sids
            return wanted
        }
    }

    /// Unsubscribes (requests in flight still get their outcome).
    public func stop() {
        publisher.connection.eventLoop.execute { [self] in
            for sid in subscriptionIDs { publisher.connection.unsubscribeOnLoop(sid: sid) }
            subscriptionIDs = []
        }
    }

    /// Replaces what requests are validated against.
    public func setCatalog(_ catalog: Catalog) {
        publisher.connection.eventLoop.execute { [self] in self.catalog = catalog }
    }

    /// A snapshot of the counters.
    public func statistics() -> EventLoopFuture<NATSOrderIntakeCounters> {
        publisher.connection.eventLoop.submit { [self] in
            var snapshot = counters
            snapshot.clients = clients.count
            return snapshot
        }
    }

    // MARK: - Requests (on the connection's loop)

    func handle(_ message: NATSMessage, venue: VenueID) {
        counters.requests += 1
        guard message.replyTo != nil else {
            // A plain publish, not a request: there is nowhere to answer, so nothing is done.
            counters.withoutReplySubject += 1
            return
        }
        let parsed: ClientRequest
        let result = message.payload.withUnsafeBytes { bytes in
            Result { () throws(RequestError) -> ClientRequest in
                try RequestParser.parse(bytes, catalog: catalog, isOrderEntryEnabled: true)
            }
        }
        switch result {
        case .success(let request): parsed = request
        case .failure(let error): return refuse(message, error)
        }
        guard case .order(let request) = parsed else {
            return refuse(message, RequestError(id: parsed.id, code: .unsupported, message:
                "only order.place and order.cancel are served on \(message.subject); market data is published on "
                + "\(publisher.configuration.subjectPrefix).md.> and status on \(publisher.configuration.subjectPrefix).status.>"))
        }
        guard request.venue == venue else {
            return refuse(message, RequestError(id: request.requestID, code: .invalidField, message:
                "\"venue\" is '\(request.venue)' but the request was sent to \(message.subject); send it to "
                + NATSSubject.orders(prefix: publisher.configuration.subjectPrefix, venue: request.venue)))
        }
        let name: String
        switch clientName(message) {
        case .success(let found): name = found
        case .failure(let failure):
            return refuse(message, RequestError(id: request.requestID, code: failure.code, message: failure.message))
        }
        let client: OrderSubscriber
        if let known = clients[name] {
            client = known
        } else {
            guard clients.count < Self.maxClients else {
                return refuse(message, RequestError(id: request.requestID, code: .unavailable, message:
                    "this instance already serves \(Self.maxClients) NATS client names; reuse one"))
            }
            client = OrderSubscriber(rawValue: Self.firstClientID + UInt64(clients.count))
            clients[name] = client
        }
        counters.submitted += 1
        gateway.submit(request, from: client, replies: NATSOrderReplySink(
            connection: publisher.connection, publisher: publisher, replyTo: message.replyTo ?? "",
            requestID: request.requestID, client: name))
    }

    private struct NameFailure: Error {
        var code: FanoutErrorCode
        var message: String
    }

    /// The `MarketMux-Client` header, else the `client` field.
    private func clientName(_ message: NATSMessage) -> Result<String, NameFailure> {
        var name = message.headers?[Self.clientHeader]
        if name == nil, let json = try? NATSJSON.parse(message.payload), let field = json["client"] {
            guard let text = field.stringValue else {
                return .failure(NameFailure(code: .invalidField, message: "\"client\" must be a string"))
            }
            name = text
        }
        guard let name else {
            return .failure(NameFailure(code: .missingField, message:
                "missing field \"client\" (or a \(Self.clientHeader) header): it names you, and your order updates go to "
                + "\(publisher.configuration.subjectPrefix).orders.updates.<client>"))
        }
        guard Self.isValidClientName(name) else {
            return .failure(NameFailure(code: .invalidField, message:
                "client name '\(name)' must be 1 to \(Self.maxClientBytes) bytes of letters, digits, '_' and '-'"))
        }
        return .success(name)
    }

    /// `[A-Za-z0-9_-]{1,64}`: one subject token as it is, so a client can subscribe to its updates literally.
    public static func isValidClientName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.count <= maxClientBytes && name.utf8.allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
        }
    }

    private func refuse(_ message: NATSMessage, _ error: RequestError) {
        counters.refused += 1
        var bytes: [UInt8] = []
        NDJSONEncoder().encodeError(id: error.id, code: error.code.rawValue, message: error.message, into: &bytes)
        bytes.removeLast()
        publisher.connection.respondOnLoop(to: message, payload: bytes)
    }
}

/// Counters of a ``NATSOrderIntake``.
public struct NATSOrderIntakeCounters: Sendable, Hashable {
    /// Messages received on the intake subjects.
    public var requests: UInt64 = 0
    /// Requests handed to the gateway (its accept/reject follows).
    public var submitted: UInt64 = 0
    /// Requests refused before the gateway (bad JSON, fields, venue, client name).
    public var refused: UInt64 = 0
    /// Messages without a reply subject (ignored).
    public var withoutReplySubject: UInt64 = 0
    /// Distinct client names seen.
    public var clients = 0
}

/// The NATS reply path of one request: accept/reject on the request's reply subject, updates on
/// `<prefix>.orders.updates.<client>`. Neither is ever dropped by the publish buffer.
struct NATSOrderReplySink: OrderReplySink {
    let connection: NATSConnection
    let publisher: NATSPublisher
    let replyTo: String
    let requestID: String
    let client: String

    func accept() {
        var bytes: [UInt8] = []
        NDJSONEncoder().encodeAck(id: requestID, into: &bytes)
        bytes.removeLast()
        connection.publish(subject: replyTo, payload: bytes, isDroppable: false)
    }

    func reject(code: FanoutErrorCode, message: String) {
        var bytes: [UInt8] = []
        NDJSONEncoder().encodeError(id: requestID, code: code.rawValue, message: message, into: &bytes)
        bytes.removeLast()
        connection.publish(subject: replyTo, payload: bytes, isDroppable: false)
    }

    func update(_ update: OrderUpdate) {
        publisher.publishOrderUpdate(update, client: client)
    }
}

