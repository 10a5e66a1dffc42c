/// A parsed HTTP/1.1 request head (RFC 9112 §3): the request line and the header fields.
public struct HTTPRequestHead: Sendable, Equatable {
    /// `GET`, `POST`…
    public var method: String
    /// The request target as sent (origin form: path and query).
    public var target: String
    /// `HTTP/1.1`.
    public var version: String
    /// Header fields in order, names lowercased, values trimmed.
    public var headers: [HeaderField]

    /// One header field.
    public struct HeaderField: Sendable, Equatable {
        /// Lowercased name.
        public var name: String
        /// Value without surrounding whitespace.
        public var value: String
    }

    /// The first value of header `name` (case-insensitive).
    public func header(_ name: String) -> String? {
        let lowered = name.lowercased()
        return headers.first { $0.name == lowered }?.value
    }

    /// Every value of header `name`, in order.
    public func headers(named name: String) -> [String] {
        let lowered = name.lowercased()
        return headers.filter { $0.name == lowered }.map(\.value)
    }

    /// Whether a comma-separated header (`Connection`, `Upgrade`) contains `token`, case-insensitively.
    public func headerContainsToken(_ name: String, _ token: String) -> Bool {
        headers(named: name).contains { value in
            value.split(separator: ",").contains { $0.trimmingCharacters(in: " \t").lowercased() == token.lowercased() }
        }
    }

    /// The path (target without the query).
    public var path: String { String(target.prefix { $0 != "?" }) }

    /// The query (after `?`), or an empty string.
    public var query: String {
        guard let mark = target.firstIndex(of: "?") else { return "" }
        return String(target[target.index(after: mark)...])
    }

    /// Whether the client wants the connection closed after the response.
    public var wantsClose: Bool {
        headerContainsToken("connection", "close") || version == "HTTP/1.0" && !headerContainsToken("connection", "keep-alive")
    }
}

extension StringProtocol {
    func trimmingCharacters(in set: String) -> String {
        var slice = Substring(self)
        while let first = slice.first, set.contains(first) { slice = slice.dropFirst() }
        while let last = slice.last, set.contains(last) { slice = slice.dropLast() }
        return String(slice)
    }
}
