import Fanout
import Foundation
import MarketModel
import NIOCore
import OrderGateway
import Orders
import Replay
import Sessions
import Transport
import VenueKit
import Venues

/// Order entry in the embedded demo, built exactly as `marketmux run` builds it
/// (``OrderGateway/OrderEntryAssembly``): trading rules fetched from the simulated venues' public
/// instrument endpoints, Kraken's WebSocket token from the simulator's `GetWebSocketsToken`, order
/// connections logging in to `/<venue>/orders` with the simulator's test account, and the gateway
/// installed as the local socket's order handler (`marketmux order place …` works against the demo).
enum DemoOrders {
    /// The simulator's test account (docs/simulator.md "Orders"); Kraken's REST-style secret is
    /// base64, and its WebSocket token is fetched over REST like in production.
    static func credentials(for venue: VenueID) -> VenueCredentials {
        switch venue.rawValue {
        case "kraken": return VenueCredentials(apiKey: "mmx-test-key", secret: "bW14LXRlc3Qtc2VjcmV0")
        default: return VenueCredentials(apiKey: "mmx-test-key", secret: "mmx-test-secret", passphrase: "mmx-test-passphrase")
        }
    }

    /// A gateway for every simulated venue that has order entry, installed on `hub`, or `nil`
    /// when none does. Venues whose rules cannot be loaded are logged and answer `unsupported`.
    static func makeGateway(simulator: SimulatedVenueServer, venues: [(id: VenueID, symbols: [Symbol], options: [String: String])],
                            hub: FanoutHub, eventLoop: any EventLoop, clientOptions: WebSocketClientOptions,
                            log: @escaping @Sendable (String, Bool) -> Void) async -> OrderGateway? {
        var settings: [OrderEntryVenueSettings] = []
        for venue in venues {
            let name = venue.id.rawValue
            if let routerType = OrderRouterRegistry.routerType(for: venue.id) {
                guard simulator.orderVenues.contains(name) else { continue }
                settings.append(OrderEntryVenueSettings(
                    venue: venue.id, orderURL: simulator.orderWebSocketURL(for: name),
                    updatesURL: routerType.orderSpec.updatesURL == nil ? nil : simulator.orderWebSocketURL(for: name, role: .updates),
                    restBaseURL: simulator.restURL(for: name), credentials: credentials(for: venue.id),
                    symbols: venue.symbols, options: venue.options))
            } else {
                // Venues without WebSocket order entry stay so their orders are refused as
                // `unsupported` with the reason, not as an unknown venue.
                settings.append(OrderEntryVenueSettings(venue: venue.id, credentials: credentials(for: venue.id), symbols: venue.symbols))
            }
        }
        guard settings.contains(where: { OrderRouterRegistry.routerType(for: $0.venue) != nil }) else { return nil }
        let options = OrderEntryAssembly.Options(
            clientOptions: clientOptions,
            backoff: ReconnectBackoffConfiguration(base: Interval.milliseconds(200), cap: Interval.seconds(3), stablePeriod: Interval.seconds(5)),
            retry: RESTRetryPolicy(attempts: 3, firstDelay: Interval.milliseconds(100), timeout: Interval.seconds(5)),
            nonce: { UInt64(Date().timeIntervalSince1970 * 1000) })
        return try? await OrderEntryAssembly.assemble(settings, hub: hub, options: options, eventLoop: eventLoop, log: log).get().gateway
    }
}
