import COpenSSL

/// HMAC through the system OpenSSL, the way the venues sign (VENUES.md order-entry sections):
/// Binance, Bybit, Deribit hex HMAC-SHA256; OKX base64 HMAC-SHA256; Bitfinex hex HMAC-SHA384.
/// The mirror of VenueKit's `HMAC` (Replay does not depend on VenueKit).
enum OrderSigning {
    enum Digest { case sha256, sha384, sha512 }

    static func mac(_ digest: Digest, secret: String, message: String) -> [UInt8] {
        mac(digest, key: Array(secret.utf8), data: Array(message.utf8))
    }

    static func mac(_ digest: Digest, key: [UInt8], data: [UInt8]) -> [UInt8] {
        let md: OpaquePointer?
        switch digest {
        case .sha256: md = EVP_sha256()
        case .sha384: md = EVP_sha384()
        case .sha512: md = EVP_sha512()
        }
        var out = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        let ok = key.withUnsafeBufferPointer { k in
            data.withUnsafeBufferPointer { m in
                out.withUnsafeMutableBufferPointer { o in
                    COpenSSL.HMAC(md, k.baseAddress, Int32(k.count), m.baseAddress, m.count, o.baseAddress, &length)
                }
            }
        }
        guard ok != nil else { return [] }
        return Array(out.prefix(Int(length)))
    }

    /// Lower-case hex of the MAC.
    static func hex(_ digest: Digest, secret: String, message: String) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for byte in mac(digest, secret: secret, message: message) {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0xF)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Standard base64 (RFC 4648 §4) of the MAC.
    static func base64(_ digest: Digest, secret: String, message: String) -> String {
        base64(mac(digest, secret: secret, message: message))
    }

    static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// SHA-256 of `text` (Kraken REST signs `path + SHA256(nonce + postdata)`).
    static func sha256(_ text: String) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        let data = Array(text.utf8)
        data.withUnsafeBufferPointer { d in out.withUnsafeMutableBufferPointer { o in _ = SHA256(d.baseAddress, d.count, o.baseAddress) } }
        return out
    }

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
    static func base64(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        var i = 0
        while i < bytes.count {
            let chunk = bytes[i..<min(i + 3, bytes.count)]
            var value: UInt32 = 0
            for (k, byte) in chunk.enumerated() { value |= UInt32(byte) << (16 - 8 * UInt32(k)) }
            for k in 0..<4 {
                out.append(k <= chunk.count ? alphabet[Int(value >> (18 - 6 * UInt32(k)) & 63)] : UInt8(ascii: "="))
            }
            i += 3
        }
        return String(decoding: out, as: UTF8.self)
    }

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
