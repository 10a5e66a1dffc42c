import MarketModel

/// Messages per second from cumulative counters sampled at irregular times (whenever `/status`
/// or `/metrics` is gathered): a counter's rate is recomputed once at least ``minimumWindow``
/// has passed since its previous sample, and kept in between, so two pages polling at once do
/// not see a rate over a few milliseconds.
public struct MessageRates: Sendable {
    /// Shortest window a rate is computed over.
    public var minimumWindow: Nanoseconds
    private var previous: [String: (count: Int, time: Nanoseconds)] = [:]
    private var rates: [String: Double] = [:]

    /// Rates over windows of at least `minimumWindow` (default 1 s).
    public init(minimumWindow: Nanoseconds = Interval.seconds(1)) {
        self.minimumWindow = minimumWindow
    }

    /// Records `count` for `key` at `time` and returns the current rate (0 until a window passed).
    public mutating func observe(_ key: String, count: Int, at time: Nanoseconds) -> Double {
        guard let last = previous[key] else {
            previous[key] = (count, time)
            return 0
        }
        if time - last.time >= minimumWindow {
            rates[key] = Double(max(0, count - last.count)) / (Double(time - last.time) / 1e9)
            previous[key] = (count, time)
        }
        return rates[key] ?? 0
    }
}
