import Fanout
import MarketModel
import NIOCore
import OrderGateway
import Orders
import Replay
import Sessions
import Transport
import VenueKit
import Venues

/// Order entry in the embedded demo: one ``OrderGateway`` whose order connections log in to the
/// simulated venues' `/<venue>/orders` endpoints with the simulator's test account, installed as
/// the local socket's order handler (`marketmux order place …` works against the demo).
enum DemoOrders {
    /// The simulator's test account (docs/simulator.md "Orders"); Kraken's REST-style secret is
    /// base64 and its WebSocket token travels in `passphrase` (docs/order-routing.md).
    static func credentials(for venue: VenueID) -> VenueCredentials {
        switch venue.rawValue {
        case "kraken": return VenueCredentials(apiKey: "mmx-test-key", secret: "bW14LXRlc3Qtc2VjcmV0", passphrase: "mmx-test-ws-token")
        default: return VenueCredentials(apiKey: "mmx-test-key", secret: "mmx-test-secret", passphrase: "mmx-test-passphrase")
        }
    }

    /// Trading rules for the demo's instruments: the venues' published BTC rules at the time of
    /// writing (a real deployment loads them from the venue: Binance `exchangeInfo`, OKX
    /// `instruments`, ...). Deribit perpetuals trade in USD contracts of 10.
    static func rules(for venue: VenueID, symbol: Symbol) -> InstrumentRules {
        func rules(_ tick: String, _ lot: String, _ min: String) -> InstrumentRules {
            InstrumentRules(tickSize: Price(tick) ?? .zero, lotSize: Size(lot) ?? .zero, minSize: Size(min) ?? .zero)
        }
        switch venue.rawValue {
        case "binance": return rules("0.01", "0.00001", "0.00001")
        case "okx": return rules("0.1", "0.00000001", "0.00001")
        case "bybit": return rules("0.01", "0.000001", "0.000048")
        case "kraken": return rules("0.1", "0.00000001", "0.0001")
        case "deribit": return rules("0.5", "10", "10")
        case "bitfinex": return rules("1", "0.00000001", "0.00004")
        default: return rules("0.01", "0.00000001", "0.00000001")
        }
    }

    /// A gateway for every simulated venue that has order entry, or `nil` when none does.
    static func makeGateway(simulator: SimulatedVenueServer, venues: [(id: VenueID, symbols: [Symbol], options: [String: String])],
                            eventLoop: any EventLoop, clientOptions: WebSocketClientOptions,
                            log: @escaping @Sendable (String, Bool) -> Void) -> OrderGateway? {
        var venueConfigurations: [VenueOrderConfiguration] = []
        var endpoints: [VenueID: OrderVenueEndpoint] = [:]
        var routerTypes: [VenueID: any OrderRouting.Type] = [:]
        for venue in venues {
            var instruments: [Symbol: InstrumentRules] = [:]
            for symbol in venue.symbols { instruments[symbol] = rules(for: venue.id, symbol: symbol) }
            // Venues without WebSocket order entry stay in the configuration so their orders are
            // refused as `unsupported` with the reason, not as an unknown venue.
            venueConfigurations.append(VenueOrderConfiguration(venue: venue.id, spec: nil, frameBuilder: nil, instruments: instruments))
            guard let routerType = OrderRouterRegistry.routerType(for: venue.id),
                  simulator.orderVenues.contains(venue.id.rawValue) else { continue }
            routerTypes[venue.id] = routerType
            endpoints[venue.id] = OrderVenueEndpoint(
                venue: venue.id, url: simulator.orderWebSocketURL(for: venue.id.rawValue),
                updatesURL: routerType.orderSpec.updatesURL == nil ? nil : simulator.orderWebSocketURL(for: venue.id.rawValue, role: .updates),
                credentials: credentials(for: venue.id),
                adapterConfiguration: VenueAdapterConfiguration(symbols: venue.symbols, options: venue.options),
                // REST order-status queries (OKX, Bybit, Kraken, Bitfinex) go to the simulator too.
                restBaseURL: simulator.restURL(for: venue.id.rawValue))
        }
        guard !endpoints.isEmpty else { return nil }
        let backoff = ReconnectBackoffConfiguration(base: Interval.milliseconds(200), cap: Interval.seconds(3),
                                                    stablePeriod: Interval.seconds(5))
        let configuration = OrderGatewayConfiguration(
            multiplexer: OrderMultiplexerConfiguration(venues: venueConfigurations), endpoints: endpoints,
            clientOptions: clientOptions, backoff: backoff)
        return OrderGateway(configuration: configuration, routerTypes: routerTypes, eventLoop: eventLoop, log: log)
    }
}
