import Synchronization

/// An account's credentials as every user of one venue connection reads them — the order
/// connection's login, each request frame, REST status queries — replaceable while they run.
/// Kraken's WebSocket token must be used within 15 minutes of being issued [KR-TOKEN], so the
/// gateway fetches a fresh one before each reconnect and puts it here; the next frames carry it.
public final class SharedCredentials: Sendable, CustomStringConvertible {
    private let storage: Mutex<VenueCredentials>

    /// Starts with `credentials`.
    public init(_ credentials: VenueCredentials) {
        storage = Mutex(credentials)
    }

    /// The credentials now.
    public var current: VenueCredentials { storage.withLock { $0 } }

    /// Replaces the credentials (later frames and logins use the new ones).
    public func replace(with credentials: VenueCredentials) {
        storage.withLock { $0 = credentials }
    }

    /// Redacted, as ``VenueCredentials/description``.
    public var description: String { current.description }
}
