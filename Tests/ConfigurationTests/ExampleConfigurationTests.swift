import Configuration
import Foundation
import MarketModel
import Testing

/// The example file at the repository root is what SPEC §3 shows: it must parse, and into
/// exactly these values.
@Suite("marketmux.example.yaml parses into the typed configuration")
struct ExampleConfigurationTests {
    static let examplePath = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("marketmux.example.yaml").path

    @Test("every section of the example")
    func example() throws {
        let configuration = try MarketMuxConfiguration.load(path: Self.examplePath)
        #expect(configuration.socketPath == "/run/marketmux/marketmux.sock")
        #expect(configuration.http == HTTPEndpoint(host: "127.0.0.1", port: 9464))
        #expect(configuration.logLevel == .info)
        #expect(configuration.maxSubscribers == 1024)
        #expect(configuration.venues.map(\.id) == [.binance, .okx, .kraken])

        let binance = configuration.venues[0]
        #expect(binance.marketDataURLs == ["wss://stream.binance.com:9443/stream"])
        #expect(binance.restURL == "https://api.binance.com")
        #expect(binance.symbols.map(\.rawValue) == ["BTC-USDT", "ETH-USDT"])
        #expect(binance.channels == [.trades, .book, .bbo])
        #expect(binance.staleAfter == [.trades: Interval.seconds(5), .book: Interval.seconds(5), .bbo: Interval.seconds(5)])
        #expect(binance.location.line == 14)
        let orders = try #require(binance.orders)
        #expect(orders.url == "wss://ws-api.binance.com:443/ws-api/v3")
        #expect(orders.apiKey.name == "BINANCE_API_KEY")
        #expect(orders.apiKey.location.description.hasSuffix("marketmux.example.yaml:22: venues.binance.orders.api_key_env"))
        #expect(orders.apiSecret.name == "BINANCE_API_SECRET")
        #expect(orders.passphrase == nil)

        let okx = configuration.venues[1]
        #expect(okx.marketDataURLs == nil)
        #expect(okx.symbols.map(\.rawValue) == ["BTC-USDT", "BTC-USDT-PERP"])
        #expect(okx.staleAfter == [.book: Interval.seconds(2), .trades: Interval.seconds(30)])
        #expect(okx.maxSubscriptionsPerConnection == 20)
        #expect(okx.orders == nil)

        let kraken = configuration.venues[2]
        #expect(kraken.marketDataURLs == ["wss://ws.kraken.com/v2"])
        #expect(kraken.bookDepth == 25)
        #expect(kraken.staleAfter.isEmpty)
        #expect(configuration.orderEntries.map(\.venue) == [.binance])
    }

    @Test("defaults of a minimal file")
    func minimal() throws {
        let configuration = try MarketMuxConfiguration.parse(yaml: """
            venues:
              coinbase:
                symbols: [BTC-USD]
                channels: [trades]
                options: {depth: 10, flag: true}
            """, file: "m.yaml")
        #expect(configuration.socketPath == "./marketmux.sock")
        #expect(configuration.http == .default)
        #expect(configuration.logLevel == .info)
        #expect(configuration.maxSubscribers == nil)
        #expect(configuration.venues[0].options == ["depth": "10", "flag": "true"])
    }

    @Test("http: off, a bare port, IPv6")
    func httpForms() throws {
        func endpoint(_ text: String) throws -> HTTPEndpoint? {
            try MarketMuxConfiguration.parse(yaml: "http: \(text)\nvenues: {binance: {symbols: [BTC-USDT], channels: [trades]}}",
                                             file: "m.yaml").http
        }
        #expect(try endpoint("off") == nil)
        #expect(try endpoint("") == nil)
        #expect(try endpoint("9100") == HTTPEndpoint(host: "127.0.0.1", port: 9100))
        #expect(try endpoint("'[::1]:9464'") == HTTPEndpoint(host: "::1", port: 9464))
        #expect(try endpoint("localhost:80")?.description == "localhost:80")
    }

    @Test("durations", arguments: [
        ("500ms", Interval.milliseconds(500)), ("5s", Interval.seconds(5)), ("1.5s", 1_500_000_000),
        ("2m", Interval.minutes(2)), ("1h30m", Interval.minutes(90)), ("250us", 250_000), ("10ns", 10),
    ] as [(String, Nanoseconds)])
    func durations(text: String, expected: Nanoseconds) {
        #expect(DurationParser.nanoseconds(text) == expected)
    }

    @Test("not durations", arguments: ["5", "", "s", "5 seconds", "-1s", "5d", "0s", "1..5s"])
    func notDurations(text: String) {
        #expect(DurationParser.nanoseconds(text) == nil)
    }
}
