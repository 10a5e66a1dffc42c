/// A parsed `ws://` or `wss://` URL (RFC 6455 §3), without Foundation.
public struct WebSocketURL: Sendable, Equatable, CustomStringConvertible {
    /// Whether the connection uses TLS (`wss`).
    public let isSecure: Bool
    /// Host name or IP literal (IPv6 without brackets).
    public let host: String
    /// TCP port (default 80 for ws, 443 for wss).
    public let port: Int
    /// Path plus query, always starting with `/`; this is the request target.
    public let requestTarget: String

    /// Parses `url`; throws a clear error naming what is wrong with it.
    public init(_ url: String) throws(WebSocketError) {
        func invalid(_ why: String) -> WebSocketError {
            WebSocketError(.handshake, .protocolError, "invalid WebSocket URL '\(url)': \(why)")
        }
        let lower = url.lowercased()
        let rest: Substring
        if lower.hasPrefix("ws://") {
            isSecure = false; rest = url.dropFirst(5)
        } else if lower.hasPrefix("wss://") {
            isSecure = true; rest = url.dropFirst(6)
        } else {
            throw invalid("the scheme must be ws:// or wss://")
        }
        // RFC 6455 §3: fragment identifiers are not allowed.
        if rest.contains("#") { throw invalid("fragments (#) are not allowed") }
        let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" }) ?? rest.endIndex
        var authority = rest[rest.startIndex..<authorityEnd]
        let target = rest[authorityEnd...]
        requestTarget = target.isEmpty ? "/" : (target.first == "?" ? "/" + target : String(target))
        if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }
        var hostPart: Substring
        var portPart: Substring?
        if authority.first == "[" {
            guard let close = authority.firstIndex(of: "]") else { throw invalid("unterminated IPv6 literal") }
            hostPart = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            if !after.isEmpty {
                guard after.first == ":" else { throw invalid("unexpected text after the IPv6 literal") }
                portPart = after.dropFirst()
            }
        } else if let colon = authority.lastIndex(of: ":") {
            hostPart = authority[..<colon]
            portPart = authority[authority.index(after: colon)...]
        } else {
            hostPart = authority
        }
        guard !hostPart.isEmpty else { throw invalid("the host is empty") }
        host = String(hostPart)
        if let portPart {
            guard let value = Int(portPart), (1...65535).contains(value) else {
                throw invalid("the port '\(portPart)' is not 1...65535")
            }
            port = value
        } else {
            port = isSecure ? 443 : 80
        }
    }

    /// Whether the host is an IP literal (IPv4 dotted quad or IPv6), which is never sent as TLS SNI.
    public var isIPLiteral: Bool {
        if host.contains(":") { return true }
        let parts = host.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts.allSatisfy { UInt8($0) != nil }
    }

    /// The `Host` header value: default ports omitted, IPv6 in brackets (RFC 7230 §5.4).
    public var hostHeader: String {
        let name = host.contains(":") ? "[\(host)]" : host
        let isDefaultPort = port == (isSecure ? 443 : 80)
        return isDefaultPort ? name : "\(name):\(port)"
    }

    /// The URL in canonical form.
    public var description: String { "\(isSecure ? "wss" : "ws")://\(hostHeader)\(requestTarget)" }
}
