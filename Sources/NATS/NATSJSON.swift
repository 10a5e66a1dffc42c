/// A minimal JSON value for the few JSON documents NATS sends us (`INFO`, JetStream API replies).
/// Cold path only: market data never goes through it.
public enum NATSJSON: Sendable, Hashable {
    /// `null`.
    case null
    /// `true` / `false`.
    case bool(Bool)
    /// A number, kept as its text (NATS sends integers; `Double` is never needed).
    case number(String)
    /// A string.
    case string(String)
    /// An array.
    case array([NATSJSON])
    /// An object (duplicate keys: the last wins).
    case object([String: NATSJSON])

    /// The member `key` of an object, else `nil`.
    public subscript(key: String) -> NATSJSON? {
        if case .object(let members) = self { return members[key] }
        return nil
    }

    /// The string value, else `nil`.
    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    /// The integer value of a number, else `nil`.
    public var intValue: Int64? {
        if case .number(let text) = self { return Int64(text) }
        return nil
    }

    /// The boolean value, else `nil`.
    public var boolValue: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }

    /// The elements of an array, else `nil`.
    public var arrayValue: [NATSJSON]? {
        if case .array(let a) = self { return a }
        return nil
    }

    /// Parses one JSON document (RFC 8259); nesting deeper than 32 levels is refused.
    public static func parse(_ bytes: some Collection<UInt8>) throws(NATSError) -> NATSJSON {
        var parser = Parser(bytes: Array(bytes))
        let value = try parser.value(depth: 0)
        parser.skipWhitespace()
        guard parser.index == parser.bytes.count else { throw parser.error("trailing bytes after the JSON value") }
        return value
    }

    private struct Parser {
        let bytes: [UInt8]
        var index = 0

        func error(_ what: String) -> NATSError {
            NATSError(.protocolViolation, "invalid JSON at byte \(index): \(what)")
        }

        mutating func skipWhitespace() {
            while index < bytes.count, bytes[index] == 0x20 || bytes[index] == 0x09 || bytes[index] == 0x0A || bytes[index] == 0x0D {
                index += 1
            }
        }

        mutating func value(depth: Int) throws(NATSError) -> NATSJSON {
            guard depth < 32 else { throw error("nested too deeply") }
            skipWhitespace()
            guard index < bytes.count else { throw error("unexpected end") }
            switch bytes[index] {
            case UInt8(ascii: "{"):
                index += 1
                var members: [String: NATSJSON] = [:]
                skipWhitespace()
                if index < bytes.count, bytes[index] == UInt8(ascii: "}") { index += 1; return .object(members) }
                while true {
                    skipWhitespace()
                    let key = try string()
                    skipWhitespace()
                    try expect(UInt8(ascii: ":"))
                    members[key] = try value(depth: depth + 1)
                    skipWhitespace()
                    guard index < bytes.count else { throw error("unterminated object") }
                    if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
                    try expect(UInt8(ascii: "}"))
                    return .object(members)
                }
            case UInt8(ascii: "["):
                index += 1
                var elements: [NATSJSON] = []
                skipWhitespace()
                if index < bytes.count, bytes[index] == UInt8(ascii: "]") { index += 1; return .array(elements) }
                while true {
                    elements.append(try value(depth: depth + 1))
                    skipWhitespace()
                    guard index < bytes.count else { throw error("unterminated array") }
                    if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
                    try expect(UInt8(ascii: "]"))
                    return .array(elements)
                }
            case UInt8(ascii: "\""):
                return .string(try string())
            case UInt8(ascii: "t"):
                try literal("true"); return .bool(true)
            case UInt8(ascii: "f"):
                try literal("false"); return .bool(false)
            case UInt8(ascii: "n"):
                try literal("null"); return .null
            default:
                let start = index
                while index < bytes.count, (bytes[index] >= UInt8(ascii: "0") && bytes[index] <= UInt8(ascii: "9"))
                    || bytes[index] == UInt8(ascii: "-") || bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: ".")
                    || bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
                    index += 1
                }
                guard index > start else { throw error("unexpected byte 0x\(String(bytes[index], radix: 16))") }
                return .number(String(decoding: bytes[start..<index], as: UTF8.self))
            }
        }

        mutating func expect(_ byte: UInt8) throws(NATSError) {
            guard index < bytes.count, bytes[index] == byte else { throw error("expected '\(Character(Unicode.Scalar(byte)))'") }
            index += 1
        }

        mutating func literal(_ text: StaticString) throws(NATSError) {
            let n = text.utf8CodeUnitCount
            guard index + n <= bytes.count else { throw error("unexpected end") }
            for i in 0..<n where bytes[index + i] != text.utf8Start[i] { throw error("bad literal") }
            index += n
        }

        mutating func string() throws(NATSError) -> String {
            try expect(UInt8(ascii: "\""))
            var out: [UInt8] = []
            while index < bytes.count {
                let c = bytes[index]
                index += 1
                switch c {
                case UInt8(ascii: "\""):
                    return String(decoding: out, as: UTF8.self)
                case UInt8(ascii: "\\"):
                    guard index < bytes.count else { throw error("unterminated escape") }
                    let e = bytes[index]
                    index += 1
                    switch e {
                    case UInt8(ascii: "n"): out.append(0x0A)
                    case UInt8(ascii: "t"): out.append(0x09)
                    case UInt8(ascii: "r"): out.append(0x0D)
                    case UInt8(ascii: "b"): out.append(0x08)
                    case UInt8(ascii: "f"): out.append(0x0C)
                    case UInt8(ascii: "u"):
                        guard index + 4 <= bytes.count, let code = UInt32(String(decoding: bytes[index..<index + 4], as: UTF8.self), radix: 16) else {
                            throw error("bad \\u escape")
                        }
                        index += 4
                        // Surrogates (not produced by nats-server for its own fields) become U+FFFD.
                        let scalar = Unicode.Scalar(code) ?? "\u{FFFD}"
                        out.append(contentsOf: Array(String(Character(scalar)).utf8))
                    default: out.append(e)
                    }
                default:
                    out.append(c)
                }
            }
            throw error("unterminated string")
        }
    }
}
