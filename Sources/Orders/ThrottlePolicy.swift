/// How a venue's documented rate limits become GCRA parameters (see ``GCRACell``).
///
/// Integer percentages, not `Double`: the arithmetic stays exact and reproducible.
public struct ThrottlePolicy: Sendable, Hashable {
    /// The share of a limit's capacity that may go back to back after an idle period (1...100).
    /// A larger burst lowers the sustained rate, because the cell guarantees the venue's limit
    /// in **every** window (sustained = capacity − burst + 1 units per interval).
    public var burstPercent: Int
    /// The share of the burst kept for the cancel lane (0...99): new orders and status queries
    /// stop while less than this is left, cancels may use all of it, so a cancel never waits
    /// behind a burst of new orders (ARCHITECTURE: "a reserved cancel lane").
    public var cancelReservePercent: Int

    /// Memberwise initializer; values are clamped into their ranges.
    public init(burstPercent: Int = 50, cancelReservePercent: Int = 20) {
        self.burstPercent = min(100, max(1, burstPercent))
        self.cancelReservePercent = min(99, max(0, cancelReservePercent))
    }
}
