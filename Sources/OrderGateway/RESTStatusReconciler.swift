import MarketModel
import NIOCore
import Orders
import Transport
import VenueKit

/// What the gateway needs from one venue's REST status querier, whatever its router type.
protocol AnyStatusReconciler: AnyObject {
    /// The venue it asks.
    var venue: VenueID { get }
    /// Asks the venue for `order`'s state (queued when the in-flight cap is reached).
    func query(_ order: OrderKey, venueClientOrderID: String, symbol: Symbol)
    /// Queries waiting for a free slot plus those on the wire.
    var outstanding: Int { get }
    /// Drops waiting queries, closes those on the wire and reports nothing more (gateway stop).
    func stop()
}

/// Where a reconciler reports (the gateway, on its event loop).
protocol StatusReconcilerDelegate: AnyObject {
    /// The venue's answer for `order`, or a refusal standing for a failed exchange (transport
    /// error, timeout, unreadable reply), which the core retries up to its attempt limit.
    func statusAnswered(_ venue: VenueID, order: OrderKey, response: OrderResponse, fromVenue: Bool)
    /// An operator line (never secrets: requests and headers are not logged).
    func statusLog(_ venue: VenueID, _ message: String, isError: Bool)
}

/// One venue's REST order-status reconciliation (issue #6): the I/O half of
/// ``VenueKit/RESTStatusQuerying``. The Orders core emits `queryStatus` for an order whose
/// outcome is unknown; this signs the router's request with a fresh clock reading, sends it with
/// ``Transport/HTTPClient`` on the gateway's event loop, follows the router's further steps
/// (Kraken, Bybit and Bitfinex look in a second list when the first lacks the order), and hands
/// the outcome to the delegate. At most `maxInFlight` queries are on the wire per venue, so a
/// reconnect with many unknown orders does not spend the venue's REST limit at once. Loop-bound:
/// every method runs on `eventLoop`, hence `@unchecked Sendable`.
final class RESTStatusReconciler<Router: RESTStatusQuerying>: AnyStatusReconciler, @unchecked Sendable {
    private struct Job {
        var order: OrderKey
        var query: StatusQuery
    }

    let venue: VenueID
    private let router: Router
    private let credentials: SharedCredentials
    private let baseURL: String
    private let eventLoop: any EventLoop
    private let caFile: String?
    private let timeout: Nanoseconds
    private let maxInFlight: Int
    private let clock: () -> Nanoseconds
    private weak var delegate: (any StatusReconcilerDelegate)?
    /// Queries waiting for a slot, oldest first (a handful after a reconnect, so an array will do).
    private var waiting: [Job] = []
    private var inFlight = 0
    /// The clock reading of the last signed request: Kraken and Bitfinex nonces (µs) must grow per
    /// API key, so two requests in the same microsecond get readings 1 µs apart.
    private var lastSignedAt: Nanoseconds = 0
    /// Completed by ``stop()``: cancels every request on the wire.
    private let stopped: EventLoopPromise<Void>
    private var isStopped = false

    /// A reconciler for `venue` sending to `baseURL` (the router's production host unless the
    /// endpoint overrides it).
    init(venue: VenueID, router: Router, credentials: SharedCredentials, baseURL: String, eventLoop: any EventLoop, caFile: String?,
         timeout: Nanoseconds, maxInFlight: Int, clock: @escaping () -> Nanoseconds, delegate: any StatusReconcilerDelegate) {
        self.venue = venue
        self.router = router
        self.credentials = credentials
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.eventLoop = eventLoop
        self.caFile = caFile
        self.timeout = timeout
        self.maxInFlight = max(1, maxInFlight)
        self.clock = clock
        self.delegate = delegate
        self.stopped = eventLoop.makePromise(of: Void.self)
    }

    deinit {
        // A promise must not be dropped uncompleted; after `stop()` it already is, and completing it
        // again from here (off the loop) would post a task to a loop that may be shut down by now.
        if !isStopped { stopped.succeed() }
    }

    var outstanding: Int { waiting.count + inFlight }

    func stop() {
        guard !isStopped else { return }
        isStopped = true
        waiting.removeAll()
        inFlight = 0  // their completions are ignored from now on
        stopped.succeed()
    }

    func query(_ order: OrderKey, venueClientOrderID: String, symbol: Symbol) {
        guard !isStopped else { return }
        waiting.append(Job(order: order, query: StatusQuery(venueClientOrderID: venueClientOrderID, symbol: symbol)))
        startWaiting()
    }

    private func startWaiting() {
        while inFlight < maxInFlight, !waiting.isEmpty {
            let job = waiting.removeFirst()
            inFlight += 1
            send(job)
        }
    }

    /// Signs and sends `job`'s current step; the slot stays taken until a final answer.
    private func send(_ job: Job) {
        let now = max(clock(), lastSignedAt + 1_000)
        lastSignedAt = now
        let request: SignedRESTRequest
        do throws(OrderRoutingError) {
            request = try router.statusRequest(job.query, context: OrderFrameContext(requestID: "status", now: now, credentials: credentials.current))
        } catch {
            finish(job, .rejected(reason: "status query not built: \(error.message)", rateLimited: false, retryAfter: nil), fromVenue: false)
            return
        }
        let url = baseURL + request.pathWithQuery
        let target = "\(request.method) \(request.pathWithQuery.prefix { $0 != "?" })"
        HTTPClient.request(method: request.method, url, headers: request.sortedHeaders, body: Array(request.body.utf8), on: eventLoop,
                           caFile: caFile, timeoutNanoseconds: timeout, cancelledBy: stopped.futureResult)
            .hop(to: eventLoop)
            .whenComplete { [self] result in
                guard !isStopped else { return }  // the gateway is gone: nothing more is reported
                switch result {
                case .success(let response):
                    received(response, for: job, target: target)
                case .failure(let error):
                    // Nothing is known about the order: a refusal, so the core's attempt limit applies.
                    let reason = (error as? TransportError)?.message ?? "\(error)"
                    finish(job, .rejected(reason: "\(target) failed: \(reason)", rateLimited: false, retryAfter: nil), fromVenue: false)
                }
            }
    }

    private func received(_ response: HTTPResponse, for job: Job, target: String) {
        let parsed: Result<StatusQueryOutcome, VenueParseError> = response.body.withUnsafeBytes { bytes in
            do throws(VenueParseError) {
                return .success(try router.parseStatusReply(job.query, status: response.status, body: bytes))
            } catch {
                return .failure(error)
            }
        }
        let outcome: StatusQueryOutcome
        switch parsed {
        case .success(let value):
            outcome = value
        case .failure(let error):
            finish(job, .rejected(reason: "\(target) answered HTTP \(response.status) with an unreadable reply: \(error)",
                                  rateLimited: false, retryAfter: nil), fromVenue: false)
            return
        }
        switch outcome {
        case .answer(var answer):
            // A rate-limit refusal carries the venue's `Retry-After` (delay-seconds, RFC 9110
            // §10.2.3) when the router could not see it: the core then holds the venue that long
            // instead of its default.
            if case .rejected(let reason, true, nil) = answer, let seconds = retryAfterSeconds(response) {
                answer = .rejected(reason: reason, rateLimited: true, retryAfter: Int64(seconds) * 1_000_000_000)
            }
            if case .rejected(let reason, _, _) = answer {
                delegate?.statusLog(venue, "order status query \(target) for \(job.order) refused: \(reason)", isError: true)
            }
            finish(job, answer, fromVenue: true)
        case .askAgain(let next):
            var followUp = job
            followUp.query = next
            send(followUp)
        }
    }

    private func finish(_ job: Job, _ response: OrderResponse, fromVenue: Bool) {
        inFlight -= 1
        if !fromVenue, case .rejected(let reason, _, _) = response {
            delegate?.statusLog(venue, "order status query for \(job.order) failed: \(reason)", isError: true)
        }
        delegate?.statusAnswered(venue, order: job.order, response: response, fromVenue: fromVenue)
        startWaiting()
    }
}

/// `Retry-After` as a whole number of seconds (RFC 9110 §10.2.3 delay-seconds). The HTTP-date
/// form, which these venues do not send, is ignored, and so are values past a day.
func retryAfterSeconds(_ response: HTTPResponse) -> Int? {
    guard let text = response.header("retry-after"), let seconds = Int(text), (0...86_400).contains(seconds) else { return nil }
    return seconds
}
