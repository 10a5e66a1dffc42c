/// An HTTP/1.1 response the simulator writes: REST snapshots, 429s, handshake refusals.
public struct HTTPResponse: Sendable, Equatable {
    /// Status code.
    public var status: Int
    /// Extra header fields (Content-Length and Date-free basics are added by `bytes`).
    public var headers: [(name: String, value: String)]
    /// Body.
    public var body: [UInt8]
    /// Whether the connection closes after this response.
    public var closesConnection: Bool

    /// Creates a response.
    public init(status: Int, headers: [(name: String, value: String)] = [], body: [UInt8] = [], closesConnection: Bool = false) {
        self.status = status
        self.headers = headers
        self.body = body
        self.closesConnection = closesConnection
    }

    /// A JSON body response.
    public static func json(_ status: Int, _ body: String, closesConnection: Bool = false) -> HTTPResponse {
        HTTPResponse(status: status, headers: [("Content-Type", "application/json")], body: Array(body.utf8), closesConnection: closesConnection)
    }

    /// A venue's rate-limit answer to a connect: the status (429), `Retry-After` in seconds and a
    /// JSON body, then the connection closes (RFC 6585 §4, RFC 9110 §10.2.3).
    public static func rejection(status: Int, retryAfterSeconds: Int) -> HTTPResponse {
        let body = "{\"code\":\(status),\"msg\":\"simulated rejection: too many connection attempts\"}"
        return HTTPResponse(status: status, headers: [("Content-Type", "application/json"), ("Retry-After", "\(retryAfterSeconds)")],
                            body: Array(body.utf8), closesConnection: true)
    }

    /// The wire bytes.
    public var bytes: [UInt8] {
        var head = "HTTP/1.1 \(status) \(Self.reasonPhrase(status))\r\n"
        for header in headers { head += "\(header.name): \(header.value)\r\n" }
        head += "Content-Length: \(body.count)\r\n"
        head += closesConnection ? "Connection: close\r\n" : "Connection: keep-alive\r\n"
        head += "\r\n"
        return Array(head.utf8) + body
    }

    /// The standard reason phrase.
    public static func reasonPhrase(_ status: Int) -> String {
        switch status {
        case 101: "Switching Protocols"
        case 200: "OK"
        case 400: "Bad Request"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 413: "Content Too Large"
        case 418: "I'm a teapot"
        case 426: "Upgrade Required"
        case 429: "Too Many Requests"
        case 431: "Request Header Fields Too Large"
        case 500: "Internal Server Error"
        case 501: "Not Implemented"
        case 502: "Bad Gateway"
        case 503: "Service Unavailable"
        default: "Status"
        }
    }

    /// Equal status, body, connection handling and header fields in order.
    public static func == (lhs: HTTPResponse, rhs: HTTPResponse) -> Bool {
        lhs.status == rhs.status && lhs.body == rhs.body && lhs.closesConnection == rhs.closesConnection
            && lhs.headers.map(\.name) == rhs.headers.map(\.name) && lhs.headers.map(\.value) == rhs.headers.map(\.value)
    }
}
