@testable import Replay
import Testing

/// Each order dialect fed the venue's real request shapes (built and signed as VENUES.md says), answering
/// with the exact venue response and update JSON. Transcripts: (client message, frames the connection
/// gets back: replies first, then the updates the request caused). Generated from a reviewed run.
@Suite("Order dialects: real requests in, exact venue JSON out")
struct OrderDialectTranscriptTests {
    static func check(_ dialect: some SimulatedOrderDialect, venue: String, _ transcript: [(String, [String])]) {
        var dialect = dialect
        var exchange = OrderBench.exchange(venue)
        for (index, (message, expected)) in transcript.enumerated() {
            let got = OrderBench.send(message, &dialect, &exchange)
            #expect(got == expected, "message \(index + 1): \(message)")
        }
    }

    @Test("Binance WS API: signed order.place (FULL and RESULT), order.status, order.cancel, openOrders.cancelAll, not-found, duplicate, ping, malformed")
    func binance() {
        Self.check(BinanceOrderDialect(role: .trade, connectionID: 1), venue: "binance", [
            (#"{"id":"1","method":"order.place","params":{"symbol":"BTCUSDT","side":"BUY","type":"LIMIT","timeInForce":"GTC","price":"50100.00000000","quantity":"0.01000000","newClientOrderId":"O-1","apiKey":"mmx-test-key","timestamp":1700000000000,"signature":"5aeec78553adf811283bdb61c3e440ebffba01f52baac19b9569bd7e9a313bd5"}}"#, [
                #"{"id":"1","status":200,"result":{"symbol":"BTCUSDT","orderId":1000001,"orderListId":-1,"clientOrderId":"O-1","transactTime":1700000000000,"price":"50100.00000000","origQty":"0.01000000","executedQty":"0.01000000","origQuoteOrderQty":"0.00000000","cummulativeQuoteQty":"500.00000000","status":"FILLED","timeInForce":"GTC","type":"LIMIT","side":"BUY","workingTime":1700000000000,"fills":[{"price":"50000.00000000","qty":"0.01000000","commission":"0.00000000","commissionAsset":"USDT","tradeId":1}],"selfTradePreventionMode":"NONE"},"rateLimits":[{"rateLimitType":"ORDERS","interval":"SECOND","intervalNum":10,"limit":50,"count":1},{"rateLimitType":"ORDERS","interval":"DAY","intervalNum":1,"limit":160000,"count":1},{"rateLimitType":"REQUEST_WEIGHT","interval":"MINUTE","intervalNum":1,"limit":6000,"count":1}]}"#,
            ]),
            (#"{"id":"2","method":"order.place","params":{"symbol":"BTCUSDT","side":"BUY","type":"LIMIT","timeInForce":"GTC","price":"49000","quantity":"0.01","newClientOrderId":"O-2","newOrderRespType":"RESULT","apiKey":"mmx-test-key","timestamp":1700000000000,"signature":"b10120a72514a32312d9f305048c6f79357407aba6e4c082b8f5c364f20bc788"}}"#, [
                #"{"id":"2","status":200,"result":{"symbol":"BTCUSDT","orderId":1000002,"orderListId":-1,"clientOrderId":"O-2","transactTime":1700000000000,"price":"49000.00000000","origQty":"0.01000000","executedQty":"0.00000000","origQuoteOrderQty":"0.00000000","cummulativeQuoteQty":"0.00000000","status":"NEW","timeInForce":"GTC","type":"LIMIT","side":"BUY","workingTime":1700000000000,"selfTradePreventionMode":"NONE"},"rateLimits":[{"rateLimitType":"ORDERS","interval":"SECOND","intervalNum":10,"limit":50,"count":2},{"rateLimitType":"ORDERS","interval":"DAY","intervalNum":1,"limit":160000,"count":2},{"rateLimitType":"REQUEST_WEIGHT","interval":"MINUTE","intervalNum":1,"limit":6000,"count":2}]}"#,
            ]),
            (#"{"id":"3","method":"order.status","params":{"symbol":"BTCUSDT","origClientOrderId":"O-2","apiKey":"mmx-test-key","timestamp":1700000000000,"signature":"f4bacd78fd54b6313c00ae7486a38ee9059af66ba1d055da425d6747bd50a608"}}"#, [
                #"{"id":"3","status":200,"result":{"symbol":"BTCUSDT","orderId":1000002,"orderListId":-1,"clientOrderId":"O-2","price":"49000.00000000","origQty":"0.01000000","executedQty":"0.00000000","origQuoteOrderQty":"0.00000000","cummulativeQuoteQty":"0.00000000","status":"NEW","timeInForce":"GTC","type":"LIMIT","side":"BUY","stopPrice":"0.00000000","icebergQty":"0.00000000","time":1700000000000,"updateTime":1700000000000,"isWorking":true,"workingTime":1700000000000,"selfTradePreventionMode":"NONE"},"rateLimits":[{"rateLimitType":"REQUEST_WEIGHT","interval":"MINUTE","intervalNum":1,"limit":6000,"count":6}]}"#,
            ]),
            (#"{"id":"4","method":"order.cancel","params":{"symbol":"BTCUSDT","origClientOrderId":"O-2","apiKey":"mmx-test-key","timestamp":1700000000000,"signature":"f4bacd78fd54b6313c00ae7486a38ee9059af66ba1d055da425d6747bd50a608"}}"#, [
                #"{"id":"4","status":200,"result":{"symbol":"BTCUSDT","origClientOrderId":"O-2","orderId":1000002,"orderListId":-1,"clientOrderId":"cancel-1000002","transactTime":1700000000000,"price":"49000.00000000","origQty":"0.01000000","executedQty":"0.00000000","origQuoteOrderQty":"0.00000000","cummulativeQuoteQty":"0.00000000","status":"CANCELED","timeInForce":"GTC","type":"LIMIT","side":"BUY","selfTradePreventionMode":"NONE"},"rateLimits":[{"rateLimitType":"REQUEST_WEIGHT","interval":"MINUTE","intervalNum":1,"limit":6000,"count":7}]}"#,
            ]),
            (#"{"id":"5","method":"order.cancel","params":{"symbol":"BTCUSDT","origClientOrderId":"O-2","apiKey":"mmx-test-key","timestamp":1700000000000,"signature":"f4bacd78fd54b6313c00ae7486a38ee9059af66ba1d055da425d6747bd50a608"}}"#, [
                #"{"id":"5","status":400,"error":{"code":-2011,"msg":"Unknown order sent."},"rateLimits":[{"rateLimitType":"REQUEST_WEIGHT","interval":"MINUTE","intervalNum":1,"limit":6000,"count":8}]}"#,
            ]),
            (#"{"id":"6","method":"order.place","params":{"symbol":"BTCUSDT","side":"BUY","type":"LIMIT","timeInForce":"GTC","price":"49000","quantity":"0.01","newClientOrderId":"O-2","apiKey":"mmx-test-key","timestamp":1700000000000,"signature":"25d7e9d475f35597a53ec8109d8a23d6e4577a29b20797525260dd225a1de24b"}}"#, [
                #"{"id":"6","status":400,"error":{"code":-2010,"msg":"Duplicate order sent."},"rateLimits":[{"rateLimitType":"ORDERS","interval":"SECOND","intervalNum":10,"limit":50,"count":3},{"rateLimitType":"ORDERS","interval":"DAY","intervalNum":1,"limit":160000,"count":3},{"rateLimitType":"REQUEST_WEIGHT","interval":"MINUTE","intervalNum":1,"limit":6000,"count":9}]}"#,
            ]),
            (#"{"id":"7","method":"order.status","params":{"symbol":"BTCUSDT","origClientOrderId":"O-9","apiKey":"mmx-test-key","timestamp":1700000000000,"signature":"8430045f1e3124399ae2393b5a7fe8ca6670470125a68702d1652c26a4b1973f"}}"#, [
                #"{"id":"7","status":400,"error":{"code":-2013,"msg":"Order does not exist."},"rateLimits":[{"rateLimitType":"REQUEST_WEIGHT","interval":"MINUTE","intervalNum":1,"limit":6000,"count":13}]}"#,
            ]),
            (#"{"id":"8","method":"openOrders.cancelAll","params":{"symbol":"BTCUSDT","apiKey":"mmx-test-key","timestamp":1700000000000,"signature":"3d6776c5375970f1c09ab71991cbeb4fc70ef51132c14674dc5ec9e174a43879"}}"#, [
                #"{"id":"8","status":400,"error":{"code":-2011,"msg":"Unknown order sent."},"rateLimits":[{"rateLimitType":"REQUEST_WEIGHT","interval":"MINUTE","intervalNum":1,"limit":6000,"count":14}]}"#,
            ]),
            (#"{"id":9,"method":"ping"}"#, [
                #"{"id":9,"status":200,"result":{},"rateLimits":[{"rateLimitType":"REQUEST_WEIGHT","interval":"MINUTE","intervalNum":1,"limit":6000,"count":1}]}"#,
            ]),
            (#"{"id":10,"method":"order.place""#, [
                #"{"id":null,"status":400,"error":{"code":-1102,"msg":"Malformed request."}}"#,
            ]),
        ])
    }

    @Test("OKX: order before login 60011, login, orders channel, order with live+filled pushes, duplicate clOrdId 51016, cancel of a filled order 51400, ping")
    func okx() {
        Self.check(OKXOrderDialect(role: .trade, connectionID: 0xa4d3), venue: "okx", [
            (#"{"id":"0","op":"order","args":[{"side":"buy","instId":"BTC-USDT","tdMode":"cash","ordType":"limit","px":"50100","sz":"0.01","clOrdId":"O1"}]}"#, [
                #"{"id":"0","op":"order","code":"60011","msg":"Please log in","data":[],"inTime":"1700000000000000","outTime":"1700000000000000"}"#,
            ]),
            (#"{"op":"login","args":[{"apiKey":"mmx-test-key","passphrase":"mmx-test-passphrase","timestamp":"1700000000","sign":"hQcLzivx2PYwmV5vbSoYv4W8m+rUVZv7uXFrIA3mBGM="}]}"#, [
                #"{"event":"login","code":"0","msg":"","connId":"0000a4d3"}"#,
            ]),
            (#"{"id":"s","op":"subscribe","args":[{"channel":"orders","instType":"ANY"}]}"#, [
                #"{"id":"s","event":"subscribe","arg":{"channel":"orders","instType":"ANY"},"connId":"0000a4d3"}"#,
            ]),
            (#"{"id":"1512","op":"order","args":[{"side":"buy","instId":"BTC-USDT","tdMode":"cash","ordType":"limit","px":"50100","sz":"0.01","clOrdId":"O1"}]}"#, [
                #"{"id":"1512","op":"order","data":[{"clOrdId":"O1","ordId":"1000001","tag":"","ts":"1700000000000","sCode":"0","sMsg":"Order placed"}],"code":"0","msg":"","inTime":"1700000000000000","outTime":"1700000000000000"}"#,
                #"{"arg":{"channel":"orders","instType":"ANY","uid":"mmx-test-key"},"data":[{"instType":"SPOT","instId":"BTC-USDT","ordId":"1000001","clOrdId":"O1","tag":"","px":"50100","sz":"0.01","ordType":"limit","side":"buy","posSide":"net","tdMode":"cash","fillPx":"","tradeId":"","fillSz":"0","fillTime":"","fillFee":"0","fillFeeCcy":"","execType":"","accFillSz":"0","avgPx":"0","state":"live","cancelSource":"","category":"normal","uTime":"1700000000000","cTime":"1700000000000","reqId":"","amendResult":"","code":"0","msg":""}]}"#,
                #"{"arg":{"channel":"orders","instType":"ANY","uid":"mmx-test-key"},"data":[{"instType":"SPOT","instId":"BTC-USDT","ordId":"1000001","clOrdId":"O1","tag":"","px":"50100","sz":"0.01","ordType":"limit","side":"buy","posSide":"net","tdMode":"cash","fillPx":"50000","tradeId":"1","fillSz":"0.01","fillTime":"1700000000000","fillFee":"0","fillFeeCcy":"","execType":"T","accFillSz":"0.01","avgPx":"50000","state":"filled","cancelSource":"","category":"normal","uTime":"1700000000000","cTime":"1700000000000","reqId":"","amendResult":"","code":"0","msg":""}]}"#,
            ]),
            (#"{"id":"1513","op":"order","args":[{"side":"buy","instId":"BTC-USDT","tdMode":"cash","ordType":"limit","px":"50100","sz":"0.01","clOrdId":"O1"}]}"#, [
                #"{"id":"1513","op":"order","code":"1","msg":"","data":[{"ordId":"","clOrdId":"O1","sCode":"51016","sMsg":"Duplicated clOrdId","tag":"","ts":"1700000000000"}],"inTime":"1700000000000000","outTime":"1700000000000000"}"#,
            ]),
            (#"{"id":"1514","op":"cancel-order","args":[{"instId":"BTC-USDT","clOrdId":"O1"}]}"#, [
                #"{"id":"1514","op":"cancel-order","code":"1","msg":"","data":[{"ordId":"","clOrdId":"O1","sCode":"51400","sMsg":"Order cancellation failed as the order has been filled, canceled or does not exist","tag":"","ts":"1700000000000"}],"inTime":"1700000000000000","outTime":"1700000000000000"}"#,
            ]),
            (#"ping"#, [
                #"pong"#,
            ]),
        ])
    }

    @Test("OKX: a bad signature gets the venue's auth error")
    func okxBadSignature() {
        Self.check(OKXOrderDialect(role: .trade, connectionID: 2), venue: "okx", [
            (#"{"op":"login","args":[{"apiKey":"mmx-test-key","passphrase":"mmx-test-passphrase","timestamp":"1700000000","sign":"MYaD6i4bvHk8CskmgQ24uVAOEAXxDsvbYgpXeqODbJI="}]}"#, [
                #"{"event":"error","code":"60009","msg":"Login failed.","connId":"00000002"}"#,
            ]),
        ])
    }

    @Test("Deribit: unauthorized, client_signature auth, user.orders subscription, buy with label, get_order_state_by_label, cancel_by_label, market sell with trades, order_not_found")
    func deribit() {
        Self.check(DeribitOrderDialect(role: .trade, connectionID: 1), venue: "deribit", [
            (#"{"jsonrpc":"2.0","id":2,"method":"private/buy","params":{"instrument_name":"BTC-PERPETUAL","amount":10,"type":"limit","price":49000,"label":"O-1"}}"#, [
                #"{"jsonrpc":"2.0","id":2,"error":{"message":"unauthorized","code":13009},"usIn":1700000000000000,"usOut":1700000000000000,"usDiff":0,"testnet":false}"#,
            ]),
            (#"{"jsonrpc":"2.0","id":1,"method":"public/auth","params":{"grant_type":"client_signature","client_id":"mmx-test-key","timestamp":1700000000000,"signature":"e3f06bdc597f9500907999fd952d1f72518ff0b9f73499b0409c5a02388b1d07","nonce":"abcd","data":""}}"#, [
                #"{"jsonrpc":"2.0","id":1,"result":{"access_token":"mmx-sim-access.mmx-test-key","expires_in":31536000,"refresh_token":"mmx-sim-access.mmx-test-key","scope":"connection mainaccount","enabled_features":[],"token_type":"bearer"},"usIn":1700000000000000,"usOut":1700000000000000,"usDiff":0,"testnet":false}"#,
            ]),
            (#"{"jsonrpc":"2.0","id":3,"method":"private/subscribe","params":{"channels":["user.orders.any.any.raw"]}}"#, [
                #"{"jsonrpc":"2.0","id":3,"result":["user.orders.any.any.raw"],"usIn":1700000000000000,"usOut":1700000000000000,"usDiff":0,"testnet":false}"#,
            ]),
            (#"{"jsonrpc":"2.0","id":4,"method":"private/buy","params":{"instrument_name":"BTC-PERPETUAL","amount":10,"type":"limit","price":49000,"label":"O-1"}}"#, [
                #"{"jsonrpc":"2.0","id":4,"result":{"order":{"web":false,"time_in_force":"good_til_cancelled","replaced":false,"reduce_only":false,"price":49000.0,"post_only":false,"order_type":"limit","order_state":"open","order_id":"BTC-1000001","max_show":10.0,"last_update_timestamp":1700000000000,"label":"O-1","is_liquidation":false,"instrument_name":"BTC-PERPETUAL","filled_amount":0.0,"direction":"buy","creation_timestamp":1700000000000,"average_price":0.0,"api":true,"amount":10.0},"trades":[]},"usIn":1700000000000000,"usOut":1700000000000000,"usDiff":0,"testnet":false}"#,
                #"{"jsonrpc":"2.0","method":"subscription","params":{"channel":"user.orders.any.any.raw","data":{"web":false,"time_in_force":"good_til_cancelled","replaced":false,"reduce_only":false,"price":49000.0,"post_only":false,"order_type":"limit","order_state":"open","order_id":"BTC-1000001","max_show":10.0,"last_update_timestamp":1700000000000,"label":"O-1","is_liquidation":false,"instrument_name":"BTC-PERPETUAL","filled_amount":0.0,"direction":"buy","creation_timestamp":1700000000000,"average_price":0.0,"api":true,"amount":10.0}}}"#,
            ]),
            (#"{"jsonrpc":"2.0","id":5,"method":"private/get_order_state_by_label","params":{"currency":"BTC","label":"O-1"}}"#, [
                #"{"jsonrpc":"2.0","id":5,"result":[{"web":false,"time_in_force":"good_til_cancelled","replaced":false,"reduce_only":false,"price":49000.0,"post_only":false,"order_type":"limit","order_state":"open","order_id":"BTC-1000001","max_show":10.0,"last_update_timestamp":1700000000000,"label":"O-1","is_liquidation":false,"instrument_name":"BTC-PERPETUAL","filled_amount":0.0,"direction":"buy","creation_timestamp":1700000000000,"average_price":0.0,"api":true,"amount":10.0}],"usIn":1700000000000000,"usOut":1700000000000000,"usDiff":0,"testnet":false}"#,
            ]),
            (#"{"jsonrpc":"2.0","id":6,"method":"private/cancel_by_label","params":{"label":"O-1"}}"#, [
                #"{"jsonrpc":"2.0","id":6,"result":1,"usIn":1700000000000000,"usOut":1700000000000000,"usDiff":0,"testnet":false}"#,
                #"{"jsonrpc":"2.0","method":"subscription","params":{"channel":"user.orders.any.any.raw","data":{"web":false,"time_in_force":"good_til_cancelled","replaced":false,"reduce_only":false,"price":49000.0,"post_only":false,"order_type":"limit","order_state":"cancelled","order_id":"BTC-1000001","max_show":10.0,"last_update_timestamp":1700000000000,"label":"O-1","is_liquidation":false,"instrument_name":"BTC-PERPETUAL","filled_amount":0.0,"direction":"buy","creation_timestamp":1700000000000,"average_price":0.0,"api":true,"amount":10.0}}}"#,
            ]),
            (#"{"jsonrpc":"2.0","id":7,"method":"private/sell","params":{"instrument_name":"BTC-PERPETUAL","amount":10,"type":"market","label":"O-2"}}"#, [
                #"{"jsonrpc":"2.0","id":7,"result":{"order":{"web":false,"time_in_force":"good_til_cancelled","replaced":false,"reduce_only":false,"price":"market_price","post_only":false,"order_type":"market","order_state":"filled","order_id":"BTC-1000002","max_show":10.0,"last_update_timestamp":1700000000000,"label":"O-2","is_liquidation":false,"instrument_name":"BTC-PERPETUAL","filled_amount":10.0,"direction":"sell","creation_timestamp":1700000000000,"average_price":50000.0,"api":true,"amount":10.0},"trades":[{"trade_seq":1,"trade_id":"BTC-1","timestamp":1700000000000,"tick_direction":0,"state":"filled","price":50000.0,"order_type":"market","order_id":"BTC-1000002","mark_price":50000.0,"liquidity":"T","label":"O-2","instrument_name":"BTC-PERPETUAL","index_price":50000.0,"fee_currency":"BTC","fee":0.0,"direction":"sell","amount":10.0}]},"usIn":1700000000000000,"usOut":1700000000000000,"usDiff":0,"testnet":false}"#,
                #"{"jsonrpc":"2.0","method":"subscription","params":{"channel":"user.orders.any.any.raw","data":{"web":false,"time_in_force":"good_til_cancelled","replaced":false,"reduce_only":false,"price":"market_price","post_only":false,"order_type":"market","order_state":"open","order_id":"BTC-1000002","max_show":10.0,"last_update_timestamp":1700000000000,"label":"O-2","is_liquidation":false,"instrument_name":"BTC-PERPETUAL","filled_amount":0.0,"direction":"sell","creation_timestamp":1700000000000,"average_price":0.0,"api":true,"amount":10.0}}}"#,
                #"{"jsonrpc":"2.0","method":"subscription","params":{"channel":"user.orders.any.any.raw","data":{"web":false,"time_in_force":"good_til_cancelled","replaced":false,"reduce_only":false,"price":"market_price","post_only":false,"order_type":"market","order_state":"filled","order_id":"BTC-1000002","max_show":10.0,"last_update_timestamp":1700000000000,"label":"O-2","is_liquidation":false,"instrument_name":"BTC-PERPETUAL","filled_amount":10.0,"direction":"sell","creation_timestamp":1700000000000,"average_price":50000.0,"api":true,"amount":10.0}}}"#,
            ]),
            (#"{"jsonrpc":"2.0","id":8,"method":"private/cancel","params":{"order_id":"BTC-99"}}"#, [
                #"{"jsonrpc":"2.0","id":8,"error":{"message":"order_not_found","code":10004},"usIn":1700000000000000,"usOut":1700000000000000,"usDiff":0,"testnet":false}"#,
            ]),
        ])
    }

    @Test("Bybit /v5/trade: auth, order.create, order.cancel, duplicate reqId 20006, not found 110001, ping")
    func bybitTrade() {
        Self.check(BybitOrderDialect(role: .trade, connectionID: 1), venue: "bybit", [
            (#"{"reqId":"auth-1","op":"auth","args":["mmx-test-key",1700000010000,"a76e2f80fd7a7cf9181e35a705b7101abdee322c72746f62808b13624950668b"]}"#, [
                #"{"reqId":"auth-1","retCode":0,"retMsg":"OK","op":"auth","connId":"sim1-trade"}"#,
            ]),
            (#"{"reqId":"test-005","header":{"X-BAPI-TIMESTAMP":"1700000000000","X-BAPI-RECV-WINDOW":"8000"},"op":"order.create","args":[{"symbol":"BTCUSDT","side":"Buy","orderType":"Limit","qty":"0.2","price":"49000","category":"linear","timeInForce":"GTC","orderLinkId":"O-1"}]}"#, [
                #"{"reqId":"test-005","retCode":0,"retMsg":"OK","op":"order.create","data":{"orderId":"00000000-0000-4000-8000-000001000001","orderLinkId":"O-1"},"retExtInfo":{},"header":{"X-Bapi-Limit":"10","X-Bapi-Limit-Status":"9","X-Bapi-Limit-Reset-Timestamp":"1700000000000","Traceid":"sim-test-005","Timenow":"1700000000000"},"connId":"sim1-trade"}"#,
            ]),
            (#"{"reqId":"test-006","op":"order.cancel","args":[{"category":"linear","symbol":"BTCUSDT","orderLinkId":"O-1"}]}"#, [
                #"{"reqId":"test-006","retCode":0,"retMsg":"OK","op":"order.cancel","data":{"orderId":"00000000-0000-4000-8000-000001000001","orderLinkId":"O-1"},"retExtInfo":{},"header":{"X-Bapi-Limit":"10","X-Bapi-Limit-Status":"9","X-Bapi-Limit-Reset-Timestamp":"1700000000000","Traceid":"sim-test-006","Timenow":"1700000000000"},"connId":"sim1-trade"}"#,
            ]),
            (#"{"reqId":"test-006","op":"order.cancel","args":[{"category":"linear","symbol":"BTCUSDT","orderLinkId":"O-1"}]}"#, [
                #"{"reqId":"test-006","retCode":20006,"retMsg":"reqId is duplicate","op":"order.cancel","data":{},"retExtInfo":{},"header":{"Traceid":"sim-test-006","Timenow":"1700000000000"},"connId":"sim1-trade"}"#,
            ]),
            (#"{"reqId":"test-007","op":"order.cancel","args":[{"category":"linear","symbol":"BTCUSDT","orderLinkId":"O-1"}]}"#, [
                #"{"reqId":"test-007","retCode":110001,"retMsg":"Order does not exist","op":"order.cancel","data":{},"retExtInfo":{},"header":{"X-Bapi-Limit":"10","X-Bapi-Limit-Status":"8","X-Bapi-Limit-Reset-Timestamp":"1700000000000","Traceid":"sim-test-007","Timenow":"1700000000000"},"connId":"sim1-trade"}"#,
            ]),
            (#"{"req_id":"p1","op":"ping"}"#, [
                #"{"reqId":"p1","retCode":0,"retMsg":"OK","op":"pong","data":["1700000000000"],"connId":"sim1-trade"}"#,
            ]),
        ])
    }

    @Test("Bybit /v5/private: subscribe needs auth; auth; subscribe order and execution")
    func bybitPrivate() {
        Self.check(BybitOrderDialect(role: .updates, connectionID: 2), venue: "bybit", [
            (#"{"req_id":"s0","op":"subscribe","args":["order"]}"#, [
                #"{"success":false,"ret_msg":"Request not authorized","op":"subscribe","conn_id":"sim2-private","req_id":"s0"}"#,
            ]),
            (#"{"req_id":"auth-1","op":"auth","args":["mmx-test-key",1700000010000,"a76e2f80fd7a7cf9181e35a705b7101abdee322c72746f62808b13624950668b"]}"#, [
                #"{"success":true,"ret_msg":"","op":"auth","conn_id":"sim2-private","req_id":"auth-1"}"#,
            ]),
            (#"{"req_id":"s1","op":"subscribe","args":["order","execution"]}"#, [
                #"{"success":true,"ret_msg":"","op":"subscribe","conn_id":"sim2-private","req_id":"s1"}"#,
            ]),
        ])
    }

    @Test("Kraken v2: executions subscribe and snapshot, add_order new then trade, duplicate, cancel by cl_ord_id and by order_id, bad token, ping, malformed")
    func kraken() {
        Self.check(KrakenOrderDialect(role: .trade, connectionID: 1), venue: "kraken", [
            (#"{"method":"subscribe","params":{"channel":"executions","token":"mmx-test-ws-token"},"req_id":1}"#, [
                #"{"method":"subscribe","req_id":1,"success":true,"time_in":"2023-11-14T22:13:20.000000Z","time_out":"2023-11-14T22:13:20.000000Z","result":{"channel":"executions","maxratecount":180,"snapshot":true}}"#,
                #"{"channel":"executions","type":"snapshot","data":[],"sequence":1}"#,
            ]),
            (#"{"method":"add_order","params":{"order_type":"limit","side":"buy","order_qty":0.01,"symbol":"BTC/USD","limit_price":50100.0,"time_in_force":"gtc","cl_ord_id":"O-1","token":"mmx-test-ws-token"},"req_id":42}"#, [
                #"{"method":"add_order","req_id":42,"success":true,"time_in":"2023-11-14T22:13:20.000000Z","time_out":"2023-11-14T22:13:20.000000Z","result":{"order_id":"OSIMUL-1000001-KRAKEN","cl_ord_id":"O-1","order_userref":0}}"#,
                #"{"channel":"executions","type":"update","data":[{"order_id":"OSIMUL-1000001-KRAKEN","cl_ord_id":"O-1","exec_type":"new","order_status":"new","symbol":"BTC/USD","side":"buy","order_type":"limit","order_qty":0.01,"limit_price":50100,"time_in_force":"GTC","post_only":false,"cum_qty":0,"cum_cost":0,"avg_price":0,"order_userref":0,"timestamp":"2023-11-14T22:13:20.000000Z"}],"sequence":2}"#,
                #"{"channel":"executions","type":"update","data":[{"order_id":"OSIMUL-1000001-KRAKEN","cl_ord_id":"O-1","exec_type":"trade","order_status":"filled","symbol":"BTC/USD","side":"buy","order_type":"limit","order_qty":0.01,"limit_price":50100,"time_in_force":"GTC","post_only":false,"cum_qty":0.01,"cum_cost":500,"avg_price":50000,"order_userref":0,"timestamp":"2023-11-14T22:13:20.000000Z","exec_id":"SIM-1","trade_id":1,"last_qty":0.01,"last_price":50000,"liquidity_ind":"t","cost":500,"fees":[{"asset":"USD","qty":0}]}],"sequence":3}"#,
            ]),
            (#"{"method":"add_order","params":{"order_type":"limit","side":"sell","order_qty":0.5,"symbol":"BTC/USD","limit_price":51000,"time_in_force":"gtc","cl_ord_id":"O-2","token":"mmx-test-ws-token"},"req_id":43}"#, [
                #"{"method":"add_order","req_id":43,"success":true,"time_in":"2023-11-14T22:13:20.000000Z","time_out":"2023-11-14T22:13:20.000000Z","result":{"order_id":"OSIMUL-1000002-KRAKEN","cl_ord_id":"O-2","order_userref":0}}"#,
                #"{"channel":"executions","type":"update","data":[{"order_id":"OSIMUL-1000002-KRAKEN","cl_ord_id":"O-2","exec_type":"new","order_status":"new","symbol":"BTC/USD","side":"sell","order_type":"limit","order_qty":0.5,"limit_price":51000,"time_in_force":"GTC","post_only":false,"cum_qty":0,"cum_cost":0,"avg_price":0,"order_userref":0,"timestamp":"2023-11-14T22:13:20.000000Z"}],"sequence":4}"#,
            ]),
            (#"{"method":"add_order","params":{"order_type":"limit","side":"sell","order_qty":0.5,"symbol":"BTC/USD","limit_price":51000,"time_in_force":"gtc","cl_ord_id":"O-2","token":"mmx-test-ws-token"},"req_id":44}"#, [
                #"{"method":"add_order","req_id":44,"success":false,"error":"EOrder:Duplicate cl_ord_id","time_in":"2023-11-14T22:13:20.000000Z","time_out":"2023-11-14T22:13:20.000000Z"}"#,
            ]),
            (#"{"method":"cancel_order","params":{"cl_ord_id":["O-2"],"token":"mmx-test-ws-token"},"req_id":45}"#, [
                #"{"method":"cancel_order","req_id":45,"success":true,"time_in":"2023-11-14T22:13:20.000000Z","time_out":"2023-11-14T22:13:20.000000Z","result":{"order_id":"OSIMUL-1000002-KRAKEN","cl_ord_id":"O-2"}}"#,
                #"{"channel":"executions","type":"update","data":[{"order_id":"OSIMUL-1000002-KRAKEN","cl_ord_id":"O-2","exec_type":"canceled","order_status":"canceled","symbol":"BTC/USD","side":"sell","order_type":"limit","order_qty":0.5,"limit_price":51000,"time_in_force":"GTC","post_only":false,"cum_qty":0,"cum_cost":0,"avg_price":0,"order_userref":0,"timestamp":"2023-11-14T22:13:20.000000Z","reason":"User requested"}],"sequence":5}"#,
            ]),
            (#"{"method":"cancel_order","params":{"order_id":["OSIMUL-1000002-KRAKEN"],"token":"mmx-test-ws-token"},"req_id":46}"#, [
                #"{"method":"cancel_order","req_id":46,"success":false,"error":"EOrder:Unknown order","time_in":"2023-11-14T22:13:20.000000Z","time_out":"2023-11-14T22:13:20.000000Z"}"#,
            ]),
            (#"{"method":"add_order","params":{"order_type":"limit","side":"buy","order_qty":0.01,"symbol":"BTC/USD","limit_price":1,"token":"wrong"},"req_id":47}"#, [
                #"{"method":"add_order","req_id":47,"success":false,"error":"EAPI:Invalid key","time_in":"2023-11-14T22:13:20.000000Z","time_out":"2023-11-14T22:13:20.000000Z"}"#,
            ]),
            (#"{"method":"ping","req_id":101}"#, [
                #"{"method":"pong","req_id":101,"time_in":"2023-11-14T22:13:20.000000Z","time_out":"2023-11-14T22:13:20.000000Z"}"#,
            ]),
            (#"not json"#, [
                #"{"error":"Malformed request","method":"error","time_in":"2023-11-14T22:13:20.000000Z","time_out":"2023-11-14T22:13:20.000000Z"}"#,
            ]),
        ])
    }

    @Test("Bitfinex: auth and os snapshot, on gives n/on/te/tu/oc, duplicate cid, cancel by cid, not found, ping")
    func bitfinex() {
        Self.check(BitfinexOrderDialect(role: .trade, connectionID: 1), venue: "bitfinex", [
            (#"{"event":"auth","apiKey":"mmx-test-key","authSig":"07ff8d2f98cc978e542b076d278c88e0ebe9ca888c7276312f79b2918be4678163c337dbf339a1a5c69138250207fb77","authNonce":"1700000000000000","authPayload":"AUTH1700000000000000"}"#, [
                #"{"event":"auth","status":"OK","chanId":0,"userId":1,"auth_id":"sim-auth-1","caps":{"orders":{"read":1,"write":1}}}"#,
                #"[0,"os",[]]"#,
            ]),
            (#"[0,"on",null,{"gid":1,"cid":12345,"type":"EXCHANGE LIMIT","symbol":"tBTCUSD","amount":"-0.1","price":"49000","hidden":0}]"#, [
                #"[0,"n",[1700000000000,"on-req",null,null,[1000001,null,12345,"tBTCUSD",1700000000000,1700000000000,-0.1,-0.1,"EXCHANGE LIMIT",null,null,null,0,"ACTIVE",null,null,49000,0,0,0,null,null,null,0,0,null,null,null,"API>BFX",null,null,{}],null,"SUCCESS","Submitting exchange limit sell order for 0.1 BTC."]]"#,
                #"[0,"on",[1000001,null,12345,"tBTCUSD",1700000000000,1700000000000,-0.1,-0.1,"EXCHANGE LIMIT",null,null,null,0,"ACTIVE",null,null,49000,0,0,0,null,null,null,0,0,null,null,null,"API>BFX",null,null,{}]]"#,
                #"[0,"te",[1,"tBTCUSD",1700000000000,1000001,-0.1,50000,"EXCHANGE LIMIT",49000,-1,null,null,12345]]"#,
                #"[0,"tu",[1,"tBTCUSD",1700000000000,1000001,-0.1,50000,"EXCHANGE LIMIT",49000,-1,0,"USD",12345]]"#,
                #"[0,"oc",[1000001,null,12345,"tBTCUSD",1700000000000,1700000000000,0,-0.1,"EXCHANGE LIMIT",null,null,null,0,"EXECUTED @ 50000(-0.1)",null,null,49000,50000,0,0,null,null,null,0,0,null,null,null,"API>BFX",null,null,{}]]"#,
            ]),
            (#"[0,"on",null,{"gid":1,"cid":12345,"type":"EXCHANGE LIMIT","symbol":"tBTCUSD","amount":"-0.1","price":"49000","hidden":0}]"#, [
                #"[0,"n",[1700000000000,"on-req",null,null,[null,null,12345,"tBTCUSD",null,null,"-0.1","-0.1","EXCHANGE LIMIT",null,null,null,0,null,null,null,"49000"],null,"ERROR","Invalid order: duplicate cid"]]"#,
            ]),
            (#"[0,"on",null,{"cid":12346,"type":"EXCHANGE LIMIT","symbol":"tBTCUSD","amount":"0.2","price":"48000"}]"#, [
                #"[0,"n",[1700000000000,"on-req",null,null,[1000002,null,12346,"tBTCUSD",1700000000000,1700000000000,0.2,0.2,"EXCHANGE LIMIT",null,null,null,0,"ACTIVE",null,null,48000,0,0,0,null,null,null,0,0,null,null,null,"API>BFX",null,null,{}],null,"SUCCESS","Submitting exchange limit buy order for 0.2 BTC."]]"#,
                #"[0,"on",[1000002,null,12346,"tBTCUSD",1700000000000,1700000000000,0.2,0.2,"EXCHANGE LIMIT",null,null,null,0,"ACTIVE",null,null,48000,0,0,0,null,null,null,0,0,null,null,null,"API>BFX",null,null,{}]]"#,
            ]),
            (#"[0,"oc",null,{"cid":12346,"cid_date":"2023-11-14"}]"#, [
                #"[0,"n",[1700000000000,"oc-req",null,null,[1000002,null,12346,"tBTCUSD",1700000000000,1700000000000,0.2,0.2,"EXCHANGE LIMIT",null,null,null,0,"CANCELED",null,null,48000,0,0,0,null,null,null,0,0,null,null,null,"API>BFX",null,null,{}],null,"SUCCESS","Submitted for cancellation; waiting for confirmation (ID: 1000002)."]]"#,
                #"[0,"oc",[1000002,null,12346,"tBTCUSD",1700000000000,1700000000000,0.2,0.2,"EXCHANGE LIMIT",null,null,null,0,"CANCELED",null,null,48000,0,0,0,null,null,null,0,0,null,null,null,"API>BFX",null,null,{}]]"#,
            ]),
            (#"[0,"oc",null,{"id":424242}]"#, [
                #"[0,"n",[1700000000000,"oc-req",null,null,[424242,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null],null,"ERROR","Order not found."]]"#,
            ]),
            (#"{"event":"ping","cid":1234}"#, [
                #"{"event":"pong","ts":1700000000000,"cid":1234}"#,
            ]),
        ])
    }

    @Test("Bitfinex: a bad signature gets the venue's auth error")
    func bitfinexBadSignature() {
        Self.check(BitfinexOrderDialect(role: .trade, connectionID: 2), venue: "bitfinex", [
            (#"{"event":"auth","apiKey":"mmx-test-key","authSig":"404754d3878db2d404d036eea81a6792c567ff939f2ad4e3434507458b43a6a4ab2cd98e774f8fbaf7237ea915abe4d0","authNonce":"1700000000000000","authPayload":"AUTH1700000000000000"}"#, [
                #"{"event":"auth","status":"FAILED","chanId":0,"msg":"apikey: digest invalid","code":10100}"#,
            ]),
        ])
    }
}
