/// A small JSON value for the simulator's order dialects. Numbers keep their source text, so a
/// price like `23416.10000000` or an id like `1660801715431` round-trips exactly (no `Double`), and
/// objects keep their key order (Binance signs its params in sorted order, but echoes `id` as sent).
/// Replay sits below VenueKit, so it cannot use the adapters' scanner; order traffic is small.
public enum OrderJSON: Sendable, Equatable {
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

    /// Parses one JSON text; `nil` when it is not valid JSON.
    public init?(parsing bytes: [UInt8]) {
        var parser = Parser(bytes: bytes)
        guard let value = parser.parseValue(depth: 0) else { return nil }
        parser.skipWhitespace()
        guard parser.index == bytes.count else { return nil }
        self = value
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

    private struct Parser {
        let bytes: [UInt8]
        var index = 0

        init(bytes: [UInt8]) { self.bytes = bytes }

        mutating func skipWhitespace() {
            while index < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[index]) { index += 1 }
        }

        mutating func parseValue(depth: Int) -> OrderJSON? {
            guard depth < 64 else { return nil }
            skipWhitespace()
            guard index < bytes.count else { return nil }
            switch bytes[index] {
            case UInt8(ascii: "{"): return parseObject(depth: depth)
            case UInt8(ascii: "["): return parseArray(depth: depth)
            case UInt8(ascii: "\""): return parseString().map(OrderJSON.string)
            case UInt8(ascii: "t"): return literal("true", .bool(true))
            case UInt8(ascii: "f"): return literal("false", .bool(false))
            case UInt8(ascii: "n"): return literal("null", .null)
            default: return parseNumber()
            }
        }

        mutating func literal(_ word: String, _ value: OrderJSON) -> OrderJSON? {
            let utf8 = Array(word.utf8)
            guard index + utf8.count <= bytes.count, Array(bytes[index..<index + utf8.count]) == utf8 else { return nil }
            index += utf8.count
            return value
        }

        mutating func parseNumber() -> OrderJSON? {
            let start = index
            if index < bytes.count, bytes[index] == UInt8(ascii: "-") { index += 1 }
            let digitsStart = index
            while index < bytes.count, isNumberByte(bytes[index]) { index += 1 }
            guard index > digitsStart else { return nil }
            return .number(String(decoding: bytes[start..<index], as: UTF8.self))
        }

        func isNumberByte(_ byte: UInt8) -> Bool {
            (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "e")
                || byte == UInt8(ascii: "E") || byte == UInt8(ascii: "+") || byte == UInt8(ascii: "-")
        }

        mutating func parseString() -> String? {
            index += 1
            var out: [UInt8] = []
            while index < bytes.count {
                let byte = bytes[index]
                index += 1
                switch byte {
                case UInt8(ascii: "\""):
                    return String(validating: out, as: UTF8.self)
                case UInt8(ascii: "\\"):
                    guard index < bytes.count else { return nil }
                    let escape = bytes[index]
                    index += 1
                    switch escape {
                    case UInt8(ascii: "n"): out.append(0x0A)
                    case UInt8(ascii: "t"): out.append(0x09)
                    case UInt8(ascii: "r"): out.append(0x0D)
                    case UInt8(ascii: "b"): out.append(0x08)
                    case UInt8(ascii: "f"): out.append(0x0C)
                    case UInt8(ascii: "u"):
                        guard index + 4 <= bytes.count, let code = UInt32(String(decoding: bytes[index..<index + 4], as: UTF8.self), radix: 16),
                              let scalar = Unicode.Scalar(code) else { return nil }
                        index += 4
                        out.append(contentsOf: Array(String(Character(scalar)).utf8))
                    default: out.append(escape)
                    }
                default:
                    guard byte >= 0x20 else { return nil }
                    out.append(byte)
                }
            }
            return nil
        }

        mutating func parseArray(depth: Int) -> OrderJSON? {
            index += 1
            var items: [OrderJSON] = []
            skipWhitespace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
                index += 1
                return .array(items)
            }
            while true {
                guard let item = parseValue(depth: depth + 1) else { return nil }
                items.append(item)
                skipWhitespace()
                guard index < bytes.count else { return nil }
                if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
                guard bytes[index] == UInt8(ascii: "]") else { return nil }
                index += 1
                return .array(items)
            }
        }

        mutating func parseObject(depth: Int) -> OrderJSON? {
            index += 1
            var members: [Member] = []
            skipWhitespace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
                index += 1
                return .object(members)
            }
            while true {
                skipWhitespace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: "\""), let key = parseString() else { return nil }
                skipWhitespace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { return nil }
                index += 1
                guard let value = parseValue(depth: depth + 1) else { return nil }
                members.append(Member(key: key, value: value))
                skipWhitespace()
                guard index < bytes.count else { return nil }
                if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
                guard bytes[index] == UInt8(ascii: "}") else { return nil }
                index += 1
                return .object(members)
            }
        }
    }
}
