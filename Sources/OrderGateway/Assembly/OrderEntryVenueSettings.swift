import MarketModel
import Orders
import VenueKit

/// One venue's order entry as `run` (or the demo) wants it, before anything is fetched: where to
/// connect, as whom, which symbols, and the trading rules the operator gave explicitly.
public struct OrderEntryVenueSettings: Sendable {
    /// The venue.
    public var venue: VenueID
    /// Order-entry WebSocket URL; `nil` uses the router's ``VenueKit/OrderEntrySpec/url``.
    public var orderURL: String?
    /// Updates-only WebSocket URL where the venue splits them (Bybit); `nil` uses the router's.
    public var updatesURL: String?
    /// REST base for public trading rules, (Kraken) the WebSocket token and REST order-status
    /// queries; `nil` uses the venue's production hosts.
    public var restBaseURL: String?
    /// The account's secrets (from environment variables; never logged).
    public var credentials: VenueCredentials
    /// Symbols orders may be placed on.
    public var symbols: [Symbol]
    /// Adapter options (`category: linear`, Bitfinex `symbol.X` overrides), as for market data.
    public var options: [String: String]
    /// Rules given in the configuration; they win over fetched ones, and symbols covered here are not fetched.
    public var explicitRules: [Symbol: InstrumentRules]
    /// The stale-data guard for this venue's orders. Requiring a live book only makes sense when
    /// the process subscribes the venue's books: `run` turns `requiresLiveBook` off for a venue
    /// configured without the `book` channel (its trades' status still guards).
    public var staleDataGuard: StaleDataGuardConfiguration

    /// Memberwise initializer.
    public init(venue: VenueID, orderURL: String? = nil, updatesURL: String? = nil, restBaseURL: String? = nil,
                credentials: VenueCredentials, symbols: [Symbol], options: [String: String] = [:],
                explicitRules: [Symbol: InstrumentRules] = [:], staleDataGuard: StaleDataGuardConfiguration = .on) {
        self.staleDataGuard = staleDataGuard
        self.venue = venue
        self.orderURL = orderURL
        self.updatesURL = updatesURL
        self.restBaseURL = restBaseURL
        self.credentials = credentials
        self.symbols = symbols
        self.options = options
        self.explicitRules = explicitRules
    }

    /// The symbols whose rules must still be fetched.
    public var symbolsWithoutRules: [Symbol] { symbols.filter { explicitRules[$0] == nil } }
}
