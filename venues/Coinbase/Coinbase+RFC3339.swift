import MarketModel
import VenueKit

// The RFC 3339 reader moved to VenueKit (`RFC3339.nanoseconds`, shared with Kraken); the BitMEX
// adapter still reads its ISO 8601 times and expiry days through these names.
extension Coinbase {
    /// RFC 3339 → ns since the epoch (``RFC3339/nanoseconds(_:)``).
    static func nanoseconds(rfc3339 text: JSONString) throws(VenueParseError) -> Nanoseconds { try RFC3339.nanoseconds(text) }

    /// Days from 1970-01-01 to a proleptic Gregorian date (``RFC3339/daysSinceEpoch(year:month:day:)``).
    static func daysSinceEpoch(year: Int64, month: Int64, day: Int64) -> Int64 { RFC3339.daysSinceEpoch(year: year, month: month, day: day) }
}
