/// A JSON value type that ``JSONScanner/readTree(as:maxDepth:)`` can build: the cold-path trees
/// (order messages, REST replies, NATS `INFO`, the simulator's order dialects) all read their bytes
/// with the same validating scanner, so malformed input fails the same way everywhere. Numbers
/// arrive as their text (exact decimals, never `Double`). An enum's cases satisfy every requirement
/// but ``jsonObject(_:)``, whose member storage each tree chooses (ordered, or keyed).
public protocol JSONTree {
    /// An object from its members in source order.
    static func jsonObject(_ members: [(key: String, value: Self)]) -> Self
    /// An array.
    static func array(_ elements: [Self]) -> Self
    /// A string, escapes decoded.
    static func string(_ value: String) -> Self
    /// A number, as written.
    static func number(_ text: String) -> Self
    /// `true` / `false`.
    static func bool(_ value: Bool) -> Self
    /// `null`.
    static var null: Self { get }
}

extension JSONScanner {
    /// Reads the next value as a `Tree`, refusing nesting deeper than `maxDepth`.
    public mutating func readTree<Tree: JSONTree>(as tree: Tree.Type, maxDepth: Int) throws(VenueParseError) -> Tree {
        try readTree(depth: 0, maxDepth: maxDepth)
    }

    /// Parses `bytes` as exactly one JSON value (trailing whitespace only) into a `Tree`.
    public static func parseTree<Tree: JSONTree>(_ bytes: UnsafeRawBufferPointer, as tree: Tree.Type,
                                                 maxDepth: Int) throws(VenueParseError) -> Tree {
        var scanner = JSONScanner(bytes)
        let value: Tree = try scanner.readTree(depth: 0, maxDepth: maxDepth)
        try scanner.finish()
        return value
    }

    private mutating func readTree<Tree: JSONTree>(depth: Int, maxDepth: Int) throws(VenueParseError) -> Tree {
        guard depth < maxDepth else { throw .malformed("nesting deeper than \(maxDepth) levels", at: position) }
        switch try peekKind() {
        case .object:
            try beginObject()
            var members: [(key: String, value: Tree)] = []
            while let key = try nextKey() { members.append((key.string, try readTree(depth: depth + 1, maxDepth: maxDepth))) }
            return .jsonObject(members)
        case .array:
            try beginArray()
            var elements: [Tree] = []
            while try nextElement() { elements.append(try readTree(depth: depth + 1, maxDepth: maxDepth)) }
            return .array(elements)
        case .string: return .string(try readString().string)
        case .number: return .number(String(decoding: try readNumber().bytes, as: UTF8.self))
        case .bool: return .bool(try readBool())
        case .null:
            _ = try consumeNull()
            return .null
        }
    }
}
