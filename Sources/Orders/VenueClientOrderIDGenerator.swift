import VenueKit

/// Generates the client order ids the venues see (``VenueKit/VenueOrder/venueClientOrderID``).
///
/// One monotonically increasing counter, starting at an injected seed, shared by every venue:
/// ids are unique, never reused within a run, and deterministic for a given seed (tests replay
/// exactly). `.alphanumeric` renders `prefix + base36(counter)` (letters and digits only: OKX
/// refuses `-`/`_` in `clOrdId`); `.numeric` renders the counter in decimal (Bitfinex `cid`).
/// Restarts stay unique when the seed grows with wall time (the start time in ms).
public struct VenueClientOrderIDGenerator: Sendable, Hashable {
    /// The next counter value.
    public private(set) var counter: UInt64
    /// Lower-case letters and digits put in front of alphanumeric ids.
    public let prefix: String

    /// A generator starting at `seed` (at least 1). Characters of `prefix` other than ASCII
    /// letters and digits are dropped.
    public init(seed: UInt64, prefix: String) {
        self.counter = max(1, seed)
        self.prefix = String(prefix.unicodeScalars.filter { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0)) }
            .map(Character.init))
    }

    /// The next id in `format`, or `nil` when it cannot fit `maxLength` (a configuration error:
    /// the order is refused, the counter is not consumed).
    public mutating func next(format: ClientOrderIDFormat) -> String? {
        let text: String
        switch format {
        case .numeric:
            text = String(counter)
        case .alphanumeric(let maxLength):
            text = prefix + String(counter, radix: 36)
            guard text.utf8.count <= maxLength else { return nil }
        }
        counter += 1
        return text
    }
}
