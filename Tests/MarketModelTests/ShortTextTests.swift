import Testing
@testable import MarketModel

/// `writeShortText(to:)` must write exactly the bytes of `writeText(to:)` — its own shape
/// (0 ≤ mantissa < 10^8, 1…8 fraction digits) and everything it hands over.
@Suite("FixedDecimal short text")
struct ShortTextTests {
    /// The text `render` writes into a 64-byte buffer.
    static func text(_ render: (UnsafeMutableRawPointer) -> Int) -> [UInt8] {
        var buffer = [UInt8](repeating: 0xEE, count: 64)
        return buffer.withUnsafeMutableBytes { raw in
            let n = render(raw.baseAddress.unsafelyUnwrapped)
            return Array(raw[0 ..< n])
        }
    }

    @Test("equals writeText for every scale 0…18 around each digit-count boundary, random mantissas and negatives")
    func equalsWriteText() {
        var mantissas: [Int64] = [0, 1, 9, 10, 99_999_999, 100_000_000, 100_000_001, Int64.max, -1, -99_999_999, -100_000_000]
        var power: Int64 = 1
        for _ in 0 ..< 18 {
            mantissas += [power - 1, power, power + 1, 2 * power, 9 * power + (power - 1)]
            power *= 10
        }
        var rng = SplitMix64(seed: 0x5157_7E77)
        for _ in 0 ..< 20_000 { mantissas.append(Int64(rng.next() % 100_000_000)) }
        for _ in 0 ..< 2_000 { mantissas.append(Int64(bitPattern: rng.next()) / Int64(1 + rng.next() % 1_000_000)) }
        var checked = 0
        for m in mantissas where m != Int64.min {
            for scale in 0 ... 18 {
                let x = FixedDecimal(mantissa: m, scale: UInt8(scale))
                let short = Self.text { x.writeShortText(to: $0) }
                #expect(short == Self.text { x.writeText(to: $0) }, "\(m) scale \(scale)")
                checked += 1
            }
        }
        #expect(checked > 400_000)
    }

    @Test("examples: sizes as OKX sends them")
    func examples() {
        for (m, s, text) in [(123, 4, "0.0123"), (0, 3, "0.000"), (100_000_000 - 1, 8, "0.99999999"), (415, 0, "415"),
                             (87_412_4, 1, "87412.4"), (5, 8, "0.00000005"), (12_345_678, 7, "1.2345678"), (1, 1, "0.1")] {
            let x = FixedDecimal(mantissa: Int64(m), scale: UInt8(s))
            #expect(String(decoding: Self.text { x.writeShortText(to: $0) }, as: UTF8.self) == text)
        }
    }
}
