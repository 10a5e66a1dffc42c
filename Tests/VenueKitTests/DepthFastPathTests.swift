import CCRC32
import MarketModel
import Testing
@testable import VenueKit

// The depth path's fast paths against independent general code: the carry-less-multiply CRC
// against the slicing-by-8 tables, the one-pass `ddd.ddd` decimal readers against
// `readNumber()` + `decimal()` / `FixedDecimal.parse`, the compact-form building blocks, and
// `readLevels` (batched through `LevelSink`) against the general level reader.

/// Runs `body` on a scanner over `text`'s UTF-8.
fileprivate func scanning<R>(_ text: String, _ body: (inout JSONScanner) throws -> R) rethrows -> R {
    let bytes = Array(text.utf8)
    return try bytes.withUnsafeBytes { raw in
        var s = JSONScanner(raw)
        return try body(&s)
    }
}

/// The exact value and where reading it ended, or the error kind.
fileprivate enum Read: Equatable {
    case value(mantissa: Int64, scale: UInt8, end: Int)
    case error(VenueParseError.Kind)
}

/// `readDecimal()` (with its fast paths) on `text`.
fileprivate func fast(_ text: String) -> Read {
    scanning(text) { s in
        do {
            let d = try s.readDecimal()
            return .value(mantissa: d.mantissa, scale: d.scale, end: s.position)
        } catch let error as VenueParseError {
            return .error(error.kind)
        } catch { return .error(.unexpectedMessage) }  // not thrown: the readers throw VenueParseError
    }
}

/// The general path: `readNumber()` then `decimal()` for numbers, the string's `decimal()` for strings.
fileprivate func general(_ text: String) -> Read {
    scanning(text) { s in
        do {
            let d: FixedDecimal
            if text.hasPrefix("\"") { d = try s.readString().decimal() } else { d = try s.readNumber().decimal() }
            return .value(mantissa: d.mantissa, scale: d.scale, end: s.position)
        } catch let error as VenueParseError {
            return .error(error.kind)
        } catch { return .error(.unexpectedMessage) }  // not thrown: the readers throw VenueParseError
    }
}

@Suite("Depth fast paths (VenueKit)")
struct DepthFastPathTests {
    /// x^n mod P (CRC-32's polynomial, normal form), bit-reflected and shifted left by one: the
    /// form of the folding constants.
    static func foldConstant(power n: Int) -> UInt64 {
        let p: UInt64 = 0x1_04C1_1DB7
        var r: UInt64 = 1
        for _ in 0 ..< n {
            r <<= 1
            if r & (1 << 32) != 0 { r ^= p }
        }
        var reflected: UInt64 = 0
        for bit in 0 ..< 32 where r & (1 << UInt64(bit)) != 0 { reflected |= 1 << UInt64(31 - bit) }
        return reflected << 1
    }

    @Test("folding constants are x^(D±32) mod P, reflected")
    func foldingConstants() {
        #expect(Self.foldConstant(power: 128 + 32) == MM_CRC32_FOLD1_LO)
        #expect(Self.foldConstant(power: 128 - 32) == MM_CRC32_FOLD1_HI)
        #expect(Self.foldConstant(power: 512 + 32) == MM_CRC32_FOLD4_LO)
        #expect(Self.foldConstant(power: 512 - 32) == MM_CRC32_FOLD4_HI)
    }

    @Test("CRC-32: folding equals the tables for every length 0...700, any start register and split")
    func crcFoldMatchesTables() {
        var rng = SplitMix64(seed: 0xC4C3_2F01)
        let data = (0 ..< 700).map { _ in UInt8.random(in: 0 ... 255, using: &rng) }
        data.withUnsafeBytes { raw in
            for length in 0 ... 700 {
                let bytes = UnsafeRawBufferPointer(rebasing: raw[0 ..< length])
                var reference = CRC32()
                reference.updateWithTables(bytes)
                #expect(CRC32.checksum(bytes) == reference.value, "length \(length)")
                // Fed in two parts: the second starts from a non-initial register.
                let split = length == 0 ? 0 : Int(rng.next() % UInt64(length))
                var crc = CRC32()
                crc.update(UnsafeRawBufferPointer(rebasing: raw[0 ..< split]))
                crc.update(UnsafeRawBufferPointer(rebasing: raw[split ..< length]))
                #expect(crc.value == reference.value, "length \(length) split \(split)")
            }
        }
        // The published check value through the folding path (≥ 64 bytes: "123456789" × 8).
        let text = String(repeating: "123456789", count: 8)
        var reference = CRC32()
        Array(text.utf8).withUnsafeBytes { reference.updateWithTables($0) }
        #expect(CRC32.checksum(text) == reference.value)
    }

    @Test("CRC-32: the C folding routine itself, when this CPU has it")
    func crcFoldDirect() {
        guard CRC32.canFold else { return }  // other CPUs use the tables only (tested above)
        var rng = SplitMix64(seed: 0xF01D)
        for blocks in [1, 2, 3, 4, 7, 8, 9, 12, 13, 64, 65] {
            let data = (0 ..< blocks * 16).map { _ in UInt8.random(in: 0 ... 255, using: &rng) }
            let register = UInt32(truncatingIfNeeded: rng.next())
            var out = [UInt8](repeating: 0, count: 16)
            data.withUnsafeBufferPointer { d in
                out.withUnsafeMutableBufferPointer { o in mm_crc32_fold(register, d.baseAddress!, blocks, o.baseAddress!) }
            }
            // Feeding the 16 folded bytes from a zero register ends where the data ends.
            var viaFold = CRC32(), direct = CRC32()
            viaFold.setRegisterForTesting(0)
            out.withUnsafeBytes { viaFold.updateWithTables($0) }
            direct.setRegisterForTesting(register)
            data.withUnsafeBytes { direct.updateWithTables($0) }
            #expect(viaFold.value == direct.value, "\(blocks) blocks")
        }
    }

    /// Number texts around the one-pass reader's limits: integer runs 0...9 and fraction runs
    /// 0...10 digits (its limits are 7 and 8), leading zeros, signs, trailing garbage.
    static func numberBodies() -> [String] {
        var bodies: [String] = []
        var rng = SplitMix64(seed: 0xDEC1_3A15)
        func digits(_ n: Int) -> String { String((0 ..< n).map { _ in Character(String(rng.next() % 10)) }) }
        for intCount in 0 ... 9 {
            for fractionCount in 0 ... 10 {
                for _ in 0 ..< 3 {
                    let int = digits(intCount)
                    let fraction = digits(fractionCount)
                    bodies.append(fractionCount == 0 ? int : "\(int).\(fraction)")
                    bodies.append("-\(int).\(fraction)")
                    bodies.append("0\(int).\(fraction)")
                    bodies.append("\(int).")
                }
            }
        }
        bodies += ["0.5", "0.0", "-0.0", "1.00000000", "1234567.12345678", "12345678.1", "1234567.123456789",
                   "1.5e3", "1.5E-3", "1..5", ".5", "-", "1.5.5", "99999999999999999.9", "0.10000000"]
        return bodies
    }

    @Test("readDecimal equals the general reader for plain and quoted numbers, mid-buffer and at its end")
    func decimalsMatchGeneral() {
        var checked = 0
        for body in Self.numberBodies() {
            // What follows decides the fast path's room (≥ 17 bytes) and its delimiter check.
            for tail in ["", ",", "]", "}", " ", "x", ",\"pad\":\"0123456789abcdef\"}", "x123456789abcdefgh", "5", ".5"] {
                for quoted in [false, true] {
                    let text = quoted ? "\"\(body)\"\(tail)" : body + tail
                    let expected = general(text)
                    let actual = fast(text)
                    // The fast reader may only be stricter where the general one reports the
                    // trailing bytes later (a plain number's delimiter): both must reject.
                    if case .error = expected {
                        guard case .error = actual else {
                            Issue.record("accepted \(text) → \(actual), general: \(expected)")
                            continue
                        }
                    } else {
                        #expect(actual == expected, "\(text)")
                    }
                    checked += 1
                }
            }
        }
        #expect(checked > 5000)
    }

    @Test("compact building blocks: consume, skipCompactString, attempt")
    func compactBlocks() {
        scanning(#"{"price":12.5,"qty":3}"#) { s in
            let wrongKey = s.consume(#"{"prices""#)
            #expect(!wrongKey)
            #expect(s.position == 0)
            let priceKey = s.consume(#"{"price":"#)
            #expect(priceKey)
            let price = s.readCompactDecimal()
            #expect(price == FixedDecimal(mantissa: 125, scale: 1))
            let qtyKey = s.consume(#","qty":"#)
            #expect(qtyKey)
            // Fewer than 8 bytes left: compared byte by byte; a mismatch or running past the
            // end consumes nothing.
            let wrongNearEnd = s.consume("4}")
            #expect(!wrongNearEnd)
            let pastEnd = s.consume("3}}")
            #expect(!pastEnd)
            #expect(s.position == 20)
            let nearEnd = s.consume("3}")
            #expect(nearEnd)
            #expect(s.position == 22)
        }
        scanning(#""2026-04-07T14:30:00.123456Z","x""#) { s in
            let skipped = s.skipCompactString()
            #expect(skipped)
            #expect(s.position == 29)
        }
        for text in [#""2026-04-07T14:30:00\u0031Z",""#, "\"2026-04-07T14:30:00.12é\",\"\"", "\"2026-04-07\t14:30:00.1\",\"\"", #""short""#] {
            scanning(text) { s in
                let skipped = s.skipCompactString()
                #expect(!skipped, "\(text)")
                #expect(s.position == 0)
            }
        }
        // consumeString(sameAs:): only the same raw bytes, closed by a quote.
        let text = #""2026-04-07T14:30:00.1Z","2026-04-07T14:30:00.1Z","2026-04-07T14:30:00.2Z","2026-04-07T14:30:00.1Zx","2026-04-07T14:30:00.1Z""#
        scanning(text) { s in
            guard let first = s.readCompactString() else { Issue.record("not compact"); return }
            #expect(first.string == "2026-04-07T14:30:00.1Z")
            var next = s.consume(",")
            let same = s.consumeString(sameAs: first)
            #expect(next && same)
            #expect(s.position == 49)
            next = s.consume(",")
            let differs = s.consumeString(sameAs: first)
            #expect(next && !differs)
            #expect(s.position == 50)
            _ = s.readCompactString()
            next = s.consume(",")
            let longer = s.consumeString(sameAs: first)
            #expect(next && !longer)
            _ = s.readCompactString()
            next = s.consume(",")
            let last = s.consumeString(sameAs: first)  // at the very end of the buffer
            #expect(next && last)
            #expect(s.position == text.utf8.count)
        }
        scanning(#""a\nb","a\nb""#) { s in
            guard let escaped = try? s.readString() else { Issue.record("not a string"); return }
            _ = s.consume(",")
            let same = s.consumeString(sameAs: escaped)  // escapes: left to the general reader
            #expect(!same)
        }
        scanning(#"{"price":12.5,"qty":x}"#) { s in
            let level = s.attempt { s -> BookLevel? in
                guard s.consume(#"{"price":"#), let p = s.readCompactDecimal(), s.consume(#","qty":"#),
                      let q = s.readCompactDecimal() else { return nil }
                return BookLevel(price: p, size: q)
            }
            #expect(level == nil)
            #expect(s.position == 0)
            // The general reader still reports the error at the bad value.
            #expect(throws: VenueParseError.self) {
                var t = s
                try t.beginObject()
                while let _ = try t.nextKey() { _ = try t.readDecimal() }
            }
        }
    }

    @Test("consumeString(sameAs:): every length 1...40, a difference at any byte is refused, the same bytes accepted")
    func consumeSameString() {
        for n in 1 ... 40 {
            let original = String((0 ..< n).map { Character(UnicodeScalar(UInt8(0x41 + ($0 * 7) % 26))) })
            for position in -1 ..< n {
                var copy = Array(original.utf8)
                if position >= 0 { copy[position] = copy[position] == 0x5A ? 0x41 : copy[position] + 1 }
                let candidate = String(decoding: copy, as: UTF8.self)
                // The candidate first mid-buffer (a comma follows), then as the buffer's last bytes.
                for tail in [",\"x\"", ""] {
                    scanning("\"" + original + "\",\"" + candidate + "\"" + tail) { s in
                        guard let first = try? s.readString() else { Issue.record("not a string"); return }
                        _ = s.consume(",")
                        let before = s.position
                        let same = s.consumeString(sameAs: first)
                        #expect(same == (position < 0), "length \(n), changed byte \(position), tail '\(tail)'")
                        #expect(s.position == (same ? before + n + 2 : before))
                    }
                }
            }
        }
    }

    @Test("readLevels (batched) equals level-by-level general reading, 0...40 levels, all shapes", arguments: [0, 1, 15, 16, 17, 31, 32, 33, 40])
    func levelsMatchGeneral(_ count: Int) throws {
        var rng = SplitMix64(seed: 0x1E7E_1500 &+ UInt64(count))
        var elements: [String] = []
        for i in 0 ..< count {
            let price = "\(87000 + Int(rng.next() % 900)).\(rng.next() % 10)"
            let fraction = String(rng.next() % 100_000_000)
            let size = "\(rng.next() % 5)." + String(repeating: "0", count: 8 - fraction.count) + fraction
            switch i % 5 {
            case 0: elements.append("[\"\(price)\",\"\(size)\"]")                // Binance, Bybit
            case 1:  // OKX: order counts of 1…8 digits (the one-step tail takes 1…6), or a "1" entry
                let orders = String(rng.next() % [10, 100, 10_000, 1_000_000, 100_000_000][Int(rng.next() % 5)])
                elements.append("[\"\(price)\",\"\(size)\",\"\(rng.next() % 4 == 0 ? "1" : "0")\",\"\(orders)\"]")
            case 2: elements.append("[\(price),\(size)]")                        // numbers
            case 3: elements.append("[ \"\(price)\" , \"\(size)\" ]")            // whitespace
            default: elements.append("[\"\(price)\",\"\(size)\",\"0\",7]")       // a number entry
            }
        }
        let text = "[" + elements.joined(separator: ",") + "]"
        let batched = try scanning(text) { s throws -> [BookLevel] in
            var levels: [BookLevel] = [BookLevel(price: .zero, size: .zero)]  // kept: readLevels appends
            try s.readLevels(into: &levels)
            try s.finish()
            return Array(levels.dropFirst())
        }
        let reference = try scanning(text) { s throws -> [BookLevel] in
            var levels: [BookLevel] = []
            try s.beginArray()
            while try s.nextElement() { levels.append(try s.readLevelGeneral()) }
            return levels
        }
        #expect(batched.count == count)
        #expect(batched.map { "\($0.price)/\($0.size)" } == reference.map { "\($0.price)/\($0.size)" })
    }

    @Test("readLevels: malformed levels raise VenueParseError", arguments: [
        #"[["1.5","2.0"],["1.6"]]"#, #"[["1.5","2.0"],[01.6,"2"]]"#, #"[["1.5","2.0"],["1.6","2.0",]]"#,
        #"[["1.5","2.0"],["1.6","2.0"]"#, #"[["1.5","2.0"],[1.6.1,"2.0"]]"#, #"[["1.5","2.0"],["1.6","2.0","0\q"]]"#,
        #"[["1.5","2.0"],["1.","2.0"]]"#, #"[["1.5","2.0","0","13"],["1.6","2.0","0","13"]"#,
        #"[["1.5","2.0","0","13"]["1.6","2.0","0","13"]]"#, #"[["1.5","2.0","0","1\#u{01}"],["1.6","2.0","0","13"]]"#,
        #"[["1.5","2.0","0","13"],["1.6","2.0","0","13"}]"#,
    ])
    func malformedLevels(_ text: String) {
        #expect(throws: VenueParseError.self) {
            try scanning(text) { s throws in
                var levels: [BookLevel] = []
                try s.readLevels(into: &levels)
                try s.finish()
            }
        }
    }
}
