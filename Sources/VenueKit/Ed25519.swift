import COpenSSL

/// Ed25519 signatures over the system OpenSSL (RFC 8032 via `EVP_PKEY_ED25519`), for venues that
/// accept asymmetric API keys (Binance WS API `session.logon`) and for NATS nkeys.
///
/// Only the 32-byte seed is kept (a value type, `Sendable`); an OpenSSL key is made per signature.
/// Signing happens once per login, never per order, so that cost does not matter.
public struct Ed25519PrivateKey: Sendable, CustomStringConvertible {
    /// The 32-byte private seed.
    private let seed: [UInt8]
    /// The 32-byte public key.
    public let publicKey: [UInt8]

    /// A key from its raw 32-byte seed.
    public init(seed: [UInt8]) throws(Ed25519Error) {
        guard seed.count == 32 else { throw Ed25519Error("an Ed25519 seed is 32 bytes, got \(seed.count)") }
        self.seed = seed
        let key = try Self.makeKey(seed)
        defer { EVP_PKEY_free(key) }
        var out = [UInt8](repeating: 0, count: 32)
        var length = 32
        guard EVP_PKEY_get_raw_public_key(key, &out, &length) == 1, length == 32 else {
            throw Ed25519Error("OpenSSL could not derive the Ed25519 public key")
        }
        publicKey = out
    }

    /// A key from PEM text (`-----BEGIN PRIVATE KEY-----`, PKCS #8), as Binance's key generator
    /// and `openssl genpkey -algorithm ed25519` write it. Another key type (RSA, EC) is an error
    /// naming the type, never a silent fallback.
    public init(pem: String) throws(Ed25519Error) {
        var text = Array(pem.utf8)
        let parsed: OpaquePointer? = text.withUnsafeMutableBytes { raw -> OpaquePointer? in
            guard let bio = BIO_new_mem_buf(raw.baseAddress, Int32(raw.count)) else { return nil }
            defer { BIO_free(bio) }
            return PEM_read_bio_PrivateKey(bio, nil, nil, nil)
        }
        guard let key = parsed else { throw Ed25519Error("the key is not a PEM private key (expected -----BEGIN PRIVATE KEY-----)") }
        defer { EVP_PKEY_free(key) }
        let type = EVP_PKEY_get_id(key)
        guard type == EVP_PKEY_ED25519 else {
            let name = type == EVP_PKEY_RSA ? "RSA" : type == EVP_PKEY_EC ? "EC" : "type \(type)"
            throw Ed25519Error("the PEM key is \(name), not Ed25519")
        }
        var raw = [UInt8](repeating: 0, count: 32)
        var length = 32
        guard EVP_PKEY_get_raw_private_key(key, &raw, &length) == 1, length == 32 else {
            throw Ed25519Error("OpenSSL could not read the Ed25519 seed from the PEM key")
        }
        try self.init(seed: raw)
    }

    /// Whether `text` looks like a PEM private key (the caller then uses ``init(pem:)``).
    public static func isPEM(_ text: String) -> Bool {
        text.utf8.starts(with: "-----BEGIN ".utf8)
    }

    /// The 64-byte signature of `message`.
    public func sign(_ message: [UInt8]) throws(Ed25519Error) -> [UInt8] {
        let key = try Self.makeKey(seed)
        defer { EVP_PKEY_free(key) }
        guard let context = EVP_MD_CTX_new() else { throw Ed25519Error("EVP_MD_CTX_new failed") }
        defer { EVP_MD_CTX_free(context) }
        var signature = [UInt8](repeating: 0, count: 64)
        var length = 64
        // Ed25519 hashes internally: no digest is given (RFC 8032 "PureEdDSA").
        guard EVP_DigestSignInit(context, nil, nil, nil, key) == 1,
              message.withUnsafeBufferPointer({ m in
                  signature.withUnsafeMutableBufferPointer { s in EVP_DigestSign(context, s.baseAddress, &length, m.baseAddress, m.count) }
              }) == 1, length == 64 else {
            throw Ed25519Error("Ed25519 signing failed")
        }
        return signature
    }

    /// Whether `signature` is `publicKey`'s valid signature of `message` (the simulated venue's check).
    public static func isValidSignature(_ signature: [UInt8], of message: [UInt8], publicKey: [UInt8]) -> Bool {
        guard signature.count == 64, publicKey.count == 32,
              let key = publicKey.withUnsafeBufferPointer({ EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nil, $0.baseAddress, 32) }) else {
            return false
        }
        defer { EVP_PKEY_free(key) }
        guard let context = EVP_MD_CTX_new() else { return false }
        defer { EVP_MD_CTX_free(context) }
        guard EVP_DigestVerifyInit(context, nil, nil, nil, key) == 1 else { return false }
        return signature.withUnsafeBufferPointer { s in
            message.withUnsafeBufferPointer { m in EVP_DigestVerify(context, s.baseAddress, 64, m.baseAddress, m.count) }
        } == 1
    }

    /// Redacted: only the public key is shown.
    public var description: String { "Ed25519PrivateKey(public: \(Hex.encode(publicKey)), seed: <redacted>)" }

    private static func makeKey(_ seed: [UInt8]) throws(Ed25519Error) -> OpaquePointer {
        guard let key = seed.withUnsafeBufferPointer({ EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nil, $0.baseAddress, 32) }) else {
            throw Ed25519Error("OpenSSL refused the Ed25519 seed")
        }
        return key
    }
}

/// Why an Ed25519 key could not be read or used.
public struct Ed25519Error: Error, Sendable, Hashable, CustomStringConvertible {
    /// What was wrong.
    public var message: String

    /// Creates an error.
    public init(_ message: String) { self.message = message }

    /// The message.
    public var description: String { message }
}
