import Configuration
import Logging
import Operations
import Testing

@Suite("plain log lines, and no secrets in them")
struct LoggingTests {
    @Test("format: time, level, label, message, sorted metadata")
    func format() throws {
        let output = LogOutput.capture()
        var logger = Logger(label: "marketmux.test") { PlainLogHandler(label: $0, level: .info, output: output) }
        logger[metadataKey: "venue"] = "binance"
        logger.debug("not written")
        logger.info("connection open", metadata: ["connection": "0/1", "reason": "two words"])
        let line = try #require(output.lines.first)
        #expect(output.lines.count == 1)
        #expect(line.range(of: #"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z info marketmux\.test: connection open connection=0/1 reason="two words" venue=binance$"#,
                           options: .regularExpression) != nil)
    }

    @Test("secrets from the environment never reach a log line")
    func secrets() throws {
        let configuration = try MarketMuxConfiguration.parse(yaml: """
            venues:
              okx:
                symbols: [BTC-USDT]
                channels: [trades]
                orders: {api_key_env: OKX_KEY, api_secret_env: OKX_SECRET, passphrase_env: OKX_PASS}
            """, file: "marketmux.yaml")
        let environment = ["OKX_KEY": "AKIAKEYVALUE123", "OKX_SECRET": "super-secret-hmac", "OKX_PASS": "my-passphrase"]
        let orders = try #require(configuration.venues[0].orders)
        let credentials = try orders.resolveCredentials(environment: environment)
        let output = LogOutput.capture()
        let logger = Logger(label: "marketmux") { PlainLogHandler(label: $0, level: .trace, output: output) }
        // What `run` logs, plus what a careless caller might.
        logger.info("configuration", metadata: ["config": "\(configuration)", "orders": "\(orders)"])
        logger.warning("orders configured", metadata: ["credentials": "\(credentials)"])
        logger.debug("signing", metadata: ["api_secret": "\(credentials.secret)", "passphrase": "\(credentials.passphrase ?? "")",
                                           "OKX-ACCESS-KEY": "ignored", "apiKey": "\(credentials.apiKey)"])
        let text = output.lines.joined(separator: "\n")
        #expect(output.lines.count == 3)
        for secret in ["super-secret-hmac", "my-passphrase", "AKIAKEYVALUE123"] {
            #expect(!text.contains(secret), "a log line contains \(secret)")
        }
        #expect(text.contains("api_secret=<redacted>"))
        #expect(text.contains("$OKX_SECRET"))  // the variable's name is fine to log
    }
}
