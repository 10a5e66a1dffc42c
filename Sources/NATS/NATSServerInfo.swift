/// The fields of the server's `INFO` we act on (NATS client protocol, "INFO").
public struct NATSServerInfo: Sendable, Hashable {
    /// `server_id`.
    public var serverID: String
    /// `server_name` (defaults to the id on old servers).
    public var serverName: String
    /// `version`, e.g. `"2.9.10"`.
    public var version: String
    /// `proto`: 1 means the server understands async INFO (cluster topology updates).
    public var proto: Int
    /// `max_payload`: the largest payload the server accepts from us and will send us.
    public var maxPayload: Int
    /// `headers`: whether HPUB/HMSG are supported.
    public var supportsHeaders: Bool
    /// `tls_required`: upgrade to TLS right after this INFO.
    public var isTLSRequired: Bool
    /// `tls_available`: TLS may be used (we use it when the URL is `tls://`).
    public var isTLSAvailable: Bool
    /// `auth_required`.
    public var isAuthRequired: Bool
    /// `nonce` to sign for nkey authentication.
    public var nonce: String?
    /// `connect_urls`: other cluster members clients may use (`host:port`, no scheme).
    public var connectURLs: [String]
    /// `ldm`: the server is in lame-duck mode and will close us soon; move to another member.
    public var isLameDuck: Bool

    /// Reads the fields from an INFO JSON object; missing fields take the protocol's defaults.
    public init(json: NATSJSON) throws(NATSError) {
        guard case .object = json else { throw NATSError(.protocolViolation, "INFO payload is not a JSON object") }
        serverID = json["server_id"]?.stringValue ?? ""
        serverName = json["server_name"]?.stringValue ?? serverID
        version = json["version"]?.stringValue ?? ""
        proto = Int(json["proto"]?.intValue ?? 0)
        maxPayload = Int(json["max_payload"]?.intValue ?? 1_048_576)
        supportsHeaders = json["headers"]?.boolValue ?? false
        isTLSRequired = json["tls_required"]?.boolValue ?? false
        isTLSAvailable = json["tls_available"]?.boolValue ?? false
        isAuthRequired = json["auth_required"]?.boolValue ?? false
        nonce = json["nonce"]?.stringValue
        connectURLs = json["connect_urls"]?.arrayValue?.compactMap(\.stringValue) ?? []
        isLameDuck = json["ldm"]?.boolValue ?? false
    }

    /// Parses the JSON text that follows `INFO `.
    public init(bytes: some Collection<UInt8>) throws(NATSError) {
        try self.init(json: NATSJSON.parse(bytes))
    }
}
