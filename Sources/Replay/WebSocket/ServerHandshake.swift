import WebSocketWire

/// The server side of the opening handshake (RFC 6455 §4.2): validates the client's upgrade
/// request and builds the 101 answer (or the HTTP error to send instead). Pure.
public enum ServerHandshake {
    /// An accepted upgrade.
    public struct Accepted: Sendable, Equatable {
        /// The client's `Sec-WebSocket-Key`.
        public var key: String
        /// Negotiated compression, if any.
        public var deflate: ServerDeflateParameters?
        /// The `101 Switching Protocols` response bytes.
        public var response: [UInt8]
    }

    /// Whether `head` asks for a WebSocket upgrade at all (`Upgrade: websocket`).
    public static func isUpgradeRequest(_ head: HTTPRequestHead) -> Bool {
        head.headerContainsToken("upgrade", "websocket")
    }

    /// Validates `head` (RFC 6455 §4.2.1) and negotiates permessage-deflate when `deflate` allows.
    /// Returns the 101 answer, or the response to refuse with: 400 for a malformed request, 426 with
    /// `Sec-WebSocket-Version: 13` for another protocol version (§4.4).
    public static func evaluate(_ head: HTTPRequestHead, deflate policy: ServerDeflateConfiguration?) -> Result<Accepted, HTTPResponseError> {
        func refuse(_ message: String) -> Result<Accepted, HTTPResponseError> {
            .failure(HTTPResponseError(response: .json(400, "{\"error\":\"\(message)\"}", closesConnection: true), message: message))
        }
        guard head.method == "GET" else { return refuse("a WebSocket upgrade must be a GET") }
        guard head.version == "HTTP/1.1" else { return refuse("a WebSocket upgrade needs HTTP/1.1") }
        guard head.header("host") != nil else { return refuse("missing Host header") }
        guard isUpgradeRequest(head) else { return refuse("missing 'Upgrade: websocket'") }
        guard head.headerContainsToken("connection", "upgrade") else { return refuse("missing 'Connection: Upgrade'") }
        guard head.header("sec-websocket-version") == "13" else {
            let message = "unsupported Sec-WebSocket-Version '\(head.header("sec-websocket-version") ?? "")'"
            var response = HTTPResponse.json(426, "{\"error\":\"\(message)\"}", closesConnection: true)
            response.headers.append(("Sec-WebSocket-Version", "13"))
            return .failure(HTTPResponseError(response: response, message: message))
        }
        guard let key = head.header("sec-websocket-key"), isValidKey(key) else {
            return refuse("Sec-WebSocket-Key must be 16 bytes in base64")
        }
        let deflate = policy.flatMap {
            ServerDeflateParameters.negotiate(offers: head.headers(named: "sec-websocket-extensions"), policy: $0)
        }
        var response = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        response += "Sec-WebSocket-Accept: \(WebSocketHandshake.expectedAccept(forKey: key))\r\n"
        if let deflate { response += "Sec-WebSocket-Extensions: \(deflate.headerValue)\r\n" }
        response += "\r\n"
        return .success(Accepted(key: key, deflate: deflate, response: Array(response.utf8)))
    }

    /// RFC 6455 §4.2.1 item 5: base64 of 16 bytes is 22 alphabet characters then `==`, and the
    /// last of them only carries 2 significant bits.
    static func isValidKey(_ key: String) -> Bool {
        let bytes = Array(key.utf8)
        guard bytes.count == 24, bytes[22] == UInt8(ascii: "="), bytes[23] == UInt8(ascii: "=") else { return false }
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        for byte in bytes[..<22] where !alphabet.contains(byte) { return false }
        guard let last = alphabet.firstIndex(of: bytes[21]) else { return false }
        return last & 0x0F == 0
    }
}

/// An HTTP-level refusal: the response to send and why.
public struct HTTPResponseError: Error, Sendable, Equatable {
    /// What to answer.
    public var response: HTTPResponse
    /// One clear sentence.
    public var message: String
}
