import MarketModel
import Testing
import VenueKit
@testable import Venues

// Trading rules from each venue's public REST reply (issue #6): the request each adapter makes,
// replies in the venues' documented shapes (trimmed to the fields read plus a few neighbours),
// malformed JSON, a venue refusal, and a requested symbol missing from the reply.

fileprivate func d(_ text: String) -> FixedDecimal { FixedDecimal(text) ?? .zero }

fileprivate func source<S: InstrumentRulesSource>(_ type: S.Type, _ symbols: [String], options: [String: String] = [:]) throws -> S {
    S(configuration: VenueAdapterConfiguration(symbols: try symbols.map { try Symbol($0) }, options: options))
}

fileprivate func failure<S: InstrumentRulesSource>(_ source: S, _ reply: String, _ request: InstrumentRulesRequest) -> String {
    do {
        _ = try source.parseInstrumentRules(reply, for: request)
        return "no error"
    } catch {
        return error.description
    }
}

@Suite("instrument rules from venue REST replies")
struct InstrumentRulesTests {
    @Test("Binance exchangeInfo: one request, PRICE_FILTER and LOT_SIZE")
    func binance() throws {
        let binance = try source(Binance.self, ["BTC-USDT", "ETH-USDT"])
        let requests = binance.instrumentRulesRequests(restBaseURL: "https://api.binance.com")
        #expect(requests.map(\.request.url) == ["https://api.binance.com/api/v3/exchangeInfo?symbols=%5B%22BTCUSDT%22%2C%22ETHUSDT%22%5D"])
        let reply = #"""
            {"timezone":"UTC","serverTime":1714000000000,"rateLimits":[],"exchangeFilters":[],"symbols":[
             {"symbol":"ETHUSDT","status":"TRADING","filters":[{"filterType":"PRICE_FILTER","minPrice":"0.01000000","maxPrice":"1000000.00000000","tickSize":"0.01000000"},
              {"filterType":"LOT_SIZE","minQty":"0.00010000","maxQty":"9000.00000000","stepSize":"0.00010000"}]},
             {"symbol":"BTCUSDT","status":"TRADING","filters":[{"filterType":"PRICE_FILTER","minPrice":"0.01000000","maxPrice":"1000000.00000000","tickSize":"0.01000000"},
              {"filterType":"LOT_SIZE","minQty":"0.00001000","maxQty":"9000.00000000","stepSize":"0.00001000"},
              {"filterType":"NOTIONAL","minNotional":"5.00000000","applyMinToMarket":true}]}]}
            """#
        let rules = try binance.parseInstrumentRules(reply, for: requests[0])
        #expect(rules[try Symbol("BTC-USDT")] == InstrumentRules(tickSize: d("0.01"), lotSize: d("0.00001"), minSize: d("0.00001"), maxSize: d("9000")))
        #expect(rules[try Symbol("ETH-USDT")]?.lotSize == d("0.0001"))
        #expect(rules[try Symbol("BTC-USDT")]?.description == "tick 0.01, lot 0.00001, min 0.00001, max 9000")

        let onlyEth = #"{"symbols":[{"symbol":"ETHUSDT","filters":[{"filterType":"PRICE_FILTER","tickSize":"0.01"},{"filterType":"LOT_SIZE","minQty":"0.0001","stepSize":"0.0001"}]}]}"#
        #expect(failure(binance, onlyEth, requests[0]) == "binance: BTC-USDT: 'BTCUSDT' is not in the exchangeInfo reply")
        #expect(failure(binance, #"{"code":-1121,"msg":"Invalid symbol."}"#, requests[0]) == "binance: exchangeInfo refused: -1121 Invalid symbol.")
        #expect(failure(binance, #"{"symbols":[{"symbol":"BTCUSDT","filters":[{"filterType":"PRICE_FILTER","tickSize":"0.01"}]}]}"#, requests[0])
                == "binance: BTC-USDT: 'BTCUSDT' has no LOT_SIZE filter")
        #expect(failure(binance, #"{"symbols":[{"symbol":"BTCUSDT","filters":[{"filterType":"PRICE_FILTER","tickSize":"0.0"},{"filterType":"LOT_SIZE","minQty":"1","stepSize":"1"}]}]}"#, requests[0])
                == "binance: BTC-USDT: 'PRICE_FILTER.tickSize' must be positive, got 0")
        #expect(failure(binance, #"{"symbols":[{"symbol":"BTCUSDT","#, requests[0]).hasPrefix("binance: exchangeInfo reply is not valid JSON: malformed JSON at byte"))
    }

    @Test("OKX instruments: one request per instId, tickSz/lotSz/minSz")
    func okx() throws {
        let okx = try source(OKX.self, ["BTC-USDT", "BTC-USDT-PERP"])
        let requests = okx.instrumentRulesRequests(restBaseURL: "https://www.okx.com")
        #expect(requests.map(\.request.url) == ["https://www.okx.com/api/v5/public/instruments?instType=SPOT&instId=BTC-USDT",
                                               "https://www.okx.com/api/v5/public/instruments?instType=SWAP&instId=BTC-USDT-SWAP"])
        let reply = #"{"code":"0","msg":"","data":[{"instType":"SPOT","instId":"BTC-USDT","baseCcy":"BTC","quoteCcy":"USDT","tickSz":"0.1","lotSz":"0.00000001","minSz":"0.00001","maxLmtSz":"9999999999","maxMktSz":"1000000","state":"live"}]}"#
        #expect(try okx.parseInstrumentRules(reply, for: requests[0]) == [try Symbol("BTC-USDT"): InstrumentRules(
            tickSize: d("0.1"), lotSize: d("0.00000001"), minSize: d("0.00001"), maxSize: d("9999999999"))])
        #expect(failure(okx, #"{"code":"51001","msg":"Instrument ID does not exist","data":[]}"#, requests[1])
                == "okx: BTC-USDT-PERP: instruments refused: 51001 Instrument ID does not exist")
        #expect(failure(okx, reply, requests[1]) == "okx: BTC-USDT-PERP: 'BTC-USDT-SWAP' is not in the instruments reply")
        #expect(failure(okx, #"{"code":"0","data":[{"instId":"BTC-USDT","tickSz":"abc","lotSz":"1","minSz":"1"}]}"#, requests[0])
                .hasPrefix("okx: BTC-USDT: invalid value: 'tickSz': 'abc' is not a decimal"))
        #expect(failure(okx, "{\"code\":\"0\",\"data\":[", requests[0]).hasPrefix("okx: instruments reply is not valid JSON"))
    }

    @Test("Bybit instruments-info: spot basePrecision, linear qtyStep")
    func bybit() throws {
        let spot = try source(Bybit.self, ["BTC-USDT"], options: ["category": "spot"])
        let request = try #require(spot.instrumentRulesRequests(restBaseURL: "https://api.bybit.com").first)
        #expect(request.request.url == "https://api.bybit.com/v5/market/instruments-info?category=spot&symbol=BTCUSDT")
        let reply = #"{"retCode":0,"retMsg":"OK","result":{"category":"spot","list":[{"symbol":"BTCUSDT","baseCoin":"BTC","quoteCoin":"USDT","status":"Trading","lotSizeFilter":{"basePrecision":"0.000001","quotePrecision":"0.00000001","minOrderQty":"0.000048","maxOrderQty":"71.73956243","minOrderAmt":"1","maxOrderAmt":"2000000"},"priceFilter":{"tickSize":"0.01"}}]},"retExtInfo":{},"time":1714000000000}"#
        #expect(try spot.parseInstrumentRules(reply, for: request)[try Symbol("BTC-USDT")]
                == InstrumentRules(tickSize: d("0.01"), lotSize: d("0.000001"), minSize: d("0.000048"), maxSize: d("71.73956243")))
        #expect(failure(spot, #"{"retCode":0,"retMsg":"OK","result":{"category":"spot","list":[]}}"#, request)
                == "bybit: BTC-USDT: 'BTCUSDT' is not in the instruments-info reply")
        #expect(failure(spot, #"{"retCode":10001,"retMsg":"params error","result":{}}"#, request) == "bybit: instruments-info refused: 10001 params error")

        let linear = try source(Bybit.self, ["BTC-USDT-PERP"])
        let linearRequest = try #require(linear.instrumentRulesRequests(restBaseURL: "https://api.bybit.com").first)
        #expect(linearRequest.request.url == "https://api.bybit.com/v5/market/instruments-info?category=linear&symbol=BTCUSDT")
        let linearReply = #"{"retCode":0,"result":{"category":"linear","list":[{"symbol":"BTCUSDT","contractType":"LinearPerpetual","priceFilter":{"minPrice":"0.10","maxPrice":"1999999.80","tickSize":"0.10"},"lotSizeFilter":{"maxOrderQty":"1190.000","minOrderQty":"0.001","qtyStep":"0.001","postOnlyMaxOrderQty":"1190.000"}}]}}"#
        #expect(try linear.parseInstrumentRules(linearReply, for: linearRequest)[try Symbol("BTC-USDT-PERP")]
                == InstrumentRules(tickSize: d("0.1"), lotSize: d("0.001"), minSize: d("0.001"), maxSize: d("1190")))
    }

    @Test("Kraken AssetPairs: matched on wsname with XBT undone; lot from lot_decimals")
    func kraken() throws {
        let kraken = try source(Kraken.self, ["BTC-USD", "ETH-USD"])
        let requests = kraken.instrumentRulesRequests(restBaseURL: "https://api.kraken.com")
        #expect(requests.map(\.request.url) == ["https://api.kraken.com/0/public/AssetPairs?pair=BTCUSD%2CETHUSD"])
        let reply = #"""
            {"error":[],"result":{"XXBTZUSD":{"altname":"XBTUSD","wsname":"XBT/USD","aclass_base":"currency","base":"XXBT","aclass_quote":"currency","quote":"ZUSD","pair_decimals":1,"cost_decimals":5,"lot_decimals":8,"lot_multiplier":1,"ordermin":"0.0001","costmin":"0.5","tick_size":"0.1","status":"online"},
             "XETHZUSD":{"altname":"ETHUSD","wsname":"ETH/USD","pair_decimals":2,"lot_decimals":8,"ordermin":"0.002","costmin":"0.5","tick_size":"0.01","status":"online"}}}
            """#
        let rules = try kraken.parseInstrumentRules(reply, for: requests[0])
        #expect(rules[try Symbol("BTC-USD")] == InstrumentRules(tickSize: d("0.1"), lotSize: d("0.00000001"), minSize: d("0.0001")))
        #expect(rules[try Symbol("ETH-USD")] == InstrumentRules(tickSize: d("0.01"), lotSize: d("0.00000001"), minSize: d("0.002")))
        let onlyBTC = #"{"error":[],"result":{"XXBTZUSD":{"wsname":"XBT/USD","lot_decimals":8,"ordermin":"0.0001","tick_size":"0.1"}}}"#
        #expect(failure(kraken, onlyBTC, requests[0]) == "kraken: ETH-USD: 'ETH/USD' is not in the AssetPairs reply")
        #expect(failure(kraken, #"{"error":["EQuery:Unknown asset pair"]}"#, requests[0])
                == "kraken: AssetPairs refused: EQuery:Unknown asset pair (asked for BTC-USD, ETH-USD)")
        #expect(failure(kraken, #"{"error":[],"result":{"XXBTZUSD":{"wsname":"XBT/USD","lot_decimals":"many","ordermin":"0.0001","tick_size":"0.1"}}}"#, requests[0])
                == "kraken: BTC-USD: 'lot_decimals' must be an integer from 0 to 18, got many")
        #expect(failure(kraken, "{\"error\":[]", requests[0]).hasPrefix("kraken: AssetPairs reply is not valid JSON"))
    }

    @Test("Deribit get_instrument: tick_size, contract_size as the lot, min_trade_amount")
    func deribit() throws {
        let deribit = try source(Deribit.self, ["BTC-USD-PERP"])
        let request = try #require(deribit.instrumentRulesRequests(restBaseURL: "https://www.deribit.com").first)
        #expect(request.request.url == "https://www.deribit.com/api/v2/public/get_instrument?instrument_name=BTC-PERPETUAL")
        let reply = #"{"jsonrpc":"2.0","result":{"tick_size":0.5,"tick_size_steps":[],"taker_commission":0.0005,"settlement_period":"perpetual","quote_currency":"USD","min_trade_amount":10.0,"kind":"future","is_active":true,"instrument_name":"BTC-PERPETUAL","instrument_id":124972,"contract_size":10.0,"base_currency":"BTC","state":"open"},"usIn":1714000000000000,"testnet":false}"#
        #expect(try deribit.parseInstrumentRules(reply, for: request)[try Symbol("BTC-USD-PERP")]
                == InstrumentRules(tickSize: d("0.5"), lotSize: d("10"), minSize: d("10")))
        #expect(failure(deribit, #"{"jsonrpc":"2.0","error":{"message":"Invalid params","data":{"reason":"instrument not found","param":"instrument_name"},"code":-32602}}"#, request)
                == "deribit: BTC-USD-PERP: get_instrument refused: -32602 Invalid params (instrument not found)")
        #expect(failure(deribit, #"{"jsonrpc":"2.0","result":{"instrument_name":"ETH-PERPETUAL","tick_size":0.05,"contract_size":1,"min_trade_amount":1}}"#, request)
                == "deribit: BTC-USD-PERP: 'BTC-PERPETUAL' is not in the get_instrument reply")
        #expect(failure(deribit, #"{"jsonrpc":"2.0","result":{"instrument_name":"BTC-PERPETUAL","contract_size":10,"min_trade_amount":10}}"#, request)
                == "deribit: BTC-USD-PERP: missing field 'tick_size'")
        #expect(failure(deribit, #"{"jsonrpc":"2.0","result":{"instrument_name":"BTC-PERPETUAL","tick_size":0.5,"tick_size_steps":{"above_price":1},"contract_size":10,"min_trade_amount":10}}"#, request)
                == "deribit: BTC-USD-PERP: 'tick_size_steps' must be an array")
        #expect(failure(deribit, #"{"jsonrpc":"2.0","result":{"instrument_name":"BTC-PERPETUAL","tick_size":0.5,"tick_size_steps":[{"above_price":1,"tick_size":0}],"contract_size":10,"min_trade_amount":10}}"#, request)
                == "deribit: BTC-USD-PERP: 'tick_size_steps.tick_size' must be positive, got 0")
    }

    @Test("Deribit tick_size_steps: an option's coarser tick above 0.005 is parsed and checked")
    func deribitTickSteps() throws {
        let deribit = try source(Deribit.self, ["BTC-USD-20261225-100000-C"])
        let request = try #require(deribit.instrumentRulesRequests(restBaseURL: "https://www.deribit.com").first)
        #expect(request.request.url.hasSuffix("instrument_name=BTC-25DEC26-100000-C"))
        let reply = #"{"jsonrpc":"2.0","result":{"tick_size":0.0001,"tick_size_steps":[{"above_price":0.005,"tick_size":0.0005}],"strike":100000.0,"settlement_period":"month","quote_currency":"BTC","option_type":"call","min_trade_amount":0.1,"kind":"option","is_active":true,"instrument_name":"BTC-25DEC26-100000-C","contract_size":1.0,"base_currency":"BTC","state":"open"},"usIn":1714000000000000,"testnet":false}"#
        let rules = try #require(try deribit.parseInstrumentRules(reply, for: request)[try Symbol("BTC-USD-20261225-100000-C")])
        #expect(rules == InstrumentRules(tickSize: d("0.0001"), lotSize: d("1"), minSize: d("0.1"),
                                         tickSteps: [TickStep(abovePrice: d("0.005"), tickSize: d("0.0005"))]))
        #expect(rules.tickSize(at: d("0.0049")) == d("0.0001"))
        #expect(rules.tickSize(at: d("0.005")) == d("0.0001"))  // "above": the boundary keeps the base tick
        #expect(rules.tickSize(at: d("0.0051")) == d("0.0005"))
        #expect(rules.description == "tick 0.0001, lot 1, min 0.1, tick 0.0005 above 0.005")
    }

    @Test("Bitfinex conf pub:info:pair: min/max by pair, 5 significant digits, 8-decimal steps")
    func bitfinex() throws {
        let bitfinex = try source(Bitfinex.self, ["BTC-USD", "BTC-USDT"])
        let requests = bitfinex.instrumentRulesRequests(restBaseURL: "https://api-pub.bitfinex.com")
        #expect(requests.map(\.request.url) == ["https://api-pub.bitfinex.com/v2/conf/pub:info:pair"])
        let reply = #"[[["BTCUSD",[null,null,null,"0.00004","2000.0",null,null,null,0.2,0.1]],["BTCUST",[null,null,null,"0.00006","1000.0",null,null,null,0.2,0.1]],["ETHUSD",[null,null,null,"0.0008","5000.0",null,null,null,0.2,0.1]]]]"#
        let rules = try bitfinex.parseInstrumentRules(reply, for: requests[0])
        #expect(rules[try Symbol("BTC-USD")] == InstrumentRules(tickSize: d("0.00000001"), lotSize: d("0.00000001"), minSize: d("0.00004"),
                                                                         maxSize: d("2000"), priceSignificantDigits: 5))
        #expect(rules[try Symbol("BTC-USDT")]?.minSize == d("0.00006"))
        #expect(failure(bitfinex, #"[[["ETHUSD",[null,null,null,"0.0008","5000.0"]]]]"#, requests[0]) == "bitfinex: BTC-USD: 'BTCUSD' is not in the conf pub:info:pair reply")
        #expect(failure(bitfinex, #"["error",10020,"symbol: invalid"]"#, requests[0]) == "bitfinex: conf pub:info:pair refused: 10020 symbol: invalid")
        #expect(failure(bitfinex, "[[[\"BTCUSD\"", requests[0]).hasPrefix("bitfinex: conf pub:info:pair reply is not valid JSON"))
    }

    @Test("every venue with order entry has a rules source")
    func registry() {
        #expect(Set(OrderRouterRegistry.venueIDs).isSubset(of: Set(InstrumentRulesRegistry.all.map { $0.instrumentRulesVenue })))
        #expect(InstrumentRulesRegistry.sourceType(for: .coinbase) == nil)
    }
}
