/// An HTTP/1.1 response of the operator endpoints: small, complete bodies with `Content-Length`.
public struct HTTPResponse: Sendable, Hashable {
    /// Status code.
    public var status: Int
    /// Header fields (without `Content-Length` and `Connection`, which serialization adds).
    public var headers: [(name: String, value: String)] {
        get { fields.map { ($0.name, $0.value) } }
        set { fields = newValue.map { HTTPRequestHead.Field(name: $0.name, value: $0.value) } }
    }
    /// The body.
    public var body: [UInt8]

    private var fields: [HTTPRequestHead.Field]

    /// A response with `body` of `contentType`.
    public init(status: Int, contentType: String, body: [UInt8], headers: [(name: String, value: String)] = []) {
        self.status = status
        self.body = body
        fields = [HTTPRequestHead.Field(name: "Content-Type", value: contentType)]
            + headers.map { HTTPRequestHead.Field(name: $0.name, value: $0.value) }
        fields.append(HTTPRequestHead.Field(name: "Cache-Control", value: "no-store"))
    }

    /// A plain-text response (errors: the reason in one line).
    public static func text(_ status: Int, _ text: String, headers: [(name: String, value: String)] = []) -> HTTPResponse {
        HTTPResponse(status: status, contentType: "text/plain; charset=utf-8", body: Array((text + "\n").utf8), headers: headers)
    }

    /// The first value of header `name` (case-insensitive).
    public func header(_ name: String) -> String? {
        fields.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    /// Status line, headers, `Content-Length`, `Connection`, and the body unless `isHead`.
    public func serialized(keepAlive: Bool, isHead: Bool) -> [UInt8] {
        var text = "HTTP/1.1 \(status) \(Self.reasonPhrase(status))\r\n"
        for field in fields { text += "\(field.name): \(field.value)\r\n" }
        text += "Content-Length: \(body.count)\r\n"
        text += "Connection: \(keepAlive ? "keep-alive" : "close")\r\n\r\n"
        var bytes = Array(text.utf8)
        if !isHead { bytes += body }
        return bytes
    }

    /// RFC 9110 §15 reason phrases for the statuses used here.
    public static func reasonPhrase(_ status: Int) -> String {
        switch status {
        case 200: return "OK"
        case 400: return "Bad Request"
        case 404: return "Not Found"
        case 405: return "Method Not Allowed"
        case 408: return "Request Timeout"
        case 431: return "Request Header Fields Too Large"
        case 500: return "Internal Server Error"
        case 503: return "Service Unavailable"
        case 505: return "HTTP Version Not Supported"
        default: return "Status \(status)"
        }
    }

    /// Equal status, header fields and body.
    public static func == (lhs: HTTPResponse, rhs: HTTPResponse) -> Bool {
        lhs.status == rhs.status && lhs.fields == rhs.fields && lhs.body == rhs.body
    }

    /// Hashes what `==` compares.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(status)
        hasher.combine(fields)
        hasher.combine(body)
    }
}
