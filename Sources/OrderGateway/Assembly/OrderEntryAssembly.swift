import Fanout
import MarketModel
import NIOCore
import Orders
import Sessions
import Transport
import VenueKit
import Venues

/// Builds order entry from each venue's settings (issues #6, #7), the one path `marketmux run` and
/// the demo share: trading rules not given in the configuration are fetched from the venue's
/// public REST API (retried), Kraken's WebSocket token is fetched when no token variable is set,
/// and an ``OrderGateway`` is made with a router per venue and installed as the hub's order handler.
/// A venue whose rules or token cannot be obtained is refused with the reason logged, and its
/// orders are answered `unsupported` with that reason; the other venues still start.
public enum OrderEntryAssembly {
    /// The tunables of an assembly.
    public struct Options: Sendable {
        /// WebSocket client options of the order connections.
        public var clientOptions: WebSocketClientOptions
        /// Reconnect backoff of the order connections.
        public var backoff: ReconnectBackoffConfiguration
        /// Retries of the start-up REST calls.
        public var retry: RESTRetryPolicy
        /// First venue client order id counter value; give something that grows across restarts
        /// (the start time in ms) so a restarted daemon never reuses an id.
        public var clientOrderIDSeed: UInt64
        /// Kraken REST nonces (must grow from call to call: the wall clock in ms).
        public var nonce: @Sendable () -> UInt64

        /// Defaults: production client options and backoff, ``RESTRetryPolicy()``, seed 1, nonce from `nonce`.
        public init(clientOptions: WebSocketClientOptions = WebSocketClientOptions(),
                    backoff: ReconnectBackoffConfiguration = ReconnectBackoffConfiguration(),
                    retry: RESTRetryPolicy = RESTRetryPolicy(), clientOrderIDSeed: UInt64 = 1,
                    nonce: @escaping @Sendable () -> UInt64) {
            self.clientOptions = clientOptions
            self.backoff = backoff
            self.retry = retry
            self.clientOrderIDSeed = clientOrderIDSeed
            self.nonce = nonce
        }
    }

    /// What was built.
    public struct Outcome: Sendable {
        /// The gateway, installed on the hub, not yet started (call ``OrderGateway/start()`` once
        /// its stale-data guard is fed).
        public let gateway: OrderGateway
        /// The rules each accepted venue validates against.
        public let rules: [VenueID: [Symbol: InstrumentRules]]
        /// Venues without order entry in this run, with the reason their orders are refused.
        public let refused: [VenueID: String]
    }

    /// Fetches what is missing, builds the gateway and installs it on `hub` (when given).
    /// `log(message, isError)` gets one line per venue (rules loaded, or why it was refused).
    public static func assemble(_ venues: [OrderEntryVenueSettings], hub: FanoutHub?, options: Options,
                                eventLoop: any EventLoop, log: @escaping @Sendable (String, Bool) -> Void) -> EventLoopFuture<Outcome> {
        let prepared = venues.map { prepare($0, options: options, eventLoop: eventLoop) }
        return EventLoopFuture.whenAllComplete(prepared, on: eventLoop).map { results in
            var configurations: [VenueOrderConfiguration] = []
            var endpoints: [VenueID: OrderVenueEndpoint] = [:]
            var routerTypes: [VenueID: any OrderRouting.Type] = [:]
            var accepted: [VenueID: [Symbol: InstrumentRules]] = [:]
            var refused: [VenueID: String] = [:]
            for (settings, result) in zip(venues, results) {
                var configuration = VenueOrderConfiguration(venue: settings.venue, spec: nil, frameBuilder: nil, instruments: [:],
                                                            staleDataGuard: settings.staleDataGuard)
                defer { configurations.append(configuration) }
                guard let routerType = OrderRouterRegistry.routerType(for: settings.venue) else {
                    // Kept in the configuration so its orders are `unsupported`, not `unknown_venue`.
                    log("orders: \(settings.venue) has no WebSocket order entry; its orders are answered 'unsupported'", false)
                    continue
                }
                switch result {
                case .failure(let error):
                    let reason = "venue '\(settings.venue)' has no order entry in this run: \(error)"
                    configuration.unavailableReason = reason
                    refused[settings.venue] = reason
                    log("orders: \(settings.venue) refused: \(error); its orders are answered 'unsupported'", true)
                case .success(let ready):
                    configuration.instruments = ready.rules
                    accepted[settings.venue] = configuration.instruments
                    routerTypes[settings.venue] = routerType
                    endpoints[settings.venue] = OrderVenueEndpoint(
                        venue: settings.venue, url: settings.orderURL ?? routerType.orderSpec.url,
                        updatesURL: settings.updatesURL ?? routerType.orderSpec.updatesURL, credentials: ready.credentials,
                        adapterConfiguration: VenueAdapterConfiguration(symbols: settings.symbols, options: settings.options),
                        // The same REST override serves the order-status queries (a testnet or the simulator);
                        // `nil` leaves each on its production host.
                        restBaseURL: settings.restBaseURL,
                        refreshCredentials: Self.tokenRefresh(settings, options: options))
                    for symbol in settings.symbols {
                        let origin = settings.explicitRules[symbol] == nil ? "fetched" : "configured"
                        log("orders: \(settings.venue) \(symbol): \(ready.rules[symbol].map(\.description) ?? "-") (\(origin))", false)
                    }
                }
            }
            let gatewayConfiguration = OrderGatewayConfiguration(
                multiplexer: OrderMultiplexerConfiguration(venues: configurations, clientOrderIDSeed: options.clientOrderIDSeed),
                endpoints: endpoints, clientOptions: options.clientOptions, backoff: options.backoff)
            let gateway = OrderGateway(configuration: gatewayConfiguration, routerTypes: routerTypes, eventLoop: eventLoop, log: log)
            hub?.installOrderHandler(gateway)
            return Outcome(gateway: gateway, rules: accepted, refused: refused)
        }
    }

    /// A venue's rules and final credentials, once fetched.
    struct Ready: Sendable {
        var rules: [Symbol: InstrumentRules]
        var credentials: VenueCredentials
    }

    /// Kraken without a configured token: a fresh token before every reconnect, since a token must
    /// be used within 15 minutes of being issued [KR-TOKEN] and an outage can outlast that.
    /// `nil` for every other venue (and for a token given in the configuration).
    static func tokenRefresh(_ settings: OrderEntryVenueSettings, options: Options)
        -> (@Sendable (VenueCredentials, any EventLoop) -> EventLoopFuture<VenueCredentials>)? {
        guard settings.venue == Kraken.spec.id, settings.credentials.passphrase == nil else { return nil }
        let restBaseURL = settings.restBaseURL, nonce = options.nonce, retry = options.retry
        return { current, eventLoop in
            KrakenTokenFetcher.fetch(credentials: current, restBaseURL: restBaseURL, nonce: nonce, retry: retry, eventLoop: eventLoop)
                .map { token in
                    var fresh = current
                    fresh.passphrase = token  // Kraken's router reads the token from `passphrase`
                    return fresh
                }
        }
    }

    /// Fetches `settings`' missing rules and, for Kraken without a configured token, its token.
    static func prepare(_ settings: OrderEntryVenueSettings, options: Options, eventLoop: any EventLoop) -> EventLoopFuture<Ready> {
        guard OrderRouterRegistry.routerType(for: settings.venue) != nil else {
            return eventLoop.makeSucceededFuture(Ready(rules: [:], credentials: settings.credentials))
        }
        let rules = InstrumentRulesLoader.load(venue: settings.venue, symbols: settings.symbolsWithoutRules, options: settings.options,
                                               restBaseURL: settings.restBaseURL, retry: options.retry, eventLoop: eventLoop)
            .map { fetched in fetched.merging(settings.explicitRules) { _, configured in configured } }
        // The first token comes from the same fetch that refreshes it before each reconnect.
        let credentials = tokenRefresh(settings, options: options).map { fetch in fetch(settings.credentials, eventLoop) }
            ?? eventLoop.makeSucceededFuture(settings.credentials)
        return rules.and(credentials).map { Ready(rules: $0.0, credentials: $0.1) }
    }
}
