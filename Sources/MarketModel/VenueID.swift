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

    /// An id from its packed words (``PackedName``): the well-known ids below are written as
    /// their words, so reading one is two constants. A `static let` is a lazily initialized
    /// global behind `swift_once`, which every adapter paid on every trade it stamped (~16
    /// instructions). `VenueIDTests` checks each constant against `init(rawValue:)`.
    @inlinable
    init(packedWords w0: UInt64, _ w1: UInt64) {
        words = (w0, w1)
    }

    /// Binance spot (`binance`).
    @inlinable public static var binance: VenueID { VenueID(packedWords: 0x0065_636E_616E_6962, 0x0700_0000_0000_0000) }
    /// Binance USD-M futures (`binance-futures`).
    @inlinable public static var binanceFutures: VenueID { VenueID(packedWords: 0x2D65_636E_616E_6962, 0x0F73_6572_7574_7566) }
    /// Coinbase Advanced Trade (`coinbase`).
    @inlinable public static var coinbase: VenueID { VenueID(packedWords: 0x6573_6162_6E69_6F63, 0x0800_0000_0000_0000) }
    /// Kraken spot WebSocket v2 (`kraken`).
    @inlinable public static var kraken: VenueID { VenueID(packedWords: 0x0000_6E65_6B61_726B, 0x0600_0000_0000_0000) }
    /// OKX v5 (`okx`).
    @inlinable public static var okx: VenueID { VenueID(packedWords: 0x0000_0000_0078_6B6F, 0x0300_0000_0000_0000) }
    /// Bybit v5 (`bybit`).
    @inlinable public static var bybit: VenueID { VenueID(packedWords: 0x0000_0074_6962_7962, 0x0500_0000_0000_0000) }
    /// Deribit JSON-RPC (`deribit`).
    @inlinable public static var deribit: VenueID { VenueID(packedWords: 0x0074_6962_6972_6564, 0x0700_0000_0000_0000) }
    /// BitMEX (`bitmex`).
    @inlinable public static var bitmex: VenueID { VenueID(packedWords: 0x0000_7865_6D74_6962, 0x0600_0000_0000_0000) }
    /// Bitfinex v2 (`bitfinex`).
    @inlinable public static var bitfinex: VenueID { VenueID(packedWords: 0x7865_6E69_6674_6962, 0x0800_0000_0000_0000) }

    /// The id text.
    public var description: String { rawValue }

    /// Orders by text.
    public static func < (lhs: VenueID, rhs: VenueID) -> Bool { lhs.rawValue < rhs.rawValue }
}
