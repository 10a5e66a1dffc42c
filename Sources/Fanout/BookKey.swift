import MarketModel

/// The identity of one order book: a symbol on a venue.
public struct BookKey: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The venue.
    public var venue: VenueID
    /// The instrument.
    public var symbol: Symbol

    /// Memberwise initializer.
    public init(venue: VenueID, symbol: Symbol) {
        self.venue = venue
        self.symbol = symbol
    }

    /// The book an update belongs to.
    public init(_ update: BookUpdate) {
        self.init(venue: update.venue, symbol: update.symbol)
    }

    /// Venue, then symbol.
    public static func < (lhs: BookKey, rhs: BookKey) -> Bool {
        lhs.venue == rhs.venue ? lhs.symbol < rhs.symbol : lhs.venue < rhs.venue
    }

    /// `venue/symbol`.
    public var description: String { "\(venue)/\(symbol)" }
}
