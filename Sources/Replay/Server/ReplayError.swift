/// A simulator failure: bad configuration, a port that cannot be bound, TLS files that cannot be
/// loaded, a fault spec that does not parse. Says whether trying again can help.
public struct ReplayError: Error, Sendable, Equatable, CustomStringConvertible {
    private enum Kind: Sendable, Equatable {
        case invalidConfiguration
        case tls
        case bind
        case fixtures
        case protocolViolation
    }

    private let kind: Kind
    /// One clear sentence.
    public let message: String

    private init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    /// A setting, fault spec or argument that cannot work as given.
    public static func invalidConfiguration(_ message: String) -> ReplayError { ReplayError(.invalidConfiguration, message) }
    /// The certificate or key cannot be loaded, or a TLS handshake failed.
    public static func tls(_ message: String) -> ReplayError { ReplayError(.tls, message) }
    /// The listening socket could not be opened.
    public static func bind(_ message: String) -> ReplayError { ReplayError(.bind, message) }
    /// The fixtures cannot be used.
    public static func fixtures(_ message: String) -> ReplayError { ReplayError(.fixtures, message) }
    /// A client broke HTTP or WebSocket rules.
    public static func protocolViolation(_ message: String) -> ReplayError { ReplayError(.protocolViolation, message) }

    /// Only a busy port or a misbehaving client may go away by itself.
    public var isRetryable: Bool {
        switch kind {
        case .bind, .protocolViolation: true
        case .invalidConfiguration, .tls, .fixtures: false
        }
    }

    /// The message.
    public var description: String { message }
}
