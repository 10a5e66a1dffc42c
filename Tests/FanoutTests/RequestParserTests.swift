@testable import Fanout
import MarketModel
import Testing

@Suite("Request parsing and validation (SPEC §5)")
struct RequestParserTests {
    static func parse(_ line: String, orders: Bool = false) -> Result<ClientRequest, RequestError> {
        Result { () throws(RequestError) -> ClientRequest in
            try RequestParser.parse(line, catalog: Fixtures.catalog, isOrderEntryEnabled: orders)
        }
    }

    @Test("subscribe, unsubscribe and status")
    func validRequests() throws {
        let filter = SubscriptionFilter(venue: "binance", channel: "book", symbol: "BTC-USDT")
        #expect(try Self.parse(#"{"op":"subscribe","id":"1","venue":"binance","channel":"book","symbol":"BTC-USDT"}"#).get()
            == .subscribe(id: "1", filter: filter))
        #expect(try Self.parse(#" {"symbol":"BTC-USDT","channel":"book","venue":"binance","id":"2","op":"unsubscribe","extra":[1,{"a":null}]} "#).get()
            == .unsubscribe(id: "2", filter: filter))
        #expect(try Self.parse(#"{"op":"status","id":"5"}"#).get() == .status(id: "5"))
        #expect(try Self.parse(#"{"op":"subscribe","id":"\u0031","venue":"*","channel":"*","symbol":"*"}"#).get()
            == .subscribe(id: "1", filter: .everything))
    }

    /// (name, line, code, id, a piece of the message)
    static let refusals: [(String, String, FanoutErrorCode, String?, String)] = [
        ("not JSON", "hello", .malformedJSON, nil, "column 1"),
        ("missing colon", #"{"op" "subscribe"}"#, .malformedJSON, nil, "column 7: expected ':'"),
        ("trailing comma", #"{"op":"status","id":"1",}"#, .malformedJSON, nil, "column 25"),
        ("unterminated string", #"{"op":"status","id":"1}"#, .malformedJSON, nil, "unterminated string"),
        ("two objects", #"{"op":"status","id":"1"}{}"#, .malformedJSON, nil, "column 25: unexpected data"),
        ("array", #"[{"op":"status"}]"#, .malformedJSON, nil, "must be a JSON object"),
        ("bad escape", #"{"op":"st\qatus","id":"1"}"#, .malformedJSON, nil, #"invalid escape '\q'"#),
        ("lone surrogate", #"{"op":"\udc00","id":"1"}"#, .malformedJSON, nil, "unpaired low surrogate"),
        ("number with leading dot", #"{"op":"status","id":.5}"#, .malformedJSON, nil, "column 21"),
        ("unknown op", #"{"op":"subscribe_all","id":"7"}"#, .unknownOp, "7", "unknown op 'subscribe_all'"),
        ("missing op", #"{"id":"8"}"#, .missingField, "8", #"missing field "op""#),
        ("missing id", #"{"op":"status"}"#, .missingField, nil, #"missing field "id""#),
        ("numeric id", #"{"op":"status","id":9}"#, .invalidField, nil, #""id" must be a string, not a number"#),
        ("missing symbol", #"{"op":"subscribe","id":"1","venue":"binance","channel":"book"}"#, .missingField, "1", #"missing field "symbol" (use "*" for all)"#),
        ("empty venue", #"{"op":"subscribe","id":"1","venue":"","channel":"book","symbol":"*"}"#, .invalidField, "1", "must not be empty"),
        ("unknown venue", Fixtures.subscribe("1", "binanse", "book", "BTC-USDT"), .unknownVenue, "1", "unknown venue 'binanse'; this instance serves binance, okx"),
        ("unknown long venue", Fixtures.subscribe("1", "a-venue-name-longer-than-fifteen", "book", "BTC-USDT"), .unknownVenue, "1",
         "unknown venue 'a-venue-name-longer-than-fifteen'; this instance serves binance, okx"),
        ("venue pattern matching nothing", Fixtures.subscribe("1", "kr*", "book", "*"), .unknownVenue, "1", "matches no venue"),
        ("unknown channel", Fixtures.subscribe("1", "binance", "trade", "*"), .unknownChannel, "1", "unknown channel 'trade'"),
        ("channel not served", Fixtures.subscribe("1", "okx", "bbo", "*"), .unknownChannel, "1", "not served for venue 'okx'; served: book, trades"),
        ("orders channel", Fixtures.subscribe("1", "*", "orders", "*"), .unknownChannel, "1", "order updates go to the connection"),
        ("unknown symbol", Fixtures.subscribe("1", "binance", "book", "BTC-EUR"), .unknownSymbol, "1", "unknown symbol 'BTC-EUR' for venue 'binance'; served: BTC-USDT, ETH-USDT"),
        ("symbol not normalized", Fixtures.subscribe("1", "binance", "book", "btcusdt"), .unknownSymbol, "1", "invalid symbol 'btcusdt'"),
        ("symbol pattern matching nothing", Fixtures.subscribe("1", "binance", "*", "*-PERP"), .unknownSymbol, "1", "matches no symbol"),
        ("order entry disabled", #"{"op":"order.place","id":"3","venue":"binance","symbol":"BTC-USDT","side":"buy","type":"limit","price":"1","size":"1"}"#,
         .unsupported, "3", "order entry is not enabled in this instance"),
        ("cancel disabled", #"{"op":"order.cancel","id":"4"}"#, .unsupported, "4", "order entry is not enabled in this instance"),
        ("cancel_all disabled", #"{"op":"order.cancel_all","id":"5","venue":"binance"}"#, .unsupported, "5", "order entry is not enabled in this instance"),
    ]

    @Test("refusals name the problem", arguments: refusals)
    func refusal(_ name: String, _ line: String, _ code: FanoutErrorCode, _ id: String?, _ message: String) {
        guard case .failure(let error) = Self.parse(line) else {
            Issue.record("\(name): accepted \(line)")
            return
        }
        #expect(error.code == code, "\(name)")
        #expect(error.id == id, "\(name)")
        #expect(error.message.contains(message), "\(name): \(error.message)")
    }

    @Test("order.place and order.cancel parse into OrderRequest when order entry is enabled")
    func orders() throws {
        let place = #"{"op":"order.place","id":"3","venue":"binance","symbol":"BTC-USDT","side":"buy","type":"limit","price":"50000.10","size":"0.001","tif":"gtc","client_order_id":"c-1"}"#
        let expected = OrderPlacement(requestID: "3", venue: "binance", symbol: Fixtures.btc, side: .buy, type: .limit,
                                      price: Fixtures.decimal("50000.10"), size: Fixtures.decimal("0.001"), timeInForce: .gtc, clientOrderID: "c-1")
        #expect(try Self.parse(place, orders: true).get() == .order(.place(expected)))
        let cancel = #"{"op":"order.cancel","id":"4","venue":"binance","symbol":"BTC-USDT","client_order_id":"c-1"}"#
        #expect(try Self.parse(cancel, orders: true).get()
            == .order(.cancel(OrderCancellation(requestID: "4", venue: "binance", symbol: Fixtures.btc, clientOrderID: "c-1"))))
    }

    @Test("order.cancel_all: venue required, symbol optional, all_clients optional")
    func cancelAll() throws {
        #expect(try Self.parse(#"{"op":"order.cancel_all","id":"5","venue":"binance"}"#, orders: true).get()
            == .order(.cancelAll(OrderCancelAll(requestID: "5", venue: "binance", symbol: nil, allClients: false))))
        #expect(try Self.parse(#"{"op":"order.cancel_all","id":"6","venue":"binance","symbol":"BTC-USDT","all_clients":true}"#, orders: true).get()
            == .order(.cancelAll(OrderCancelAll(requestID: "6", venue: "binance", symbol: Fixtures.btc, allClients: true))))
        let refusals: [(String, FanoutErrorCode, String)] = [
            (#"{"op":"order.cancel_all","id":"7"}"#, .missingField, #"missing field "venue""#),
            (#"{"op":"order.cancel_all","id":"7","venue":"bitstamp"}"#, .unknownVenue, "unknown venue 'bitstamp'"),
            (#"{"op":"order.cancel_all","id":"7","venue":"binance","symbol":"BTC-EUR"}"#, .unknownSymbol, "unknown symbol 'BTC-EUR' for venue 'binance'"),
            (#"{"op":"order.cancel_all","id":"7","venue":"binance","all_clients":"yes"}"#, .invalidField, #""all_clients" must be true or false"#),
        ]
        for (line, code, message) in refusals {
            guard case .failure(let error) = Self.parse(line, orders: true) else {
                Issue.record("accepted \(line)")
                continue
            }
            #expect(error.code == code && error.id == "7" && error.message.contains(message), "\(line): \(error)")
        }
    }

    @Test("order.options: cancel_on_disconnect must be a boolean")
    func orderOptions() throws {
        #expect(try Self.parse(#"{"op":"order.options","id":"8","cancel_on_disconnect":true}"#, orders: true).get()
            == .orderOptions(id: "8", cancelOnDisconnect: true))
        for (line, code, message) in [
            (#"{"op":"order.options","id":"8"}"#, FanoutErrorCode.missingField, #"missing field "cancel_on_disconnect""#),
            (#"{"op":"order.options","id":"8","cancel_on_disconnect":"yes"}"#, .invalidField, #""cancel_on_disconnect" must be true or false"#),
        ] {
            guard case .failure(let error) = Self.parse(line, orders: true) else {
                Issue.record("accepted \(line)")
                continue
            }
            #expect(error.code == code && error.id == "8" && error.message.contains(message), "\(line): \(error)")
        }
        guard case .failure(let disabled) = Self.parse(#"{"op":"order.options","id":"9","cancel_on_disconnect":true}"#) else {
            Issue.record("accepted without order entry")
            return
        }
        #expect(disabled.code == .unsupported)
    }

    @Test("order field errors", arguments: [
        (#""side":"up","type":"limit","price":"1","size":"1""#, FanoutErrorCode.invalidField, #""side" must be buy or sell"#),
        (#""side":"buy","type":"limit","size":"1""#, .missingField, #"missing field "price" (required for a limit order)"#),
        (#""side":"buy","type":"limit","price":50000.1,"size":"1""#, .invalidField, "must be a decimal string"),
        (#""side":"buy","type":"market","size":"-1""#, .invalidField, "must be a positive decimal"),
        (#""side":"buy","type":"market","size":"1","tif":"day""#, .invalidField, #""tif" must be gtc, ioc, fok or post_only"#),
    ])
    func orderFieldErrors(_ fields: String, _ code: FanoutErrorCode, _ message: String) {
        let line = #"{"op":"order.place","id":"3","venue":"binance","symbol":"BTC-USDT","# + fields + "}"
        guard case .failure(let error) = Self.parse(line, orders: true) else {
            Issue.record("accepted \(line)")
            return
        }
        #expect(error.code == code)
        #expect(error.id == "3")
        #expect(error.message.contains(message), "\(error.message)")
    }

    @Test("orders are validated against the catalog")
    func orderCatalog() {
        let line = #"{"op":"order.cancel","id":"4","venue":"okx","symbol":"ETH-USDT","client_order_id":"c-1"}"#
        guard case .failure(let error) = Self.parse(line, orders: true) else {
            Issue.record("accepted")
            return
        }
        #expect(error.code == .unknownSymbol)
        #expect(error.message == "unknown symbol 'ETH-USDT' for venue 'okx'; served: BTC-USDT, BTC-USDT-PERP")
    }

    @Test("JSON strings: escapes, surrogate pairs, raw UTF-8; nesting is bounded")
    func jsonStrings() throws {
        let request = try Self.parse(#"{"op":"status","id":"\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00é"}"#).get()
        #expect(request.id == "\"\\/\u{8}\u{c}\n\r\té😀é")
        let deep = #"{"op":"status","id":"1","x":"# + String(repeating: "[", count: 40) + String(repeating: "]", count: 40) + "}"
        guard case .failure(let error) = Self.parse(deep) else {
            Issue.record("accepted deep nesting")
            return
        }
        #expect(error.message.contains("nesting deeper than 32 levels"))
    }
}
