import Configuration
import Testing

/// Secrets come only from the environment, are checked at start-up with the line of the key
/// that names them, and never appear in any description of the configuration.
@Suite("order-entry secrets")
struct SecretsTests {
    static let yaml = """
        venues:
          okx:
            symbols: [BTC-USDT]
            channels: [trades]
            orders:
              api_key_env: OKX_API_KEY
              api_secret_env: OKX_API_SECRET
              passphrase_env: OKX_PASSPHRASE
        """
    static let environment = ["OKX_API_KEY": "key-7f3a9c1e55", "OKX_API_SECRET": "s3cr3t-HMAC-value", "OKX_PASSPHRASE": "pass-phrase-42"]

    @Test("resolved from the environment")
    func resolves() throws {
        let orders = try #require(try MarketMuxConfiguration.parse(yaml: Self.yaml, file: "marketmux.yaml").venues[0].orders)
        let credentials = try orders.resolveCredentials(environment: Self.environment)
        #expect(credentials.apiKey == "key-7f3a9c1e55")
        #expect(credentials.secret == "s3cr3t-HMAC-value")
        #expect(credentials.passphrase == "pass-phrase-42")
        #expect(orders.url == nil)  // OKX's adapter has a default order-entry URL
    }

    @Test("a missing or empty variable names file, line and key")
    func missing() throws {
        let orders = try #require(try MarketMuxConfiguration.parse(yaml: Self.yaml, file: "marketmux.yaml").venues[0].orders)
        var environment = Self.environment
        environment["OKX_API_SECRET"] = nil
        #expect(throws: ConfigurationError(file: "marketmux.yaml", line: 7, key: "venues.okx.orders.api_secret_env",
                                           message: "environment variable 'OKX_API_SECRET' is not set")) {
            try orders.resolveCredentials(environment: environment)
        }
        environment = Self.environment
        environment["OKX_PASSPHRASE"] = ""
        do {
            _ = try orders.resolveCredentials(environment: environment)
            Issue.record("expected an error")
        } catch {
            #expect(error.description == "marketmux.yaml:8: venues.okx.orders.passphrase_env: environment variable 'OKX_PASSPHRASE' is empty")
        }
    }

    @Test("no description carries a secret")
    func descriptions() throws {
        let configuration = try MarketMuxConfiguration.parse(yaml: Self.yaml, file: "marketmux.yaml")
        let orders = try #require(configuration.venues[0].orders)
        let credentials = try orders.resolveCredentials(environment: Self.environment)
        let texts = ["\(configuration)", String(reflecting: configuration), "\(orders)", String(reflecting: orders), "\(credentials)"]
        for text in texts {
            for secret in ["s3cr3t-HMAC-value", "pass-phrase-42", "key-7f3a9c1e55"] {
                #expect(!text.contains(secret), "\(text) contains a secret")
            }
        }
        #expect("\(orders)" == "orders(okx, url: default, api_key: $OKX_API_KEY, api_secret: $OKX_API_SECRET, passphrase: $OKX_PASSPHRASE)")
    }
}
