/// Why the fan-out server could not start or a client could not connect. Each says whether
/// trying again later can help.
public struct FanoutError: Error, Sendable, Hashable, CustomStringConvertible {
    private enum Kind: Sendable, Hashable {
        case alreadyRunning
        case notASocket
        case pathTooLong
        case socket
        case connect
        case shuttingDown
    }

    private let kind: Kind
    /// One sentence naming the path and what to do.
    public let message: String

    private init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    /// Another instance answers on the socket path: it is not ours to take.
    public static func alreadyRunning(_ path: String) -> FanoutError {
        FanoutError(.alreadyRunning, "another MarketMux instance is listening on \(path); stop it or choose another socket path")
    }

    /// Something other than a socket sits at the path; it is never removed.
    public static func notASocket(_ path: String) -> FanoutError {
        FanoutError(.notASocket, "\(path) exists and is not a socket; refusing to replace it")
    }

    /// The path does not fit a `sockaddr_un`.
    public static func pathTooLong(_ path: String, limit: Int) -> FanoutError {
        FanoutError(.pathTooLong, "socket path \(path) is longer than \(limit) bytes; use a shorter path")
    }

    /// Creating, binding or preparing the socket failed.
    public static func socket(_ path: String, _ detail: String) -> FanoutError {
        FanoutError(.socket, "cannot serve the socket \(path): \(detail)")
    }

    /// A client could not connect.
    public static func connect(_ path: String, _ detail: String) -> FanoutError {
        FanoutError(.connect, "cannot connect to \(path): \(detail)")
    }

    /// The server is shutting down or was shut down.
    public static func shuttingDown(_ path: String) -> FanoutError {
        FanoutError(.shuttingDown, "the fan-out server on \(path) is shutting down")
    }

    /// Whether a later attempt may succeed without a change of configuration (the other
    /// instance may stop, the server may come up).
    public var isRetryable: Bool {
        switch kind {
        case .alreadyRunning, .connect: return true
        case .notASocket, .pathTooLong, .socket, .shuttingDown: return false
        }
    }

    /// The message.
    public var description: String { message }
}
