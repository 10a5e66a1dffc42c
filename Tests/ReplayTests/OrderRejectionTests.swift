import NIOCore
import NIOPosix
@testable import Replay
import Testing

/// Signatures checked the venue's way, and rate limits refused the venue's way.
@Suite("Order dialects: signatures and rate-limit rejections")
struct OrderRejectionTests {
    static let place = [("symbol", "\"BTCUSDT\""), ("side", "\"BUY\""), ("type", "\"LIMIT\""), ("timeInForce", "\"GTC\""),
                        ("price", "\"40000\""), ("quantity", "\"0.01\"")]

    static func one(_ name: String, _ limit: Int, _ kinds: [SimulatedRequestKind] = [.place], perSymbol: Bool = false) -> [SimulatedRateRule] {
        [SimulatedRateRule(name: name, window: .fixed(intervalNanoseconds: 10_000_000_000, limit: limit), isPerSymbol: perSymbol,
                           costs: Dictionary(uniqueKeysWithValues: kinds.map { ($0, 1) }))]
    }

    @Test("HMAC-SHA256 over OpenSSL reproduces Binance's documented signature (VENUES.md §1.6)")
    func binanceVector() {
        let payload = "apiKey=vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A&price=52000.00&quantity=0.01000000"
            + "&recvWindow=100&side=SELL&symbol=BTCUSDT&timeInForce=GTC&timestamp=1645423376532&type=LIMIT"
        let secret = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j"
        #expect(OrderSigning.hex(.sha256, secret: secret, message: payload) == "aa1b5712c094bc4e57c05a1a5c1fd8d88dcd628338ea863fec7b88e59fe2db24")
    }

    @Test("Binance: bad signature -1022, unknown key -2015 (401), stale timestamp -1021; nothing is placed")
    func binanceAuth() {
        var exchange = OrderBench.exchange("binance")
        var dialect = BinanceOrderDialect(role: .trade, connectionID: 1)
        let bad = OrderBench.send(OrderBench.binance("1", "order.place", Self.place, secret: "wrong"), &dialect, &exchange)
        #expect(bad.first?.hasPrefix(#"{"id":"1","status":400,"error":{"code":-1022,"msg":"Signature for this request is not valid."}"#) == true)
        let stale = OrderBench.send(OrderBench.binance("2", "order.place", Self.place, timestamp: OrderBench.now.epochMilliseconds - 6000), &dialect, &exchange)
        #expect(stale.first?.hasPrefix(#"{"id":"2","status":400,"error":{"code":-1021,"msg":"Timestamp for this request is outside of the recvWindow."}"#) == true)
        let unknown = OrderBench.send(OrderBench.binance("3", "order.place", Self.place).replacingOccurrences(of: "mmx-test-key", with: "nobody"), &dialect, &exchange)
        #expect(unknown.first?.hasPrefix(#"{"id":"3","status":401,"error":{"code":-2015,"msg":"Invalid API-key, IP, or permissions for action."}"#) == true)
        #expect(exchange.ledger.isEmpty)
    }

    @Test("Binance: the order over ORDERS gets 429 -1015 with rateLimits and retryAfter")
    func binanceRateLimit() {
        var exchange = OrderBench.exchange("binance", rules: Self.one("ORDERS", 1))
        var dialect = BinanceOrderDialect(role: .trade, connectionID: 1)
        _ = OrderBench.send(OrderBench.binance("1", "order.place", Self.place), &dialect, &exchange)
        let limited = OrderBench.send(OrderBench.binance("2", "order.place", Self.place + [("newClientOrderId", "\"x\"")]), &dialect, &exchange)
        #expect(limited == [#"{"id":"2","status":429,"error":{"code":-1015,"msg":"Too many new orders; current limit is 1 orders per 10 SECOND.","data":{"serverTime":1700000000000,"retryAfter":1700000010000}},"rateLimits":[{"rateLimitType":"ORDERS","interval":"SECOND","intervalNum":10,"limit":1,"count":1}]}"#])
        #expect(exchange.ledger.count == 1 && exchange.counters.rateLimited == 1)
    }

    @Test("OKX: 50011 over the per-instrument limit")
    func okxRateLimit() {
        var exchange = OrderBench.exchange("okx", rules: Self.one("order", 1, perSymbol: true))
        var dialect = OKXOrderDialect(role: .trade, connectionID: 1)
        _ = OrderBench.send(OrderBench.okxLogin(), &dialect, &exchange)
        let order = #"{"id":"1","op":"order","args":[{"side":"buy","instId":"BTC-USDT","tdMode":"cash","ordType":"limit","px":"40000","sz":"0.01"}]}"#
        _ = OrderBench.send(order, &dialect, &exchange)
        #expect(OrderBench.send(order, &dialect, &exchange) == [#"{"id":"1","op":"order","code":"50011","msg":"Rate limit reached. Please refer to API documentation and throttle requests accordingly.","data":[],"inTime":"1700000000000000","outTime":"1700000000000000"}"#])
        let other = order.replacingOccurrences(of: "BTC-USDT", with: "ETH-USDT")
        #expect(OrderBench.send(other, &dialect, &exchange).first?.contains(#""sCode":"0""#) == true, "another instrument has its own window")
    }

    @Test("OKX: stale login timestamp 60004, wrong passphrase 60024")
    func okxLoginErrors() {
        var exchange = OrderBench.exchange("okx")
        var dialect = OKXOrderDialect(role: .trade, connectionID: 1)
        #expect(OrderBench.send(OrderBench.okxLogin(seconds: OrderBench.now.epochMilliseconds / 1000 - 31), &dialect, &exchange)
            == [#"{"event":"error","code":"60004","msg":"Invalid timestamp","connId":"00000001"}"#])
        let wrong = OrderBench.okxLogin().replacingOccurrences(of: "mmx-test-passphrase", with: "nope")
        #expect(OrderBench.send(wrong, &dialect, &exchange) == [#"{"event":"error","code":"60024","msg":"Wrong passphrase","connId":"00000001"}"#])
    }

    @Test("Bybit: bad signature 10004; 10006 Too many visits! with X-Bapi-Limit-Status 0")
    func bybit() {
        var exchange = OrderBench.exchange("bybit", rules: Self.one("order.create", 1))
        var dialect = BybitOrderDialect(role: .trade, connectionID: 1)
        #expect(OrderBench.send(OrderBench.bybitAuth("reqId", secret: "wrong"), &dialect, &exchange)
            == [#"{"reqId":"auth-1","retCode":10004,"retMsg":"Invalid sign","op":"auth","connId":"sim1-trade"}"#])
        _ = OrderBench.send(OrderBench.bybitAuth("reqId"), &dialect, &exchange)
        let create = #"{"reqId":"R","op":"order.create","args":[{"symbol":"BTCUSDT","side":"Buy","orderType":"Limit","qty":"0.2","price":"40000","category":"linear"}]}"#
        _ = OrderBench.send(create, &dialect, &exchange)
        #expect(OrderBench.send(create.replacingOccurrences(of: "\"R\"", with: "\"R2\""), &dialect, &exchange)
            == [#"{"reqId":"R2","retCode":10006,"retMsg":"Too many visits!","op":"order.create","data":{},"retExtInfo":{},"header":{"X-Bapi-Limit":"1","X-Bapi-Limit-Status":"0","X-Bapi-Limit-Reset-Timestamp":"1700000010000","Traceid":"sim-R2","Timenow":"1700000000000"},"connId":"sim1-trade"}"#])
    }

    @Test("Deribit: bad signature 13004; out of credits 10028 too_many_requests and the session ends")
    func deribit() {
        var exchange = OrderBench.exchange("deribit", rules: [SimulatedRateRule(name: "matching_engine", window: .tokenBucket(capacity: 1, refillPerSecond: 5), costs: [.place: 1])])
        var dialect = DeribitOrderDialect(role: .trade, connectionID: 1)
        #expect(OrderBench.send(OrderBench.deribitAuth(secret: "wrong"), &dialect, &exchange)
            == [#"{"jsonrpc":"2.0","id":1,"error":{"message":"invalid_credentials","code":13004},"usIn":1700000000000000,"usOut":1700000000000000,"usDiff":0,"testnet":false}"#])
        _ = OrderBench.send(OrderBench.deribitAuth(), &dialect, &exchange)
        let buy = #"{"jsonrpc":"2.0","id":9,"method":"private/buy","params":{"instrument_name":"BTC-PERPETUAL","amount":10,"type":"limit","price":40000}}"#
        _ = OrderBench.send(buy, &dialect, &exchange)
        let result = dialect.handle(Array(buy.utf8), exchange: &exchange, now: OrderBench.now)
        #expect(result.replies == [#"{"jsonrpc":"2.0","id":9,"error":{"message":"too_many_requests","code":10028},"usIn":1700000000000000,"usOut":1700000000000000,"usDiff":0,"testnet":false}"#])
        #expect(result.closesConnection)
    }

    @Test("Kraken: the per-pair counter refuses with EOrder:Rate limit exceeded")
    func kraken() {
        var exchange = OrderBench.exchange("kraken", rules: [SimulatedRateRule(name: "trading", window: .decayingCounter(threshold: 1, decayPerSecondThousandths: 1000),
                                                                                isPerSymbol: true, costs: [.place: 1])])
        var dialect = KrakenOrderDialect(role: .trade, connectionID: 1)
        let add = #"{"method":"add_order","params":{"order_type":"limit","side":"buy","order_qty":0.01,"symbol":"BTC/USD","limit_price":40000,"token":"mmx-test-key"},"req_id":1}"#
        _ = OrderBench.send(add, &dialect, &exchange)
        #expect(OrderBench.send(add, &dialect, &exchange)
            == [#"{"method":"add_order","req_id":1,"success":false,"error":"EOrder:Rate limit exceeded","time_in":"2023-11-14T22:13:20.000000Z","time_out":"2023-11-14T22:13:20.000000Z"}"#])
        #expect(OrderBench.send(add, &dialect, &exchange, now: OrderBench.later(1000)).first?.contains(#""success":true"#) == true, "decayed after 1 s")
    }

    @Test("Bitfinex: ERR_RATE_LIMIT in an on-req ERROR notification")
    func bitfinex() {
        var exchange = OrderBench.exchange("bitfinex", rules: Self.one("orders", 1))
        var dialect = BitfinexOrderDialect(role: .trade, connectionID: 1)
        _ = OrderBench.send(OrderBench.bitfinexAuth(), &dialect, &exchange)
        _ = OrderBench.send(#"[0,"on",null,{"cid":1,"type":"EXCHANGE LIMIT","symbol":"tBTCUSD","amount":"0.1","price":"40000"}]"#, &dialect, &exchange)
        #expect(OrderBench.send(#"[0,"on",null,{"cid":2,"type":"EXCHANGE LIMIT","symbol":"tBTCUSD","amount":"0.1","price":"40000"}]"#, &dialect, &exchange)
            == [#"[0,"n",[1700000000000,"on-req",null,null,[null,null,2,"tBTCUSD",null,null,"0.1","0.1","EXCHANGE LIMIT",null,null,null,0,null,null,null,"40000"],null,"ERROR","ERR_RATE_LIMIT"]]"#])
    }

    @Test("an order update reaches only the account that subscribed (another connection's dialect)")
    func updatesStayWithTheirAccount() {
        var exchange = SimulatedExchange(venue: "okx", accounts: [.test, SimulatedAccount(apiKey: "other", secret: "s")], rateRules: [],
                                         defaultReferencePrice: SimulatedDecimal(units: 100))
        var listener = OKXOrderDialect(role: .trade, connectionID: 1)
        _ = OrderBench.send(OrderBench.okxLogin(), &listener, &exchange)
        _ = OrderBench.send(#"{"id":"s","op":"subscribe","args":[{"channel":"orders","instType":"SPOT","instId":"BTC-USDT"}]}"#, &listener, &exchange)
        _ = try? exchange.place(SimulatedOrderRequest(account: "other", clientOrderID: "a", symbol: "BTC-USDT", side: .buy, type: .market,
                                                      price: nil, quantity: SimulatedDecimal(units: 1)), now: OrderBench.now).get()
        _ = try? exchange.place(SimulatedOrderRequest(account: OrderBench.key, clientOrderID: "b", symbol: "ETH-USDT", side: .buy, type: .market,
                                                      price: nil, quantity: SimulatedDecimal(units: 1)), now: OrderBench.now).get()
        _ = try? exchange.place(SimulatedOrderRequest(account: OrderBench.key, clientOrderID: "c", symbol: "BTC-USDT", side: .buy, type: .market,
                                                      price: nil, quantity: SimulatedDecimal(units: 1)), now: OrderBench.now).get()
        let frames = exchange.takeEvents().flatMap { listener.render($0, now: OrderBench.now) }
        #expect(frames.count == 2)
        #expect(frames.allSatisfy { $0.contains(#""clOrdId":"c""#) })
    }
}

/// Venue heartbeats and Kraken's REST token, over loopback with a manual clock.
@Suite("Order connections: venue heartbeats and Kraken's token", .serialized, .timeLimit(.minutes(1)))
struct OrderHeartbeatTests {
    @Test("Kraken REST API-Sign: the documented example signature")
    func krakenRESTVector() throws {
        let secret = try #require(OrderSigning.base64Decode("kQH5HW/8p1uGOVjbgWA7FunAmGO8lsSUXNsu3eow76sz84Q18fWxnyRzBHCd3pd5nE9qa99HAZtuZuj6F1huXg=="))
        let nonce = "1616492376594"
        let body = "nonce=1616492376594&ordertype=limit&pair=XBTUSD&price=37500&type=buy&volume=1.25"
        let mac = OrderSigning.mac(.sha512, key: secret, data: Array("/0/private/AddOrder".utf8) + OrderSigning.sha256(nonce + body))
        #expect(OrderSigning.base64(mac) == "4/dpxb3iT4tp/ZCVEwSnEsLxx0bqyhLpdfOpc6fn7OR8+UClSV5n9E6aSS8MPtnRfp32bAb0nmbRn6H8ndwLUQ==")
    }

    @Test("Deribit heartbeats start with public/set_heartbeat (at least 10 s) and stop with disable_heartbeat")
    func deribitHeartbeatState() {
        var exchange = OrderBench.exchange("deribit")
        var dialect = DeribitOrderDialect(role: .trade, connectionID: 1)
        #expect(dialect.heartbeat == nil)
        let tooShort = OrderBench.send(#"{"jsonrpc":"2.0","id":"hb","method":"public/set_heartbeat","params":{"interval":5}}"#, &dialect, &exchange)
        #expect(tooShort.first?.contains(#""code":-32602"#) == true && dialect.heartbeat == nil)
        _ = OrderBench.send(#"{"jsonrpc":"2.0","id":"hb","method":"public/set_heartbeat","params":{"interval":30}}"#, &dialect, &exchange)
        #expect(dialect.heartbeat?.intervalMilliseconds == 30_000)
        #expect(dialect.heartbeat?.frame == #"{"jsonrpc":"2.0","method":"heartbeat","params":{"type":"test_request"}}"#)
        _ = OrderBench.send(#"{"jsonrpc":"2.0","id":"hb","method":"public/disable_heartbeat","params":{}}"#, &dialect, &exchange)
        #expect(dialect.heartbeat == nil)
    }

    @Test("Bitfinex: after auth the server sends [0,\"hb\"] every 15 s of the (manual) clock")
    func bitfinexHeartbeat() async throws {
        let clock = ManualReplayClock()
        try await LoopbackTests.withServer(OrderLoopbackTests.configuration(), clock: clock) { server, group in
            let run = try ClientRun.connect(server.orderWebSocketURL(for: "bitfinex"), group: group)
            _ = try await OrderLoopbackTests.exchange(run, OrderBench.bitfinexAuth(), expecting: 3)
            try await waitUntil("the heartbeat is scheduled") { clock.pendingTaskCount == 1 }
            #expect(clock.nextDeadline == clock.now() + 15_000_000_000)
            clock.advance(by: 15_000_000_000)
            let messages = try await run.client.messages(atLeast: 4)
            #expect(messages.first?.hasPrefix(#"{"event":"info","version":2"#) == true)
            #expect(messages.last == #"[0,"hb"]"#)
            try await run.opened.get().close()
            _ = try await run.closeInfo()
        }
    }

    @Test("Kraken: POST /kraken/0/private/GetWebSocketsToken signed with the base64 secret gives the token; a bad signature does not")
    func krakenToken() async throws {
        try await LoopbackTests.withServer(OrderLoopbackTests.configuration()) { server, _ in
            let path = "/0/private/GetWebSocketsToken"
            let body = "nonce=1700000000000"
            let secret = try #require(OrderSigning.base64Decode(SimulatedAccount.krakenTest.secret))
            let sign = OrderSigning.base64(OrderSigning.mac(.sha512, key: secret, data: Array(path.utf8) + OrderSigning.sha256("1700000000000" + body)))
            let good = try await httpPost(port: server.port, target: "/kraken" + path, headers: ["API-Key: mmx-test-key", "API-Sign: \(sign)"], body: body)
            #expect(good == #"{"error":[],"result":{"token":"mmx-test-ws-token","expires":900}}"#)
            let bad = try await httpPost(port: server.port, target: "/kraken" + path, headers: ["API-Key: mmx-test-key", "API-Sign: AAAA"], body: body)
            #expect(bad == #"{"error":["EAPI:Invalid signature"]}"#)
        }
    }
}

/// A one-shot HTTP/1.1 POST over a raw NIO socket; returns the body.
func httpPost(port: Int, target: String, headers: [String], body: String) async throws -> String {
    let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    defer { group.shutdownGracefully { _ in } }
    let collector = PostCollector(promise: group.next().makePromise())
    let channel = try await ClientBootstrap(group: group)
        .channelInitializer { channel in channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(collector) } }
        .connect(host: "127.0.0.1", port: port).get()
    let head = (["POST \(target) HTTP/1.1", "Host: 127.0.0.1:\(port)", "Connection: close", "Content-Type: application/x-www-form-urlencoded",
                 "Content-Length: \(body.utf8.count)"] + headers).joined(separator: "\r\n")
    try await channel.writeAndFlush(channel.allocator.buffer(string: head + "\r\n\r\n" + body)).get()
    let text = String(decoding: try await collector.promise.futureResult.get(), as: UTF8.self)
    guard let split = text.range(of: "\r\n\r\n") else { throw TestFailure("no HTTP head in '\(text.prefix(200))'") }
    return String(text[split.upperBound...])
}

private final class PostCollector: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    let promise: EventLoopPromise<[UInt8]>
    private var bytes: [UInt8] = []
    init(promise: EventLoopPromise<[UInt8]>) { self.promise = promise }
    func channelRead(context: ChannelHandlerContext, data: NIOAny) { bytes += Array(unwrapInboundIn(data).readableBytesView) }
    func channelInactive(context: ChannelHandlerContext) { promise.succeed(bytes) }
}
