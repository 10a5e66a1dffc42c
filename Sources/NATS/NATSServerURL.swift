/// One server address: `nats://host:port`, `tls://host:port` (TLS required), or a bare
/// `host:port` as nats-server advertises in `INFO connect_urls`. Credentials in the URL
/// (`nats://user:pass@host`, `nats://token@host`) are honoured when the configuration has none.
public struct NATSServerURL: Sendable, Hashable, CustomStringConvertible {
    /// Host name or IP (IPv6 without brackets).
    public var host: String
    /// TCP port (default 4222).
    public var port: Int
    /// Whether the URL asked for TLS (`tls://`).
    public var isTLS: Bool
    /// Credentials from the URL, if any.
    public var auth: NATSAuth?
    /// Whether the address was learned from a server's INFO rather than configured.
    public var isDiscovered: Bool

    /// Parses `nats://[user[:pass]@]host[:port]`, `tls://…` or `host:port`.
    public init(_ text: String, isDiscovered: Bool = false) throws(NATSError) {
        var rest = Substring(text)
        isTLS = false
        if let range = rest.range(of: "://") {
            let scheme = rest[..<range.lowerBound].lowercased()
            switch scheme {
            case "nats": isTLS = false
            case "tls": isTLS = true
            default: throw NATSError(.invalidArgument, "unsupported NATS URL scheme '\(scheme)' in '\(text)' (nats:// or tls://)")
            }
            rest = rest[range.upperBound...]
        }
        if let slash = rest.firstIndex(of: "/") { rest = rest[..<slash] }
        auth = nil
        if let at = rest.lastIndex(of: "@") {
            let userinfo = rest[..<at]
            rest = rest[rest.index(after: at)...]
            if let colon = userinfo.firstIndex(of: ":") {
                auth = .userPassword(user: String(userinfo[..<colon]), password: String(userinfo[userinfo.index(after: colon)...]))
            } else if !userinfo.isEmpty {
                auth = .token(String(userinfo))
            }
        }
        var hostPart = rest
        var portText: Substring = ""
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else { throw NATSError(.invalidArgument, "unterminated IPv6 address in '\(text)'") }
            hostPart = rest[rest.index(after: rest.startIndex)..<close]
            let after = rest[rest.index(after: close)...]
            if after.hasPrefix(":") { portText = after.dropFirst() }
        } else if let colon = rest.lastIndex(of: ":") {
            hostPart = rest[..<colon]
            portText = rest[rest.index(after: colon)...]
        }
        guard !hostPart.isEmpty else { throw NATSError(.invalidArgument, "no host in NATS URL '\(text)'") }
        host = String(hostPart)
        if portText.isEmpty {
            port = 4222
        } else {
            guard let p = Int(portText), (1...65535).contains(p) else {
                throw NATSError(.invalidArgument, "bad port '\(portText)' in NATS URL '\(text)'")
            }
            port = p
        }
        self.isDiscovered = isDiscovered
    }

    /// `nats://host:port` (credentials never printed).
    public var description: String {
        let h = host.contains(":") ? "[\(host)]" : host
        return "\(isTLS ? "tls" : "nats")://\(h):\(port)"
    }

    /// Same endpoint (host and port), whatever the credentials or scheme.
    public func isSameEndpoint(as other: NATSServerURL) -> Bool {
        host == other.host && port == other.port
    }
}

/// How the client authenticates (NATS `CONNECT` fields).
public enum NATSAuth: Sendable, Hashable {
    /// No credentials.
    case none
    /// `user` / `pass`.
    case userPassword(user: String, password: String)
    /// `auth_token`.
    case token(String)
    /// An nkey seed (`SU…`): the client signs the server's nonce with Ed25519 and sends
    /// `nkey` (the public key) and `sig`.
    case nkey(seed: String)
}

/// What goes into one `CONNECT`.
public struct NATSConnectOptions: Sendable, Hashable {
    /// `name`: shows up in the server's monitoring (`/connz`).
    public var name: String
    /// Credentials.
    public var auth: NATSAuth
    /// `tls_required`.
    public var isTLS: Bool
    /// `echo`: whether our own publishes are delivered to our own subscriptions.
    public var echo: Bool
    /// For nkey auth: the public key (`U…`).
    public var nkeyPublicKey: String?
    /// For nkey auth: base64url signature of the server nonce.
    public var nkeySignature: String?

    /// Memberwise initializer.
    public init(name: String, auth: NATSAuth = .none, isTLS: Bool = false, echo: Bool = true,
                nkeyPublicKey: String? = nil, nkeySignature: String? = nil) {
        self.name = name
        self.auth = auth
        self.isTLS = isTLS
        self.echo = echo
        self.nkeyPublicKey = nkeyPublicKey
        self.nkeySignature = nkeySignature
    }
}
