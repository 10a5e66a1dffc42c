/// Which faults the simulated venues inject: scripted steps (deterministic, for tests and
/// reproductions) and, optionally, seeded random chaos (for the demo).
public struct FaultPlan: Sendable, Equatable {
    /// One scripted fault.
    public struct Step: Sendable, Hashable, CustomStringConvertible {
        /// The venue it applies to (`nil`: every venue).
        public var venue: String?
        /// The nth WebSocket connection attempt to that venue, 1-based, rejected attempts included
        /// (`nil`: every connection).
        public var connection: Int?
        /// Replayed data frames to send on that connection before the fault fires (0: right after
        /// the handshake). Handshake faults ignore it.
        public var afterFrames: Int
        /// The fault.
        public var fault: Fault

        /// Creates a step.
        public init(venue: String? = nil, connection: Int? = nil, afterFrames: Int = 0, fault: Fault) {
            self.venue = venue
            self.connection = connection
            self.afterFrames = afterFrames
            self.fault = fault
        }

        /// Parses `venue/fault[@connection][+frames]`, with `*` for every venue:
        /// `binance/reject:429:5@1`, `okx/gap+3`, `*/drop@2+10`, `kraken/silence:ETH-USD:5000`.
        public init(parsing spec: String) throws(ReplayError) {
            guard let slash = spec.firstIndex(of: "/") else {
                throw .invalidConfiguration("fault step '\(spec)' must look like venue/fault[@connection][+frames], e.g. binance/gap+3")
            }
            let venue = String(spec[..<slash])
            var rest = Substring(spec[spec.index(after: slash)...])
            var afterFrames = 0
            var connection: Int?
            if let plus = rest.lastIndex(of: "+") {
                guard let frames = Int(rest[rest.index(after: plus)...]), frames >= 0 else {
                    throw .invalidConfiguration("fault step '\(spec)': +frames must be a non-negative integer")
                }
                afterFrames = frames
                rest = rest[..<plus]
            }
            if let at = rest.lastIndex(of: "@") {
                guard let number = Int(rest[rest.index(after: at)...]), number >= 1 else {
                    throw .invalidConfiguration("fault step '\(spec)': @connection must be an integer ≥ 1")
                }
                connection = number
                rest = rest[..<at]
            }
            self.init(venue: venue == "*" || venue.isEmpty ? nil : venue, connection: connection, afterFrames: afterFrames,
                      fault: try Fault(parsing: String(rest)))
        }

        /// Whether the step is for connection `connection` to `venue`.
        public func applies(toVenue venue: String, connection: Int) -> Bool {
            (self.venue == nil || self.venue == venue) && (self.connection == nil || self.connection == connection)
        }

        /// The spec form.
        public var description: String {
            var text = "\(venue ?? "*")/\(fault)"
            if let connection { text += "@\(connection)" }
            if afterFrames > 0 { text += "+\(afterFrames)" }
            return text
        }
    }

    /// Scripted faults.
    public var steps: [Step]
    /// Seeded random faults every few seconds, or `nil`.
    public var chaos: ChaosConfiguration?
    /// Order-entry faults (Orders/SimulatedOrderFault.swift), keyed to order requests.
    public var orders = OrderFaultPlan.none

    /// Creates a plan.
    public init(steps: [Step] = [], chaos: ChaosConfiguration? = nil) {
        self.steps = steps
        self.chaos = chaos
    }

    /// No faults.
    public static let none = FaultPlan()

    /// The steps for connection `connection` to `venue`.
    public func steps(forVenue venue: String, connection: Int) -> [Step] {
        steps.filter { $0.applies(toVenue: venue, connection: connection) }
    }
}

/// Random fault injection ("chaos"): every `intervalMilliseconds` of recorded time (scaled by the
/// replay speed) one venue, picked at random, gets one fault of `kinds`, picked at random.
/// Everything random comes from one generator seeded with `seed`, so a run can be repeated.
public struct ChaosConfiguration: Sendable, Equatable {
    /// Seed of the generator.
    public var seed: UInt64
    /// Time between faults, in recorded milliseconds (uniform in the range).
    public var intervalMilliseconds: ClosedRange<Int64>
    /// The kinds to pick from.
    public var kinds: [Fault.Kind]
    /// How long a silence lasts, in recorded milliseconds.
    public var silenceMilliseconds: Int64
    /// `Retry-After` seconds of a 429 (uniform in the range).
    public var retryAfterSeconds: ClosedRange<Int>
    /// Delay of a slow handshake, in real milliseconds (uniform in the range).
    public var slowHandshakeMilliseconds: ClosedRange<Int64>
    /// Size of an oversized frame.
    public var oversizedBytes: Int

    /// The demo's mix (SPEC §2): drops, half-open sockets, silences, gaps, bad checksums, 429s,
    /// rotations, malformed frames and slow handshakes. Oversized frames (16 MiB each) are opt-in.
    public static let defaultKinds: [Fault.Kind] = [
        .dropConnection, .halfOpen, .silenceSymbol, .sequenceGap, .corruptChecksum,
        .rejectConnect, .rotate, .malformedFrame, .slowHandshake,
    ]

    /// Creates a configuration.
    public init(seed: UInt64, intervalMilliseconds: ClosedRange<Int64> = 3_000...8_000, kinds: [Fault.Kind] = ChaosConfiguration.defaultKinds,
                silenceMilliseconds: Int64 = 4_000, retryAfterSeconds: ClosedRange<Int> = 1...3,
                slowHandshakeMilliseconds: ClosedRange<Int64> = 500...2_500, oversizedBytes: Int = Fault.defaultOversizedBytes) {
        self.seed = seed
        self.intervalMilliseconds = intervalMilliseconds
        self.kinds = kinds
        self.silenceMilliseconds = silenceMilliseconds
        self.retryAfterSeconds = retryAfterSeconds
        self.slowHandshakeMilliseconds = slowHandshakeMilliseconds
        self.oversizedBytes = oversizedBytes
    }
}
