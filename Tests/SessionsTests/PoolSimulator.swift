import MarketModel
import VenueKit
@testable import Sessions

/// A deterministic discrete-event stand-in for the I/O shell and the venue: connects succeed
/// after `connectLatency` (unless `failConnect` says otherwise), each subscription delivers one
/// data frame `firstDataDelay` after its socket opens, and the pool's single timer fires exactly
/// when requested.
struct PoolSimulator {
    struct Pending {
        var at: Nanoseconds
        var sequence: Int
        var connection: Int
        var event: ConnectionEvent
    }

    var planner: PoolPlanner
    var now: Nanoseconds = 0
    var timer: Nanoseconds?
    var queue: [Pending] = []
    var sequence = 0
    var connectLatency = Interval.milliseconds(50)
    var firstDataDelay = Interval.milliseconds(100)
    var failConnect: (Int, Int) -> TransportFailure? = { _, _ in nil }
    /// Every connect the pool issued: (time, connection, generation).
    var connects: [(at: Nanoseconds, connection: Int, generation: Int)] = []
    /// Every status per connection, with its time.
    var statuses: [Int: [(at: Nanoseconds, status: ConnectionStatus)]] = [:]
    /// The promoted (serving) generation per connection.
    var serving: [Int: Int] = [:]
    var framesSent = 0

    init(planner: PoolPlanner) {
        self.planner = planner
    }

    mutating func schedule(_ event: ConnectionEvent, connection: Int, at: Nanoseconds) {
        let item = Pending(at: at, sequence: sequence, connection: connection, event: event)
        sequence += 1
        // Binary insertion keeps the queue ordered by (time, sequence).
        var low = 0
        var high = queue.count
        while low < high {
            let mid = (low + high) / 2
            if (queue[mid].at, queue[mid].sequence) < (item.at, item.sequence) { low = mid + 1 } else { high = mid }
        }
        queue.insert(item, at: low)
    }

    mutating func perform(_ actions: [PoolAction]) {
        for action in actions {
            switch action {
            case .scheduleTimer(let at):
                timer = at
            case .connection(let id, let connectionAction):
                perform(connectionAction, connection: id)
            }
        }
    }

    mutating func perform(_ action: ConnectionAction, connection id: Int) {
        switch action {
        case .connect(let generation, _, _):
            connects.append((now, id, generation))
            if let failure = failConnect(id, generation) {
                schedule(.connectFailed(generation: generation, failure), connection: id, at: now + connectLatency)
            } else {
                schedule(.connected(generation: generation), connection: id, at: now + connectLatency)
            }
        case .openSession(let generation, let subscriptions):
            let frames = subscriptions.map { text("SUBSCRIBE \($0)") }
            perform((try? planner.enqueue(frames, connection: id, generation: generation, lane: .subscription, now: now)) ?? [])
            for subscription in subscriptions {
                schedule(.frame(generation: generation, kind: .data, subscription: subscription), connection: id, at: now + firstDataDelay)
            }
        case .send(_, let frames):
            framesSent += frames.count
        case .status(let status):
            statuses[id, default: []].append((now, status))
        case .promote(let generation):
            serving[id] = generation
        default:
            break
        }
    }

    /// Runs events and timer ticks in time order up to and including `end`.
    mutating func run(until end: Nanoseconds) {
        while true {
            let nextEvent = queue.first?.at
            let nextTimer = timer
            guard let next = [nextEvent, nextTimer].compactMap({ $0 }).min(), next <= end else { break }
            now = max(now, next)
            if let nextTimer, nextTimer <= (nextEvent ?? .max) {
                timer = nil
                perform(planner.tick(now: now))
            } else {
                let item = queue.removeFirst()
                perform(planner.on(item.event, connection: item.connection, now: now))
            }
        }
        now = max(now, end)
    }

    /// The venue resets every serving socket at once.
    mutating func dropAll() {
        for (id, generation) in serving.sorted(by: { $0.key < $1.key }) {
            schedule(.closed(generation: generation, .network("connection reset by peer")), connection: id, at: now)
        }
    }

    /// Whether every subscription of `connection` was last reported live.
    func isLive(_ connection: Int, subscriptions: Int) -> Bool {
        guard let log = statuses[connection] else { return false }
        var states: [Subscription: StreamState] = [:]
        var connectionState: StreamState?
        for (_, status) in log {
            if let subscription = status.subscription { states[subscription] = status.state } else {
                connectionState = status.state
                states.removeAll()
            }
        }
        return connectionState == .connecting && states.count == subscriptions && states.values.allSatisfy { $0 == .live }
    }
}
