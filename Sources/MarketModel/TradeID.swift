/// A trade's id as the venue wrote it. Most venues number their trades (`15683430`, or the same
/// digits in a string): such an id is kept as the number, so reading and publishing it needs no
/// `String`. Other ids of up to ``InlineText/capacity`` ASCII bytes (Bybit's and BitMEX's
/// 36-byte UUIDs, `ETH-123456`, leading zeros) are kept inline, also without a heap `String`;
/// only longer or non-ASCII ids are a `String`. Each id has exactly one of these forms whichever
/// way it was read, so they are one value: `TradeID("123") == TradeID(123)`, and all publish
/// the venue's exact text (`"123"`).
public struct TradeID: Sendable, Hashable, CustomStringConvertible, ExpressibleByStringLiteral {
    /// The number, the inline text, or the text as a `String`: the first that can hold the id.
    @usableFromInline
    enum Storage: Sendable, Hashable {
        /// A non-negative integer written without leading zeros, up to 18 digits.
        case number(Int64)
        /// Any other id of up to ``InlineText/capacity`` ASCII bytes, exactly as sent.
        case inline(InlineText)
        /// Any other id (longer, or not ASCII), exactly as sent.
        case text(String)
    }

    /// Up to 47 ASCII bytes and their count in six words, so that a UUID-sized id is copied with
    /// the `Trade` that carries it instead of allocating (a heap `String` per trade cost ~400
    /// instructions: malloc, the UTF-8 check and copy, release and free). The unused bytes are
    /// zero, so equal texts have equal words.
    @usableFromInline
    struct InlineText: Sendable, Hashable {
        /// The most bytes held inline; the 48th byte holds the count.
        @usableFromInline static let capacity = 47

        /// Bytes 0...46 of the text (zero after its end) and, in the top byte, its length.
        @usableFromInline var words: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0)

        /// The text of `bytes`, or `nil` when there are more than ``capacity`` of them or one is
        /// not ASCII (such ids are kept as a `String`).
        @inlinable
        init?(_ bytes: UnsafeRawBufferPointer) {
            let n = bytes.count
            guard n <= InlineText.capacity else { return nil }
            guard let source = bytes.baseAddress else { words.5 = 0; return }
            if n >= 8 {
                // Each word straight from the text, no loop: a whole word where it fits, the
                // word that ends at the text's end shifted down where the text ends inside it
                // (never a byte outside `bytes`), zero past the end. A 36-byte UUID costs five
                // loads instead of a loop through a buffer.
                @inline(__always) func word(_ k: Int) -> UInt64 {
                    let start = k &* 8
                    if start &+ 8 <= n { return UInt64(littleEndian: source.loadUnaligned(fromByteOffset: start, as: UInt64.self)) }
                    if start >= n { return 0 }
                    let last = UInt64(littleEndian: source.loadUnaligned(fromByteOffset: n &- 8, as: UInt64.self))
                    return last &>> UInt64(truncatingIfNeeded: (start &+ 8 &- n) &* 8)
                }
                let w0 = word(0), w1 = word(1), w2 = word(2), w3 = word(3), w4 = word(4), w5 = word(5)
                guard (w0 | w1 | w2 | w3 | w4 | w5) & 0x8080_8080_8080_8080 == 0 else { return nil }
                words = (w0.littleEndian, w1.littleEndian, w2.littleEndian, w3.littleEndian, w4.littleEndian,
                         (w5 | UInt64(n) &<< 56).littleEndian)
                return
            }
            var any: UInt64 = 0
            withUnsafeMutableBytes(of: &words) { target in
                let t = target.baseAddress!
                for i in 0 ..< n {
                    let b = source.load(fromByteOffset: i, as: UInt8.self)
                    t.storeBytes(of: b, toByteOffset: i, as: UInt8.self)
                    any |= UInt64(b)
                }
            }
            guard any & 0x80 == 0 else { return nil }
            words.5 |= UInt64(n) &<< 56
        }

        /// The number of bytes.
        @inlinable var count: Int { Int(truncatingIfNeeded: words.5 &>> 56) }

        /// Runs `body` on the text's bytes.
        @inlinable
        func withBytes<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R {
            let n = count
            return withUnsafeBytes(of: words) { body(UnsafeRawBufferPointer(rebasing: $0[..<n])) }
        }

        /// Equal words: the same bytes and count (unused bytes are always zero).
        @inlinable
        static func == (a: InlineText, b: InlineText) -> Bool {
            a.words.0 == b.words.0 && a.words.1 == b.words.1 && a.words.2 == b.words.2
                && a.words.3 == b.words.3 && a.words.4 == b.words.4 && a.words.5 == b.words.5
        }

        /// Hashes the six words (which determine the text).
        @inlinable
        func hash(into hasher: inout Hasher) {
            hasher.combine(words.0)
            hasher.combine(words.1)
            hasher.combine(words.2)
            hasher.combine(words.3)
            hasher.combine(words.4)
            hasher.combine(words.5)
        }
    }

    /// The id.
    @usableFromInline let storage: Storage

    /// A numbered trade (a venue's integer id). Negative or 19-digit numbers are kept as text, so
    /// that every id has one form whichever way it was read. Always inlined (every numbered trade
    /// makes one; as a call it cost ~30 instructions), the rare text case out of line.
    @inlinable @inline(__always)
    public init(_ number: Int64) {
        storage = number >= 0 && number < 1_000_000_000_000_000_000 ? .number(number) : TradeID.textStorage(number)
    }

    /// The inline text of a negative or 19-digit number.
    @usableFromInline @inline(never)
    static func textStorage(_ number: Int64) -> Storage {
        var text = String(number)
        return text.withUTF8 { TradeID.textStorage(UnsafeRawBufferPointer($0)) } ?? .text(text)
    }

    /// An id given as text; digits-only text without leading zeros becomes the number.
    public init(_ text: String) {
        var copy = text
        storage = copy.withUTF8 { TradeID.nonString(in: UnsafeRawBufferPointer($0)) } ?? .text(text)
    }

    /// An id given as raw UTF-8 bytes (a view into a venue message): the number when the bytes are
    /// one, the inline text when they are short ASCII, else a `String` made from them.
    @inlinable
    public init(utf8 bytes: UnsafeRawBufferPointer) {
        storage = TradeID.nonString(in: bytes) ?? .text(String(decoding: bytes, as: UTF8.self))
    }

    /// ``init(_:)-(String)`` for literals.
    public init(stringLiteral value: String) { self.init(value) }

    /// The number or inline form of `bytes`, or `nil` when only a `String` can hold them.
    @inlinable
    static func nonString(in bytes: UnsafeRawBufferPointer) -> Storage? {
        if let number = TradeID.number(in: bytes) { return .number(number) }
        return textStorage(bytes)
    }

    /// The inline form of text that is not a plain number, or `nil` when it is too long or not ASCII.
    @inlinable
    static func textStorage(_ bytes: UnsafeRawBufferPointer) -> Storage? {
        InlineText(bytes).map(Storage.inline)
    }

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
        case .inline(let t): return t.withBytes { String(decoding: $0, as: UTF8.self) }
        case .text(let t): return t
        }
    }
}
