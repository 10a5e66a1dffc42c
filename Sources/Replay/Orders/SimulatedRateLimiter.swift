/// The kinds of request an order connection makes, for rate-limit costs.
public enum SimulatedRequestKind: String, Sendable, Hashable, CaseIterable {
    /// A new order.
    case place
    /// Cancel one order.
    case cancel
    /// Cancel every order.
    case cancelAll
    /// Query one order.
    case status
    /// Anything else that counts (Binance `ping`, subscriptions).
    case other
}

/// One documented venue limit (VENUES.md "Key rate limits"), with the venue's own window arithmetic.
public struct SimulatedRateRule: Sendable, Hashable {
    /// How usage is counted.
    public enum Window: Sendable, Hashable {
        /// `limit` units per window; windows start at multiples of `intervalNanoseconds` on the
        /// injected clock and the count resets at each (Binance `intervalNum`/`interval`, OKX 2 s,
        /// Bybit 1 s).
        case fixed(intervalNanoseconds: UInt64, limit: Int)
        /// A bucket of `capacity` credits refilled continuously at `refillPerSecond` (Deribit).
        case tokenBucket(capacity: Int, refillPerSecond: Int)
        /// A counter that decays continuously by `decayPerSecondThousandths`/1000 per second and
        /// refuses past `threshold` (Kraken's per-pair trading counter).
        case decayingCounter(threshold: Int, decayPerSecondThousandths: Int)
    }

    /// The venue's name for the limit (Binance `rateLimitType`, e.g. `ORDERS`).
    public var name: String
    /// The window.
    public var window: Window
    /// Whether each symbol has its own count (OKX per instrument, Kraken per pair).
    public var isPerSymbol: Bool
    /// Units each request kind costs (kinds not listed do not count).
    public var costs: [SimulatedRequestKind: Int]
    /// Kraken: a cancel costs more the younger the order (overrides `costs[.cancel]`).
    public var usesKrakenCancelPenalty: Bool

    /// Memberwise initializer.
    public init(name: String, window: Window, isPerSymbol: Bool = false, costs: [SimulatedRequestKind: Int],
                usesKrakenCancelPenalty: Bool = false) {
        self.name = name
        self.window = window
        self.isPerSymbol = isPerSymbol
        self.costs = costs
        self.usesKrakenCancelPenalty = usesKrakenCancelPenalty
    }

    /// The window's capacity.
    public var limit: Int {
        switch window {
        case .fixed(_, let limit): limit
        case .tokenBucket(let capacity, _): capacity
        case .decayingCounter(let threshold, _): threshold
        }
    }

    /// Kraken's cancel penalty by order age [NT-KR-RL][KR-CLI]: < 5 s 8, < 10 s 6, < 15 s 5,
    /// < 45 s 4, < 90 s 2, < 300 s 1, then 0.
    static func krakenCancelPenalty(ageNanoseconds: UInt64) -> Int {
        let seconds = ageNanoseconds / 1_000_000_000
        switch seconds {
        case ..<5: return 8
        case ..<10: return 6
        case ..<15: return 5
        case ..<45: return 4
        case ..<90: return 2
        case ..<300: return 1
        default: return 0
        }
    }
}

/// The limiter's answer.
public enum SimulatedRateDecision: Sendable, Hashable {
    /// Go ahead (the usage was counted).
    case allowed
    /// Refused by `rule`; usage frees up after `retryAfterNanoseconds`.
    case limited(rule: SimulatedRateRule, retryAfterNanoseconds: UInt64)
}

/// Counts requests against a venue's rules on the injected monotonic clock. Pure value type: the
/// exchange owns one, tests drive it with made-up times.
public struct SimulatedRateLimiter: Sendable {
    /// The rules, in the venue's reporting order.
    public let rules: [SimulatedRateRule]
    private var states: [String: State] = [:]

    private struct State: Sendable {
        /// Fixed: window start. Bucket/counter: last update.
        var mark: UInt64
        /// Fixed: units used. Bucket: credits left ×1000. Counter: value ×1000.
        var value: Int64
    }

    /// A limiter for `rules`.
    public init(rules: [SimulatedRateRule]) { self.rules = rules }

    private func key(_ index: Int, account: String, symbol: String?) -> String {
        "\(index)\u{1}\(account)\u{1}\(rules[index].isPerSymbol ? symbol ?? "" : "")"
    }

    private func current(_ index: Int, key: String, now: UInt64) -> State {
        let rule = rules[index]
        switch rule.window {
        case .fixed(let interval, _):
            let start = interval == 0 ? 0 : now / interval * interval
            guard let state = states[key], state.mark == start else { return State(mark: start, value: 0) }
            return state
        case .tokenBucket(let capacity, let refill):
            guard let state = states[key] else { return State(mark: now, value: Int64(capacity) * 1000) }
            let elapsed = now > state.mark ? now - state.mark : 0
            let gained = Int64(min(elapsed / 1_000_000 * UInt64(refill), UInt64(Int64.max / 2)))
            return State(mark: now, value: min(Int64(capacity) * 1000, state.value + gained))
        case .decayingCounter(_, let decay):
            guard let state = states[key] else { return State(mark: now, value: 0) }
            let elapsed = now > state.mark ? now - state.mark : 0
            let lost = Int64(min(elapsed / 1_000_000 * UInt64(decay) / 1000, UInt64(Int64.max / 2)))
            return State(mark: now, value: max(0, state.value - lost))
        }
    }

    private func cost(_ rule: SimulatedRateRule, kind: SimulatedRequestKind, orderAge: UInt64?) -> Int {
        if kind == .cancel && rule.usesKrakenCancelPenalty { return SimulatedRateRule.krakenCancelPenalty(ageNanoseconds: orderAge ?? 0) }
        return rule.costs[kind] ?? 0
    }

    /// Counts one request of `kind` if every applicable rule has room, else refuses it (and counts
    /// nothing). `orderAge` is the age of the order a cancel targets (Kraken).
    public mutating func admit(_ kind: SimulatedRequestKind, account: String, symbol: String?, now: UInt64,
                               orderAge: UInt64? = nil) -> SimulatedRateDecision {
        var updates: [(String, State)] = []
        for (index, rule) in rules.enumerated() {
            let units = cost(rule, kind: kind, orderAge: orderAge)
            guard units > 0 || rule.costs[kind] != nil else { continue }
            let key = key(index, account: account, symbol: symbol)
            var state = current(index, key: key, now: now)
            switch rule.window {
            case .fixed(let interval, let limit):
                guard state.value + Int64(units) <= Int64(limit) else {
                    return .limited(rule: rule, retryAfterNanoseconds: state.mark + interval - now)
                }
                state.value += Int64(units)
            case .tokenBucket(_, let refill):
                let needed = Int64(units) * 1000
                guard state.value >= needed else {
                    let missing = UInt64(needed - state.value)
                    return .limited(rule: rule, retryAfterNanoseconds: (missing + UInt64(max(refill, 1)) - 1) / UInt64(max(refill, 1)) * 1_000_000)
                }
                state.value -= needed
            case .decayingCounter(let threshold, let decay):
                let next = state.value + Int64(units) * 1000
                guard next <= Int64(threshold) * 1000 else {
                    let excess = UInt64(next - Int64(threshold) * 1000)
                    return .limited(rule: rule, retryAfterNanoseconds: excess * 1000 / UInt64(max(decay, 1)) * 1_000_000)
                }
                state.value = next
            }
            updates.append((key, state))
        }
        for (key, state) in updates { states[key] = state }
        return .allowed
    }

    /// Units used now under `rule` (one of `rules`) (Binance `rateLimits[].count`, Bybit `X-Bapi-Limit-Status` is
    /// `limit − used`). For buckets: credits spent; for counters: the counter, rounded up.
    public func used(_ rule: SimulatedRateRule, account: String, symbol: String?, now: UInt64) -> Int {
        guard let index = rules.firstIndex(of: rule) else { return 0 }
        let state = current(index, key: key(index, account: account, symbol: symbol), now: now)
        switch rules[index].window {
        case .fixed: return Int(state.value)
        case .tokenBucket(let capacity, _): return capacity - Int(state.value / 1000)
        case .decayingCounter: return Int((state.value + 999) / 1000)
        }
    }

    /// When the current fixed window of `rule` ends (ns on the injected clock).
    public func windowEnd(_ rule: SimulatedRateRule, now: UInt64) -> UInt64 {
        guard case .fixed(let interval, _) = rule.window, interval > 0 else { return now }
        return now / interval * interval + interval
    }
}
