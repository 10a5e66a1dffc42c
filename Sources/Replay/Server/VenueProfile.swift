/// What the simulator knows about one venue, built once from its fixtures: the recorded
/// connections it replays (in order, looping), the symbols its fixtures use, its shutdown notice,
/// and the REST answers.
public struct VenueProfile: Sendable {
    /// Venue id (the URL path component).
    public let id: String
    /// Recorded connections to replay, in order; new connections take them round-robin.
    public let segments: [ReplaySegment]
    /// Normalized symbols from the scenarios' `config` lines.
    public let symbols: [String]
    /// The venue's "going away" frame from its fixtures (Binance `serverShutdown`…), if any.
    public let shutdownNotice: ReplayFrame?
    /// Scenario names replayed.
    public let scenarioNames: [String]
    /// The heartbeat the venue pushes on a subscribed market-data connection, when it has one
    /// that carries no sequence number (Kraken v2 `{"channel":"heartbeat"}` [KR-HB]). Coinbase's
    /// `heartbeats` and Bitfinex's `hb` are not generated: Coinbase numbers every message on the
    /// connection and Bitfinex keys `hb` by channel id, so only the recorded ones are replayed.
    public var heartbeatFrame: String? { id == "kraken" ? #"{"channel":"heartbeat"}"# : nil }

    /// A profile replaying `scenarios` (one venue's); the shutdown notice is looked for in
    /// `noticeSources` (default: the same scenarios), so a rotation can use it even when the
    /// scenario that recorded it is not replayed.
    /// `order` sets the round-robin order of the recorded connections.
    public init(id: String, scenarios: [FixtureScenario], noticeSources: [FixtureScenario]? = nil,
                order: SimulatorConfiguration.SegmentOrder = .recorded) {
        self.id = id
        segments = Self.ordered(scenarios, order)
        var symbols: [String] = []
        for scenario in scenarios {
            for symbol in scenario.session.config.symbols where !symbols.contains(symbol) { symbols.append(symbol) }
        }
        self.symbols = symbols
        shutdownNotice = (noticeSources ?? scenarios).lazy.flatMap(ReplaySegment.segments(of:)).flatMap(\.frames)
            .first { FrameInspector.isShutdownNotice($0.payload) }
        scenarioNames = scenarios.map(\.name)
    }

    /// Every profile the configuration selects from `library`.
    public static func profiles(from library: FixtureLibrary, configuration: SimulatorConfiguration) -> [VenueProfile] {
        var profiles: [VenueProfile] = []
        for venue in library.venues where configuration.venues?.contains(venue) ?? true {
            let all = library.scenarios(for: venue)
            var scenarios = all
            if case .named(let names) = configuration.scenarios {
                scenarios = names.compactMap { name in all.first { $0.name == name } }
            }
            let profile = VenueProfile(id: venue, scenarios: scenarios, noticeSources: all, order: configuration.segmentOrder)
            if !profile.segments.isEmpty { profiles.append(profile) }
        }
        return profiles
    }

    /// The recorded connections of `scenarios` in `order`.
    static func ordered(_ scenarios: [FixtureScenario], _ order: SimulatorConfiguration.SegmentOrder) -> [ReplaySegment] {
        let recorded = scenarios.flatMap(ReplaySegment.segments(of:))
        guard order == .tradesInterleaved else { return recorded }
        // A recorded connection carries trades when its scenario subscribes to them and one of its
        // frames is trade data (a reconnect scenario may have trades on one connection only).
        let subscribesTrades = Set(scenarios.filter { $0.session.config.channels.contains("trades") }.map(\.name))
        func carriesTrades(_ segment: ReplaySegment) -> Bool {
            subscribesTrades.contains(segment.scenario) && segment.frames.contains { FrameInspector.looksLikeTrades($0.payload) }
        }
        let trades = recorded.filter(carriesTrades)
        let others = recorded.filter { !carriesTrades($0) }
        guard !trades.isEmpty, !others.isEmpty else { return recorded }
        // Every other connection replays a recording with trades, cycling the shorter list, so a
        // venue never goes through several trade-less recordings in a row.
        return (0..<max(trades.count, others.count)).flatMap { [trades[$0 % trades.count], others[$0 % others.count]] }
    }

    /// The recorded REST answer for `method target` (`target` without the `/venue` prefix).
    /// Looks in `segment` first (the snapshot that matches the deltas being replayed), taking its
    /// matching answers in order as they are asked for (`servedBefore` = how many were served
    /// already; the last one repeats), then in every segment of the venue.
    public func restResponse(method: String, target: String, segment: ReplaySegment?, servedBefore: Int) -> FixtureREST? {
        if let segment {
            let matches = segment.rest.filter { Self.matches($0, method: method, target: target) }
            if !matches.isEmpty { return matches[min(servedBefore, matches.count - 1)] }
        }
        for candidate in segments {
            if let match = candidate.rest.first(where: { Self.matches($0, method: method, target: target) }) { return match }
        }
        return nil
    }

    /// Same method, same path, same query parameters in any order.
    static func matches(_ recorded: FixtureREST, method: String, target: String) -> Bool {
        guard recorded.method == method.uppercased() else { return false }
        let (recordedPath, recordedQuery) = split(recorded.requestTarget)
        let (path, query) = split(target)
        return recordedPath == path && recordedQuery == query
    }

    private static func split(_ target: String) -> (path: String, query: [Substring]) {
        guard let mark = target.firstIndex(of: "?") else { return (target, []) }
        let query = target[target.index(after: mark)...].split(separator: "&").sorted()
        return (String(target[..<mark]), query)
    }
}
