import Testing
@testable import WebSocketWire

@Suite("Masking, UTF-8, SHA-1")
struct PrimitivesTests {
    @Test("word-at-a-time masking equals the byte loop at every offset and length")
    func masking() {
        let key: [UInt8] = [0x37, 0xFA, 0x21, 0x3D]
        let keyWord = key.withUnsafeBytes { $0.loadUnaligned(as: UInt32.self) }
        for length in 0..<80 {
            for offset in 0..<4 {
                let original = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
                var fast = original
                let next = fast.withUnsafeMutableBytes { WebSocketMasking.apply(key: keyWord, to: $0, keyOffset: offset) }
                let slow = original.enumerated().map { $0.element ^ key[($0.offset + offset) % 4] }
                #expect(fast == slow)
                #expect(next == (offset + length) % 4)
            }
        }
    }

    @Test("UTF-8 validator agrees with the standard library on valid and invalid sequences")
    func utf8() {
        let samples: [[UInt8]] = [
            Array("plain ascii {\"p\":\"1.0\"}".utf8), Array("κόσμε".utf8), Array("𝄞 and €".utf8),
            [0xC0, 0x80], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xE0, 0x80, 0x80], [0xF0, 0x8F, 0xBF, 0xBF],
            [0xEF, 0xBF, 0xBF], [0xF4, 0x8F, 0xBF, 0xBF], [0x80], [0xC2], [0xFE], [0xFF],
            Array(repeating: 0x41, count: 40) + [0xC3, 0xA9] + Array(repeating: 0x42, count: 20),
            Array(repeating: 0x41, count: 33) + [0xFF],
        ]
        var generator = SplitMix(seed: 7)
        var random: [[UInt8]] = []
        for _ in 0..<2000 {
            let length = Int(generator.next() % 40)
            random.append((0..<length).map { _ in UInt8(truncatingIfNeeded: generator.next() % 3 == 0 ? generator.next() : 0x61) })
        }
        for sample in samples + random {
            let expected = String(validating: sample, as: UTF8.self) != nil
            #expect(sample.withUnsafeBytes { UTF8Validator.isValid($0) } == expected, "\(sample)")
            // Fed byte by byte, the streaming validator reaches the same verdict.
            var validator = UTF8Validator()
            var ok = true
            for byte in sample { ok = ok && [byte].withUnsafeBytes { validator.validate($0) } }
            #expect((ok && validator.isAtBoundary) == expected)
        }
    }

    @Test("SHA-1 matches FIPS 180 vectors")
    func sha1() {
        func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: $0) }.joined() }
        #expect(hex(SHA1.digest(Array("abc".utf8))) == "a9993e364706816aba3e25717850c26c9cd0d89d")
        #expect(hex(SHA1.digest([])) == "da39a3ee5e6b4b0d3255bfef95601890afd80709")
        #expect(hex(SHA1.digest(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8))) == "84983e441c3bd26ebaae4aa1f95129e5e54670f1")
    }

    struct SplitMix {
        var state: UInt64
        init(seed: UInt64) { state = seed }
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }
}

private func String(format byte: UInt8) -> String {
    let digits = Array("0123456789abcdef")
    return String([digits[Int(byte >> 4)], digits[Int(byte & 15)]])
}
