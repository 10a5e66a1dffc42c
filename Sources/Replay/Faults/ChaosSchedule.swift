/// The sans-IO part of chaos: when the next fault comes and which one, from a seeded generator.
/// The server asks it for a delay, waits that long on its `ReplayClock`, then asks for a pick.
public struct ChaosSchedule: Sendable {
    /// What to inject where.
    public struct Pick: Sendable, Equatable {
        /// The venue.
        public var venue: String
        /// The fault.
        public var fault: Fault
    }

    /// The configuration.
    public let configuration: ChaosConfiguration
    private var generator: SeededGenerator

    /// A schedule seeded from `configuration.seed`.
    public init(configuration: ChaosConfiguration) {
        self.configuration = configuration
        generator = SeededGenerator(seed: configuration.seed)
    }

    /// Recorded milliseconds until the next fault.
    public mutating func nextDelayMilliseconds() -> Int64 {
        generator.value(in: configuration.intervalMilliseconds)
    }

    /// The next fault: a venue from `venues` (with the symbols its fixtures use), then a kind.
    /// `nil` when there is no venue or no kind to pick from.
    public mutating func nextPick(venues: [(id: String, symbols: [String])]) -> Pick? {
        guard !venues.isEmpty, !configuration.kinds.isEmpty else { return nil }
        let venue = venues[generator.index(below: venues.count)]
        let kind = configuration.kinds[generator.index(below: configuration.kinds.count)]
        return Pick(venue: venue.id, fault: makeFault(kind, symbols: venue.symbols))
    }

    private mutating func makeFault(_ kind: Fault.Kind, symbols: [String]) -> Fault {
        switch kind {
        case .dropConnection: return .dropConnection
        case .halfOpen: return .halfOpen
        case .sequenceGap: return .sequenceGap
        case .corruptChecksum: return .corruptChecksum
        case .rotate: return .rotate
        case .malformedFrame: return .malformedFrame
        case .oversizedFrame: return .oversizedFrame(bytes: configuration.oversizedBytes)
        case .silenceSymbol:
            guard !symbols.isEmpty else { return .dropConnection }
            return .silenceSymbol(symbols[generator.index(below: symbols.count)], durationMilliseconds: configuration.silenceMilliseconds)
        case .rejectConnect:
            let range = configuration.retryAfterSeconds
            return .rejectConnect(status: 429, retryAfterSeconds: Int(generator.value(in: Int64(range.lowerBound)...Int64(range.upperBound))))
        case .slowHandshake:
            return .slowHandshake(delayMilliseconds: generator.value(in: configuration.slowHandshakeMilliseconds))
        }
    }
}
