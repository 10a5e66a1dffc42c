/// A venue identifier as used in configuration, on the wire (`"venue":"binance"`) and in NATS
/// subjects. Lower-case, string-backed, open for new venues.
///
/// Well-known ids (one adapter each): `binance` (spot), `binance-futures` (USD-M perpetuals and
/// futures), `coinbase` (Advanced Trade), `kraken` (spot WS v2), `okx`, `bybit`, `deribit`,
/// `bitmex`, `bitfinex`.
///
/// Stored as its text's bytes in two words (see ``PackedName``), so that copying it copies words,
/// never a reference count; an id over ``inlineCapacity`` bytes is kept once in a process-wide
/// table and the words hold its index.
public struct VenueID: RawRepresentable, Hashable, Sendable, Comparable, CustomStringConvertible, ExpressibleByStringLiteral {
    /// The text bytes and tag (``PackedName``).
    @usableFromInline var words: (UInt64, UInt64) = (0, 0)

    /// The longest id held in the words themselves, in bytes (`binance-futures` is 15).
    public static let inlineCapacity = 15

    /// The lower-case id text.
    public var rawValue: String { withUnsafeBytes(of: words) { PackedName.string($0) } }

    /// Wraps an id text as is. Ids come from configuration, the command line and the adapters'
    /// specs; requests from clients are matched against served ids as text instead, so the
    /// bounded long-id table only ever holds configured ids.
    public init(rawValue: String) {
        let packed = withUnsafeMutableBytes(of: &words) { PackedName.pack(rawValue, into: $0) }
        precondition(packed, "too many distinct venue ids longer than \(VenueID.inlineCapacity) bytes")
    }

    /// Wraps an id literal, e.g. `let v: VenueID = "binance"`.
    public init(stringLiteral value: String) { self.init(rawValue: value) }

    /// Runs `body` on the id's UTF-8 bytes without making a `String` (the encoder's path).
    @inlinable @inline(__always)
    public func withUTF8<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R {
        withUnsafeBytes(of: words) { PackedName.withUTF8($0, body) }
    }

    /// Equal words: the same text (each text has one packed form).
    @inlinable
    public static func == (a: VenueID, b: VenueID) -> Bool { a.words.0 == b.words.0 && a.words.1 == b.words.1 }

    /// Hashes the words, which determine the text, folded into one word (see ``Symbol``).
    @inlinable
    public func hash(into hasher: inout Hasher) {
        hasher.combine(PackedName.fold(words.0, words.1, 0, 0))
    }

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
