import MarketModel
import VenueKit

/// Text helpers shared by the order routers: JSON string quoting, exact decimal rendering, the
/// clock conversions venues sign with, and client-order-id checks.
enum OrderText {
    /// `s` as a JSON string literal (RFC 8259 §7: `"` `\` and control characters escaped).
    static func quoted(_ s: String) -> String {
        var bytes: [UInt8] = []
        NDJSONEncoder.string(s, &bytes)  // the encoder's RFC 8259 escaping, one implementation
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Plain positional decimal text with the digits given (`"0.01000000"`), from the fixed-point
    /// value itself (never through `Double`). Valid as a JSON number too.
    static func decimal(_ value: FixedDecimal) -> String { value.description }

    /// Whole milliseconds since the epoch.
    static func milliseconds(_ ns: Nanoseconds) -> Int64 { ns / 1_000_000 }

    /// Whole seconds since the epoch.
    static func seconds(_ ns: Nanoseconds) -> Int64 { ns / 1_000_000_000 }

    /// Whole microseconds since the epoch.
    static func microseconds(_ ns: Nanoseconds) -> Int64 { ns / 1_000 }

    /// `yyyy-MM-dd` (UTC) of an instant (civil-from-days, H. Hinnant's algorithm).
    static func utcDate(_ ns: Nanoseconds) -> String {
        let dayNanoseconds: Int64 = 86_400_000_000_000
        let days = ns >= 0 ? ns / dayNanoseconds : (ns + 1) / dayNanoseconds - 1
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yoe + era * 400 + (month <= 2 ? 1 : 0)
        func pad(_ v: Int64, _ width: Int) -> String {
            let s = String(v)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))"
    }

    /// `yyyy-MM-ddTHH:mm:ss.SSSZ` (UTC, milliseconds) of an instant: OKX's REST `OK-ACCESS-TIMESTAMP`.
    static func iso8601Milliseconds(_ ns: Nanoseconds) -> String {
        let milliseconds = ns >= 0 ? ns / 1_000_000 : (ns + 1) / 1_000_000 - 1
        let dayMilliseconds: Int64 = 86_400_000
        let inDay = ((milliseconds % dayMilliseconds) + dayMilliseconds) % dayMilliseconds
        func pad(_ v: Int64, _ width: Int) -> String {
            let s = String(v)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        let seconds = inDay / 1000
        return utcDate(ns) + "T\(pad(seconds / 3600, 2)):\(pad(seconds / 60 % 60, 2)):\(pad(seconds % 60, 2)).\(pad(inDay % 1000, 3))Z"
    }

    /// Checks `id` against the venue's rule: 1…`maxLength` characters from letters, digits and
    /// `allowed` punctuation.
    static func checkClientOrderID(_ id: String, venue: VenueID, maxLength: Int,
                                   allowed: Set<UInt8> = [UInt8(ascii: "-"), UInt8(ascii: "_")]) throws(OrderRoutingError) {
        guard !id.isEmpty, id.utf8.count <= maxLength else {
            throw OrderRoutingError("\(venue) client order id '\(id)' must be 1…\(maxLength) characters")
        }
        for c in id.utf8 {
            let isAlnum = (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z")) || (c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z"))
                || (c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9"))
            guard isAlnum || allowed.contains(c) else {
                throw OrderRoutingError("\(venue) client order id '\(id)' has a character the venue refuses")
            }
        }
    }

    /// `true` when `text` is a non-empty run of ASCII digits that fits in `Int64`.
    static func isInteger(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") } && Int64(text) != nil
    }

    /// The size must be positive and a limit order needs a positive price (checked before
    /// anything is signed, so a bad order never reaches the venue).
    static func checkOrder(_ order: VenueOrder, venue: VenueID) throws(OrderRoutingError) {
        guard !order.size.isNegative, !order.size.isZero else { throw OrderRoutingError("\(venue) order size must be positive") }
        if order.type == .limit {
            guard let price = order.price, !price.isNegative, !price.isZero else {
                throw OrderRoutingError("\(venue) limit order needs a positive price")
            }
        }
    }
}
