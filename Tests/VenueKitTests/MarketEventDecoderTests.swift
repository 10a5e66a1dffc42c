import Testing
import MarketModel
@testable import VenueKit

@Suite("MarketEventDecoder")
struct MarketEventDecoderTests {
    let btc = Symbol(unchecked: "BTC-USDT", kind: .spot)

    @Test("round-trips every event type through the encoder")
    func roundTrip() throws {
        func d(_ s: String) -> FixedDecimal { FixedDecimal(s) ?? .zero }
        let events: [MarketEvent] = [
            .trade(Trade(venue: .binance, symbol: btc, price: d("50000.10"), size: d("0.002"), side: .sell, tradeID: "123", tsExchange: 5, tsRecv: 6)),
            .book(BookUpdate(venue: .okx, symbol: btc, isSnapshot: true, bids: [BookLevel(price: d("1"), size: d("2"))],
                             asks: [BookLevel(price: d("3"), size: d("0"))], tsExchange: nil, tsRecv: 7)),
            .bbo(BBO(venue: .kraken, symbol: btc, bidPrice: d("1"), bidSize: d("2"), askPrice: nil, askSize: nil, tsExchange: 1, tsRecv: 2)),
            .ticker(Ticker(venue: .bybit, symbol: btc, last: d("9"), volume24h: d("100.5"), tsExchange: nil, tsRecv: 3)),
            .funding(Funding(venue: .bybit, symbol: btc, rate: d("0.0001"), nextFundingTime: 1_700_000_000_000_000_000, tsExchange: nil, tsRecv: 4)),
            .liquidation(Liquidation(venue: .bitmex, symbol: btc, side: .buy, price: d("1"), size: d("2"), tsExchange: 3, tsRecv: 4)),
            .status(StatusEvent(venue: .okx, symbol: btc, channel: .book, state: .resyncing, reason: "gap: expected 1 got 3")),
            .status(StatusEvent(venue: .okx, state: .disconnected, reason: "")),
            .order(OrderUpdate(clientOrderID: "c-1", venue: .binance, symbol: btc, state: .filled, venueOrderID: "9",
                               filledSize: d("1"), averagePrice: d("2"), reason: nil, tsRecv: 8)),
        ]
        let encoder = NDJSONEncoder()
        for event in events {
            let line = encoder.line(for: event, seq: 42)
            #expect(try MarketEventDecoder.decode(line) == event, "\(line)")
        }
    }

    @Test("tolerates key order, fixture form and numeric decimal differences")
    func tolerant() throws {
        let a = try MarketEventDecoder.decode(#"{"symbol":"BTC-USDT","venue":"binance","type":"trade","size":"0.0020","price":"50000.1","side":"buy","trade_id":"1","extra":{"x":[1]}}"#)
        let b = try MarketEventDecoder.decode(#"{"type":"trade","venue":"binance","symbol":"BTC-USDT","price":"50000.10","size":"0.002","side":"buy","trade_id":"1"}"#)
        #expect(a == b)
    }

    @Test("rejects bad lines with a reason", arguments: [
        #"{"type":"nope","venue":"x"}"#, #"{"venue":"x"}"#, #"{"type":"trade","venue":"binance","symbol":"btcusdt","price":"1","size":"1"}"#,
        #"{"type":"trade","venue":"binance","symbol":"BTC-USDT","price":"x","size":"1"}"#, "{", "",
    ])
    func rejects(line: String) {
        #expect(throws: VenueParseError.self) { try MarketEventDecoder.decode(line) }
    }
}
