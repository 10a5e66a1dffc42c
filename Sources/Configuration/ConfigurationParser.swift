import Logging
import MarketModel
import NATS
import VenueKit
import Venues
import Yams

/// Turns YAML text into a ``MarketMuxConfiguration``: Yams composes the node tree (with marks),
/// then each section is read with its key path, refusing unknown keys, wrong types and values
/// the adapters cannot serve.
struct ConfigurationParser {
    let file: String

    static let topLevelKeys = ["socket", "http", "log_level", "max_subscribers", "venues", "nats", "shard"]
    static let venueKeys = ["url", "rest_url", "symbols", "channels", "stale_after", "book_depth",
                            "max_subscriptions_per_connection", "options", "orders"]
    static let orderKeys = ["url", "api_key_env", "api_secret_env", "passphrase_env", "instruments", "stale_data_guard"]
    static let natsKeys = ["url", "urls", "subject_prefix", "name", "user_env", "password_env", "token_env", "nkey_seed_env",
                           "tls_ca_file", "jetstream", "order_intake"]
    static let jetStreamKeys = ["stream", "max_age", "storage", "replicas", "track_acks"]
    static let shardKeys = ["venues"]

    func parse(_ yaml: String) throws(ConfigurationError) -> MarketMuxConfiguration {
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch let error as YamlError {
            throw syntaxError(error)
        } catch {
            throw ConfigurationError(file: file, line: nil, key: nil, message: "invalid YAML: \(error)")
        }
        guard let root else {
            throw ConfigurationError(file: file, line: 1, key: nil, message: "the file is empty; expected a mapping with 'venues'")
        }
        let top = try YAMLValue(node: root, path: "", file: file).mapping("a mapping with 'venues'", known: Self.topLevelKeys)
        var configuration = MarketMuxConfiguration(file: file, venues: [])
        if let socket = top.optional("socket") { configuration.socketPath = try socket.string("a socket path") }
        if top.contains("http") { configuration.http = try http(top.optional("http")) }
        if let level = top.optional("log_level") {
            let text = try level.string("a log level")
            guard let parsed = Logger.Level(rawValue: text) else {
                let names = Logger.Level.allCases.map(\.rawValue)
                throw level.error("'\(text)' is not a log level" + Suggestion.phrase(for: text, in: names)
                                  + " Levels: \(names.joined(separator: ", "))")
            }
            configuration.logLevel = parsed
        }
        if let limit = top.optional("max_subscribers") {
            configuration.maxSubscribers = try limit.integer("a subscriber limit from 1 to 65536", in: 1...65536)
        }
        let venuesValue = try top.required("venues")
        let venues = try venuesValue.mapping("a mapping of venue ids")
        guard !venues.entries.isEmpty else { throw venuesValue.error("no venues configured") }
        for entry in venues.entries {
            configuration.venues.append(try venue(entry))
        }
        if let nats = top.optional("nats") { configuration.nats = try self.nats(nats) }
        if let shard = top.optional("shard") {
            configuration.shardVenues = try self.shard(shard, configured: configuration.venues.map(\.id))
        }
        return configuration
    }

    // MARK: - Sections

    private func http(_ value: YAMLValue?) throws(ConfigurationError) -> HTTPEndpoint? {
        guard let value else { return nil }  // `http:` with nothing: disabled
        let text = try value.string("HOST:PORT, a port, or off")
        if ["off", "false", "no", "disabled"].contains(text.lowercased()) { return nil }
        guard let endpoint = HTTPEndpoint(parsing: text) else {
            throw value.error("'\(text)' is not an HTTP endpoint (expected HOST:PORT such as 127.0.0.1:9464, a port, or off)")
        }
        return endpoint
    }

    private func venue(_ entry: YAMLMapping.Entry) throws(ConfigurationError) -> VenueConfiguration {
        let id = VenueID(rawValue: entry.key)
        let value = entry.value
        guard let adapter = VenueRegistry.adapterType(for: id) else {
            let known = VenueRegistry.venueIDs.map(\.rawValue)
            throw value.error("unknown venue '\(entry.key)'" + Suggestion.phrase(for: entry.key, in: known)
                              + " Supported venues: \(known.joined(separator: ", "))")
        }
        let spec = adapter.spec
        let fields = try value.mapping("the venue's settings (symbols, channels, …)", known: Self.venueKeys)
        var venue = VenueConfiguration(id: id, symbols: [], channels: [], location: value.location)

        if let url = fields.optional("url") {
            let items: [YAMLValue]
            if case .sequence = url.node { items = try url.sequence("a WebSocket URL or a list of them") } else { items = [url] }
            guard !items.isEmpty else { throw url.error("expected at least one WebSocket URL") }
            var urls: [String] = []
            for item in items { urls.append(try self.url(item, schemes: ["ws", "wss"], what: "a WebSocket URL (ws:// or wss://)")) }
            venue.marketDataURLs = urls
        }
        if let rest = fields.optional("rest_url") {
            venue.restURL = try url(rest, schemes: ["http", "https"], what: "an HTTP URL (http:// or https://)")
        }

        let symbolsValue = try fields.required("symbols")
        let symbolItems = try symbolsValue.sequence("a list of symbols such as [BTC-USDT, ETH-USDT]")
        guard !symbolItems.isEmpty else { throw symbolsValue.error("expected at least one symbol") }
        for item in symbolItems {
            let text = try item.string("a symbol such as BTC-USDT")
            let symbol: Symbol
            do {
                symbol = try Symbol(text)
            } catch {
                throw item.error("'\(text)' is not a normalized symbol (\(error.reason); e.g. BTC-USDT, BTC-USDT-PERP, BTC-USD-20261225)")
            }
            guard !venue.symbols.contains(symbol) else { throw item.error("'\(text)' is listed twice") }
            venue.symbols.append(symbol)
        }

        let channelsValue = try fields.required("channels")
        let channelItems = try channelsValue.sequence("a list of channels such as [trades, book, bbo]")
        guard !channelItems.isEmpty else { throw channelsValue.error("expected at least one channel") }
        for item in channelItems {
            let channel = try self.channel(item, spec: spec)
            guard !venue.channels.contains(channel) else { throw item.error("'\(channel)' is listed twice") }
            venue.channels.append(channel)
        }

        if let stale = fields.optional("stale_after") {
            if case .mapping = stale.node {
                for entry in try stale.mapping("a duration or a mapping of channel: duration").entries {
                    let keyValue = YAMLValue(node: .scalar(.init(entry.key)), path: entry.value.path, file: file, keyLine: entry.keyLine)
                    let channel = try self.channel(keyValue, spec: spec, line: entry.keyLine)
                    venue.staleAfter[channel] = try duration(entry.value)
                }
            } else {
                let window = try duration(stale)
                for channel in venue.channels { venue.staleAfter[channel] = window }
            }
        }
        if let depth = fields.optional("book_depth") {
            venue.bookDepth = try depth.integer("a book depth from 1 to 10000", in: 1...10_000)
        }
        if let cap = fields.optional("max_subscriptions_per_connection") {
            let limit = spec.maxSubscriptionsPerConnection
            venue.maxSubscriptionsPerConnection = try cap.integer("a number from 1 to \(limit) (\(id)'s own limit)", in: 1...limit)
        }
        if let options = fields.optional("options") {
            for entry in try options.mapping("a mapping of adapter options").entries {
                venue.options[entry.key] = try entry.value.scalar("a text value")
            }
        }
        if let orders = fields.optional("orders") {
            venue.orders = try orderEntry(orders, venue: id)
            if let instruments = try orders.mapping().optional("instruments") {  // after symbols: keys must be among them
                venue.orders?.instruments = try instrumentRules(instruments, symbols: venue.symbols)
            }
        }
        return venue
    }

    private func orderEntry(_ value: YAMLValue, venue: VenueID) throws(ConfigurationError) -> OrderEntryConfiguration {
        let fields = try value.mapping("the order-entry settings (url, api_key_env, api_secret_env)", known: Self.orderKeys)
        var url: String?
        if let urlValue = fields.optional("url") {
            url = try self.url(urlValue, schemes: ["ws", "wss"], what: "a WebSocket URL (ws:// or wss://)")
        } else if VenueRegistry.adapterType(for: venue)?.spec.orderEntryURL == nil {
            throw value.error("missing required key 'url' (\(venue) has no default order-entry URL)")
        }
        func reference(_ key: String) throws(ConfigurationError) -> EnvironmentReference {
            let item = try fields.required(key)
            let name = try item.string("the name of an environment variable")
            guard EnvironmentReference.isValidName(name) else {
                throw item.error("'\(name)' is not an environment variable name (letters, digits and '_'; the secret itself never goes in this file)")
            }
            return EnvironmentReference(name: name, location: item.location)
        }
        let passphrase: EnvironmentReference? = fields.contains("passphrase_env") ? try reference("passphrase_env") : nil
        var configuration = OrderEntryConfiguration(venue: venue, url: url, apiKey: try reference("api_key_env"),
                                                    apiSecret: try reference("api_secret_env"), passphrase: passphrase, location: value.location)
        if let guardValue = fields.optional("stale_data_guard") { configuration.staleDataGuard = try guardValue.boolean() }
        return configuration
    }

    /// `nats:` (SPEC §7): servers, subject prefix, credentials by variable name, JetStream.
    private func nats(_ value: YAMLValue) throws(ConfigurationError) -> NATSSettings {
        let fields = try value.mapping("the NATS settings (urls, subject_prefix, …)", known: Self.natsKeys)
        if fields.contains("url") && fields.contains("urls") {
            let both = try fields.required("urls")
            throw both.error("give either 'url' or 'urls', not both")
        }
        let urlsValue: YAMLValue
        if let urls = fields.optional("urls") { urlsValue = urls } else { urlsValue = try fields.required("url") }
        let items: [YAMLValue]
        if case .sequence = urlsValue.node { items = try urlsValue.sequence("a NATS URL or a list of them") } else { items = [urlsValue] }
        guard !items.isEmpty else { throw urlsValue.error("expected at least one NATS URL") }
        var urls: [String] = []
        for item in items {
            let text = try item.string("a NATS URL such as nats://10.0.0.5:4222")
            let parsed: NATSServerURL
            do {
                parsed = try NATSServerURL(text)
            } catch {
                throw item.error("'\(text)' is not a NATS URL (\(error.message); e.g. nats://10.0.0.5:4222 or tls://nats.example:4222)")
            }
            guard parsed.auth == nil else {
                throw item.error("credentials do not go in this file; name the variables that hold them with "
                                 + "user_env/password_env, token_env or nkey_seed_env")
            }
            urls.append(text)
        }
        var settings = NATSSettings(urls: urls, location: value.location)
        if let prefix = fields.optional("subject_prefix") {
            let text = try prefix.string("a subject prefix such as marketmux")
            guard NATSSubject.isValidSubject(text), !text.contains("*"), !text.contains(">") else {
                throw prefix.error("'\(text)' is not a NATS subject prefix (dot-separated tokens without spaces or wildcards, e.g. prod.marketmux)")
            }
            settings.subjectPrefix = text
        }
        if let name = fields.optional("name") { settings.name = try name.string("a connection name") }
        func reference(_ key: String) throws(ConfigurationError) -> EnvironmentReference {
            let item = try fields.required(key)
            let name = try item.string("the name of an environment variable")
            guard EnvironmentReference.isValidName(name) else {
                throw item.error("'\(name)' is not an environment variable name (letters, digits and '_'; the secret itself never goes in this file)")
            }
            return EnvironmentReference(name: name, location: item.location)
        }
        let authKeys = ["user_env", "token_env", "nkey_seed_env"].filter { fields.contains($0) }
        if authKeys.count > 1 {
            let second = try fields.required(authKeys[1])
            throw second.error("choose one way to authenticate: user_env/password_env, token_env or nkey_seed_env")
        }
        if fields.contains("password_env") && !fields.contains("user_env") {
            let password = try fields.required("password_env")
            throw password.error("password_env needs user_env")
        }
        switch authKeys.first {
        case "user_env": settings.auth = .userPassword(user: try reference("user_env"), password: try reference("password_env"))
        case "token_env": settings.auth = .token(try reference("token_env"))
        case "nkey_seed_env": settings.auth = .nkey(seed: try reference("nkey_seed_env"))
        default: break
        }
        if let ca = fields.optional("tls_ca_file") { settings.tlsCAFile = try ca.string("the path of a CA bundle (PEM)") }
        if let jetStream = fields.optional("jetstream") { settings.jetStream = try self.jetStream(jetStream) }
        if let intake = fields.optional("order_intake") { settings.servesOrderIntake = try intake.boolean() }
        return settings
    }

    /// `jetstream: {stream: MARKETMUX, max_age: 1h, storage: file, replicas: 3}`, or `on` / `off`.
    private func jetStream(_ value: YAMLValue) throws(ConfigurationError) -> NATSJetStreamConfiguration? {
        if case .scalar = value.node {
            let text = try value.string("on, off or a mapping such as {stream: MARKETMUX, max_age: 1h}")
            switch text.lowercased() {
            case "on", "true", "yes": return NATSJetStreamConfiguration(stream: "MARKETMUX")
            case "off", "false", "no": return nil
            default: throw value.error("expected on, off or a mapping such as {stream: MARKETMUX, max_age: 1h}, got '\(text)'")
            }
        }
        let fields = try value.mapping("on, off or a mapping such as {stream: MARKETMUX, max_age: 1h}", known: Self.jetStreamKeys)
        var configuration = NATSJetStreamConfiguration(stream: "MARKETMUX")
        if let stream = fields.optional("stream") {
            let name = try stream.string("a stream name such as MARKETMUX")
            guard name.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: ".") && $0 != UInt8(ascii: "*")
                                          && $0 != UInt8(ascii: ">") && $0 != UInt8(ascii: "/") && $0 != UInt8(ascii: "\\") }) else {
                throw stream.error("'\(name)' is not a JetStream stream name (printable, without spaces, '.', '*', '>', '/' or '\\')")
            }
            configuration.stream = name
        }
        if let maxAge = fields.optional("max_age") { configuration.maxAge = try duration(maxAge) }
        if let storage = fields.optional("storage") {
            let text = try storage.string("file or memory")
            guard let parsed = NATSJetStreamConfiguration.Storage(rawValue: text) else {
                throw storage.error("expected file or memory, got '\(text)'")
            }
            configuration.storage = parsed
        }
        if let replicas = fields.optional("replicas") {
            configuration.replicas = try replicas.integer("a replica count from 1 to 5", in: 1...5)
        }
        if let track = fields.optional("track_acks") { configuration.tracksAcks = try track.boolean() }
        return configuration
    }

    /// `shard: {venues: [binance, okx]}`: this instance's share of the configured venues.
    private func shard(_ value: YAMLValue, configured: [VenueID]) throws(ConfigurationError) -> [VenueID] {
        let fields = try value.mapping("a mapping such as {venues: [binance, okx]}", known: Self.shardKeys)
        let venuesValue = try fields.required("venues")
        let items = try venuesValue.sequence("a list of venue ids such as [binance, okx]")
        guard !items.isEmpty else { throw venuesValue.error("expected at least one venue (an instance without venues has nothing to do)") }
        var venues: [VenueID] = []
        for item in items {
            let text = try item.string("a venue id such as binance")
            let id = VenueID(rawValue: text)
            guard configured.contains(id) else {
                let names = configured.map(\.rawValue)
                throw item.error("'\(text)' is not one of the configured venues" + Suggestion.phrase(for: text, in: names)
                                 + " Configured: \(names.joined(separator: ", "))")
            }
            guard !venues.contains(id) else { throw item.error("'\(text)' is listed twice") }
            venues.append(id)
        }
        return venues
    }

    // MARK: - Values

    private func channel(_ item: YAMLValue, spec: VenueSpec, line: Int? = nil) throws(ConfigurationError) -> Channel {
        let text = try item.string("a channel such as trades")
        let publicChannels = Channel.allCases.filter { $0 != .orders }.map(\.rawValue)
        guard let channel = Channel(rawValue: text) else {
            throw item.error("'\(text)' is not a channel" + Suggestion.phrase(for: text, in: publicChannels)
                             + " Channels: \(publicChannels.joined(separator: ", "))")
        }
        guard channel != .orders else {
            throw item.error("'orders' is the private order stream; configure it with the venue's 'orders:' section")
        }
        guard spec.supportedChannels.contains(channel) else {
            let supported = spec.supportedChannels.map(\.rawValue).sorted().joined(separator: ", ")
            throw item.error("channel '\(text)' is not supported by \(spec.id) (supported: \(supported))")
        }
        return channel
    }

    private func duration(_ item: YAMLValue) throws(ConfigurationError) -> Nanoseconds {
        let text = try item.string("a duration such as 5s")
        guard let nanoseconds = DurationParser.nanoseconds(text) else {
            throw item.error("'\(text)' is not a duration (use a number and a unit: 500ms, 5s, 2m, 1h)")
        }
        return nanoseconds
    }

    private func url(_ item: YAMLValue, schemes: [String], what: String) throws(ConfigurationError) -> String {
        let text = try item.string(what)
        guard let separator = text.range(of: "://"), schemes.contains(text[..<separator.lowerBound].lowercased()),
              let hostStart = text[separator.upperBound...].first, hostStart != "/", hostStart != ":",
              !text.contains(where: { $0 == " " || $0 == "\t" }) else {
            throw item.error("'\(text)' is not \(what)")
        }
        return text
    }

    private func syntaxError(_ error: YamlError) -> ConfigurationError {
        switch error {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
             .composer(let context, let problem, let mark, _):
            let detail = context.map { " (\($0.text) at line \($0.mark.line))" } ?? ""
            return ConfigurationError(file: file, line: mark.line, column: mark.column, key: nil,
                                      message: "invalid YAML: \(problem)\(detail)")
        case .reader(let problem, _, _, _):
            return ConfigurationError(file: file, line: nil, key: nil, message: "invalid YAML: \(problem)")
        default:
            return ConfigurationError(file: file, line: nil, key: nil, message: "invalid YAML: \(error)")
        }
    }
}
