/// One field of a subscription (`venue`, `channel` or `symbol`): a literal or a glob where `*`
/// stands for any run of characters (SPEC §5: `"*"` wildcards). `"*"` alone matches everything,
/// `"BTC-*"` every BTC base, `"*-PERP"` every perpetual. Matching is case-sensitive, like the
/// names it matches (`binance`, `BTC-USDT`).
public struct SubscriptionPattern: Sendable, Hashable, CustomStringConvertible, ExpressibleByStringLiteral {
    /// The pattern as the client wrote it.
    public let text: String
    private let form: Form

    private enum Form: Sendable, Hashable {
        /// `*`: everything.
        case any
        /// No `*`: equality.
        case literal
        /// Contains `*` among other characters.
        case glob([UInt8])
    }

    /// Wraps `text`; any `*` in it is a wildcard.
    public init(_ text: String) {
        self.text = text
        if text == "*" {
            form = .any
        } else if text.utf8.contains(UInt8(ascii: "*")) {
            form = .glob(Array(text.utf8))
        } else {
            form = .literal
        }
    }

    /// Wraps a literal pattern, e.g. `let p: SubscriptionPattern = "BTC-*"`.
    public init(stringLiteral value: String) { self.init(value) }

    /// Matches everything.
    public static let any = SubscriptionPattern("*")

    /// `true` for `"*"`.
    public var isAny: Bool { form == .any }

    /// `true` when the pattern contains no `*` (it names exactly one value).
    public var isLiteral: Bool { form == .literal }

    /// Whether `value` matches.
    public func matches(_ value: String) -> Bool {
        switch form {
        case .any: return true
        case .literal: return value == text
        case .glob(let pattern):
            var value = value
            return value.withUTF8 { Self.glob(pattern, $0) }
        }
    }

    /// The pattern text.
    public var description: String { text }

    /// Linear-time wildcard match (`*` only): on a mismatch, back up to the last `*` and let it
    /// swallow one more byte. Works on bytes, which is exact for UTF-8 since `*` is ASCII.
    private static func glob(_ pattern: [UInt8], _ value: UnsafeBufferPointer<UInt8>) -> Bool {
        let star = UInt8(ascii: "*")
        var p = 0
        var v = 0
        var lastStar = -1
        var resume = 0
        while v < value.count {
            if p < pattern.count, pattern[p] == star {
                lastStar = p
                resume = v
                p += 1
            } else if p < pattern.count, pattern[p] == value[v] {
                p += 1
                v += 1
            } else if lastStar >= 0 {
                p = lastStar + 1
                resume += 1
                v = resume
            } else {
                return false
            }
        }
        while p < pattern.count, pattern[p] == star { p += 1 }
        return p == pattern.count
    }
}
