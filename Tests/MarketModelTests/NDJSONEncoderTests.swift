import Testing
@testable import MarketModel

@Suite("NDJSONEncoder")
struct NDJSONEncoderTests {
    let btc = Symbol(unchecked: "BTC-USDT", kind: .spot)
    func d(_ s: String) -> FixedDecimal { FixedDecimal(s) ?? .zero }

    @Test("trade line matches SPEC §5 key order")
    func trade() {
        let t = Trade(venue: .binance, symbol: btc, price: d("50000.1"), size: d("0.002"), side: .buy, tradeID: "123",
                      tsExchange: 1_700_000_000_000_000_000, tsRecv: 1_700_000_000_000_123_456)
        let line = NDJSONEncoder().line(for: .trade(t), seq: 17)
        #expect(line == #"{"type":"trade","venue":"binance","symbol":"BTC-USDT","price":"50000.1","size":"0.002","side":"buy","trade_id":"123","ts_exchange":1700000000000000000,"ts_recv":1700000000000123456,"seq":17}"# + "\n")
        let fixture = NDJSONEncoder(includesReceiveTime: false).line(for: .trade(t))
        #expect(fixture == #"{"type":"trade","venue":"binance","symbol":"BTC-USDT","price":"50000.1","size":"0.002","side":"buy","trade_id":"123","ts_exchange":1700000000000000000}"# + "\n")
    }

    @Test("book, bbo, status and order lines")
    func others() {
        let enc = NDJSONEncoder()
        let book = BookUpdate(venue: .binance, symbol: btc, isSnapshot: true, bids: [BookLevel(price: d("50000.1"), size: d("1.5"))],
                              asks: [BookLevel(price: d("50000.2"), size: d("0.3"))], tsExchange: 1, tsRecv: 2)
        #expect(enc.line(for: .book(book), seq: 18) == #"{"type":"book","venue":"binance","symbol":"BTC-USDT","snapshot":true,"bids":[["50000.1","1.5"]],"asks":[["50000.2","0.3"]],"ts_exchange":1,"ts_recv":2,"seq":18}"# + "\n")
        let empty = BookUpdate(venue: .okx, symbol: btc, isSnapshot: false, bids: [], asks: [], tsExchange: nil, tsRecv: 2)
        #expect(enc.line(for: .book(empty)) == #"{"type":"book","venue":"okx","symbol":"BTC-USDT","snapshot":false,"bids":[],"asks":[],"ts_recv":2}"# + "\n")
        let bbo = BBO(venue: .kraken, symbol: btc, bidPrice: d("1"), bidSize: d("2"), askPrice: d("3"), askSize: d("4"), tsExchange: 5, tsRecv: 6)
        #expect(enc.line(for: .bbo(bbo), seq: 19) == #"{"type":"bbo","venue":"kraken","symbol":"BTC-USDT","bid":"1","bid_size":"2","ask":"3","ask_size":"4","ts_exchange":5,"ts_recv":6,"seq":19}"# + "\n")
        let status = StatusEvent(venue: .okx, symbol: btc, channel: .book, state: .resyncing, reason: "gap: expected 5 got 7")
        #expect(enc.line(for: .status(status), seq: 20) == #"{"type":"status","venue":"okx","symbol":"BTC-USDT","channel":"book","state":"resyncing","reason":"gap: expected 5 got 7","seq":20}"# + "\n")
        let order = OrderUpdate(clientOrderID: "c-1", venue: .binance, symbol: btc, state: .partiallyFilled, venueOrderID: "99",
                                filledSize: d("0.5"), averagePrice: d("50000.10"), reason: "", tsRecv: 7)
        #expect(enc.line(for: .order(order), seq: 21) == #"{"type":"order","client_order_id":"c-1","venue":"binance","symbol":"BTC-USDT","state":"partially_filled","venue_order_id":"99","filled_size":"0.5","avg_price":"50000.10","reason":"","ts_recv":7,"seq":21}"# + "\n")
    }

    @Test("escapes JSON strings")
    func escaping() {
        var b: [UInt8] = []
        NDJSONEncoder().encodeError(id: "1", code: "bad", message: "quote \" backslash \\ nl \n tab \t ctl \u{01} é", into: &b)
        #expect(String(decoding: b, as: UTF8.self) == #"{"type":"error","id":"1","code":"bad","message":"quote \" backslash \\ nl \n tab \t ctl \u0001 é"}"# + "\n")
        b.removeAll(keepingCapacity: true)
        NDJSONEncoder().encodeAck(id: "7", into: &b)
        #expect(String(decoding: b, as: UTF8.self) == #"{"type":"ack","id":"7"}"# + "\n")
    }

    @Test("appends into a reused buffer")
    func reuse() {
        var b: [UInt8] = []
        b.reserveCapacity(1024)
        let t = Trade(venue: .okx, symbol: btc, price: d("1"), size: d("2"), side: nil, tradeID: "x", tsExchange: nil, tsRecv: 3)
        let enc = NDJSONEncoder()
        enc.encode(t, into: &b)
        enc.encode(t, into: &b)
        let text = String(decoding: b, as: UTF8.self)
        #expect(text.split(separator: "\n").count == 2)
        #expect(!text.contains("side"))
    }
}
