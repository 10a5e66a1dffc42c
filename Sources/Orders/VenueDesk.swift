import MarketModel
import VenueKit

/// The runtime state of one venue's order entry: its connection flag, its three lanes and the
/// requests awaiting an answer.
///
/// Lanes, highest priority first (strict: a lane is served only when the ones above are empty):
/// 1. cancels (one order, cancel-all) — may use the throttle's cancel reserve;
/// 2. status queries (reconciliation) — ahead of new orders, but not from the reserve;
/// 3. new orders — round robin across subscribers, FIFO within one.
struct VenueDesk: Sendable {
    let configuration: VenueOrderConfiguration
    let spec: OrderEntrySpec
    let builder: any OrderFrameBuilder
    /// Throttle demands per request kind (every applicable limit, with the kind's weight).
    let demands: [OrderRequestKind: [ThrottleDemand]]
    /// Every cell this venue touches, per scope.
    let connectionKeys: [ThrottleKey]
    let allKeys: [ThrottleKey]

    /// The order connection is authenticated and ready.
    var isUp = false
    var cancelLane = FIFOQueue<CancelJob>()
    var statusLane = FIFOQueue<OrderKey>()
    var newLane = FairQueue<OrderSubscriber, OrderKey>()
    /// Unanswered requests by request id.
    var pending: [String: PendingRequest] = [:]
    /// Request ids by reply correlation key, oldest first, for venues whose replies carry a key
    /// instead of the request id (``OrderFrameBuilder/replyCorrelationKey(for:)``).
    var correlation: [String: FIFOQueue<String>] = [:]
    /// A lower bound of the queue deadlines in ``newLane`` (exact after each scan).
    var earliestDeadline: Nanoseconds?

    init(configuration: VenueOrderConfiguration, spec: OrderEntrySpec, builder: any OrderFrameBuilder) {
        self.configuration = configuration
        self.spec = spec
        self.builder = builder
        var demands: [OrderRequestKind: [ThrottleDemand]] = [:]
        var connectionKeys: [ThrottleKey] = []
        var allKeys: [ThrottleKey] = []
        for limit in spec.limits {
            let key = Self.key(for: limit, configuration: configuration)
            allKeys.append(key)
            if limit.scope == .connection { connectionKeys.append(key) }
            for kind in OrderRequestKind.allCases where limit.appliesTo.contains(kind) {
                demands[kind, default: []].append(ThrottleDemand(key: key, weight: spec.weight(of: kind)))
            }
        }
        self.demands = demands
        self.connectionKeys = connectionKeys
        self.allKeys = allKeys
    }

    /// Removes and returns the pending request a reply with id `replyID` answers: the oldest
    /// request sent under that correlation key, else the request with that id.
    mutating func takePending(replyID: String) -> PendingRequest? {
        if var queue = correlation[replyID], let requestID = queue.popFirst() {
            correlation[replyID] = queue.isEmpty ? nil : queue
            return pending.removeValue(forKey: requestID)
        }
        return pending.removeValue(forKey: replyID)
    }

    /// The cell key of `limit` for this venue.
    static func key(for limit: OrderRateLimit, configuration: VenueOrderConfiguration) -> ThrottleKey {
        switch limit.scope {
        case .connection: return ThrottleKey(scope: .connection, owner: configuration.venue.rawValue, limit: limit.name)
        case .account: return ThrottleKey(scope: .account, owner: configuration.account, limit: limit.name)
        }
    }

    /// Feedback names already reported as matching no limit (reported once, not per reply).
    var unmatchedFeedbackNames: Set<String> = []

    /// The cells of this venue the feedback name `name` refers to: a limit of that name, or the
    /// limit ``VenueOrderConfiguration/feedbackLimitNames`` maps it to.
    func keys(named name: String) -> [ThrottleKey] {
        let limit = configuration.feedbackLimitNames[name] ?? name
        return allKeys.filter { $0.limit == limit }
    }
}
