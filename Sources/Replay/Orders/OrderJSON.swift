import VenueKit

/// A small JSON value for the simulator's order dialects. Numbers keep their source text, so a
/// price like `23416.10000000` or an id like `1660801715431` round-trips exactly (no `Double`), and
/// objects keep their key order (Binance signs its params in sorted order, but echoes `id` as sent).
/// The bytes are read by VenueKit's validating `JSONScanner`, as the adapters' are.
public enum OrderJSON: Sendable, Equatable, JSONTree {
    /// `null`
    case null
    /// `true` / `false`
    case bool(Bool)
    /// A number, as written.
    case number(String)
    /// A string, unescaped.
    case string(String)
    /// An array.
    case array([OrderJSON])
    /// An object, members in source order.
    case object([Member])

    /// One object member.
    public struct Member: Sendable, Equatable {
        /// The key.
        public var key: String
        /// The value.
        public var value: OrderJSON
    }

    /// Parses one JSON text; `nil` when it is not valid JSON (or nests deeper than 64 levels).
    public init?(parsing bytes: [UInt8]) {
        guard let value = bytes.withUnsafeBytes({ buffer in try? JSONScanner.parseTree(buffer, as: OrderJSON.self, maxDepth: 64) }) else {
            return nil
        }
        self = value
    }

    /// An object, members in source order.
    public static func jsonObject(_ members: [(key: String, value: OrderJSON)]) -> OrderJSON {
        .object(members.map { Member(key: $0.key, value: $0.value) })
    }

    /// Parses a `String`.
    public init?(parsing text: String) { self.init(parsing: Array(text.utf8)) }

    /// The member `key` of an object.
    public subscript(key: String) -> OrderJSON? {
        guard case .object(let members) = self else { return nil }
        return members.first { $0.key == key }?.value
    }

    /// Element `index` of an array.
    public subscript(index: Int) -> OrderJSON? {
        guard case .array(let items) = self, items.indices.contains(index) else { return nil }
        return items[index]
    }

    /// A string, or a number's text (venues send `"0.1"` and `0.1` alike).
    public var text: String? {
        switch self {
        case .string(let value): value
        case .number(let value): value
        case .bool(let value): value ? "true" : "false"
        default: nil
        }
    }

    /// An integer from a number or a numeric string.
    public var int64: Int64? { text.flatMap { Int64($0) } }

    /// A boolean (`true`, `1`, `"true"`).
    public var isTrue: Bool {
        switch self {
        case .bool(let value): value
        case .number(let value): value != "0"
        case .string(let value): value == "true"
        default: false
        }
    }

    /// The members of an object (empty otherwise).
    public var members: [Member] {
        if case .object(let members) = self { return members }
        return []
    }

    /// The items of an array (empty otherwise).
    public var items: [OrderJSON] {
        if case .array(let items) = self { return items }
        return []
    }

    /// Compact JSON text (how the dialects echo a request id verbatim).
    public var rendered: String {
        switch self {
        case .null: "null"
        case .bool(let value): value ? "true" : "false"
        case .number(let value): value
        case .string(let value): OrderJSON.quoted(value)
        case .array(let items): "[" + items.map(\.rendered).joined(separator: ",") + "]"
        case .object(let members): "{" + members.map { OrderJSON.quoted($0.key) + ":" + $0.value.rendered }.joined(separator: ",") + "}"
        }
    }

    /// `value` as a JSON string literal (RFC 8259 §7 escapes).
    public static func quoted(_ value: String) -> String {
        var out = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}
