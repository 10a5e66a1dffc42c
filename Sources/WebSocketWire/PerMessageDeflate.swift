/// What the client offers for permessage-deflate (RFC 7692 §7.1).
public struct PerMessageDeflateOffer: Sendable, Equatable {
    /// Ask the server not to keep its compression context between messages.
    public var requestServerNoContextTakeover: Bool
    /// Declare that the client will not keep its compression context between messages.
    public var clientNoContextTakeover: Bool
    /// Ask the server to limit its LZ77 window (8...15), or `nil` for no limit.
    public var serverMaxWindowBits: Int?
    /// Offer `client_max_window_bits` (with a value to limit our own window, or `0` to offer it
    /// without a value, letting the server choose).
    public var clientMaxWindowBits: Int?
    /// zlib compression level for outgoing messages (1 fastest ... 9 smallest).
    public var compressionLevel: Int32

    /// The default offer: context takeover both ways, and we let the server pick our window size.
    public init(requestServerNoContextTakeover: Bool = false, clientNoContextTakeover: Bool = false,
                serverMaxWindowBits: Int? = nil, clientMaxWindowBits: Int? = 0,
                compressionLevel: Int32 = 1) {
        self.requestServerNoContextTakeover = requestServerNoContextTakeover
        self.clientNoContextTakeover = clientNoContextTakeover
        self.serverMaxWindowBits = serverMaxWindowBits
        self.clientMaxWindowBits = clientMaxWindowBits
        self.compressionLevel = compressionLevel
    }

    /// The `Sec-WebSocket-Extensions` header value for this offer.
    public var headerValue: String {
        var value = "permessage-deflate"
        if requestServerNoContextTakeover { value += "; server_no_context_takeover" }
        if clientNoContextTakeover { value += "; client_no_context_takeover" }
        if let bits = serverMaxWindowBits { value += "; server_max_window_bits=\(bits)" }
        if let bits = clientMaxWindowBits {
            value += bits == 0 ? "; client_max_window_bits" : "; client_max_window_bits=\(bits)"
        }
        return value
    }
}

/// The permessage-deflate parameters the server accepted (RFC 7692 §7.1), which drive both directions.
public struct PerMessageDeflateParameters: Sendable, Equatable {
    /// The server resets its compressor after every message: we reset our inflater too.
    public var serverNoContextTakeover: Bool
    /// We must reset our compressor after every message.
    public var clientNoContextTakeover: Bool
    /// The server's LZ77 window (8...15).
    public var serverMaxWindowBits: Int
    /// Our LZ77 window (8...15).
    public var clientMaxWindowBits: Int

    /// Creates parameters; defaults are RFC 7692's when the server names nothing.
    public init(serverNoContextTakeover: Bool = false, clientNoContextTakeover: Bool = false,
                serverMaxWindowBits: Int = 15, clientMaxWindowBits: Int = 15) {
        self.serverNoContextTakeover = serverNoContextTakeover
        self.clientNoContextTakeover = clientNoContextTakeover
        self.serverMaxWindowBits = serverMaxWindowBits
        self.clientMaxWindowBits = clientMaxWindowBits
    }

    /// Validates the server's `permessage-deflate` response against what we offered (RFC 7692 §7.1):
    /// unknown or duplicated parameters, out-of-range window bits, or a `client_max_window_bits`
    /// we did not offer fail the handshake.
    public static func negotiate(response parameters: [(name: String, value: String?)],
                                 offer: PerMessageDeflateOffer) throws(WebSocketError) -> PerMessageDeflateParameters {
        var result = PerMessageDeflateParameters()
        var seen = Set<String>()
        for (rawName, value) in parameters {
            let name = rawName.lowercased()
            guard seen.insert(name).inserted else {
                throw handshakeError("the server repeated permessage-deflate parameter '\(name)'")
            }
            switch name {
            case "server_no_context_takeover":
                guard value == nil else { throw handshakeError("server_no_context_takeover takes no value") }
                result.serverNoContextTakeover = true
            case "client_no_context_takeover":
                guard value == nil else { throw handshakeError("client_no_context_takeover takes no value") }
                result.clientNoContextTakeover = true
            case "server_max_window_bits":
                guard let bits = windowBits(value) else {
                    throw handshakeError("server_max_window_bits must be 8...15, got '\(value ?? "")'")
                }
                result.serverMaxWindowBits = bits
            case "client_max_window_bits":
                guard offer.clientMaxWindowBits != nil else {
                    throw handshakeError("the server sent client_max_window_bits, which we did not offer")
                }
                guard let bits = windowBits(value) else {
                    throw handshakeError("client_max_window_bits must be 8...15, got '\(value ?? "")'")
                }
                if let offered = offer.clientMaxWindowBits, offered != 0, bits > offered {
                    throw handshakeError("client_max_window_bits \(bits) exceeds our offer of \(offered)")
                }
                result.clientMaxWindowBits = bits
            default:
                throw handshakeError("unknown permessage-deflate parameter '\(name)'")
            }
        }
        if offer.clientNoContextTakeover { result.clientNoContextTakeover = true }
        if let offered = offer.clientMaxWindowBits, offered != 0 {
            result.clientMaxWindowBits = min(result.clientMaxWindowBits, offered)
        }
        return result
    }

    private static func windowBits(_ value: String?) -> Int? {
        guard let value else { return nil }
        let unquoted = value.hasPrefix("\"") && value.hasSuffix("\"") && value.count >= 2
            ? String(value.dropFirst().dropLast()) : value
        // RFC 7692 §7.1.2.1: decimal integer without leading zeros, 8...15.
        guard let bits = Int(unquoted), (8...15).contains(bits), !unquoted.hasPrefix("0") else { return nil }
        return bits
    }

    private static func handshakeError(_ message: String) -> WebSocketError {
        WebSocketError(.handshake, .protocolError, message)
    }
}
