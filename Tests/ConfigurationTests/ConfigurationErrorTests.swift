import Configuration
import Testing

/// Every way a file is refused, with the exact sentence an operator sees: file, line, key, what
/// is wrong and what would be right (SPEC §3).
@Suite("configuration errors name file, line and key")
struct ConfigurationErrorTests {
    static let valid = """
        socket: ./mm.sock
        venues:
          binance:
            symbols: [BTC-USDT, ETH-USDT]
            channels: [trades, book]
        """

    func error(_ yaml: String) -> String {
        do {
            _ = try MarketMuxConfiguration.parse(yaml: yaml, file: "marketmux.yaml")
            return "no error"
        } catch {
            return error.description
        }
    }

    @Test("the valid base parses")
    func base() throws {
        #expect(error(Self.valid) == "no error")
    }

    @Test("YAML syntax error: line and column from libyaml")
    func syntax() {
        #expect(error("venues:\n  binance:\n    symbols: [BTC-USDT\n    channels: [trades]\n")
            == "marketmux.yaml:4:13: invalid YAML: did not find expected ',' or ']' (while parsing a flow sequence at line 3)")
        #expect(error("venues:\n  binance:\n   symbols: [BTC-USDT]\n  channels: x: y\n")
            == "marketmux.yaml:4:14: invalid YAML: mapping values are not allowed in this context")
    }

    @Test("unknown keys, with the nearest known key")
    func unknownKeys() {
        #expect(error("venues:\n  binance:\n    symbol: [BTC-USDT]\n    channels: [trades]\n")
            == "marketmux.yaml:3: venues.binance.symbol: unknown key; did you mean 'symbols'? Known keys here: book_depth, channels, "
            + "max_subscriptions_per_connection, options, orders, rest_url, stale_after, symbols, url")
        #expect(error("sockets: x\n" + Self.valid)
            == "marketmux.yaml:1: sockets: unknown key; did you mean 'socket'? Known keys here: http, log_level, max_subscribers, nats, shard, socket, venues")
        #expect(error("""
            venues:
              binance:
                symbols: [BTC-USDT]
                channels: [trades]
                orders: {url: wss://x.example/ws, api_key_env: K, api_secret: S}
            """).hasPrefix("marketmux.yaml:5: venues.binance.orders.api_secret: unknown key; did you mean 'api_secret_env'?"))
    }

    @Test("wrong types")
    func wrongTypes() {
        #expect(error("venues:\n  binance:\n    symbols: BTC-USDT\n    channels: [trades]\n")
            == "marketmux.yaml:3: venues.binance.symbols: expected a list of symbols such as [BTC-USDT, ETH-USDT], got 'BTC-USDT'")
        #expect(error("venues: [binance]\n")
            == "marketmux.yaml:1: venues: expected a mapping of venue ids, got a list")
        #expect(error(Self.valid + "\n    book_depth: deep\n")
            == "marketmux.yaml:6: venues.binance.book_depth: expected a book depth from 1 to 10000, got 'deep'")
        #expect(error("socket: {a: 1}\nvenues: {}\n")
            == "marketmux.yaml:1: socket: expected a socket path, got a mapping")
        #expect(error(Self.valid + "\n    max_subscriptions_per_connection: 5000\n")
            == "marketmux.yaml:6: venues.binance.max_subscriptions_per_connection: expected a number from 1 to 1024 (binance's own limit), got '5000'")
    }

    @Test("unknown venue, with a suggestion and the supported list")
    func unknownVenue() {
        #expect(error("venues:\n  binanse:\n    symbols: [BTC-USDT]\n    channels: [trades]\n")
            == "marketmux.yaml:2: venues.binanse: unknown venue 'binanse'; did you mean 'binance'? Supported venues: binance, "
            + "binance-futures, coinbase, kraken, okx, bybit, deribit, bitmex, bitfinex")
    }

    @Test("bad symbol: the item's own line and index")
    func badSymbol() {
        #expect(error("venues:\n  binance:\n    symbols:\n      - BTC-USDT\n      - ETH-USDT\n      - BTCUSD\n    channels: [trades]\n")
            == "marketmux.yaml:6: venues.binance.symbols[2]: 'BTCUSD' is not a normalized symbol (expected BASE-QUOTE with "
            + "upper-case letters or digits; e.g. BTC-USDT, BTC-USDT-PERP, BTC-USD-20261225)")
        #expect(error("venues:\n  binance:\n    symbols: [BTC-USDT, BTC-USDT]\n    channels: [trades]\n")
            == "marketmux.yaml:3: venues.binance.symbols[1]: 'BTC-USDT' is listed twice")
    }

    @Test("channels: unknown, unsupported by the venue, private")
    func channels() {
        #expect(error("venues:\n  binance:\n    symbols: [BTC-USDT]\n    channels: [trades, funding]\n")
            == "marketmux.yaml:4: venues.binance.channels[1]: channel 'funding' is not supported by binance (supported: bbo, book, trades)")
        #expect(error("venues:\n  binance:\n    symbols: [BTC-USDT]\n    channels: [trade]\n")
            == "marketmux.yaml:4: venues.binance.channels[0]: 'trade' is not a channel; did you mean 'trades'? "
            + "Channels: trades, book, bbo, ticker, funding, liquidations")
        #expect(error("venues:\n  binance:\n    symbols: [BTC-USDT]\n    channels: [orders]\n")
            == "marketmux.yaml:4: venues.binance.channels[0]: 'orders' is the private order stream; configure it with the venue's 'orders:' section")
    }

    @Test("bad durations and per-channel windows")
    func durations() {
        #expect(error(Self.valid + "\n    stale_after: 5 seconds\n")
            == "marketmux.yaml:6: venues.binance.stale_after: '5 seconds' is not a duration (use a number and a unit: 500ms, 5s, 2m, 1h)")
        #expect(error(Self.valid + "\n    stale_after:\n      book: 2s\n      tickr: 1s\n")
            == "marketmux.yaml:8: venues.binance.stale_after.tickr: 'tickr' is not a channel; did you mean 'ticker'? "
            + "Channels: trades, book, bbo, ticker, funding, liquidations")
    }

    @Test("missing, empty and duplicate keys")
    func structure() {
        #expect(error("venues:\n  binance:\n    symbols: [BTC-USDT]\n")
            == "marketmux.yaml:2: venues.binance: missing required key 'channels'")
        #expect(error("socket: x\n") == "marketmux.yaml:1: missing required key 'venues'")
        #expect(error("venues:\n  binance:\n    symbols: []\n    channels: [trades]\n")
            == "marketmux.yaml:3: venues.binance.symbols: expected at least one symbol")
        #expect(error("venues:\n  binance:\n    symbols: [BTC-USDT]\n    channels: [trades]\n    symbols: [ETH-USDT]\n")
            == "marketmux.yaml:5: venues.binance.symbols: duplicate key (first at line 3)")
        #expect(error("") == "marketmux.yaml:1: the file is empty; expected a mapping with 'venues'")
        #expect(error("# only a comment\n") == "marketmux.yaml:1: the file is empty; expected a mapping with 'venues'")
    }

    @Test("endpoints, URLs, log level")
    func values() {
        #expect(error("http: 127.0.0.1:99999\n" + Self.valid)
            == "marketmux.yaml:1: http: '127.0.0.1:99999' is not an HTTP endpoint (expected HOST:PORT such as 127.0.0.1:9464, a port, or off)")
        #expect(error(Self.valid + "\n    url: https://stream.binance.com\n")
            == "marketmux.yaml:6: venues.binance.url: 'https://stream.binance.com' is not a WebSocket URL (ws:// or wss://)")
        #expect(error(Self.valid + "\n    url: [wss://a.example/ws, ftp://b]\n")
            == "marketmux.yaml:6: venues.binance.url[1]: 'ftp://b' is not a WebSocket URL (ws:// or wss://)")
        #expect(error("log_level: verbose\n" + Self.valid)
            == "marketmux.yaml:1: log_level: 'verbose' is not a log level. Levels: trace, debug, info, notice, warning, error, critical")
        #expect(error("log_level: debgu\n" + Self.valid)
            == "marketmux.yaml:1: log_level: 'debgu' is not a log level; did you mean 'debug'? Levels: trace, debug, info, notice, warning, error, critical")
    }

    @Test("orders: environment variable names only, and a URL where the venue has none")
    func orders() {
        #expect(error(Self.valid + "\n    orders: {api_key_env: 'abc123secretvalue==', api_secret_env: S}\n")
            == "marketmux.yaml:6: venues.binance.orders.api_key_env: 'abc123secretvalue==' is not an environment variable name "
            + "(letters, digits and '_'; the secret itself never goes in this file)")
        #expect(error("venues:\n  coinbase:\n    symbols: [BTC-USD]\n    channels: [trades]\n    orders: {api_key_env: K, api_secret_env: S}\n")
            == "marketmux.yaml:5: venues.coinbase.orders: missing required key 'url' (coinbase has no default order-entry URL)")
    }

    @Test("orders.stale_data_guard: a boolean, default true")
    func staleDataGuard() throws {
        let on = try MarketMuxConfiguration.parse(yaml: Self.valid + "\n    orders: {api_key_env: K, api_secret_env: S}\n", file: "marketmux.yaml")
        #expect(on.orderEntries.first?.staleDataGuard == true)
        let off = try MarketMuxConfiguration.parse(yaml: Self.valid + "\n    orders: {api_key_env: K, api_secret_env: S, stale_data_guard: false}\n",
                                                   file: "marketmux.yaml")
        #expect(off.orderEntries.first?.staleDataGuard == false)
        #expect(error(Self.valid + "\n    orders: {api_key_env: K, api_secret_env: S, stale_data_guard: sometimes}\n")
            == "marketmux.yaml:6: venues.binance.orders.stale_data_guard: expected true or false, got 'sometimes'")
    }

    @Test("a file that does not exist")
    func missingFile() {
        do {
            _ = try MarketMuxConfiguration.load(path: "/nonexistent/marketmux.yaml")
            Issue.record("expected an error")
        } catch {
            #expect(error.description == "/nonexistent/marketmux.yaml: the configuration file does not exist")
        }
    }
}
