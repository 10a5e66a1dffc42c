import VenueKit

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

    /// Parses one JSON document (RFC 8259) with VenueKit's validating scanner; nesting deeper than
    /// 32 levels is refused.
    public static func parse(_ bytes: some Collection<UInt8>) throws(NATSError) -> NATSJSON {
        let result: Result<NATSJSON, VenueParseError> = Array(bytes).withUnsafeBytes { buffer in
            var scanner = JSONScanner(buffer)
            do throws(VenueParseError) {
                let value = try read(&scanner, depth: 0)
                try scanner.finish()
                return .success(value)
            } catch {
                return .failure(error)
            }
        }
        switch result {
        case .success(let value): return value
        case .failure(let error): throw NATSError(.protocolViolation, "invalid JSON: \(error)")
        }
    }

    private static func read(_ s: inout JSONScanner, depth: Int) throws(VenueParseError) -> NATSJSON {
        guard depth < 32 else { throw .malformed("nested too deeply", at: s.position) }
        switch try s.peekKind() {
        case .object:
            try s.beginObject()
            var members: [String: NATSJSON] = [:]
            while let key = try s.nextKey() { members[key.string] = try read(&s, depth: depth + 1) }
            return .object(members)
        case .array:
            try s.beginArray()
            var elements: [NATSJSON] = []
            while try s.nextElement() { elements.append(try read(&s, depth: depth + 1)) }
            return .array(elements)
        case .string: return .string(try s.readString().string)
        case .number: return .number(String(decoding: try s.readNumber().bytes, as: UTF8.self))
        case .bool: return .bool(try s.readBool())
        case .null:
            _ = try s.consumeNull()
            return .null
        }
    }
}
