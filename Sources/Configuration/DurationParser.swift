import Foundation
import MarketModel

/// Durations as written in the configuration: a number and a unit, optionally repeated
/// (`500ms`, `5s`, `1.5s`, `2m`, `1h30m`). Units: `ns`, `us` (or `µs`), `ms`, `s`, `m`, `h`.
/// A bare number is refused: `stale_after: 5` could mean seconds or milliseconds.
public enum DurationParser {
    /// The span in nanoseconds, or `nil` when `text` is not a positive duration.
    public static func nanoseconds(_ text: String) -> Nanoseconds? {
        let units: [(suffix: String, scale: Double)] = [
            ("ns", 1), ("us", 1e3), ("µs", 1e3), ("ms", 1e6), ("s", 1e9), ("m", 60e9), ("h", 3600e9),
        ]
        var rest = Substring(text.trimmingCharacters(in: .whitespaces))
        guard !rest.isEmpty else { return nil }
        var total = 0.0
        while !rest.isEmpty {
            let number = rest.prefix { $0.isASCII && ($0.isNumber || $0 == ".") }
            guard !number.isEmpty, let value = Double(number) else { return nil }
            rest = rest.dropFirst(number.count)
            let unitText = rest.prefix { !($0.isASCII && ($0.isNumber || $0 == ".")) }
            // Longest suffix first would matter only for "ms" vs "m": compare the whole unit text.
            guard let unit = units.first(where: { $0.suffix == unitText }) else { return nil }
            rest = rest.dropFirst(unitText.count)
            total += value * unit.scale
        }
        guard total >= 1, total < 9.2e18 else { return nil }
        return Nanoseconds(total.rounded())
    }
}
