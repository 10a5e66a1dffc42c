import MarketModel

/// What this instance serves: per venue, its channels and symbols. Subscriptions and orders are
/// validated against it, so a typo (`"binanse"`, `"BTCUSDT"`, `"trade"`) is answered with an
/// error naming what is served instead of a subscription that silently never delivers.
public struct Catalog: Sendable, Hashable {
    /// One venue's offer.
    public struct Venue: Sendable, Hashable {
        /// Public channels served for every symbol of the venue.
        public var channels: Set<Channel>
        /// Symbols served.
        public var symbols: Set<Symbol>

        /// Memberwise initializer.
        public init(channels: Set<Channel>, symbols: Set<Symbol>) {
            self.channels = channels
            self.symbols = symbols
        }
    }

    /// The venues served.
    public var venues: [VenueID: Venue]

    /// The served venue whose id is `text`, matched as text: a client's venue text never becomes a
    /// ``VenueID`` unless this instance serves it (unknown long ids would otherwise fill the
    /// bounded long-name table, see ``VenueID``).
    public func servedVenue(named text: String) -> VenueID? {
        venues.keys.first { $0.rawValue == text }
    }

    /// A catalog of `venues`.
    public init(_ venues: [VenueID: Venue] = [:]) {
        self.venues = venues
    }

    /// Adds (or widens) a venue.
    public mutating func add(venue: VenueID, channels: Set<Channel>, symbols: Set<Symbol>) {
        venues[venue, default: Venue(channels: [], symbols: [])].channels.formUnion(channels)
        venues[venue, default: Venue(channels: [], symbols: [])].symbols.formUnion(symbols)
    }

    /// Whether `symbol` is served on `venue` (orders).
    public func serves(venue: VenueID, symbol: Symbol) -> Bool {
        venues[venue]?.symbols.contains(symbol) == true
    }

    /// Checks that `filter` selects at least one served stream. The first part that selects
    /// nothing decides the error: venue, then channel (among the matched venues), then symbol
    /// (among the matched venues that serve a matched channel).
    public func validate(_ filter: SubscriptionFilter) -> (code: FanoutErrorCode, message: String)? {
        let venueIDs = venues.keys.sorted()
        let matchedVenues = venueIDs.filter { filter.venue.matches($0.rawValue) }
        guard !matchedVenues.isEmpty else {
            let served = Self.list(venueIDs.map(\.rawValue))
            if filter.venue.isLiteral {
                return (.unknownVenue, "unknown venue '\(filter.venue)'; this instance serves \(served)")
            }
            return (.unknownVenue, "venue pattern '\(filter.venue)' matches no venue; this instance serves \(served)")
        }
        if filter.channel.isLiteral {
            guard let channel = Channel(rawValue: filter.channel.text) else {
                let names = Channel.allCases.filter { $0 != .orders }.map(\.rawValue)
                return (.unknownChannel, "unknown channel '\(filter.channel)'; channels are \(Self.list(names))")
            }
            if channel == .orders {
                return (.unknownChannel, "channel 'orders' cannot be subscribed: order updates go to the connection that placed the order")
            }
        }
        let channelVenues = matchedVenues.filter { id in
            venues[id]?.channels.contains { filter.channel.matches($0.rawValue) && $0 != .orders } == true
        }
        guard !channelVenues.isEmpty else {
            let served = Set(matchedVenues.flatMap { venues[$0]?.channels ?? [] }).map(\.rawValue).sorted()
            let scope = matchedVenues.count == 1 ? "venue '\(matchedVenues[0])'" : "venues matching '\(filter.venue)'"
            return (.unknownChannel, "channel '\(filter.channel)' is not served for \(scope); served: \(Self.list(served))")
        }
        let hasSymbol = channelVenues.contains { id in
            venues[id]?.symbols.contains { filter.symbol.matches($0.rawValue) } == true
        }
        guard !hasSymbol else { return nil }
        let scope = channelVenues.count == 1 ? "venue '\(channelVenues[0])'" : "venues matching '\(filter.venue)'"
        if filter.symbol.isLiteral {
            do {
                _ = try Symbol(filter.symbol.text)
            } catch {
                return (.unknownSymbol, "\(error); symbols are normalized, e.g. BTC-USDT, BTC-USDT-PERP")
            }
            let served = Set(channelVenues.flatMap { venues[$0]?.symbols ?? [] }).map(\.rawValue).sorted()
            return (.unknownSymbol, "unknown symbol '\(filter.symbol)' for \(scope); served: \(Self.list(served))")
        }
        return (.unknownSymbol, "symbol pattern '\(filter.symbol)' matches no symbol of \(scope)")
    }

    /// `a, b, c` — at most 12 names, then `… (N more)`, so an error line stays readable.
    static func list(_ names: [String]) -> String {
        guard !names.isEmpty else { return "nothing" }
        guard names.count > 12 else { return names.joined(separator: ", ") }
        return names.prefix(12).joined(separator: ", ") + " … (\(names.count - 12) more)"
    }
}
