import Foundation
import MarketModel
import NIOCore
import NIOEmbedded
@testable import OrderGateway
import Testing
import VenueKit

/// The start-up REST retry policy with an embedded loop and a manual clock: how many attempts, how
/// far apart, and which failures end it at once.
@Suite("Start-up REST retries")
struct RESTRetryPolicyTests {
    /// Counts calls; fails the first `failures` with `error`, then answers `value`.
    final class Script: @unchecked Sendable {
        let loop: EmbeddedEventLoop
        let failures: Int
        let error: any Error
        private(set) var calls: [Int64] = []  // loop time (ns) of each call
        init(loop: EmbeddedEventLoop, failures: Int, error: any Error) {
            self.loop = loop
            self.failures = failures
            self.error = error
        }
        func call() -> EventLoopFuture<String> {
            calls.append(loop.now.uptimeNanoseconds.toInt64())
            return calls.count <= failures ? loop.makeFailedFuture(error) : loop.makeSucceededFuture("rules")
        }
    }

    @Test func retryableFailuresAreRetriedWithADoublingDelayThenSucceed() throws {
        let loop = EmbeddedEventLoop()
        let script = Script(loop: loop, failures: 2, error: RESTCallError("HTTP 503", isRetryable: true))
        let policy = RESTRetryPolicy(attempts: 4, firstDelay: Interval.milliseconds(500))
        let result = policy.run(on: loop) { script.call() }
        loop.advanceTime(by: .seconds(5))
        #expect(try result.wait() == "rules")
        let start = script.calls.first ?? 0
        #expect(script.calls.map { $0 - start } == [0, Interval.milliseconds(500), Interval.milliseconds(1500)])
    }

    @Test func aRefusalTheVenueWillRepeatIsNotRetried() {
        let loop = EmbeddedEventLoop()
        let script = Script(loop: loop, failures: 9, error: RESTCallError("HTTP 404: unknown symbol", isRetryable: false))
        let result = RESTRetryPolicy(attempts: 4).run(on: loop) { script.call() }
        loop.advanceTime(by: .seconds(30))
        #expect(throws: RESTCallError.self) { try result.wait() }
        #expect(script.calls.count == 1)
    }

    @Test func theLastErrorIsReturnedWhenAttemptsRunOut() {
        let loop = EmbeddedEventLoop()
        let script = Script(loop: loop, failures: 9, error: RESTCallError("HTTP 429", isRetryable: true))
        let result = RESTRetryPolicy(attempts: 3, firstDelay: Interval.milliseconds(100)).run(on: loop) { script.call() }
        loop.advanceTime(by: .seconds(30))
        do {
            _ = try result.wait()
            Issue.record("expected the last error")
        } catch {
            #expect("\(error)" == "HTTP 429")
        }
        #expect(script.calls.count == 3)
    }
}

private extension UInt64 {
    func toInt64() -> Int64 { Int64(clamping: self) }
}
