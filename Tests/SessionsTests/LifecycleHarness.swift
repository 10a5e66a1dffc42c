import MarketModel
import VenueKit
@testable import Sessions

/// Drives one ``ConnectionLifecycle`` like the I/O shell would: a manual clock and exactly one
/// timer, set by the last `.scheduleTimer` action and fired by ``advance(to:)``.
struct LifecycleHarness {
    var lifecycle: ConnectionLifecycle
    var clock = ManualClock()
    var timer: Nanoseconds?
    var log: [ConnectionAction] = []

    init(spec: VenueSpec, configuration: ConnectionLifecycleConfiguration = LifecycleHarness.configuration,
         subscriptions: [Subscription], seed: UInt64 = 1) {
        lifecycle = ConnectionLifecycle(id: 0, spec: spec, configuration: configuration, random: SplitMix64(seed: seed))
        _ = lifecycle.addSubscriptions(subscriptions, now: 0)
    }

    /// Deterministic defaults: no rotation jitter.
    static let configuration = ConnectionLifecycleConfiguration(rotationJitter: 0)

    /// Delivers `event` now.
    @discardableResult
    mutating func send(_ event: ConnectionEvent) -> [ConnectionAction] {
        record(lifecycle.on(event, now: clock.now))
    }

    /// Queues frames on `generation` now.
    @discardableResult
    mutating func enqueue(_ frames: [OutboundFrame], generation: Int, lane: OutboundLane = .subscription) throws -> [ConnectionAction] {
        record(try lifecycle.enqueue(frames, generation: generation, lane: lane, now: clock.now))
    }

    /// A data frame for `subscription` on `generation`.
    @discardableResult
    mutating func data(_ subscription: Subscription, generation: Int) -> [ConnectionAction] {
        send(.frame(generation: generation, kind: .data, subscription: subscription))
    }

    /// Moves the clock to `time`, firing the timer whenever it comes due on the way; returns
    /// everything the ticks produced.
    @discardableResult
    mutating func advance(to time: Nanoseconds) -> [ConnectionAction] {
        var produced: [ConnectionAction] = []
        var guardCount = 0
        while let due = timer, due <= time, guardCount < 100_000 {
            guardCount += 1
            clock.advance(to: due)
            timer = nil
            produced += send(.tick)
        }
        clock.advance(to: time)
        return produced
    }

    /// Moves the clock by `span` (see ``advance(to:)``).
    @discardableResult
    mutating func advance(by span: Nanoseconds) -> [ConnectionAction] { advance(to: clock.now + span) }

    /// start → slot → connect → open, on the current endpoint; returns the generation.
    mutating func open() -> Int {
        send(.start)
        let connect = send(.connectSlotGranted).connects
        let generation = connect.first?.generation ?? -1
        send(.connected(generation: generation))
        return generation
    }

    private mutating func record(_ actions: [ConnectionAction]) -> [ConnectionAction] {
        if let at = actions.timer { timer = at }
        log += actions
        return actions
    }
}
