/// A trade's id as the venue wrote it. Most venues number their trades (`15683430`, or the same
/// digits in a string): such an id is kept as the number, so reading and publishing it needs no
/// `String`; anything else (UUIDs, `ETH-123456`, leading zeros) is kept as text. The two forms are
/// one value: `TradeID("123") == TradeID(123)`, and both publish as `"123"`.
public struct TradeID: Sendable, Hashable, CustomStringConvertible, ExpressibleByStringLiteral {
    /// The number, or the text when it is not a plain decimal integer.
    @usableFromInline
    enum Storage: Sendable, Hashable {
        /// A non-negative integer written without leading zeros, up to 18 digits.
        case number(Int64)
        /// Any other id, exactly as sent.
        case text(String)
    }

    /// The id.
    @usableFromInline let storage: Storage

    /// A numbered trade (a venue's integer id). Negative or 19-digit numbers are kept as text, so
    /// that every id has one form whichever way it was read.
    @inlinable
    public init(_ number: Int64) {
        storage = number >= 0 && number < 1_000_000_000_000_000_000 ? .number(number) : .text(String(number))
    }

    /// An id given as text; digits-only text without leading zeros becomes the number.
    public init(_ text: String) {
        var copy = text
        storage = copy.withUTF8 { TradeID.number(in: UnsafeRawBufferPointer($0)) }.map(Storage.number) ?? .text(text)
    }

    /// An id given as raw UTF-8 bytes (a view into a venue message): the number when the bytes are
    /// one, else a `String` made from them.
    @inlinable
    public init(utf8 bytes: UnsafeRawBufferPointer) {
        if let number = TradeID.number(in: bytes) { storage = .number(number) } else { storage = .text(String(decoding: bytes, as: UTF8.self)) }
    }

    /// ``init(_:)-(String)`` for literals.
    public init(stringLiteral value: String) { self.init(value) }

    /// `bytes` as a number when they are 1–18 ASCII digits without a leading zero.
    @inlinable
    static func number(in bytes: UnsafeRawBufferPointer) -> Int64? {
        guard bytes.count >= 1, bytes.count <= 18, bytes[0] != UInt8(ascii: "0") || bytes.count == 1 else { return nil }
        var value: Int64 = 0
        for byte in bytes {
            let digit = byte &- UInt8(ascii: "0")
            guard digit < 10 else { return nil }
            value = value &* 10 &+ Int64(digit)
        }
        return value
    }

    /// The number, when the id is one.
    @inlinable
    public var number: Int64? {
        if case .number(let n) = storage { return n }
        return nil
    }

    /// The id's text, as published.
    public var description: String {
        switch storage {
        case .number(let n): return DecimalText.string(n)
        case .text(let t): return t
        }
    }
}
