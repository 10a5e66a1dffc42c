/// A parsed HTTP/1.x request head (RFC 9112 §3): what the operator endpoints route on.
public struct HTTPRequestHead: Sendable, Hashable {
    /// One header field as received (names compare case-insensitively through ``header(_:)``).
    public struct Field: Sendable, Hashable {
        /// The field name as sent.
        public var name: String
        /// The value without surrounding whitespace.
        public var value: String
    }

    /// The method token (`GET`).
    public var method: String
    /// The request target as sent (`/status?x=1`).
    public var target: String
    /// The path part of the target (`/status`).
    public var path: String
    /// The minor version of HTTP/1.x (0 or 1).
    public var minorVersion: Int
    /// Header fields in order.
    public var fields: [Field]
    /// Whether the client announced a body (`Content-Length` > 0 or `Transfer-Encoding`).
    public var hasBody: Bool

    /// The first value of `name` (case-insensitive), if present.
    public func header(_ name: String) -> String? {
        fields.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    /// Whether the connection stays open after the response (RFC 9112 §9.3): HTTP/1.1 unless
    /// `Connection: close`; HTTP/1.0 only with `Connection: keep-alive`.
    public var isKeepAlive: Bool {
        let tokens = fields.filter { $0.name.lowercased() == "connection" }
            .flatMap { $0.value.lowercased().split(separator: ",").map { $0.trimmingSpaces() } }
        if tokens.contains("close") { return false }
        return minorVersion >= 1 || tokens.contains("keep-alive")
    }
}

extension Substring {
    /// Without leading and trailing spaces and tabs (HTTP's OWS).
    func trimmingSpaces() -> String {
        var slice = self
        while let first = slice.first, first == " " || first == "\t" { slice.removeFirst() }
        while let last = slice.last, last == " " || last == "\t" { slice.removeLast() }
        return String(slice)
    }
}
