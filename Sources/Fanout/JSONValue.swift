/// A parsed JSON value of a request line (requests are few and small, so a tree is fine here;
/// the event path never parses JSON).
public enum JSONValue: Sendable, Hashable {
    /// A string, unescaped.
    case string(String)
    /// A number, as its source text (exact; decimals are never turned into floating point).
    case number(String)
    /// `true` / `false`.
    case bool(Bool)
    /// `null`.
    case null
    /// An array.
    case array([JSONValue])
    /// An object; for a repeated key the last value wins (RFC 8259 §4 leaves it open).
    case object([String: JSONValue])

    /// The JSON type name, for error messages.
    public var typeName: String {
        switch self {
        case .string: return "a string"
        case .number: return "a number"
        case .bool: return "a boolean"
        case .null: return "null"
        case .array: return "an array"
        case .object: return "an object"
        }
    }
}

