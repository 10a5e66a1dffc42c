import Testing
@testable import MarketModel

@Suite("TradeID")
struct TradeIDTests {
    @Test("one value whichever way it was read: number, text and bytes agree, and publish the venue's text")
    func oneForm() {
        for (number, text) in [(Int64(0), "0"), (7, "7"), (15_683_430, "15683430"), (999_999_999_999_999_999, "999999999999999999")] {
            let fromBytes = Array(text.utf8).withUnsafeBytes { TradeID(utf8: $0) }
            #expect(TradeID(number) == TradeID(text) && TradeID(text) == fromBytes, "\(text)")
            #expect(Set([TradeID(number), TradeID(text), fromBytes]).count == 1)
            #expect(TradeID(number).number == number && TradeID(number).description == text)
        }
    }

    @Test("ids that are not plain numbers stay text, exactly as sent")
    func text() {
        for text in ["", "007", "-5", "1000000000000000000", "ETH-123456", "6fb77fdb-0663-63fb-d873-a3180359e776", "12a", "1.5", " 1"] {
            let id = TradeID(text)
            #expect(id.number == nil && id.description == text, "\(text)")
            #expect(Array(text.utf8).withUnsafeBytes { TradeID(utf8: $0) } == id)
        }
        // Numbers that only text can spell keep one form too.
        #expect(TradeID(-5) == TradeID("-5") && TradeID(-5).number == nil)
        #expect(TradeID(Int64.max) == TradeID(String(Int64.max)) && TradeID(Int64.max).number == nil)
    }

    @Test("ids of up to 47 ASCII bytes are held inline, longer or non-ASCII ones as a String; both read back exactly")
    func inlineText() throws {
        let uuid = "6fb77fdb-0663-63fb-d873-a3180359e776"
        // Boundaries of the inline form: 0, 1, 7, 8, 9 (word edges), 36 (a UUID), 46, 47, then 48 (a String).
        for n in [0, 1, 7, 8, 9, 15, 16, 17, 36, 46, 47, 48, 49, 100] {
            let text = String((0 ..< n).map { i in Character(Unicode.Scalar(UInt8(ascii: "a") + UInt8(i % 26))) })
            let id = TradeID(text), fromBytes = Array(text.utf8).withUnsafeBytes { TradeID(utf8: $0) }
            #expect(id.description == text && fromBytes.description == text, "\(n)")
            #expect(id == fromBytes && id.hashValue == fromBytes.hashValue, "\(n)")
            let isInline: Bool
            if case .inline = id.storage { isInline = true } else { isInline = false }
            #expect(isInline == (n <= TradeID.InlineText.capacity), "\(n) bytes")
            // One byte more or different is another id, in either form.
            #expect(id != TradeID(text + "a") && id != TradeID("b" + text.dropFirst()), "\(n)")
        }
        #expect(TradeID(uuid).description == uuid && TradeID(uuid) == TradeID(stringLiteral: uuid))
        // The count is part of the value: a trailing NUL is not padding.
        #expect(TradeID("ab") != TradeID("ab\u{0}") && TradeID("ab\u{0}").description == "ab\u{0}")
        // Non-ASCII text stays a String (still exact), also when short; invalid UTF-8 from bytes is repaired as before.
        for text in ["é", "trade-é-1", String(repeating: "é", count: 30)] {
            let id = TradeID(text)
            if case .text = id.storage {} else { Issue.record("\(text) should be a String") }
            #expect(id.description == text && Array(text.utf8).withUnsafeBytes { TradeID(utf8: $0) } == id)
        }
        #expect([UInt8(0x61), 0xFF].withUnsafeBytes { TradeID(utf8: $0) }.description == "a\u{FFFD}")
        // Negative and 19-digit numbers are text, and the same inline text whichever way they came.
        #expect(TradeID(-5) == TradeID("-5") && TradeID(Int64.max).hashValue == TradeID(String(Int64.max)).hashValue)
        // Sets and dictionaries see one id per text across all forms.
        let ids: [TradeID] = [TradeID(12), "12", TradeID(utf8: UnsafeRawBufferPointer(start: nil, count: 0)), "", TradeID(uuid), TradeID(uuid.uppercased())]
        #expect(Set(ids).count == 4)
    }

    @Test("inline text from bytes inside a larger buffer, at every length 0…48 and with a non-ASCII byte at every position")
    func inlineFromEveryLength() {
        // The id's bytes sit between bytes that are not part of it (`z` before, 0xFF after): the
        // inline words must hold exactly the id's bytes, zero past its end, whichever length.
        for n in 0 ... 48 {
            let text = String((0 ..< n).map { i in Character(Unicode.Scalar(UInt8(ascii: "0") + UInt8((i * 7) % 43))) })
            let framed = [UInt8](repeating: UInt8(ascii: "z"), count: 5) + Array(text.utf8) + [UInt8](repeating: 0xFF, count: 9)
            let fromBytes = framed.withUnsafeBytes { TradeID(utf8: UnsafeRawBufferPointer(rebasing: $0[5 ..< 5 + n])) }
            #expect(fromBytes == TradeID(text) && fromBytes.hashValue == TradeID(text).hashValue && fromBytes.description == text, "\(n)")
            for position in 0 ..< n {
                var bytes = framed
                bytes[5 + position] = 0xC3  // a UTF-8 lead byte: not ASCII, so never inline
                let id = bytes.withUnsafeBytes { TradeID(utf8: UnsafeRawBufferPointer(rebasing: $0[5 ..< 5 + n])) }
                if case .inline = id.storage { Issue.record("\(n) bytes, non-ASCII at \(position): held inline") }
                #expect(id != fromBytes, "\(n) bytes, non-ASCII at \(position)")
            }
        }
    }

    @Test("the encoder publishes either form as the same JSON string")
    func encoded() throws {
        func line(_ id: TradeID) throws -> String {
            let trade = Trade(venue: .binance, symbol: try Symbol("BTC-USDT"), price: FixedDecimal(mantissa: 1, scale: 0),
                              size: FixedDecimal(mantissa: 1, scale: 0), side: .buy, tradeID: id, tsExchange: nil, tsRecv: 1)
            return NDJSONEncoder().line(for: .trade(trade))
        }
        #expect(try line(TradeID(15_683_430)) == line(TradeID("15683430")))
        #expect(try line(TradeID(15_683_430)).contains(#""trade_id":"15683430""#))
        #expect(try line(TradeID("a\"b")).contains(#""trade_id":"a\"b""#))
        let uuid = "00000000-006d-1000-0000-6fb77fdb0663"
        #expect(try line(TradeID(uuid)).contains("\"trade_id\":\"\(uuid)\""))
        // Inline text that needs escaping, and the longest inline and the shortest String text.
        #expect(try line(TradeID("a\\b\n\u{1}")).contains(#""trade_id":"a\\b\n\u0001""#))
        for n in [1, 8, 16, 17, 47, 48] {
            let text = String(repeating: "x", count: n - 1) + "y"
            #expect(try line(TradeID(text)).contains("\"trade_id\":\"\(text)\","), "\(n)")
        }
    }
}
