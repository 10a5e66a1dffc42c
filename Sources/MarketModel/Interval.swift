/// Integer nanoseconds since the Unix epoch (timestamps) or a span in nanoseconds (durations).
public typealias Nanoseconds = Int64

/// Helpers to write nanosecond spans readably: `Interval.seconds(20)`.
public enum Interval {
    /// `n` milliseconds in nanoseconds.
    @inlinable public static func milliseconds(_ n: Int64) -> Nanoseconds { n * 1_000_000 }
    /// `n` seconds in nanoseconds.
    @inlinable public static func seconds(_ n: Int64) -> Nanoseconds { n * 1_000_000_000 }
    /// `n` minutes in nanoseconds.
    @inlinable public static func minutes(_ n: Int64) -> Nanoseconds { n * 60_000_000_000 }
    /// `n` hours in nanoseconds.
    @inlinable public static func hours(_ n: Int64) -> Nanoseconds { n * 3_600_000_000_000 }
}
