/// A normalized instrument name (SPEC §4): `BTC-USDT` (spot), `BTC-USDT-PERP` (perpetual swap),
/// `BTC-USD-20261225` (dated future), `BTC-USD-20261225-100000-C` (option; `C` call, `P` put).
///
/// Stored as its text's bytes in four words plus its kind (see ``PackedName``): copying a symbol
/// is copying words, never a reference count. Symbols of up to ``inlineCapacity`` bytes (every
/// instrument of the eight venues) live in the words; a longer one is kept once in a process-wide
/// table and the words hold its index.
public struct Symbol: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The text bytes and tag (``PackedName``).
    @usableFromInline var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
    /// What kind of instrument this is.
    public let kind: SymbolKind

    /// The longest symbol held in the words themselves, in bytes.
    public static let inlineCapacity = 31

    /// The normalized text, e.g. `"BTC-USDT-PERP"`.
    public var rawValue: String { withUnsafeBytes(of: words) { PackedName.string($0) } }

    /// Runs `body` on the symbol's UTF-8 bytes without making a `String` (the encoder's path).
    @inlinable @inline(__always)
    public func withUTF8<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R {
        withUnsafeBytes(of: words) { PackedName.withUTF8($0, body) }
    }

    /// Parses and validates a normalized symbol.
    public init(_ text: String) throws(SymbolError) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        func isAsset(_ s: Substring) -> Bool {
            !s.isEmpty && s.utf8.count <= 20 && s.utf8.allSatisfy {
                ($0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z")) || ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9"))
            }
        }
        func isDate(_ s: Substring) -> Bool {
            s.utf8.count == 8 && s.utf8.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
        }
        func isStrike(_ s: Substring) -> Bool {
            !s.isEmpty && FixedDecimal(String(s)).map { !$0.isNegative && !$0.isZero } == true
                && s.utf8.allSatisfy { $0 != UInt8(ascii: "e") && $0 != UInt8(ascii: "E") }
        }
        guard parts.count >= 2, isAsset(parts[0]), isAsset(parts[1]) else {
            throw SymbolError(text: text, reason: "expected BASE-QUOTE with upper-case letters or digits")
        }
        switch parts.count {
        case 2:
            kind = .spot
        case 3 where parts[2] == "PERP":
            kind = .perpetual
        case 3 where isDate(parts[2]):
            kind = .future
        case 3:
            throw SymbolError(text: text, reason: "third part must be PERP or a YYYYMMDD expiry")
        case 5:
            guard isDate(parts[2]) else { throw SymbolError(text: text, reason: "option expiry must be YYYYMMDD") }
            guard isStrike(parts[3]) else { throw SymbolError(text: text, reason: "option strike must be a positive decimal") }
            guard parts[4] == "C" || parts[4] == "P" else { throw SymbolError(text: text, reason: "option right must be C or P") }
            kind = .option
        default:
            throw SymbolError(text: text, reason: "wrong number of '-' separated parts")
        }
        guard Symbol.pack(text, into: &words) else {
            throw SymbolError(text: text, reason: "too many distinct symbols longer than \(Symbol.inlineCapacity) bytes")
        }
    }

    /// Creates a symbol without validation. For adapters' precomputed tables only: the caller
    /// guarantees that `rawValue` is a valid normalized symbol of `kind`.
    public init(unchecked rawValue: String, kind: SymbolKind) {
        self.kind = kind
        guard Symbol.pack(rawValue, into: &words) else {
            preconditionFailure("too many distinct symbols longer than \(Symbol.inlineCapacity) bytes")
        }
    }

    /// Packs `text` into `words`; `false` when the long-name table is full.
    private static func pack(_ text: String, into words: inout (UInt64, UInt64, UInt64, UInt64)) -> Bool {
        withUnsafeMutableBytes(of: &words) { PackedName.pack(text, into: $0) }
    }

    /// Equal words: the same text (each text has one packed form) — and so the same kind.
    @inlinable
    public static func == (a: Symbol, b: Symbol) -> Bool {
        a.words.0 == b.words.0 && a.words.1 == b.words.1 && a.words.2 == b.words.2 && a.words.3 == b.words.3
    }

    /// Hashes the words, which determine the text, folded into one word first: the hasher then
    /// runs one block instead of four (symbols key the per-symbol tables on the book path).
    @inlinable
    public func hash(into hasher: inout Hasher) {
        hasher.combine(PackedName.fold(words.0, words.1, words.2, words.3))
    }

    /// A spot pair `BASE-QUOTE`.
    public static func spot(base: String, quote: String) throws(SymbolError) -> Symbol {
        try Symbol("\(base)-\(quote)")
    }

    /// A perpetual swap `BASE-QUOTE-PERP`.
    public static func perpetual(base: String, quote: String) throws(SymbolError) -> Symbol {
        try Symbol("\(base)-\(quote)-PERP")
    }

    /// A dated future `BASE-QUOTE-YYYYMMDD`.
    public static func future(base: String, quote: String, expiry: String) throws(SymbolError) -> Symbol {
        try Symbol("\(base)-\(quote)-\(expiry)")
    }

    /// An option `BASE-QUOTE-YYYYMMDD-STRIKE-C|P`.
    public static func option(base: String, quote: String, expiry: String, strike: String, isCall: Bool) throws(SymbolError) -> Symbol {
        try Symbol("\(base)-\(quote)-\(expiry)-\(strike)-\(isCall ? "C" : "P")")
    }

    private var parts: [Substring] { rawValue.split(separator: "-", omittingEmptySubsequences: false) }

    /// The base asset, e.g. `BTC`.
    public var base: String { String(parts[0]) }
    /// The quote asset, e.g. `USDT`.
    public var quote: String { String(parts[1]) }
    /// The expiry `YYYYMMDD` of a future or option, else `nil`.
    public var expiry: String? { kind == .future || kind == .option ? String(parts[2]) : nil }
    /// The strike of an option, else `nil`.
    public var strike: FixedDecimal? { kind == .option ? FixedDecimal(String(parts[3])) : nil }
    /// `true` for a call option, `false` for a put, `nil` for other kinds.
    public var isCall: Bool? { kind == .option ? parts[4] == "C" : nil }

    /// The normalized text.
    public var description: String { rawValue }

    /// Orders by text (stable listings).
    public static func < (lhs: Symbol, rhs: Symbol) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// The instrument kinds of SPEC §4.
public enum SymbolKind: String, Sendable, Hashable, CaseIterable {
    /// `BASE-QUOTE`.
    case spot
    /// `BASE-QUOTE-PERP`.
    case perpetual = "perp"
    /// `BASE-QUOTE-YYYYMMDD`.
    case future
    /// `BASE-QUOTE-YYYYMMDD-STRIKE-C|P`.
    case option
}

/// A symbol that is not in the normalized form.
public struct SymbolError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The rejected text.
    public let text: String
    /// What was wrong with it.
    public let reason: String
    /// One sentence for logs and CLI errors.
    public var description: String { "invalid symbol '\(text)': \(reason)" }
}
