import Testing
import MarketModel
@testable import Sessions

@Suite("EndpointSelector")
struct EndpointSelectorTests {
    let urls = ["wss://a", "wss://b", "wss://c"]

    @Test("three consecutive failures move to the next URL, wrapping around")
    func failover() {
        var selector = EndpointSelector(urls: urls, failoverThreshold: 3)
        let moved = (0..<3).map { _ in selector.recordFailure(endpoint: 0) }
        #expect(moved == [false, false, true])
        #expect(selector.currentURL == "wss://b")
        for _ in 0..<3 { selector.recordFailure(endpoint: 1) }
        for _ in 0..<3 { selector.recordFailure(endpoint: 2) }
        #expect(selector.current == 0)
    }

    @Test("data clears the failure count; failures of a non-current endpoint do not count")
    func successAndForeignFailures() {
        var selector = EndpointSelector(urls: urls, failoverThreshold: 3)
        selector.recordFailure(endpoint: 0)
        selector.recordFailure(endpoint: 0)
        selector.recordSuccess(endpoint: 0)
        #expect(selector.consecutiveFailures == 0)
        let moved = selector.recordFailure(endpoint: 2)
        #expect(!moved)
        #expect(selector.consecutiveFailures == 0)
        #expect(selector.current == 0)
    }

    @Test("a non-retryable failure moves at once; all endpoints refusing means exhausted")
    func fatal() {
        var selector = EndpointSelector(urls: urls, failoverThreshold: 3)
        let moved = selector.recordFailure(endpoint: 0, isRetryable: false)
        #expect(moved)
        #expect(selector.current == 1)
        selector.recordFailure(endpoint: 1, isRetryable: false)
        #expect(!selector.isExhausted)
        selector.recordFailure(endpoint: 2, isRetryable: false)
        #expect(selector.isExhausted)
    }

    @Test("return to the primary after a stable period on a failover endpoint")
    func returnToPrimary() {
        var selector = EndpointSelector(urls: urls, failoverThreshold: 1, returnToPrimaryAfter: Interval.minutes(10))
        selector.recordFailure(endpoint: 0)
        #expect(selector.returnToPrimaryTime(endpoint: 1, connectedAt: 100) == 100 + Interval.minutes(10))
        #expect(!selector.shouldReturnToPrimary(endpoint: 1, connectedAt: 100, now: 99 + Interval.minutes(10)))
        #expect(selector.shouldReturnToPrimary(endpoint: 1, connectedAt: 100, now: 100 + Interval.minutes(10)))
        #expect(selector.returnToPrimaryTime(endpoint: 0, connectedAt: 100) == nil)
        selector.adopt(endpoint: 0)
        #expect(selector.current == 0)
    }
}
