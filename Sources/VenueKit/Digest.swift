import COpenSSL

/// Plain message digests over the system OpenSSL (`EVP_Digest`), for signing schemes that hash
/// before they MAC (Kraken REST: `HMAC-SHA512(path + SHA256(nonce + postdata))`).
public enum Digest {
    /// The raw digest of `message` (32 bytes for SHA-256, 48 for SHA-384, 64 for SHA-512); empty
    /// if OpenSSL fails.
    public static func hash(_ algorithm: HMAC.Algorithm, _ message: [UInt8]) -> [UInt8] {
        let md: OpaquePointer?
        switch algorithm {
        case .sha256: md = EVP_sha256()
        case .sha384: md = EVP_sha384()
        case .sha512: md = EVP_sha512()
        }
        var out = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        let ok = message.withUnsafeBufferPointer { m in
            out.withUnsafeMutableBufferPointer { o in
                EVP_Digest(m.baseAddress, m.count, o.baseAddress, &length, md, nil)
            }
        }
        guard ok == 1 else { return [] }
        return Array(out.prefix(Int(length)))
    }

    /// SHA-256 of a UTF-8 string.
    public static func sha256(_ text: String) -> [UInt8] { hash(.sha256, Array(text.utf8)) }
}
