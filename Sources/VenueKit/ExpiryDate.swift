import MarketModel

/// A future's or option's expiry day in the notations venues write it in, so that an adapter
/// names its dated contracts by converting between these instead of slicing digits by hand:
///
/// * `20261225`: the normalized `YYYYMMDD` of ``Symbol/expiry`` (``init(_:)``, ``description``);
/// * `25DEC26`: day, English month abbreviation, two-digit year (Deribit instruments; also Bybit's
///   and OKX's option names) (``init(dayMonthYear:)``, ``dayMonthYear``);
/// * `Z26`: a futures month code — the CME letters F G H J K M N Q U V X Z for January to December —
///   and a two-digit year (BitMEX), whose day is the month's last Friday, when quarterly crypto
///   futures settle (``init(monthCode:)``, ``monthCode``, ``isLastFriday``).
///
/// Two-digit years are 2000–2099. Only the month is range-checked: a day the month does not have
/// (`20260231`) is kept as written and left to the venue to refuse, as the adapters did before
/// this type existed.
public struct ExpiryDate: Sendable, Hashable, CustomStringConvertible {
    /// The year, e.g. 2026.
    public let year: Int
    /// The month, 1–12.
    public let month: Int
    /// The day of the month as written (0–99; not checked against the month's length).
    public let day: Int

    /// `JAN` … `DEC`, the month words of ``dayMonthYear``.
    public static let monthAbbreviations = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]

    /// The futures month codes, January (`F`) to December (`Z`).
    public static let monthCodes: [Character] = ["F", "G", "H", "J", "K", "M", "N", "Q", "U", "V", "X", "Z"]

    /// A date from its parts; `nil` unless `month` is 1–12, `day` 0–99 and `year` 0–9999 (what
    /// ``description`` can write as `YYYYMMDD`).
    public init?(year: Int, month: Int, day: Int) {
        guard (0 ... 9999).contains(year), (1 ... 12).contains(month), (0 ... 99).contains(day) else { return nil }
        (self.year, self.month, self.day) = (year, month, day)
    }

    /// Reads `YYYYMMDD` (eight ASCII digits, month 1–12), e.g. ``Symbol/expiry``.
    public init?(_ text: some StringProtocol) {
        guard text.utf8.count == 8, let digits = Self.number(text.utf8) else { return nil }
        self.init(year: digits / 10_000, month: digits / 100 % 100, day: digits % 100)
    }

    /// Reads `25DEC26` or `5JAN27`: a one- or two-digit day, an upper-case month abbreviation and a
    /// two-digit year.
    public init?(dayMonthYear text: some StringProtocol) {
        let utf8 = Array(text.utf8)
        let dayCount = utf8.prefix { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }.count
        guard (1 ... 2).contains(dayCount), utf8.count == dayCount + 5, let day = Self.number(utf8[..<dayCount]),
              let yy = Self.number(utf8[(dayCount + 3)...]),
              let month = Self.monthAbbreviations.firstIndex(where: { $0.utf8.elementsEqual(utf8[dayCount ..< dayCount + 3]) }) else { return nil }
        self.init(year: 2000 + yy, month: month + 1, day: day)
    }

    /// Reads a month code and two-digit year, `Z26`, as that month's last Friday.
    public init?(monthCode text: some StringProtocol) {
        let utf8 = Array(text.utf8)
        guard utf8.count == 3, let month = Self.monthCodes.firstIndex(where: { $0.asciiValue == utf8[0] }),
              let yy = Self.number(utf8[1...]) else { return nil }
        self.init(year: 2000 + yy, month: month + 1, day: Self.lastFriday(year: 2000 + yy, month: month + 1))
    }

    /// `YYYYMMDD`, zero-padded (the normalized form of ``Symbol/expiry``).
    public var description: String { Self.padded(year, 4) + Self.padded(month, 2) + Self.padded(day, 2) }

    /// `25DEC26`: the day without a leading zero, the month abbreviation, the two-digit year.
    public var dayMonthYear: String { "\(day)\(Self.monthAbbreviations[month - 1])\(Self.padded(year % 100, 2))" }

    /// `Z26`: the month code and the two-digit year.
    public var monthCode: String { "\(Self.monthCodes[month - 1])\(Self.padded(year % 100, 2))" }

    /// Whether the date is its month's last Friday.
    public var isLastFriday: Bool { day == Self.lastFriday(year: year, month: month) }

    /// The day of the month (22–31) of the last Friday of `month` (1–12) in `year`.
    public static func lastFriday(year: Int, month: Int) -> Int {
        let (y, m) = (Int64(year), Int64(month))
        let next = m == 12 ? RFC3339.daysSinceEpoch(year: y + 1, month: 1, day: 1) : RFC3339.daysSinceEpoch(year: y, month: m + 1, day: 1)
        let last = next - 1, first = RFC3339.daysSinceEpoch(year: y, month: m, day: 1)
        let weekday = ((last + 4) % 7 + 7) % 7  // 1970-01-01 was a Thursday (4); Friday is 5
        return Int(last - (weekday - 5 + 7) % 7 - first + 1)
    }

    /// The value of a run of ASCII digits (`nil` for an empty run or any other byte).
    static func number(_ digits: some Collection<UInt8>) -> Int? {
        guard !digits.isEmpty else { return nil }
        var value = 0
        for byte in digits {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
        }
        return value
    }

    /// `value` in decimal with leading zeros to `width` digits.
    static func padded(_ value: Int, _ width: Int) -> String {
        let text = String(value)
        return String(repeating: "0", count: max(0, width - text.count)) + text
    }
}
