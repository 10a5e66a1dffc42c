import VenueKit

/// A minimal JSON value for the few JSON documents NATS sends us (`INFO`, JetStream API replies).
/// Cold path only: market data never goes through it.
public enum NATSJSON: Sendable, Hashable, JSONTree {
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

    /// An object (a repeated key keeps its last value).
    public static func jsonObject(_ members: [(key: String, value: NATSJSON)]) -> NATSJSON {
        .object(Dictionary(members, uniquingKeysWith: { _, last in last }))
    }

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

    /// Parses one JSON document (RFC 8259) with VenueKit's validating scanner; nesting deeper than
    /// 32 levels is refused.
    public static func parse(_ bytes: some Collection<UInt8>) throws(NATSError) -> NATSJSON {
        let result: Result<NATSJSON, VenueParseError> = Array(bytes).withUnsafeBytes { buffer in
            do throws(VenueParseError) {
                return .success(try JSONScanner.parseTree(buffer, as: NATSJSON.self, maxDepth: 32))
            } catch {
                return .failure(error)
            }
        }
        switch result {
        case .success(let value): return value
        case .failure(let error): throw NATSError(.protocolViolation, "invalid JSON: \(error)")
        }
    }

}
