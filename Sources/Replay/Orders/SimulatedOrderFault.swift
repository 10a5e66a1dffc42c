/// A fault of the simulated venues' order entry (docs/simulator.md "Orders"), kept apart from the
/// market-data `Fault`s: it is keyed to order requests, not to replayed frames.
public enum SimulatedOrderFault: Sendable, Hashable, CustomStringConvertible {
    /// The exchange accepts the order, then TCP closes (every order connection of the venue) before
    /// the ack or any update is written: the client must reconcile (status by client order id)
    /// and must not place it again.
    case dropInFlight
    /// Every order request of the venue is refused with its rate-limit error for this long
    /// (injected-clock ms), as if the account's limits were spent.
    case rateLimitStorm(durationMilliseconds: Int64)
    /// The venue's order gateway restarts: every order connection gets close 1012 (service
    /// restart); the exchange keeps its orders.
    case restart

    /// The fault's name without parameters.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// `orders-drop`
        case dropInFlight = "orders-drop"
        /// `orders-429`
        case rateLimitStorm = "orders-429"
        /// `orders-restart`
        case restart = "orders-restart"
    }

    /// This fault's kind.
    public var kind: Kind {
        switch self {
        case .dropInFlight: .dropInFlight
        case .rateLimitStorm: .rateLimitStorm
        case .restart: .restart
        }
    }

    /// Parses `orders-drop`, `orders-429[:ms]` (default 2000), `orders-restart`.
    public init(parsing spec: String) throws(ReplayError) {
        let parts = spec.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        switch (Kind(rawValue: parts[0]), parts.count) {
        case (.dropInFlight, 1): self = .dropInFlight
        case (.restart, 1): self = .restart
        case (.rateLimitStorm, 1): self = .rateLimitStorm(durationMilliseconds: 2000)
        case (.rateLimitStorm, 2):
            guard let milliseconds = Int64(parts[1]), milliseconds > 0 else {
                throw .invalidConfiguration("order fault '\(spec)': the storm duration must be a positive integer (ms)")
            }
            self = .rateLimitStorm(durationMilliseconds: milliseconds)
        default:
            throw .invalidConfiguration("unknown order fault '\(spec)' (known: orders-drop, orders-429[:ms], orders-restart)")
        }
    }

    /// The spec form.
    public var description: String {
        switch self {
        case .dropInFlight, .restart: kind.rawValue
        case .rateLimitStorm(let milliseconds): "orders-429:\(milliseconds)"
        }
    }
}

/// Order faults to inject: scripted steps keyed to the venue's nth order, and seeded random chaos.
/// The order counterpart of `FaultPlan` (it rides on `FaultPlan.orders`).
public struct OrderFaultPlan: Sendable, Hashable {
    /// One scripted order fault.
    public struct Step: Sendable, Hashable, CustomStringConvertible {
        /// The venue (`nil`: every venue).
        public var venue: String?
        /// Fires on the venue's nth place request (1-based, counted across all its connections).
        public var atOrder: Int
        /// The fault.
        public var fault: SimulatedOrderFault

        /// Creates a step.
        public init(venue: String? = nil, atOrder: Int, fault: SimulatedOrderFault) {
            self.venue = venue
            self.atOrder = atOrder
            self.fault = fault
        }

        /// Parses `venue/orders-fault+N` (`*` for every venue): `binance/orders-drop+3`,
        /// `okx/orders-429:5000+10`, `*/orders-restart+50`.
        public init(parsing spec: String) throws(ReplayError) {
            guard let slash = spec.firstIndex(of: "/"), let plus = spec.lastIndex(of: "+"), slash < plus,
                  let number = Int(spec[spec.index(after: plus)...]), number >= 1 else {
                throw .invalidConfiguration("order fault step '\(spec)' must look like venue/orders-fault+N, e.g. binance/orders-drop+3")
            }
            let venue = String(spec[..<slash])
            self.init(venue: venue == "*" || venue.isEmpty ? nil : venue, atOrder: number,
                      fault: try SimulatedOrderFault(parsing: String(spec[spec.index(after: slash)..<plus])))
        }

        /// The spec form.
        public var description: String { "\(venue ?? "*")/\(fault)+\(atOrder)" }
    }

    /// Scripted steps.
    public var steps: [Step]
    /// Random order faults, or `nil`.
    public var chaos: OrderChaosConfiguration?

    /// Creates a plan.
    public init(steps: [Step] = [], chaos: OrderChaosConfiguration? = nil) {
        self.steps = steps
        self.chaos = chaos
    }

    /// No order faults.
    public static let none = OrderFaultPlan()
}

/// Random order faults for the soak: each place request draws once from a SplitMix64 generator
/// (`SeededGenerator`, one per venue seeded from `seed` and the venue id) and, with probability
/// `perMille`/1000, triggers one fault of `kinds`. Keyed to requests, not time, so a seed replays
/// the same faults for the same order sequence.
public struct OrderChaosConfiguration: Sendable, Hashable {
    /// Seed.
    public var seed: UInt64
    /// Chance per place request, in thousandths.
    public var perMille: Int
    /// Kinds to pick from.
    public var kinds: [SimulatedOrderFault.Kind]
    /// Storm length, injected-clock ms (uniform in the range).
    public var stormMilliseconds: ClosedRange<Int64>

    /// Creates a configuration.
    public init(seed: UInt64, perMille: Int = 20, kinds: [SimulatedOrderFault.Kind] = SimulatedOrderFault.Kind.allCases,
                stormMilliseconds: ClosedRange<Int64> = 200...2_000) {
        self.seed = seed
        self.perMille = perMille
        self.kinds = kinds
        self.stormMilliseconds = stormMilliseconds
    }
}

/// The sans-IO chaos draw for one venue.
public struct OrderChaosSchedule: Sendable {
    /// The configuration.
    public let configuration: OrderChaosConfiguration
    private var generator: SeededGenerator

    /// A schedule for `venue`, seeded from the configuration's seed and the venue id (FNV-1a).
    public init(configuration: OrderChaosConfiguration, venue: String) {
        self.configuration = configuration
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in venue.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        generator = SeededGenerator(seed: configuration.seed ^ hash)
    }

    /// The fault for the next place request, if any.
    public mutating func nextFault() -> SimulatedOrderFault? {
        let roll = generator.value(in: 0...999)
        guard !configuration.kinds.isEmpty, roll < Int64(configuration.perMille) else { return nil }
        switch configuration.kinds[generator.index(below: configuration.kinds.count)] {
        case .dropInFlight: return .dropInFlight
        case .restart: return .restart
        case .rateLimitStorm: return .rateLimitStorm(durationMilliseconds: generator.value(in: configuration.stormMilliseconds))
        }
    }
}
