import MarketModel

/// NATS subject rules and the MarketMux subject layout (SPEC §7).
///
/// A subject is `.`-separated tokens; `*` and `>` are wildcards, and whitespace ends the
/// subject on the wire. Venue, channel and symbol names become single tokens through
/// ``token(_:)``, which percent-encodes every byte that could split or widen a subject (`.`,
/// `*`, `>`, whitespace and control bytes, `%` itself) — `BTC-USDT-PERP` is unchanged, an option
/// strike with a decimal point (`BTC-USD-20261225-100000.5-C`) becomes `…-100000%2E5-C`.
public enum NATSSubject {
    /// `text` as one safe subject token (empty text becomes `_`).
    public static func token(_ text: String) -> String {
        guard !text.isEmpty else { return "_" }
        if text.utf8.allSatisfy({ !needsEscape($0) }) { return text }
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count + 8)
        let hex = Array("0123456789ABCDEF".utf8)
        for c in text.utf8 {
            if needsEscape(c) {
                out += [UInt8(ascii: "%"), hex[Int(c >> 4)], hex[Int(c & 15)]]
            } else {
                out.append(c)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Reverses ``token(_:)``.
    public static func decodeToken(_ token: String) -> String {
        guard token.utf8.contains(UInt8(ascii: "%")) else { return token }
        var out: [UInt8] = []
        let bytes = Array(token.utf8)
        var i = 0
        while i < bytes.count {
            if bytes[i] == UInt8(ascii: "%"), i + 2 < bytes.count, let v = UInt8(String(decoding: bytes[i + 1...i + 2], as: UTF8.self), radix: 16) {
                out.append(v)
                i += 3
            } else {
                out.append(bytes[i])
                i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    @inline(__always)
    static func needsEscape(_ c: UInt8) -> Bool {
        c <= 0x20 || c == 0x7F || c == UInt8(ascii: ".") || c == UInt8(ascii: "*") || c == UInt8(ascii: ">") || c == UInt8(ascii: "%")
    }

    /// Whether `subject` is a valid subject to publish to: non-empty tokens, no whitespace, no
    /// wildcards.
    public static func isValidSubject(_ subject: String) -> Bool {
        isValid(subject, allowsWildcards: false)
    }

    /// Whether `subject` is a valid subscription subject (wildcards `*` as a whole token, `>`
    /// as the whole last token).
    public static func isValidFilter(_ subject: String) -> Bool {
        isValid(subject, allowsWildcards: true)
    }

    private static func isValid(_ subject: String, allowsWildcards: Bool) -> Bool {
        let tokens = subject.split(separator: ".", omittingEmptySubsequences: false)
        guard !subject.isEmpty else { return false }
        for (i, t) in tokens.enumerated() {
            guard !t.isEmpty, t.utf8.allSatisfy({ $0 > 0x20 && $0 != 0x7F }) else { return false }
            if t == "*" || (t == ">" && i == tokens.count - 1) {
                if !allowsWildcards { return false }
                continue
            }
            if t.utf8.contains(UInt8(ascii: "*")) || t.utf8.contains(UInt8(ascii: ">")) { return false }
        }
        return true
    }

    /// `<prefix>.md.<venue>.<channel>.<symbol>`.
    public static func marketData(prefix: String, venue: VenueID, channel: Channel, symbol: Symbol) -> String {
        "\(prefix).md.\(token(venue.rawValue)).\(token(channel.rawValue)).\(token(symbol.rawValue))"
    }

    /// `<prefix>.status.<venue>`.
    public static func status(prefix: String, venue: VenueID) -> String {
        "\(prefix).status.\(token(venue.rawValue))"
    }

    /// `<prefix>.orders.<venue>`: order intake (request-reply).
    public static func orders(prefix: String, venue: VenueID) -> String {
        "\(prefix).orders.\(token(venue.rawValue))"
    }

    /// `<prefix>.orders.updates.<client>`: order updates for one client.
    public static func orderUpdates(prefix: String, client: String) -> String {
        "\(prefix).orders.updates.\(token(client))"
    }
}
