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
    }
}
