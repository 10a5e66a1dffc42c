import Foundation

/// The simulator's order entry (docs/simulator.md "Orders"): accounts, prices, limits, clocks.
public struct OrderSimulationConfiguration: Sendable {
    /// Serve `/<venue>/orders` for the venues with a dialect.
    public var isEnabled: Bool
    /// Accounts every venue knows (unless `venueAccounts` names the venue).
    public var accounts: [SimulatedAccount]
    /// Accounts of particular venues. Default: Kraken's test account, whose secret is base64 as
    /// Kraken's REST signing requires (`SimulatedAccount.krakenTest`), and on Binance the HMAC test
    /// account plus the Ed25519 one (`SimulatedAccount.binanceEd25519Test`).
    public var venueAccounts: [String: [SimulatedAccount]]
    /// Reference prices by venue symbol spelling (`BTCUSDT`, `BTC-USDT`, `BTC/USD`, `BTC-PERPETUAL`, `tBTCUSD`).
    public var referencePrices: [String: SimulatedDecimal]
    /// The reference price of any other symbol.
    public var defaultReferencePrice: SimulatedDecimal
    /// Fill crossing orders in two executions.
    public var splitsFills: Bool
    /// Rate limits per venue id (missing venues use `SimulatedOrderDialects.defaultRateRules`).
    public var rateRules: [String: [SimulatedRateRule]]
    /// Trading rules per venue id, served on the venues' public instrument endpoints (same rules
    /// for every symbol of a venue). Default: ``SimulatedInstrumentRules/published``.
    public var instrumentRules: [String: SimulatedInstrumentRules] = SimulatedInstrumentRules.published
    /// Wall-clock ms since the epoch (venue timestamps, signature windows). Injected: tests pin it.
    public var epochMilliseconds: @Sendable () -> Int64

    /// Defaults: enabled, the test account, every symbol at 50 000, single fills, the venues' limits,
    /// the system wall clock.
    public init(isEnabled: Bool = true, accounts: [SimulatedAccount] = [.test], venueAccounts: [String: [SimulatedAccount]] = ["kraken": [.krakenTest], "binance": [.test, .binanceEd25519Test]],
                referencePrices: [String: SimulatedDecimal] = [:],
                defaultReferencePrice: SimulatedDecimal = SimulatedDecimal(units: 50_000 * SimulatedDecimal.scale), splitsFills: Bool = false,
                rateRules: [String: [SimulatedRateRule]] = [:],
                epochMilliseconds: @escaping @Sendable () -> Int64 = { Int64((Date().timeIntervalSince1970 * 1000).rounded(.down)) }) {
        self.isEnabled = isEnabled
        self.accounts = accounts
        self.venueAccounts = venueAccounts
        self.referencePrices = referencePrices
        self.defaultReferencePrice = defaultReferencePrice
        self.splitsFills = splitsFills
        self.rateRules = rateRules
        self.epochMilliseconds = epochMilliseconds
    }

    /// A fresh exchange for `venue`.
    public func makeExchange(venue: String) -> SimulatedExchange {
        SimulatedExchange(venue: venue, accounts: venueAccounts[venue] ?? accounts, rateRules: rateRules[venue] ?? SimulatedOrderDialects.defaultRateRules(venue: venue),
                          referencePrices: referencePrices, defaultReferencePrice: defaultReferencePrice, splitsFills: splitsFills)
    }
}
