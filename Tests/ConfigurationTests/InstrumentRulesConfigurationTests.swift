import Configuration
import MarketModel
import Testing
import VenueKit

/// `orders.instruments:` (issue #6): trading rules given in the file override the fetched ones;
/// every mistake is refused with `file:line: key: message`.
@Suite("orders.instruments in the configuration")
struct InstrumentRulesConfigurationTests {
    static func yaml(_ instruments: String) -> String {
        """
        venues:
          binance:
            symbols: [BTC-USDT, ETH-USDT]
            channels: [trades]
            orders:
              api_key_env: BINANCE_API_KEY
              api_secret_env: BINANCE_API_SECRET
              instruments:
        \(instruments)
        """
    }

    func error(_ yaml: String) -> String {
        do {
            _ = try MarketMuxConfiguration.parse(yaml: yaml, file: "marketmux.yaml")
            return "no error"
        } catch {
            return error.description
        }
    }

    @Test("quoted and plain decimals, optional max and significant digits")
    func parses() throws {
        let configuration = try MarketMuxConfiguration.parse(yaml: Self.yaml("""
                    BTC-USDT: { tick: "0.01", lot: "0.00001", min: "0.00001", max: "9000" }
                    ETH-USDT: { tick: 0.01, lot: 0.0001, min: 0.0001, significant_digits: 5 }
            """), file: "marketmux.yaml")
        let orders = try #require(configuration.orderEntries.first)
        #expect(orders.instruments[try Symbol("BTC-USDT")] == InstrumentRules(
            tickSize: FixedDecimal("0.01")!, lotSize: FixedDecimal("0.00001")!, minSize: FixedDecimal("0.00001")!, maxSize: FixedDecimal("9000")!))
        #expect(orders.instruments[try Symbol("ETH-USDT")]?.priceSignificantDigits == 5)
        #expect(orders.description.hasSuffix("instruments: BTC-USDT, ETH-USDT)"))
    }

    @Test("no instruments: nothing overridden")
    func absent() throws {
        let configuration = try MarketMuxConfiguration.parse(yaml: """
            venues:
              binance:
                symbols: [BTC-USDT]
                channels: [trades]
                orders: { api_key_env: K, api_secret_env: S }
            """, file: "marketmux.yaml")
        #expect(configuration.orderEntries.first?.instruments.isEmpty == true)
    }

    @Test("each mistake names file, line and key")
    func errors() {
        #expect(error(Self.yaml("            SOL-USDT: { tick: \"0.01\", lot: \"0.01\", min: \"0.01\" }"))
                == "marketmux.yaml:9: venues.binance.orders.instruments.SOL-USDT: 'SOL-USDT' is not one of this venue's symbols (BTC-USDT, ETH-USDT)")
        #expect(error(Self.yaml("            BTC-USDT: { tick: \"0.01\", lot: \"0.00001\" }"))
                == "marketmux.yaml:9: venues.binance.orders.instruments.BTC-USDT: missing required key 'min'")
        #expect(error(Self.yaml("            BTC-USDT: { tick: \"0.01\", lot: \"0.00001\", min: \"0.00001\", step: \"1\" }")).hasPrefix(
            "marketmux.yaml:9: venues.binance.orders.instruments.BTC-USDT.step: unknown key"))
        #expect(error(Self.yaml("            BTC-USDT: { tick: \"abc\", lot: \"0.00001\", min: \"0.00001\" }")).hasPrefix(
            "marketmux.yaml:9: venues.binance.orders.instruments.BTC-USDT.tick: 'abc' is not a decimal"))
        #expect(error(Self.yaml("            BTC-USDT: { tick: \"0\", lot: \"0.00001\", min: \"0.00001\" }"))
                == "marketmux.yaml:9: venues.binance.orders.instruments.BTC-USDT.tick: must be greater than zero, got 0")
        #expect(error(Self.yaml("            BTC-USDT: { tick: \"0.01\", lot: \"0.00001\", min: \"1\", max: \"0.5\" }"))
                == "marketmux.yaml:9: venues.binance.orders.instruments.BTC-USDT.max: must not be below min (1)")
        #expect(error(Self.yaml("            BTC-USDT: { tick: \"0.01\", lot: \"0.00001\", min: \"0.00001\", significant_digits: 40 }")).hasPrefix(
            "marketmux.yaml:9: venues.binance.orders.instruments.BTC-USDT.significant_digits:"))
        #expect(error(Self.yaml("            - BTC-USDT")).hasPrefix("marketmux.yaml:"))
    }
}
