import Foundation

extension TLSContext {
    private static let registryLock = NSLock()
    nonisolated(unsafe) private static var registry: [TLSConfiguration.ContextKey: TLSContext] = [:]

    /// The process-wide context for this configuration shape: connections share its session cache,
    /// so a reconnect to the same host:port resumes TLS instead of a full handshake.
    public static func shared(for configuration: TLSConfiguration) throws -> TLSContext {
        registryLock.lock()
        defer { registryLock.unlock() }
        if let existing = registry[configuration.contextKey] { return existing }
        let context = try TLSContext(configuration: configuration)
        registry[configuration.contextKey] = context
        return context
    }

    /// The shared context for connections made with `options` (server name only matters per connection).
    public static func shared(for options: WebSocketClientOptions, serverName: String) throws -> TLSContext {
        try shared(for: TLSConfiguration(serverName: serverName, verifyPeer: options.verifiesPeer, caFile: options.caFile))
    }
}
