/// The stale-data guard of one venue: refuse new orders for a symbol whose market data cannot
/// be trusted (a price chosen from a stale or resyncing book is a mistake waiting to happen).
public struct StaleDataGuardConfiguration: Sendable, Hashable {
    /// Whether the guard applies to this venue at all.
    public var isEnabled: Bool
    /// Whether a symbol needs a `live` book status before orders are allowed. When `false`, only
    /// known bad states refuse (no status at all passes).
    public var requiresLiveBook: Bool

    /// Memberwise initializer.
    public init(isEnabled: Bool, requiresLiveBook: Bool = true) {
        self.isEnabled = isEnabled
        self.requiresLiveBook = requiresLiveBook
    }

    /// No guard.
    public static let off = StaleDataGuardConfiguration(isEnabled: false)
    /// Refuse on stale data and require a live book.
    public static let on = StaleDataGuardConfiguration(isEnabled: true)
}
