/// One simulated instrument's trading rules, as decimal text (the simulator serves them in each
/// venue's own reply format: docs/simulator.md "Orders").
public struct SimulatedInstrumentRules: Sendable, Hashable {
    /// Price increment (Bitfinex, which counts significant digits instead, ignores it).
    public var tickSize: String
    /// Size increment.
    public var lotSize: String
    /// Smallest size.
    public var minSize: String
    /// Largest size.
    public var maxSize: String

    /// Memberwise initializer.
    public init(tickSize: String, lotSize: String, minSize: String, maxSize: String = "9000") {
        self.tickSize = tickSize
        self.lotSize = lotSize
        self.minSize = minSize
        self.maxSize = maxSize
    }

    /// Every simulated venue's rules: the venues' published BTC rules at the time of writing
    /// (Binance `exchangeInfo` BTCUSDT, OKX BTC-USDT, Bybit BTCUSDT, Kraken XBT/USD, Deribit
    /// BTC-PERPETUAL in USD contracts of 10, Bitfinex BTCUSD), used for every symbol of the venue.
    public static let published: [String: SimulatedInstrumentRules] = [
        "binance": SimulatedInstrumentRules(tickSize: "0.01", lotSize: "0.00001", minSize: "0.00001"),
        "okx": SimulatedInstrumentRules(tickSize: "0.1", lotSize: "0.00000001", minSize: "0.00001"),
        "bybit": SimulatedInstrumentRules(tickSize: "0.01", lotSize: "0.000001", minSize: "0.000048"),
        "kraken": SimulatedInstrumentRules(tickSize: "0.1", lotSize: "0.00000001", minSize: "0.0001"),
        "deribit": SimulatedInstrumentRules(tickSize: "0.5", lotSize: "10", minSize: "10", maxSize: "10000000"),
        "bitfinex": SimulatedInstrumentRules(tickSize: "1", lotSize: "0.00000001", minSize: "0.00004", maxSize: "2000"),
    ]
}
