import VenueKit

/// A NATS nkey (Ed25519) user key from its seed (`SU…`): the public key (`U…`) and signatures
/// of the server's nonce for `CONNECT` (ADR "nkeys": base32 without padding, a prefix byte,
/// the 32-byte key, CRC-16/XMODEM little-endian). Signing is VenueKit's `Ed25519PrivateKey` (OpenSSL).
public struct NATSNKey: Sendable {
    /// The 32-byte Ed25519 private seed.
    private let rawSeed: [UInt8]
    /// The public key text (`U…` for users).
    public let publicKey: String

    private static let seedPrefix: UInt8 = 18 << 3

    /// Decodes and checks a seed.
    public init(seed: String) throws(NATSError) {
        guard let bytes = Self.base32Decode(seed), bytes.count == 36 else {
            throw NATSError(.invalidArgument, "nkey seed is not 36 bytes of base32")
        }
        let body = Array(bytes[0..<34])
        let checksum = UInt16(bytes[34]) | UInt16(bytes[35]) << 8
        guard Self.crc16(body) == checksum else { throw NATSError(.invalidArgument, "nkey seed checksum mismatch") }
        guard bytes[0] & 0xF8 == Self.seedPrefix else { throw NATSError(.invalidArgument, "not an nkey seed (must start with 'S')") }
        let kind = (bytes[0] & 0x07) << 5 | (bytes[1] & 0xF8) >> 3
        rawSeed = Array(bytes[2..<34])
        let pub = try Self.publicKey(ofSeed: rawSeed)
        var encoded = [kind] + pub
        let crc = Self.crc16(encoded)
        encoded += [UInt8(crc & 0xFF), UInt8(crc >> 8)]
        publicKey = Self.base32Encode(encoded)
    }

    /// Signs `message` (the server nonce), base64url without padding as `CONNECT sig` wants.
    public func sign(_ message: [UInt8]) throws(NATSError) -> String {
        do {
            return Self.base64URL(try Ed25519PrivateKey(seed: rawSeed).sign(message))
        } catch {
            throw NATSError(.invalidArgument, "nkey: \(error)")
        }
    }

    private static func publicKey(ofSeed seed: [UInt8]) throws(NATSError) -> [UInt8] {
        do {
            return try Ed25519PrivateKey(seed: seed).publicKey
        } catch {
            throw NATSError(.invalidArgument, "nkey: \(error)")
        }
    }

    /// Encodes a 32-byte Ed25519 seed as an nkey seed text (`SU…` for users, kind `20 << 3`).
    public static func encodeSeed(_ raw: [UInt8], kind: UInt8 = 20 << 3) -> String {
        var bytes = [seedPrefix | kind >> 5, (kind & 31) << 3] + raw
        let crc = crc16(bytes)
        bytes += [UInt8(crc & 0xFF), UInt8(crc >> 8)]
        return base32Encode(bytes)
    }

    /// CRC-16/XMODEM (poly 0x1021, init 0), as the nkeys library computes it.
    static func crc16(_ bytes: [UInt8]) -> UInt16 {
        var crc: UInt16 = 0
        for b in bytes {
            crc ^= UInt16(b) << 8
            for _ in 0..<8 { crc = crc & 0x8000 != 0 ? (crc << 1) ^ 0x1021 : crc << 1 }
        }
        return crc
    }

    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".utf8)

    static func base32Encode(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        var buffer = 0, bits = 0
        for b in bytes {
            buffer = buffer << 8 | Int(b)
            bits += 8
            while bits >= 5 {
                out.append(alphabet[(buffer >> (bits - 5)) & 31])
                bits -= 5
            }
        }
        if bits > 0 { out.append(alphabet[(buffer << (5 - bits)) & 31]) }
        return String(decoding: out, as: UTF8.self)
    }

    static func base32Decode(_ text: String) -> [UInt8]? {
        var out: [UInt8] = []
        var buffer = 0, bits = 0
        for c in text.utf8 {
            guard let v = alphabet.firstIndex(of: c) else { return nil }
            buffer = (buffer << 5 | v) & 0xFFFF
            bits += 5
            if bits >= 8 {
                out.append(UInt8((buffer >> (bits - 8)) & 0xFF))
                bits -= 8
            }
        }
        return out
    }

    static func base64URL(_ bytes: [UInt8]) -> String {
        let table = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)
        var out: [UInt8] = []
        var i = 0
        while i + 3 <= bytes.count {
            let v = Int(bytes[i]) << 16 | Int(bytes[i + 1]) << 8 | Int(bytes[i + 2])
            out += [table[v >> 18 & 63], table[v >> 12 & 63], table[v >> 6 & 63], table[v & 63]]
            i += 3
        }
        if bytes.count - i == 1 {
            let v = Int(bytes[i]) << 16
            out += [table[v >> 18 & 63], table[v >> 12 & 63]]
        } else if bytes.count - i == 2 {
            let v = Int(bytes[i]) << 16 | Int(bytes[i + 1]) << 8
            out += [table[v >> 18 & 63], table[v >> 12 & 63], table[v >> 6 & 63]]
        }
        return String(decoding: out, as: UTF8.self)
    }
}
