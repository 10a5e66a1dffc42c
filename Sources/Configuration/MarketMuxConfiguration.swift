import Foundation
import Logging
import MarketModel

/// The typed `marketmux.yaml` (SPEC §3) that `marketmux run` starts from. Everything in it has
/// been checked: venue ids and channels against the adapters, symbols against the normalized
/// form, URLs, durations and limits. Secrets are not in it — only the names of the environment
/// variables that hold them (``OrderEntryConfiguration``).
///
/// ```yaml
/// socket: /run/marketmux/marketmux.sock
/// http: 127.0.0.1:9464
/// venues:
///   binance:
///     symbols: [BTC-USDT, ETH-USDT]
///     channels: [trades, book, bbo]
/// ```
public struct MarketMuxConfiguration: Sendable, Hashable {
    /// The file as named on the command line (error messages and logs).
    public var file: String
    /// The local subscriber socket (`socket:`; default `./marketmux.sock`).
    public var socketPath: String
    /// The operator HTTP endpoint (`http:`; default 127.0.0.1:9464; `off` disables it).
    public var http: HTTPEndpoint?
    /// Log level (`log_level:`; default `info`).
    public var logLevel: Logger.Level
    /// Most simultaneous subscriber connections on the socket (`max_subscribers:`; `nil`: the
    /// fan-out default).
    public var maxSubscribers: Int?
    /// The venues, in file order.
    public var venues: [VenueConfiguration]
    /// The `nats:` section (SPEC §7), if this instance publishes to NATS.
    public var nats: NATSSettings?
    /// `shard.venues`: the venues this instance runs (a subset of ``venues``); `nil`: all of them.
    public var shardVenues: [VenueID]?

    /// Memberwise initializer.
    public init(file: String, socketPath: String = "./marketmux.sock", http: HTTPEndpoint? = .default,
                logLevel: Logger.Level = .info, maxSubscribers: Int? = nil, venues: [VenueConfiguration]) {
        self.file = file
        self.socketPath = socketPath
        self.http = http
        self.logLevel = logLevel
        self.maxSubscribers = maxSubscribers
        self.venues = venues
    }

    /// Reads and validates the file at `path`; errors are named by `path` as given.
    public static func load(path: String) throws(ConfigurationError) -> MarketMuxConfiguration {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            let reason = FileManager.default.fileExists(atPath: path) ? "cannot be read" : "does not exist"
            throw ConfigurationError(file: path, line: nil, key: nil, message: "the configuration file \(reason)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigurationError(file: path, line: nil, key: nil, message: "the configuration file is not UTF-8 text")
        }
        return try parse(yaml: text, file: path)
    }

    /// Parses and validates YAML text; `file` names it in errors.
    public static func parse(yaml: String, file: String) throws(ConfigurationError) -> MarketMuxConfiguration {
        try ConfigurationParser(file: file).parse(yaml)
    }

    /// The venues this instance runs: ``venues`` restricted to `shard.venues` when one is given.
    public var activeVenues: [VenueConfiguration] {
        guard let shardVenues else { return venues }
        return venues.filter { shardVenues.contains($0.id) }
    }

    /// The `orders:` section of every venue this instance runs.
    public var orderEntries: [OrderEntryConfiguration] { activeVenues.compactMap(\.orders) }
}
