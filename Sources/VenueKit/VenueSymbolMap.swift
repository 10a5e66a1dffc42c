import MarketModel

/// A two-way table between normalized symbols and a venue's names, with a lookup straight from
/// message bytes that allocates nothing (``VenueNameIndex``) and remembers the last hit of up to
/// 16 bytes (a connection carrying one symbol repeats it on every message).
public struct VenueSymbolMap: Sendable {
    private var toVenue: [Symbol: String] = [:]
    private var fromVenue = VenueNameIndex()
    /// The last name found, as ``JSONString/packed`` words (names of up to 16 bytes): the repeat
    /// check is then two word compares.
    @usableFromInline var lastPacked: JSONString.Packed?
    @usableFromInline var lastSymbol: Symbol?

    /// Creates an empty map.
    public init() {}

    /// Creates a map from `(normalized, venue name)` pairs.
    public init(_ pairs: [(Symbol, String)]) {
        for (symbol, name) in pairs { insert(symbol, venueName: name) }
    }

    /// Creates a map of `symbols` to the names `venueName` gives them; a symbol without a name
    /// (`nil`: a kind or market the venue's connection does not serve) is left out.
    public init(_ symbols: [Symbol], venueName: (Symbol) -> String?) {
        for symbol in symbols {
            if let name = venueName(symbol) { insert(symbol, venueName: name) }
        }
    }

    /// Adds or replaces one mapping.
    public mutating func insert(_ symbol: Symbol, venueName: String) {
        toVenue[symbol] = venueName
        fromVenue.insert(venueName, symbol)
        lastPacked = nil
        lastSymbol = nil
    }

    /// The venue name for a normalized symbol.
    public func venueName(for symbol: Symbol) -> String? { toVenue[symbol] }

    /// The normalized symbol for a venue name.
    public func symbol(forVenueName name: String) -> Symbol? { fromVenue.find(name) }

    /// All normalized symbols in the map.
    public var symbols: [Symbol] { Array(toVenue.keys) }

    /// Looks a venue name up straight from message bytes; caches the last hit.
    @inlinable @inline(__always)
    public mutating func lookup(_ name: JSONString) -> Symbol? {
        if let packed = name.packed, packed == lastPacked, let lastSymbol { return lastSymbol }
        return lookupSlow(name)
    }

    /// ``lookup(_:)`` past the short-name repeat check: long or escaped names, and misses.
    @usableFromInline
    mutating func lookupSlow(_ name: JSONString) -> Symbol? {
        guard let symbol = name.hasEscapes ? fromVenue.find(name.string) : fromVenue.find(name.bytes) else { return nil }
        if let packed = name.packed {
            lastPacked = packed
            lastSymbol = symbol
        }
        return symbol
    }

    /// Like ``lookup(_:)`` but throws ``VenueParseError/Kind/unknownSymbol``.
    public mutating func require(_ name: JSONString) throws(VenueParseError) -> Symbol {
        guard let symbol = lookup(name) else { throw VenueParseError.unknownSymbol(name.string) }
        return symbol
    }
}
