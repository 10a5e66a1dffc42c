/// A venue identifier as used in configuration, on the wire (`"venue":"binance"`) and in NATS
/// subjects. Lower-case, string-backed, open for new venues.
///
/// Well-known ids (one adapter each): `binance` (spot), `binance-futures` (USD-M perpetuals and
/// futures), `coinbase` (Advanced Trade), `kraken` (spot WS v2), `okx`, `bybit`, `deribit`,
/// `bitmex`, `bitfinex`.
public struct VenueID: RawRepresentable, Hashable, Sendable, Comparable, CustomStringConvertible, ExpressibleByStringLiteral {
    /// The lower-case id text.
    public let rawValue: String

    /// Wraps an id text as is.
    public init(rawValue: String) { self.rawValue = rawValue }

    /// Wraps an id literal, e.g. `let v: VenueID = "binance"`.
    public init(stringLiteral value: String) { self.rawValue = value }

    /// Binance spot.
    public static let binance: VenueID = "binance"
    /// Binance USD-M futures.
    public static let binanceFutures: VenueID = "binance-futures"
    /// Coinbase Advanced Trade.
    public static let coinbase: VenueID = "coinbase"
    /// Kraken spot WebSocket v2.
    public static let kraken: VenueID = "kraken"
    /// OKX v5.
    public static let okx: VenueID = "okx"
    /// Bybit v5.
    public static let bybit: VenueID = "bybit"
    /// Deribit JSON-RPC.
    public static let deribit: VenueID = "deribit"
    /// BitMEX.
    public static let bitmex: VenueID = "bitmex"
    /// Bitfinex v2.
    public static let bitfinex: VenueID = "bitfinex"

    /// The id text.
    public var description: String { rawValue }

    /// Orders by text.
    public static func < (lhs: VenueID, rhs: VenueID) -> Bool { lhs.rawValue < rhs.rawValue }
}
