import Testing
import VenueKit

/// Ed25519 over OpenSSL against RFC 8032 §7.1's published vectors, PEM parsing, and refusals.
@Suite struct Ed25519Tests {
    static func bytes(_ hex: String) -> [UInt8] {
        var out: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            out.append(UInt8(hex[index..<next], radix: 16)!)
            index = next
        }
        return out
    }

    /// RFC 8032 §7.1 TEST 1 (empty message) and TEST 2 (one byte 0x72).
    static let vectors: [(seed: String, publicKey: String, message: String, signature: String)] = [
        ("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
         "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
         "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"),
        ("4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
         "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
         "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"),
    ]

    @Test("RFC 8032 vectors: public key, signature, verification", arguments: 0..<2)
    func rfc8032(index: Int) throws {
        let vector = Self.vectors[index]
        let key = try Ed25519PrivateKey(seed: Self.bytes(vector.seed))
        #expect(Hex.encode(key.publicKey) == vector.publicKey)
        let signature = try key.sign(Self.bytes(vector.message))
        #expect(Hex.encode(signature) == vector.signature)
        #expect(Ed25519PrivateKey.isValidSignature(signature, of: Self.bytes(vector.message), publicKey: key.publicKey))
        // One flipped bit in the message or the signature fails verification.
        #expect(!Ed25519PrivateKey.isValidSignature(signature, of: Self.bytes(vector.message) + [0], publicKey: key.publicKey))
        var tampered = signature
        tampered[10] ^= 1
        #expect(!Ed25519PrivateKey.isValidSignature(tampered, of: Self.bytes(vector.message), publicKey: key.publicKey))
    }

    @Test func aPKCS8PEMKeyGivesTheSameKeyAsItsSeed() throws {
        // TEST 2's seed in the PEM form `openssl genpkey -algorithm ed25519` writes.
        let pem = """
        -----BEGIN PRIVATE KEY-----
        MC4CAQAwBQYDK2VwBCIEIEzNCJso/5banbbDRuwRTg9bijGfNaumJNqM9u1PuKb7
        -----END PRIVATE KEY-----
        """
        #expect(Ed25519PrivateKey.isPEM(pem))
        let key = try Ed25519PrivateKey(pem: pem)
        #expect(Hex.encode(key.publicKey) == Self.vectors[1].publicKey)
        #expect(!key.description.contains("4ccd"), "the seed is never printed: \(key.description)")
    }

    @Test func otherKeysAreRefusedWithTheirType() {
        let ecKey = """
        -----BEGIN PRIVATE KEY-----
        MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgz8OeJZ+MPVJJE9yV
        RcsIBx/z+5zaXL2gTteaBXPIkiehRANCAASSC/NGWg/DtUz6Y8f7944W9UBBIGnS
        5+xddP0vL6EbwD21cBZlrnIG+ic+ulJckkRjAcryz+nIHNvwnseBQSjY
        -----END PRIVATE KEY-----
        """
        #expect(throws: Ed25519Error("the PEM key is EC, not Ed25519")) { try Ed25519PrivateKey(pem: ecKey) }
        #expect(throws: Ed25519Error.self) { try Ed25519PrivateKey(pem: "-----BEGIN PRIVATE KEY-----\nnot base64\n-----END PRIVATE KEY-----\n") }
        #expect(throws: Ed25519Error("an Ed25519 seed is 32 bytes, got 31")) { try Ed25519PrivateKey(seed: Array(repeating: 1, count: 31)) }
        #expect(!Ed25519PrivateKey.isPEM("mmx-test-secret"))
    }
}
