/// How fast recorded time passes: `factor(1)` is real time, `factor(N)` is N× faster, `max` sends
/// every frame as soon as the previous one is written (gates on client messages still hold).
public enum ReplaySpeed: Sendable, Equatable, CustomStringConvertible {
    /// Recorded time divided by this factor (> 0).
    case factor(Double)
    /// As fast as the machine allows.
    case max

    /// Real time.
    public static let realTime = ReplaySpeed.factor(1)

    /// Parses a command-line value: `max`, or a positive number such as `1`, `10`, `0.5`.
    public init?(argument: String) {
        if argument.lowercased() == "max" {
            self = .max
        } else if let value = Double(argument), value > 0, value.isFinite {
            self = .factor(value)
        } else {
            return nil
        }
    }

    /// Real nanoseconds that `milliseconds` of recorded time take at this speed (0 at `max`).
    public func nanoseconds(forSessionMilliseconds milliseconds: Int64) -> UInt64 {
        guard milliseconds > 0 else { return 0 }
        switch self {
        case .max:
            return 0
        case .factor(let factor):
            let nanos = Double(milliseconds) * 1_000_000 / factor
            return nanos >= Double(UInt64.max / 2) ? UInt64.max / 2 : UInt64(nanos)
        }
    }

    /// Scale for timers that must keep ticking even at `max` (chaos intervals, rotation grace):
    /// `max` counts as 1000× real time there, so faults still come in a sensible order.
    public func nanosecondsForTimer(sessionMilliseconds milliseconds: Int64) -> UInt64 {
        switch self {
        case .max: ReplaySpeed.factor(1000).nanoseconds(forSessionMilliseconds: milliseconds)
        case .factor: nanoseconds(forSessionMilliseconds: milliseconds)
        }
    }

    /// `max` or the factor, e.g. `10x`.
    public var description: String {
        switch self {
        case .max: "max"
        case .factor(let factor): factor == factor.rounded() ? "\(Int(factor))x" : "\(factor)x"
        }
    }
}
