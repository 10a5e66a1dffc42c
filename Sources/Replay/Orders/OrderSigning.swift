import VenueKit

/// The signatures the simulated venues check (VENUES.md order-entry sections): Binance, Bybit,
/// Deribit hex HMAC-SHA256; OKX base64 HMAC-SHA256; Bitfinex hex HMAC-SHA384; Kraken REST
/// HMAC-SHA512 over SHA-256. The same OpenSSL-backed code the routers sign with (VenueKit's
/// `HMAC`, `Digest`, `Base64`), under the names the dialects use.
enum OrderSigning {
    typealias Digest = HMAC.Algorithm

    static func mac(_ digest: Digest, secret: String, message: String) -> [UInt8] {
        HMAC.authenticationCode(digest, key: Array(secret.utf8), message: Array(message.utf8))
    }

    static func mac(_ digest: Digest, key: [UInt8], data: [UInt8]) -> [UInt8] {
        HMAC.authenticationCode(digest, key: key, message: data)
    }

    /// Lower-case hex of the MAC.
    static func hex(_ digest: Digest, secret: String, message: String) -> String {
        HMAC.hex(digest, secret: secret, message: message)
    }

    /// Standard base64 (RFC 4648 §4) of the MAC.
    static func base64(_ digest: Digest, secret: String, message: String) -> String {
        HMAC.base64(digest, key: Array(secret.utf8), message: message)
    }

    /// SHA-256 of `text` (Kraken REST signs `path + SHA256(nonce + postdata)`).
    static func sha256(_ text: String) -> [UInt8] { VenueKit.Digest.sha256(text) }

    static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// Standard base64 decoding (padding optional); `nil` when malformed.
    static func base64Decode(_ text: String) -> [UInt8]? {
        var bits: UInt32 = 0
        var count = 0
        var out: [UInt8] = []
        for c in text.utf8 where c != UInt8(ascii: "=") {
            guard let value = alphabet.firstIndex(of: c) else { return nil }
            bits = bits << 6 | UInt32(value)
            count += 6
            if count >= 8 {
                count -= 8
                out.append(UInt8(truncatingIfNeeded: bits >> UInt32(count)))
            }
        }
        return out
    }

    /// Standard base64 (RFC 4648 §4) of `bytes`.
    static func base64(_ bytes: [UInt8]) -> String { Base64.encode(bytes) }

    /// Case-insensitive comparison of two hex signatures (Binance: "hex, case-insensitive").
    static func hexEqual(_ lhs: String, _ rhs: String) -> Bool { lhs.lowercased() == rhs.lowercased() }
}

/// Wall-clock renderings the venues use: RFC 3339 with microseconds (Kraken `time_in`) from epoch
/// milliseconds, and the UTC date (Bitfinex `cid_date`). Pure arithmetic (days-from-civil).
enum OrderTimeFormat {
    static func civil(days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    private static func pad(_ value: Int64, _ width: Int) -> String {
        let text = String(value)
        return String(repeating: "0", count: max(0, width - text.count)) + text
    }

    /// `2023-09-21T14:15:07.197000Z`
    static func rfc3339(epochMilliseconds ms: Int64) -> String {
        let days = ms >= 0 ? ms / 86_400_000 : (ms - 86_399_999) / 86_400_000
        let rest = ms - days * 86_400_000
        let (year, month, day) = civil(days: days)
        let seconds = rest / 1000
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(seconds / 3600, 2)):\(pad(seconds / 60 % 60, 2)):\(pad(seconds % 60, 2)).\(pad(rest % 1000 * 1000, 6))Z"
    }

    /// `2023-09-21`
    static func date(epochMilliseconds ms: Int64) -> String { String(rfc3339(epochMilliseconds: ms).prefix(10)) }
}
