import MarketModel
import NIOCore
import Transport

/// How start-up REST calls (trading rules, Kraken's token) are retried: a few attempts with a
/// doubling delay, because a venue's REST edge often drops one request during a deploy or a
/// rate-limit window, and a failed venue stays without order entry until the next restart.
public struct RESTRetryPolicy: Sendable, Hashable {
    /// Attempts in all (at least 1).
    public var attempts: Int
    /// Delay before the second attempt; doubled before each further one.
    public var firstDelay: Nanoseconds
    /// Per-request timeout.
    public var timeout: Nanoseconds

    /// Defaults: 4 attempts, 500 ms → 1 s → 2 s apart, 10 s per request.
    public init(attempts: Int = 4, firstDelay: Nanoseconds = Interval.milliseconds(500), timeout: Nanoseconds = Interval.seconds(10)) {
        self.attempts = max(1, attempts)
        self.firstDelay = max(0, firstDelay)
        self.timeout = timeout
    }

    /// Runs `attempt` until it succeeds, fails with an error that retrying cannot fix
    /// (``RESTCallError/isRetryable``), or the attempts run out; the last error is returned.
    func run<Value: Sendable>(on eventLoop: any EventLoop, _ attempt: @escaping @Sendable () -> EventLoopFuture<Value>) -> EventLoopFuture<Value> {
        Self.attempt(1, of: attempts, delay: firstDelay, on: eventLoop, attempt)
    }

    private static func attempt<Value: Sendable>(_ number: Int, of attempts: Int, delay: Nanoseconds, on eventLoop: any EventLoop,
                                                 _ body: @escaping @Sendable () -> EventLoopFuture<Value>) -> EventLoopFuture<Value> {
        body().flatMapError { error in
            let retryable = (error as? RESTCallError)?.isRetryable ?? (error as? TransportError)?.isRetryable ?? false
            guard number < attempts, retryable else { return eventLoop.makeFailedFuture(error) }
            return eventLoop.scheduleTask(in: .nanoseconds(delay)) {}.futureResult.flatMap {
                attempt(number + 1, of: attempts, delay: delay * 2, on: eventLoop, body)
            }
        }
    }
}

/// Why a start-up REST call failed; retryable when a later attempt may succeed (connection
/// errors, timeouts, HTTP 429 and 5xx), not for a refusal the venue will repeat (bad symbol, bad key).
public struct RESTCallError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, naming the venue and the call.
    public var message: String
    /// Whether another attempt may succeed.
    public var isRetryable: Bool

    /// Creates an error.
    public init(_ message: String, isRetryable: Bool) {
        self.message = message
        self.isRetryable = isRetryable
    }

    /// The message.
    public var description: String { message }

    /// Whether an HTTP status is worth retrying.
    static func isRetryable(status: Int) -> Bool { status == 429 || status >= 500 }
}
