/// A complete HTTP/1.1 response.
public struct HTTPResponse: Sendable {
    /// Status code.
    public var status: Int
    /// Headers, names lowercased, in order.
    public var headers: [(name: String, value: String)]
    /// The body, de-chunked.
    public var body: [UInt8]

    /// The first header with this (lowercase) name.
    public func header(_ name: String) -> String? { headers.first { $0.name == name }?.value }
}

/// Sans-IO parser of one HTTP/1.1 response (RFC 9112): status line, headers, and a body framed by
/// `Content-Length`, `Transfer-Encoding: chunked`, or the connection closing. Bounded: heads and
/// bodies past the limits are errors, never unbounded memory.
public struct HTTPResponseParser: Sendable {
    /// Outcome of feeding bytes.
    public enum Progress: Sendable {
        /// More bytes are needed.
        case needMore
        /// The response is complete.
        case complete(HTTPResponse)
    }

    private enum Phase { case head, fixedBody(remaining: Int), chunkSize, chunkData(remaining: Int), chunkDataEnd, trailers, untilClose, done }

    private var buffer: [UInt8] = []
    private var phase = Phase.head
    private var response = HTTPResponse(status: 0, headers: [], body: [])
    private let maxHeadSize: Int
    private let maxBodySize: Int

    /// A parser with limits for the head and the body.
    public init(maxHeadSize: Int = 16 << 10, maxBodySize: Int = 32 << 20) {
        self.maxHeadSize = maxHeadSize
        self.maxBodySize = maxBodySize
    }

    /// Feeds bytes read from the connection.
    public mutating func feed(_ bytes: UnsafeRawBufferPointer) throws(TransportError) -> Progress {
        buffer.append(contentsOf: bytes)
        return try advance()
    }

    /// The connection closed: completes a body framed by the close, or fails a truncated response.
    public mutating func finish() throws(TransportError) -> HTTPResponse {
        if case .untilClose = phase {
            response.body += buffer
            buffer.removeAll()
            phase = .done
            return response
        }
        if case .done = phase { return response }
        throw TransportError(.connectionLost, "the HTTP response was cut off before it was complete")
    }

    private mutating func advance() throws(TransportError) -> Progress {
        while true {
            switch phase {
            case .head:
                guard let end = find([13, 10, 13, 10]) else {
                    if buffer.count > maxHeadSize { throw TransportError(.handshake, "HTTP response head exceeds \(maxHeadSize) bytes") }
                    return .needMore
                }
                try parseHead(String(decoding: buffer[0..<end], as: UTF8.self))
                buffer.removeFirst(end + 4)
            case .fixedBody(let remaining):
                let take = min(remaining, buffer.count)
                response.body += buffer[0..<take]
                buffer.removeFirst(take)
                if remaining - take == 0 { phase = .done } else { phase = .fixedBody(remaining: remaining - take); return .needMore }
            case .chunkSize:
                guard let end = find([13, 10]) else { return .needMore }
                let line = String(decoding: buffer[0..<end], as: UTF8.self)
                let hex = line.split(separator: ";").first.map(String.init)?.trimmingCharacters() ?? ""
                guard let size = Int(hex, radix: 16), size >= 0 else { throw TransportError(.handshake, "malformed chunk size '\(line.prefix(20))'") }
                buffer.removeFirst(end + 2)
                guard response.body.count + size <= maxBodySize else { throw TransportError(.handshake, "HTTP body exceeds \(maxBodySize) bytes") }
                phase = size == 0 ? .trailers : .chunkData(remaining: size)
            case .chunkData(let remaining):
                let take = min(remaining, buffer.count)
                response.body += buffer[0..<take]
                buffer.removeFirst(take)
                if remaining - take == 0 { phase = .chunkDataEnd } else { phase = .chunkData(remaining: remaining - take); return .needMore }
            case .chunkDataEnd:
                guard buffer.count >= 2 else { return .needMore }
                guard buffer[0] == 13 && buffer[1] == 10 else { throw TransportError(.handshake, "chunk not followed by CRLF") }
                buffer.removeFirst(2)
                phase = .chunkSize
            case .trailers:
                guard let end = find([13, 10]) else { return .needMore }
                buffer.removeFirst(end + 2)
                if end == 0 { phase = .done }
            case .untilClose:
                if buffer.count > maxBodySize { throw TransportError(.handshake, "HTTP body exceeds \(maxBodySize) bytes") }
                return .needMore
            case .done:
                return .complete(response)
            }
        }
    }

    private mutating func parseHead(_ head: String) throws(TransportError) {
        var lines = head.split(separator: "\r\n", omittingEmptySubsequences: false)[...]
        guard let statusLine = lines.popFirst() else { throw TransportError(.handshake, "empty HTTP response") }
        let parts = statusLine.split(separator: " ", maxSplits: 2)
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), let status = Int(parts[1]) else {
            throw TransportError(.handshake, "malformed HTTP status line '\(statusLine.prefix(60))'")
        }
        response.status = status
        for line in lines where !line.isEmpty {
            guard let colon = line.firstIndex(of: ":") else { throw TransportError(.handshake, "malformed HTTP header '\(line.prefix(60))'") }
            response.headers.append((String(line[..<colon]).lowercased(), String(line[line.index(after: colon)...]).trimmingCharacters()))
        }
        if response.header("transfer-encoding")?.lowercased().contains("chunked") == true {
            phase = .chunkSize
        } else if let lengthText = response.header("content-length") {
            guard let length = Int(lengthText), length >= 0 else { throw TransportError(.handshake, "bad Content-Length '\(lengthText)'") }
            guard length <= maxBodySize else { throw TransportError(.handshake, "HTTP body of \(length) bytes exceeds \(maxBodySize)") }
            phase = length == 0 ? .done : .fixedBody(remaining: length)
        } else if status == 204 || status == 304 || (100...199).contains(status) {
            phase = .done
        } else {
            phase = .untilClose
        }
    }

    private func find(_ pattern: [UInt8]) -> Int? {
        guard buffer.count >= pattern.count else { return nil }
        outer: for i in 0...(buffer.count - pattern.count) {
            for (k, byte) in pattern.enumerated() where buffer[i + k] != byte { continue outer }
            return i
        }
        return nil
    }
}

extension StringProtocol {
    func trimmingCharacters() -> String {
        var slice = Substring(self)
        while let first = slice.first, first == " " || first == "\t" { slice = slice.dropFirst() }
        while let last = slice.last, last == " " || last == "\t" { slice = slice.dropLast() }
        return String(slice)
    }
}
