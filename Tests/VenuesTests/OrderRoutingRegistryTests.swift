import MarketModel
import Testing
import VenueKit
import Venues

// The order-router registry and facts shared by every router: ids, URLs, limits and the rule that
// secrets only ever leave as signatures.

@Suite("Order router registry")
struct OrderRoutingRegistryTests {
    @Test("six venues route orders; Coinbase, BitMEX and Binance USD-M are unsupported")
    func registry() throws {
        #expect(OrderRouterRegistry.venueIDs == [.binance, .kraken, .okx, .bybit, .deribit, .bitfinex])
        #expect(OrderRouterRegistry.routerType(for: .coinbase) == nil)
        #expect(OrderRouterRegistry.routerType(for: .bitmex) == nil)
        #expect(OrderRouterRegistry.routerType(for: .binanceFutures) == nil)
        let router = OrderRouterRegistry.makeRouter(for: .okx, configuration: VenueAdapterConfiguration(symbols: [try Symbol("BTC-USDT")]))
        #expect(router.map { type(of: $0).orderSpec.url } == "wss://ws.okx.com:8443/ws/v5/private")
    }

    @Test("every spec has a wss URL, limits and positive capacities")
    func specs() {
        for type in OrderRouterRegistry.all {
            let spec = type.orderSpec
            #expect(spec.url.hasPrefix("wss://"))
            #expect(!spec.limits.isEmpty)
            #expect(spec.limits.allSatisfy { $0.capacity > 0 && $0.interval > 0 })
        }
    }

    @Test("no frame of any router contains the secret or the passphrase")
    func secretsStayOut() throws {
        let secret = "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldA=="  // base64, so Kraken's REST signer accepts it
        let credentials = VenueCredentials(apiKey: "key", secret: secret, passphrase: "TOKEN-or-PASSPHRASE")
        let context = OrderFrameContext(requestID: "77", now: 1_700_000_000_000_000_000, credentials: credentials)
        let symbols: [VenueID: String] = [.binance: "BTC-USDT", .kraken: "BTC-USD", .okx: "BTC-USDT", .bybit: "BTC-USDT-PERP",
                                          .deribit: "BTC-USD-PERP", .bitfinex: "BTC-USD"]
        for type in OrderRouterRegistry.all {
            let venue = type.orderSpec.venue
            let symbol = try Symbol(symbols[venue] ?? "")
            let router = type.init(configuration: VenueAdapterConfiguration(symbols: [symbol]))
            let order = VenueOrder(venueClientOrderID: "123", symbol: symbol, side: .buy, type: .limit,
                                   price: FixedDecimal("100.5"), size: FixedDecimal("0.25") ?? .zero, timeInForce: .gtc)
            var frames = try router.loginFrames(context: context) + router.updatesLoginFrames(context: context)
            frames.append(try router.placeFrame(order, context: context))
            frames.append(try router.cancelFrame(venueClientOrderID: "123", symbol: symbol, context: context))
            if let all = try? router.cancelAllFrame(symbol: venue == .binance ? symbol : nil, context: context) { frames.append(all) }
            if let status = try? router.statusFrame(venueClientOrderID: "123", symbol: symbol, context: context) { frames.append(status) }
            for frame in frames {
                #expect(!frame.text.contains(secret), "\(venue): \(frame.text)")
                if venue != .okx && venue != .kraken {
                    #expect(!frame.text.contains("TOKEN-or-PASSPHRASE"), "\(venue): \(frame.text)")
                }
            }
        }
        #expect(!"\(credentials)".contains(secret) && !"\(credentials)".contains("TOKEN-or-PASSPHRASE"))
    }
}
