import Configuration
import MarketModel
import NATS
import Testing

/// The `nats:` and `shard:` sections (SPEC §7): what they turn into, and every refusal with its
/// file, line and key.
@Suite("nats and shard sections")
struct NATSConfigurationTests {
    static let venues = """
        venues:
          binance:
            symbols: [BTC-USDT]
            channels: [trades]
          okx:
            symbols: [BTC-USDT]
            channels: [trades]
          kraken:
            symbols: [BTC-USD]
            channels: [trades]

        """

    func parse(_ yaml: String) throws -> MarketMuxConfiguration {
        try MarketMuxConfiguration.parse(yaml: Self.venues + yaml, file: "marketmux.yaml")
    }

    func error(_ yaml: String) -> String {
        do {
            _ = try parse(yaml)
            return "no error"
        } catch {
            return "\(error)"
        }
    }

    @Test("a full section: cluster URLs, prefix, user/password by variable name, JetStream, shard")
    func full() throws {
        let configuration = try parse("""
            nats:
              urls: [nats://10.0.0.5:4222, tls://10.0.0.6:4222]
              subject_prefix: prod.marketmux
              name: marketmux-a
              user_env: NATS_USER
              password_env: NATS_PASSWORD
              jetstream: {stream: MARKETMUX, max_age: 1h, storage: memory, replicas: 3}
            shard: {venues: [okx, binance]}
            """)
        let nats = try #require(configuration.nats)
        #expect(nats.urls == ["nats://10.0.0.5:4222", "tls://10.0.0.6:4222"])
        #expect(nats.subjectPrefix == "prod.marketmux")
        #expect(nats.jetStream == NATSJetStreamConfiguration(stream: "MARKETMUX", maxAge: Interval.hours(1), storage: .memory, replicas: 3))
        #expect(configuration.shardVenues == [.okx, .binance])
        #expect(configuration.activeVenues.map(\.id) == [.binance, .okx])   // file order, kraken is another instance's
        let client = try nats.clientConfiguration(environment: ["NATS_USER": "mm", "NATS_PASSWORD": "s3cret-nats"])
        #expect(client.servers.map(\.description) == ["nats://10.0.0.5:4222", "tls://10.0.0.6:4222"])
        #expect(client.auth == .userPassword(user: "mm", password: "s3cret-nats"))
        #expect(client.name == "marketmux-a")
        let publisher = try nats.publisherConfiguration(shardVenues: configuration.shardVenues)
        #expect(publisher.subjectPrefix == "prod.marketmux" && publisher.shardVenues == [.okx, .binance])
        // Variable names only, never the values.
        #expect(nats.description == "nats(nats://10.0.0.5:4222, tls://10.0.0.6:4222, prefix prod.marketmux, auth: user $NATS_USER, "
            + "password $NATS_PASSWORD, jetstream: MARKETMUX, order intake: on)")
        // An unset variable names the line of its key.
        #expect(throws: ConfigurationError(file: "marketmux.yaml", line: 16, key: "nats.password_env",
                                           message: "environment variable 'NATS_PASSWORD' is not set")) {
            try nats.clientConfiguration(environment: ["NATS_USER": "mm"])
        }
    }

    @Test("defaults: one url, prefix marketmux, no auth, JetStream off; on/off forms; token and nkey")
    func defaults() throws {
        let plain = try #require(try parse("nats: {url: nats://127.0.0.1:4222}\n").nats)
        #expect(plain.urls == ["nats://127.0.0.1:4222"] && plain.subjectPrefix == "marketmux" && plain.auth == .none)
        #expect(plain.jetStream == nil && plain.servesOrderIntake)
        #expect(try parse("nats: {url: 127.0.0.1:4222, jetstream: on}\n").nats?.jetStream?.stream == "MARKETMUX")
        #expect(try parse("nats: {url: 127.0.0.1:4222, jetstream: off, order_intake: false}\n").nats?.jetStream == nil)
        let token = try #require(try parse("nats: {url: nats://a:4222, token_env: NATS_TOKEN}\n").nats)
        #expect(try token.clientConfiguration(environment: ["NATS_TOKEN": "t0k"]).auth == .token("t0k"))
        let nkey = try #require(try parse("nats: {url: nats://a:4222, nkey_seed_env: NATS_SEED}\n").nats)
        #expect(try nkey.clientConfiguration(environment: ["NATS_SEED": "SUAB"]).auth == .nkey(seed: "SUAB"))
        #expect(try parse("").nats == nil && (try parse("").activeVenues.count) == 3)
    }

    @Test("refusals name file, line and key")
    func refusals() {
        #expect(error("nats:\n  url: nats://a:4222\n  subject: mm\n")
            == "marketmux.yaml:13: nats.subject: unknown key; did you mean 'subject_prefix'? Known keys here: jetstream, name, "
            + "nkey_seed_env, order_intake, password_env, subject_prefix, tls_ca_file, token_env, url, urls, user_env")
        #expect(error("nats:\n  subject_prefix: mm\n") == "marketmux.yaml:11: nats: missing required key 'url'")
        #expect(error("nats:\n  urls: [nats://a:4222, http://b:80]\n")
            == "marketmux.yaml:12: nats.urls[1]: 'http://b:80' is not a NATS URL (unsupported NATS URL scheme 'http' in 'http://b:80' "
            + "(nats:// or tls://); e.g. nats://10.0.0.5:4222 or tls://nats.example:4222)")
        #expect(error("nats:\n  url: nats://mm:secret@a:4222\n")
            == "marketmux.yaml:12: nats.url: credentials do not go in this file; name the variables that hold them with "
            + "user_env/password_env, token_env or nkey_seed_env")
        #expect(error("nats:\n  url: nats://a:4222\n  urls: [nats://b:4222]\n")
            == "marketmux.yaml:13: nats.urls: give either 'url' or 'urls', not both")
        #expect(error("nats:\n  url: nats://a:4222\n  subject_prefix: 'market mux'\n")
            == "marketmux.yaml:13: nats.subject_prefix: 'market mux' is not a NATS subject prefix (dot-separated tokens without "
            + "spaces or wildcards, e.g. prod.marketmux)")
        #expect(error("nats:\n  url: nats://a:4222\n  user_env: U\n  token_env: T\n")
            == "marketmux.yaml:14: nats.token_env: choose one way to authenticate: user_env/password_env, token_env or nkey_seed_env")
        #expect(error("nats:\n  url: nats://a:4222\n  password_env: P\n") == "marketmux.yaml:13: nats.password_env: password_env needs user_env")
        #expect(error("nats:\n  url: nats://a:4222\n  user_env: U\n") == "marketmux.yaml:11: nats: missing required key 'password_env'")
        #expect(error("nats:\n  url: nats://a:4222\n  token_env: my-token\n")
            == "marketmux.yaml:13: nats.token_env: 'my-token' is not an environment variable name (letters, digits and '_'; "
            + "the secret itself never goes in this file)")
        #expect(error("nats:\n  url: nats://a:4222\n  jetstream: {stream: MM, storage: disk}\n")
            == "marketmux.yaml:13: nats.jetstream.storage: expected file or memory, got 'disk'")
        #expect(error("nats:\n  url: nats://a:4222\n  jetstream: {stream: mm.x}\n")
            == #"marketmux.yaml:13: nats.jetstream.stream: 'mm.x' is not a JetStream stream name (printable, without spaces, '.', '*', '>', '/' or '\')"#)
        #expect(error("nats:\n  url: nats://a:4222\n  jetstream: maybe\n")
            == "marketmux.yaml:13: nats.jetstream: expected on, off or a mapping such as {stream: MARKETMUX, max_age: 1h}, got 'maybe'")
        #expect(error("shard: {venues: [binance, bitmex]}\n")
            == "marketmux.yaml:11: shard.venues[1]: 'bitmex' is not one of the configured venues. Configured: binance, okx, kraken")
        #expect(error("shard: {venues: [binance, binance]}\n") == "marketmux.yaml:11: shard.venues[1]: 'binance' is listed twice")
        #expect(error("shard: {venues: []}\n")
            == "marketmux.yaml:11: shard.venues: expected at least one venue (an instance without venues has nothing to do)")
        #expect(error("shard: [binance]\n") == "marketmux.yaml:11: shard: expected a mapping such as {venues: [binance, okx]}, got a list")
    }
}
