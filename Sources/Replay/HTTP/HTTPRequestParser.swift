/// Sans-IO HTTP/1.1 request reader for the simulator (RFC 9112): feed bytes, take complete
/// requests (head plus a `Content-Length` body). Enough for WebSocket upgrades and REST GETs;
/// chunked request bodies are refused.
public struct HTTPRequestParser: Sendable {
    /// A complete request.
    public struct Request: Sendable, Equatable {
        /// The head.
        public var head: HTTPRequestHead
        /// The body (`Content-Length` bytes).
        public var body: [UInt8]
    }

    /// A request the parser cannot read, with the status to answer.
    public struct Failure: Error, Sendable, Equatable {
        /// 400, 431, 501.
        public var status: Int
        /// Why.
        public var message: String

        /// Creates a failure.
        public init(status: Int, message: String) {
            self.status = status
            self.message = message
        }
    }

    /// Largest request head accepted (431 past it).
    public let maxHeadSize: Int
    /// Largest body accepted (413 past it).
    public let maxBodySize: Int
    private var buffer: [UInt8] = []

    /// A parser with limits.
    public init(maxHeadSize: Int = 16 << 10, maxBodySize: Int = 1 << 20) {
        self.maxHeadSize = maxHeadSize
        self.maxBodySize = maxBodySize
    }

    /// Appends received bytes.
    public mutating func feed(_ bytes: UnsafeRawBufferPointer) { buffer.append(contentsOf: bytes) }

    /// Appends received bytes.
    public mutating func feed(_ bytes: [UInt8]) { buffer.append(contentsOf: bytes) }

    /// Bytes received but not yet part of a request (after an upgrade: the first WebSocket frames).
    public mutating func takeRemainingBytes() -> [UInt8] {
        defer { buffer = [] }
        return buffer
    }

    /// The next complete request, or `nil` if more bytes are needed.
    public mutating func nextRequest() throws(Failure) -> Request? {
        guard let headEnd = buffer.firstRange(of: [13, 10, 13, 10]) else {
            if buffer.count > maxHeadSize { throw Failure(status: 431, message: "the request head exceeds \(maxHeadSize) bytes") }
            return nil
        }
        guard headEnd.lowerBound <= maxHeadSize else { throw Failure(status: 431, message: "the request head exceeds \(maxHeadSize) bytes") }
        guard let text = String(validating: buffer[..<headEnd.lowerBound], as: UTF8.self) else {
            throw Failure(status: 400, message: "the request head is not UTF-8")
        }
        let head = try Self.parseHead(text)
        if head.header("transfer-encoding") != nil {
            throw Failure(status: 501, message: "chunked request bodies are not supported")
        }
        var bodyLength = 0
        if let length = head.header("content-length") {
            guard let value = Int(length), value >= 0 else { throw Failure(status: 400, message: "bad Content-Length '\(length)'") }
            guard value <= maxBodySize else { throw Failure(status: 413, message: "the body exceeds \(maxBodySize) bytes") }
            bodyLength = value
        }
        let total = headEnd.upperBound + bodyLength
        guard buffer.count >= total else { return nil }
        let body = Array(buffer[headEnd.upperBound..<total])
        buffer.removeFirst(total)
        return Request(head: head, body: body)
    }

    static func parseHead(_ text: String) throws(Failure) -> HTTPRequestHead {
        var lines = text.split(separator: "\r\n", omittingEmptySubsequences: false)[...]
        guard let requestLine = lines.popFirst() else { throw Failure(status: 400, message: "empty request") }
        let parts = requestLine.split(separator: " ", omittingEmptySubsequences: false)
        guard parts.count == 3, !parts[0].isEmpty, parts[1].hasPrefix("/") || parts[1] == "*", parts[2].hasPrefix("HTTP/1.") else {
            throw Failure(status: 400, message: "malformed request line '\(requestLine.prefix(80))'")
        }
        var headers: [HTTPRequestHead.HeaderField] = []
        for line in lines where !line.isEmpty {
            // RFC 9112 §5.2: obsolete line folding is rejected.
            guard let colon = line.firstIndex(of: ":"), line.first != " ", line.first != "\t" else {
                throw Failure(status: 400, message: "malformed header line '\(line.prefix(80))'")
            }
            let name = line[..<colon]
            guard !name.isEmpty, !name.contains(" ") else { throw Failure(status: 400, message: "malformed header name '\(name.prefix(40))'") }
            headers.append(.init(name: name.lowercased(), value: line[line.index(after: colon)...].trimmingCharacters(in: " \t")))
        }
        return HTTPRequestHead(method: String(parts[0]), target: String(parts[1]), version: String(parts[2]), headers: headers)
    }
}
