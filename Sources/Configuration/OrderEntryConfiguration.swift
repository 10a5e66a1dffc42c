import MarketModel
import VenueKit

/// A venue's `orders:` section (SPEC §3). It holds the *names* of the environment variables that
/// carry the secrets, never the secrets: the file can be committed, shown and logged, and
/// ``resolveCredentials(environment:)`` reads the values at start-up only.
public struct OrderEntryConfiguration: Sendable, Hashable, CustomStringConvertible {
    /// The venue.
    public var venue: VenueID
    /// Order-entry WebSocket URL; `nil` uses the adapter's ``VenueKit/VenueSpec/orderEntryURL``.
    public var url: String?
    /// `api_key_env`.
    public var apiKey: EnvironmentReference
    /// `api_secret_env`.
    public var apiSecret: EnvironmentReference
    /// `passphrase_env` (OKX, Coinbase legacy keys).
    public var passphrase: EnvironmentReference?
    /// `instruments:` — trading rules by symbol that replace the ones loaded from the venue.
    public var instruments: [Symbol: InstrumentRules]
    /// Where the section is.
    public var location: SourceLocation
    /// `stale_data_guard` (default true): refuse new orders on a symbol whose market data is not
    /// live (its trades, and its book where the venue's books are subscribed). `false` trades blind.
    public var staleDataGuard: Bool = true

    /// Memberwise initializer.
    public init(venue: VenueID, url: String?, apiKey: EnvironmentReference, apiSecret: EnvironmentReference,
                passphrase: EnvironmentReference?, instruments: [Symbol: InstrumentRules] = [:], location: SourceLocation) {
        self.venue = venue
        self.url = url
        self.apiKey = apiKey
        self.apiSecret = apiSecret
        self.passphrase = passphrase
        self.instruments = instruments
        self.location = location
    }

    /// The account's secrets from `environment` (normally the process environment). A variable
    /// that is unset or empty is an error naming the file, line and key that asked for it.
    public func resolveCredentials(environment: [String: String]) throws(ConfigurationError) -> VenueCredentials {
        VenueCredentials(apiKey: try apiKey.resolve(in: environment), secret: try apiSecret.resolve(in: environment),
                         passphrase: try passphrase?.resolve(in: environment))
    }

    /// Names only: `orders(binance, url: default, api_key: $BINANCE_API_KEY, …)`.
    public var description: String {
        "orders(\(venue), url: \(url ?? "default"), api_key: \(apiKey), api_secret: \(apiSecret)"
            + (passphrase.map { ", passphrase: \($0)" } ?? "")
            + (instruments.isEmpty ? "" : ", instruments: \(instruments.keys.sorted().map(\.rawValue).joined(separator: ", "))") + ")"
    }
}

/// The name of an environment variable that holds a secret, and where the file named it.
public struct EnvironmentReference: Sendable, Hashable, CustomStringConvertible {
    /// The variable's name (`BINANCE_API_KEY`).
    public var name: String
    /// The `…_env` key that named it.
    public var location: SourceLocation

    /// Memberwise initializer.
    public init(name: String, location: SourceLocation) {
        self.name = name
        self.location = location
    }

    /// The variable's value; unset or empty is an error at ``location``.
    public func resolve(in environment: [String: String]) throws(ConfigurationError) -> String {
        guard let value = environment[name] else { throw location.error("environment variable '\(name)' is not set") }
        guard !value.isEmpty else { throw location.error("environment variable '\(name)' is empty") }
        return value
    }

    /// `$NAME` — the name, never the value.
    public var description: String { "$" + name }

    /// Whether `text` is a portable environment variable name (`[A-Za-z_][A-Za-z0-9_]*`).
    static func isValidName(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, first.isASCII, first == "_" || first.properties.isAlphabetic else { return false }
        return text.unicodeScalars.allSatisfy { $0.isASCII && ($0 == "_" || $0.properties.isAlphabetic || ("0"..."9").contains($0)) }
    }
}
