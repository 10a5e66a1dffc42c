import MarketModel
import Testing
@testable import VenueKit

// `consumeRepeat(ofBytesAt:count:)`: the bytes at the cursor against an earlier stretch of the
// same buffer, word by word (the last word overlapping), at every length and changed byte.

/// Runs `body` on a scanner over exactly `bytes`.
fileprivate func scanning(_ bytes: [UInt8], _ body: (inout JSONScanner) -> Void) {
    bytes.withUnsafeBytes { raw in
        var s = JSONScanner(raw)
        body(&s)
    }
}

@Suite("JSONScanner.consumeRepeat")
struct ConsumeRepeatTests {
    @Test("every run length 1...40: the same bytes are consumed, a difference at any byte or a short buffer is refused")
    func repeats() {
        for n in 1 ... 40 {
            let original = (0 ..< n).map { UInt8(0x41 + ($0 * 7) % 26) }
            for position in -1 ..< n {
                var copy = original
                if position >= 0 { copy[position] = copy[position] == 0x5A ? 0x41 : copy[position] + 1 }
                // The candidate mid-buffer, as the buffer's last bytes, and cut one byte short.
                for (tail, cut) in [(Array(",xyz".utf8), 0), ([], 0), ([], 1)] {
                    let text = Array((original + [UInt8(ascii: ",")] + copy + tail).dropLast(cut))
                    scanning(text) { s in
                        s.cursor = n + 1
                        let same = s.consumeRepeat(ofBytesAt: 0, count: n)
                        // Runs under a word are left to the literal and string readers.
                        let expected = n >= 8 && position < 0 && cut == 0
                        #expect(same == expected, "length \(n), changed byte \(position), tail \(tail.count), cut \(cut)")
                        #expect(s.position == (same ? 2 * n + 1 : n + 1))
                    }
                }
            }
        }
    }
}
