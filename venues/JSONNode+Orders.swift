import MarketModel
import VenueKit

/// A small JSON tree for order-connection messages. Order traffic is a few messages a second, and
/// its replies nest (Bitfinex notifications hold order arrays, OKX `data` arrays hold per-order
/// codes), so the order parsers read a validated tree instead of walking bytes in order the way
/// the market-data hot path does. The bytes are still read by ``JSONScanner`` (so malformed input
/// ends in a ``VenueParseError`` with its byte offset), and numbers keep their text so decimals
/// convert exactly, never through `Double`.
indirect enum JSONNode: Sendable, Equatable, JSONTree {
    /// An object (a repeated key keeps its last value).
    case object([String: JSONNode])
    /// An array.
    case array([JSONNode])
    /// A string, escapes decoded.
    case string(String)
    /// A number's text as sent (`-1.5e-7`).
    case number(String)
    /// `true` / `false`.
    case bool(Bool)
    /// `null`.
    case null

    /// Deeper input is refused: order messages nest three or four levels.
    static let maxDepth = 16

    /// A REST reply's JSON, or `nil` when the body is not JSON but the HTTP status is one of
    /// `rateLimitStatuses`: a venue's edge answers rate limits with an HTML or plain page, and the
    /// status alone says what happened. Any other unreadable body is a parse error.
    static func restReply(_ body: UnsafeRawBufferPointer, status: Int,
                          rateLimitStatuses: Set<Int> = [429]) throws(VenueParseError) -> JSONNode? {
        do throws(VenueParseError) {
            return try parse(body)
        } catch {
            if rateLimitStatuses.contains(status) { return nil }
            throw error
        }
    }

    /// Parses one complete message.
    static func parse(_ bytes: UnsafeRawBufferPointer) throws(VenueParseError) -> JSONNode {
        try JSONScanner.parseTree(bytes, as: JSONNode.self, maxDepth: maxDepth)
    }

    /// An object (a repeated key keeps its last value).
    static func jsonObject(_ members: [(key: String, value: JSONNode)]) -> JSONNode {
        .object(Dictionary(members, uniquingKeysWith: { _, last in last }))
    }

    /// The member `key` of an object (`nil` for a missing key or a non-object).
    subscript(key: String) -> JSONNode? {
        if case .object(let members) = self { return members[key] }
        return nil
    }

    /// The element at `index` of an array (`nil` when out of range or not an array).
    subscript(index: Int) -> JSONNode? {
        if case .array(let elements) = self, elements.indices.contains(index) { return elements[index] }
        return nil
    }

    /// `true` for an object.
    var isObject: Bool { if case .object = self { return true } else { return false } }

    /// The elements of an array.
    var elements: [JSONNode]? { if case .array(let a) = self { return a } else { return nil } }

    /// A string's text, or a number's text (venues send ids and codes either way).
    var text: String? {
        switch self {
        case .string(let s), .number(let s): return s
        default: return nil
        }
    }

    /// `true` for `null`.
    var isNull: Bool { self == .null }
}

extension Optional where Wrapped == JSONNode {
    /// Chained member access: `nil` propagates.
    subscript(key: String) -> JSONNode? { self?[key] }

    /// Chained element access: `nil` propagates.
    subscript(index: Int) -> JSONNode? { self?[index] }

    /// The elements of an array member.
    var elements: [JSONNode]? { self?.elements }

    /// Text of a string or number member, or `nil` (absent, null, other types).
    var text: String? { self?.text }

    /// A non-empty text, or `nil`.
    var nonEmptyText: String? { self?.text.flatMap { $0.isEmpty ? nil : $0 } }

    /// An exact decimal from a string or number member; `nil` when absent, null or `""`;
    /// throws naming `field` when the text is not a decimal.
    func decimal(_ field: String) throws(VenueParseError) -> FixedDecimal? {
        guard let text = nonEmptyText else { return nil }
        do {
            return try FixedDecimal(parsing: text)
        } catch {
            throw .invalidValue(field, "'\(text)' is not a decimal (\(error.description))")
        }
    }

    /// An integer from a string or number member; `nil` when absent; throws naming `field` otherwise.
    func int64(_ field: String) throws(VenueParseError) -> Int64? {
        guard let text = nonEmptyText else { return nil }
        guard let value = Int64(text) else { throw .invalidValue(field, "'\(text)' is not an integer") }
        return value
    }

    /// A required string/number member.
    func requiredText(_ field: String) throws(VenueParseError) -> String {
        guard let text = self?.text else { throw .missingField(field) }
        return text
    }
}
