/// The client side of the opening handshake (RFC 6455 §4.1): builds the request and validates the
/// server's response. Sans-IO: bytes in, bytes out.
public struct WebSocketHandshake: Sendable {
    /// RFC 6455 §1.3: the GUID appended to the key before hashing.
    static let acceptGUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

    /// The URL being opened.
    public let url: WebSocketURL
    /// The base64 `Sec-WebSocket-Key` sent (16 random bytes).
    public let key: String
    /// Extra request headers (venues put API keys and auth there).
    public let extraHeaders: [(name: String, value: String)]
    /// Subprotocols offered, in preference order.
    public let subprotocols: [String]
    /// permessage-deflate offer, if any.
    public let compression: PerMessageDeflateOffer?
    /// Largest response head accepted.
    public let maxResponseSize: Int

    /// Prepares a handshake; `nonce` must be 16 unpredictable bytes (RFC 6455 §4.1, item 7).
    public init(url: WebSocketURL, nonce: [UInt8], extraHeaders: [(name: String, value: String)] = [],
                subprotocols: [String] = [], compression: PerMessageDeflateOffer? = nil,
                maxResponseSize: Int = 16 << 10) {
        precondition(nonce.count == 16, "the WebSocket key nonce is 16 bytes")
        self.url = url
        self.key = Base64.encode(nonce)
        self.extraHeaders = extraHeaders
        self.subprotocols = subprotocols
        self.compression = compression
        self.maxResponseSize = maxResponseSize
    }

    /// The `Sec-WebSocket-Accept` value the server must answer with for `key` (RFC 6455 §4.2.2).
    public static func expectedAccept(forKey key: String) -> String {
        Base64.encode(SHA1.digest(Array((key + acceptGUID).utf8)))
    }

    /// The full HTTP/1.1 upgrade request.
    public func requestBytes() -> [UInt8] {
        var head = "GET \(url.requestTarget) HTTP/1.1\r\n"
        head += "Host: \(url.hostHeader)\r\n"
        head += "Upgrade: websocket\r\nConnection: Upgrade\r\n"
        head += "Sec-WebSocket-Key: \(key)\r\nSec-WebSocket-Version: 13\r\n"
        if !subprotocols.isEmpty { head += "Sec-WebSocket-Protocol: \(subprotocols.joined(separator: ", "))\r\n" }
        if let compression { head += "Sec-WebSocket-Extensions: \(compression.headerValue)\r\n" }
        for header in extraHeaders { head += "\(header.name): \(header.value)\r\n" }
        head += "\r\n"
        return Array(head.utf8)
    }

    /// The outcome of feeding response bytes.
    public enum ParseResult: Sendable {
        /// The response head is not complete yet.
        case needMoreBytes
        /// The handshake succeeded; `consumed` bytes were the head, anything after them is frames.
        case complete(WebSocketHandshakeResponse, consumed: Int)
    }

    /// Validates the server's response in `bytes` (everything received so far).
    public func parseResponse(_ bytes: UnsafeRawBufferPointer) throws(WebSocketError) -> ParseResult {
        guard let headEnd = Self.findHeadEnd(bytes) else {
            if bytes.count > maxResponseSize {
                throw WebSocketError(.handshake, .protocolError,
                                     "the handshake response head exceeds \(maxResponseSize) bytes")
            }
            return .needMoreBytes
        }
        let head = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[0..<headEnd]), as: UTF8.self)
        var lines = head.split(separator: "\r\n", omittingEmptySubsequences: false)[...]
        guard let statusLine = lines.popFirst() else { throw handshakeError("empty response") }
        let statusParts = statusLine.split(separator: " ", maxSplits: 2)
        guard statusParts.count >= 2, statusParts[0].hasPrefix("HTTP/1."), let status = Int(statusParts[1]) else {
            throw handshakeError("malformed status line '\(statusLine.prefix(80))'")
        }
        var headers: [(name: String, value: String)] = []
        for line in lines where !line.isEmpty {
            guard let colon = line.firstIndex(of: ":") else { throw handshakeError("malformed header line '\(line.prefix(80))'") }
            headers.append((String(line[..<colon]).lowercased(),
                            String(line[line.index(after: colon)...]).trimmingASCIIWhitespace()))
        }
        func header(_ name: String) -> String? { headers.first(where: { $0.name == name })?.value }
        let reason = statusParts.count > 2 ? String(statusParts[2]) : ""
        if (300...399).contains(status) {
            throw WebSocketError(.redirect, .protocolError,
                                 "the server redirected (\(status) \(reason)) to '\(header("location") ?? "?")'; redirects are refused",
                                 httpStatus: status)
        }
        guard status == 101 else {
            let retryAfter = header("retry-after").flatMap { Int($0) }
            throw WebSocketError(.handshake, .protocolError,
                                 "the server answered \(status) \(reason) instead of 101 Switching Protocols"
                                    + (retryAfter.map { " (Retry-After \($0) s)" } ?? ""),
                                 httpStatus: status, retryAfterSeconds: retryAfter)
        }
        guard header("upgrade")?.lowercased() == "websocket" else {
            throw handshakeError("missing or wrong 'Upgrade: websocket' header")
        }
        guard let connection = header("connection"),
              connection.lowercased().split(separator: ",").contains(where: { $0.trimmingASCIIWhitespace() == "upgrade" }) else {
            throw handshakeError("missing 'Connection: Upgrade' header")
        }
        guard let accept = header("sec-websocket-accept") else { throw handshakeError("missing Sec-WebSocket-Accept header") }
        guard accept == Self.expectedAccept(forKey: key) else {
            throw handshakeError("Sec-WebSocket-Accept '\(accept)' does not match the key we sent")
        }
        var subprotocol: String?
        if let chosen = header("sec-websocket-protocol") {
            guard subprotocols.contains(chosen) else { throw handshakeError("the server chose subprotocol '\(chosen)', which we did not offer") }
            subprotocol = chosen
        }
        var deflate: PerMessageDeflateParameters?
        let extensionValues = headers.filter { $0.name == "sec-websocket-extensions" }.map(\.value)
        for value in extensionValues {
            for item in Self.splitOutsideQuotes(value, separator: ",") where !item.isEmpty {
                var params = Self.splitOutsideQuotes(item, separator: ";")
                let name = params.removeFirst().lowercased()
                guard name == "permessage-deflate" else {
                    throw handshakeError("the server enabled extension '\(name)', which we did not offer")
                }
                guard let offer = compression else {
                    throw handshakeError("the server enabled permessage-deflate, which we did not offer")
                }
                guard deflate == nil else { throw handshakeError("the server enabled permessage-deflate twice") }
                let parsed = params.map { param -> (name: String, value: String?) in
                    if let eq = param.firstIndex(of: "=") {
                        return (String(param[..<eq]).trimmingASCIIWhitespace(), String(param[param.index(after: eq)...]).trimmingASCIIWhitespace())
                    }
                    return (param, nil)
                }
                deflate = try PerMessageDeflateParameters.negotiate(response: parsed, offer: offer)
            }
        }
        let response = WebSocketHandshakeResponse(status: status, headers: headers, subprotocol: subprotocol, deflate: deflate)
        return .complete(response, consumed: headEnd + 4)
    }

    private func handshakeError(_ message: String) -> WebSocketError {
        WebSocketError(.handshake, .protocolError, "handshake with \(url): \(message)")
    }

    private static func findHeadEnd(_ bytes: UnsafeRawBufferPointer) -> Int? {
        guard bytes.count >= 4 else { return nil }
        for i in 0...(bytes.count - 4) where bytes[i] == 13 && bytes[i + 1] == 10 && bytes[i + 2] == 13 && bytes[i + 3] == 10 {
            return i
        }
        return nil
    }

    private static func splitOutsideQuotes(_ text: String, separator: Character) -> [String] {
        var parts: [String] = [], current = "", inQuotes = false
        for ch in text {
            if ch == "\"" { inQuotes.toggle() }
            if ch == separator && !inQuotes { parts.append(current.trimmingASCIIWhitespace()); current = "" } else { current.append(ch) }
        }
        parts.append(current.trimmingASCIIWhitespace())
        return parts
    }
}

/// A validated 101 response.
public struct WebSocketHandshakeResponse: Sendable {
    /// HTTP status (always 101 here).
    public let status: Int
    /// All headers, names lowercased, in order.
    public let headers: [(name: String, value: String)]
    /// The subprotocol the server chose, if any.
    public let subprotocol: String?
    /// The negotiated permessage-deflate parameters, or `nil` if compression is off.
    public let deflate: PerMessageDeflateParameters?
}

extension StringProtocol {
    func trimmingASCIIWhitespace() -> String {
        var slice = Substring(self)
        while let first = slice.first, first == " " || first == "\t" { slice = slice.dropFirst() }
        while let last = slice.last, last == " " || last == "\t" { slice = slice.dropLast() }
        return String(slice)
    }
}
