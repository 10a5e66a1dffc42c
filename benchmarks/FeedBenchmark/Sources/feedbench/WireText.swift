import MarketModel

/// Small text helpers for writing venue messages.
enum WireText {
    /// 2026-11-21T00:00:00Z, the benchmark's notional session start, in ms since the epoch.
    static let sessionStartMillis: Int64 = 1_795_219_200_000

    /// The plain decimal text with the value's own scale (`"87412.35000000"`).
    static func plain(_ d: FixedDecimal) -> String { d.description }

    /// JavaScript's shortest form (Bitfinex numbers).
    static func javaScript(_ d: FixedDecimal) -> String {
        var bytes: [UInt8] = []
        d.writeJavaScriptForm(into: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// RFC 3339 UTC with `fractionDigits` (3 = ms, 6 = µs) from ns since the epoch.
    static func rfc3339(nanos: Int64, fractionDigits: Int) -> String {
        let seconds = nanos / 1_000_000_000, fraction = nanos % 1_000_000_000
        let days = seconds / 86_400, rest = seconds % 86_400
        let (y, m, d) = civil(days: days)
        func two(_ v: Int64) -> String { v < 10 ? "0\(v)" : "\(v)" }
        var digits = String(fraction)
        digits = String(repeating: "0", count: 9 - digits.count) + digits
        return "\(y)-\(two(m))-\(two(d))T\(two(rest / 3600)):\(two(rest / 60 % 60)):\(two(rest % 60)).\(digits.prefix(fractionDigits))Z"
    }

    /// H. Hinnant's `civil_from_days`.
    static func civil(days: Int64) -> (Int64, Int64, Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }
}

extension WireText {
    /// `["p","q"],["p","q"]` (Binance, Bybit).
    static func quotedPairs(_ levels: [(FixedDecimal, FixedDecimal)]) -> String {
        levels.map { "[\"\($0.0)\",\"\($0.1)\"]" }.joined(separator: ",")
    }

    /// A delta's levels on one side as `(price, size)`, deletes written as `deleteSize`.
    static func sides(_ changes: [SyntheticBook.Change], isBid: Bool, deleteSize: FixedDecimal) -> [(FixedDecimal, FixedDecimal)] {
        changes.filter { $0.isBid == isBid }.map { ($0.price, $0.kind == .delete ? deleteSize : $0.size) }
    }

    /// A snapshot side as `(price, size)`, best first.
    static func sides(_ book: SyntheticBook, isBid: Bool) -> [(FixedDecimal, FixedDecimal)] {
        book.levels(isBid: isBid).map { ($0.price, $0.level.size) }
    }
}
