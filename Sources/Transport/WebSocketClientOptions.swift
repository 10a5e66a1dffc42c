import WebSocketWire

/// Everything needed to open one client WebSocket connection.
public struct WebSocketClientOptions: Sendable {
    /// Protocol limits and the permessage-deflate offer.
    public var configuration: WebSocketConfiguration
    /// Extra request headers for the opening handshake (venue auth goes here).
    public var extraHeaders: [(name: String, value: String)]
    /// Subprotocols to offer.
    public var subprotocols: [String]
    /// TCP connect timeout, in nanoseconds.
    public var connectTimeoutNanoseconds: Int64
    /// Time allowed for TLS plus the HTTP upgrade, in nanoseconds.
    public var handshakeTimeoutNanoseconds: Int64
    /// After our close frame, how long to wait for the server to close TCP, in nanoseconds.
    public var closeTimeoutNanoseconds: Int64
    /// Extra trust anchors (PEM file) for wss; the system store is always used unless `verifiesPeer` is off.
    public var caFile: String?
    /// Whether to verify the server certificate chain and host name (never turn off against real venues).
    public var verifiesPeer: Bool
    /// Socket receive buffer handed to the parser per read: large reads keep syscalls per message low.
    public var receiveBufferSize: Int

    /// Defaults suited to venue connections.
    public init(configuration: WebSocketConfiguration = WebSocketConfiguration(),
                extraHeaders: [(name: String, value: String)] = [], subprotocols: [String] = [],
                connectTimeoutNanoseconds: Int64 = 10_000_000_000, handshakeTimeoutNanoseconds: Int64 = 10_000_000_000,
                closeTimeoutNanoseconds: Int64 = 2_000_000_000, caFile: String? = nil, verifiesPeer: Bool = true,
                receiveBufferSize: Int = 64 << 10) {
        self.configuration = configuration
        self.extraHeaders = extraHeaders
        self.subprotocols = subprotocols
        self.connectTimeoutNanoseconds = connectTimeoutNanoseconds
        self.handshakeTimeoutNanoseconds = handshakeTimeoutNanoseconds
        self.closeTimeoutNanoseconds = closeTimeoutNanoseconds
        self.caFile = caFile
        self.verifiesPeer = verifiesPeer
        self.receiveBufferSize = receiveBufferSize
    }
}
