/// The server's permessage-deflate policy (RFC 7692).
public struct ServerDeflateConfiguration: Sendable, Equatable {
    /// Reset our compressor after every message even when the client did not ask
    /// (RFC 7692 §7.1.1.1 lets the server add `server_no_context_takeover` on its own).
    public var serverNoContextTakeover: Bool
    /// zlib level for outgoing messages (1...9).
    public var compressionLevel: Int32
    /// Outgoing messages shorter than this go uncompressed (RSV1 clear), as real venues do.
    public var minimumCompressedSize: Int

    /// Creates a policy; by default context takeover on, level 6, every message of 32+ bytes compressed.
    public init(serverNoContextTakeover: Bool = false, compressionLevel: Int32 = 6, minimumCompressedSize: Int = 32) {
        self.serverNoContextTakeover = serverNoContextTakeover
        self.compressionLevel = compressionLevel
        self.minimumCompressedSize = minimumCompressedSize
    }
}

/// What the server agreed to (RFC 7692 §7.1), driving both directions of one connection.
public struct ServerDeflateParameters: Sendable, Equatable {
    /// We reset our compressor after every message.
    public var serverNoContextTakeover: Bool
    /// The client resets its compressor after every message.
    public var clientNoContextTakeover: Bool
    /// Our LZ77 window (8...15).
    public var serverMaxWindowBits: Int

    /// Creates parameters.
    public init(serverNoContextTakeover: Bool = false, clientNoContextTakeover: Bool = false, serverMaxWindowBits: Int = 15) {
        self.serverNoContextTakeover = serverNoContextTakeover
        self.clientNoContextTakeover = clientNoContextTakeover
        self.serverMaxWindowBits = serverMaxWindowBits
    }

    /// The `Sec-WebSocket-Extensions` response value.
    public var headerValue: String {
        var value = "permessage-deflate"
        if serverNoContextTakeover { value += "; server_no_context_takeover" }
        if clientNoContextTakeover { value += "; client_no_context_takeover" }
        if serverMaxWindowBits < 15 { value += "; server_max_window_bits=\(serverMaxWindowBits)" }
        return value
    }

    /// Picks the first acceptable `permessage-deflate` offer among the client's
    /// `Sec-WebSocket-Extensions` values (RFC 7692 §5: offers in preference order). An offer with
    /// an unknown, repeated or out-of-range parameter is declined, not failed (§5.1); other
    /// extensions are ignored. We never limit the client's window (`client_max_window_bits`),
    /// since our inflater always runs with the largest one.
    public static func negotiate(offers headerValues: [String], policy: ServerDeflateConfiguration) -> ServerDeflateParameters? {
        for value in headerValues {
            for offer in splitOutsideQuotes(value, separator: ",") where !offer.isEmpty {
                var items = splitOutsideQuotes(offer, separator: ";")
                guard items.removeFirst().lowercased() == "permessage-deflate" else { continue }
                if let accepted = accept(items, policy: policy) { return accepted }
            }
        }
        return nil
    }

    private static func accept(_ items: [String], policy: ServerDeflateConfiguration) -> ServerDeflateParameters? {
        var result = ServerDeflateParameters(serverNoContextTakeover: policy.serverNoContextTakeover)
        var seen = Set<String>()
        for item in items where !item.isEmpty {
            let name: String
            var argument: String?
            if let eq = item.firstIndex(of: "=") {
                name = item[..<eq].trimmingCharacters(in: " \t").lowercased()
                argument = item[item.index(after: eq)...].trimmingCharacters(in: " \t")
            } else {
                name = item.lowercased()
            }
            guard seen.insert(name).inserted else { return nil }
            switch name {
            case "server_no_context_takeover":
                guard argument == nil else { return nil }
                result.serverNoContextTakeover = true
            case "client_no_context_takeover":
                guard argument == nil else { return nil }
                result.clientNoContextTakeover = true
            case "server_max_window_bits":
                guard let bits = windowBits(argument) else { return nil }
                result.serverMaxWindowBits = bits
            case "client_max_window_bits":
                // A hint that the client could take a limit; a value, if any, must still be valid.
                if argument != nil && windowBits(argument) == nil { return nil }
            default:
                return nil
            }
        }
        return result
    }

    private static func windowBits(_ value: String?) -> Int? {
        guard var text = value else { return nil }
        if text.count >= 2 && text.hasPrefix("\"") && text.hasSuffix("\"") { text = String(text.dropFirst().dropLast()) }
        // RFC 7692 §7.1.2.1: a decimal integer 8...15 without leading zeros.
        guard !text.hasPrefix("0"), let bits = Int(text), (8...15).contains(bits) else { return nil }
        return bits
    }

    static func splitOutsideQuotes(_ text: String, separator: Character) -> [String] {
        var parts: [String] = []
        var current = ""
        var inQuotes = false
        for character in text {
            if character == "\"" { inQuotes.toggle() }
            if character == separator && !inQuotes {
                parts.append(current.trimmingCharacters(in: " \t"))
                current = ""
            } else {
                current.append(character)
            }
        }
        parts.append(current.trimmingCharacters(in: " \t"))
        return parts
    }
}
