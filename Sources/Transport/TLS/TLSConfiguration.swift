#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Client-side TLS settings for one endpoint.
///
/// Split in two by who consumes them: `verifyPeer`, `caFile`, `trustsSystemStore`,
/// `minimumVersion` and `sessionCacheCapacity` shape the shared `TLSContext` (an `SSL_CTX`);
/// `serverName` and `alpn` are applied per connection by `TLSClientEngine`. Configurations with
/// equal `contextKey`s can therefore share one `TLSContext` (and its session cache).
public struct TLSConfiguration: Sendable, Hashable {
    /// Lowest protocol version the client offers (RFC 8996 deprecates everything below TLS 1.2).
    public enum ProtocolVersion: Sendable, Hashable {
        /// TLS 1.2 (RFC 5246) and TLS 1.3.
        case tls12
        /// TLS 1.3 only (RFC 8446).
        case tls13
    }

    /// The fields that determine the `SSL_CTX`; use it as a dictionary key to share contexts.
    public struct ContextKey: Sendable, Hashable {
        /// See `TLSConfiguration.verifyPeer`.
        public var verifyPeer: Bool
        /// See `TLSConfiguration.caFile`.
        public var caFile: String?
        /// See `TLSConfiguration.trustsSystemStore`.
        public var trustsSystemStore: Bool
        /// See `TLSConfiguration.minimumVersion`.
        public var minimumVersion: ProtocolVersion
        /// See `TLSConfiguration.sessionCacheCapacity`.
        public var sessionCacheCapacity: Int
    }

    /// Host name sent as SNI and checked against the certificate's subjectAltName. An IP literal
    /// (`127.0.0.1`, `::1`, `[::1]`) is verified against IP SANs and never sent as SNI
    /// (RFC 6066 §3: "Literal IPv4 and IPv6 addresses are not permitted in HostName").
    public var serverName: String
    /// Verify the chain and the host name. Turning this off makes the connection trivially
    /// interceptable; it exists for local test servers only.
    public var verifyPeer: Bool
    /// PEM file with extra trust anchors (e.g. a private CA), loaded in addition to the system store
    /// unless `trustsSystemStore` is false, in which case it is the only trust anchor.
    public var caFile: String?
    /// Load the distribution's default trust store (`SSL_CTX_set_default_verify_paths`).
    public var trustsSystemStore: Bool
    /// ALPN protocol names offered in preference order (RFC 7301). Venues speak WebSocket over
    /// HTTP/1.1 (RFC 6455 §4.1), so that is the default; an empty list sends no ALPN extension.
    public var alpn: [String]
    /// Lowest protocol version offered; the default is TLS 1.2.
    public var minimumVersion: ProtocolVersion
    /// How long the handshake may take. Stored only: the I/O shell owns clocks and enforces it.
    public var handshakeTimeout: Duration
    /// Most endpoints (`host:port` cache keys) the context keeps a resumable session for.
    public var sessionCacheCapacity: Int

    /// Creates a configuration that verifies `serverName` against the system trust store.
    public init(
        serverName: String,
        verifyPeer: Bool = true,
        caFile: String? = nil,
        trustsSystemStore: Bool = true,
        alpn: [String] = ["http/1.1"],
        minimumVersion: ProtocolVersion = .tls12,
        handshakeTimeout: Duration = .seconds(10),
        sessionCacheCapacity: Int = 256
    ) {
        self.serverName = serverName
        self.verifyPeer = verifyPeer
        self.caFile = caFile
        self.trustsSystemStore = trustsSystemStore
        self.alpn = alpn
        self.minimumVersion = minimumVersion
        self.handshakeTimeout = handshakeTimeout
        self.sessionCacheCapacity = sessionCacheCapacity
    }

    /// The part of this configuration a `TLSContext` is built from.
    public var contextKey: ContextKey {
        ContextKey(verifyPeer: verifyPeer, caFile: caFile, trustsSystemStore: trustsSystemStore,
                   minimumVersion: minimumVersion, sessionCacheCapacity: sessionCacheCapacity)
    }

    /// `serverName` without IPv6 brackets or a trailing root dot: SNI carries no trailing dot
    /// (RFC 6066 §3) and certificates never contain one.
    var normalizedServerName: String {
        var name = Substring(serverName)
        if name.hasPrefix("["), name.hasSuffix("]") { name = name.dropFirst().dropLast() }
        if name.hasSuffix("."), name.count > 1 { name = name.dropLast() }
        return String(name)
    }

    /// Whether `normalizedServerName` is an IPv4 or IPv6 literal (checked with inet_pton, so the
    /// answer matches what X509_VERIFY_PARAM_set1_ip_asc will accept).
    var isIPAddressLiteral: Bool {
        let name = normalizedServerName
        var v4 = in_addr()
        var v6 = in6_addr()
        return inet_pton(AF_INET, name, &v4) == 1 || inet_pton(AF_INET6, name, &v6) == 1
    }

    /// ALPN protocol list in wire format: each name prefixed by its one-byte length (RFC 7301 §3.1).
    func alpnWireFormat() throws(TLSError) -> [UInt8] {
        var wire: [UInt8] = []
        for name in alpn {
            let bytes = Array(name.utf8)
            // RFC 7301 §3.1: ProtocolName<1..2^8-1>, ProtocolNameList<2..2^16-1>.
            guard (1...255).contains(bytes.count) else {
                throw TLSError.invalidConfiguration("ALPN protocol name must be 1...255 bytes: \"\(name)\"")
            }
            wire.append(UInt8(bytes.count))
            wire.append(contentsOf: bytes)
        }
        guard wire.count < 1 << 16 else {
            throw TLSError.invalidConfiguration("ALPN protocol list exceeds 65535 bytes")
        }
        return wire
    }
}
