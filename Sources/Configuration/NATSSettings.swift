import MarketModel
import NATS

/// The `nats:` section (SPEC §7; docs/scaling.md): where this instance publishes its normalized
/// events and takes orders by request-reply. Like order entry, it holds the *names* of the
/// environment variables with the credentials, never the credentials, which
/// ``clientConfiguration(environment:)`` reads at start-up.
///
/// ```yaml
/// nats:
///   urls: [nats://10.0.0.5:4222, nats://10.0.0.6:4222]
///   subject_prefix: marketmux
///   user_env: NATS_USER               # or token_env / nkey_seed_env; none: no auth
///   password_env: NATS_PASSWORD
///   jetstream: {stream: MARKETMUX, max_age: 1h}   # or off (the default) / on
/// shard: {venues: [binance, okx]}
/// ```
public struct NATSSettings: Sendable, Hashable {
    /// How the client authenticates, by environment variable names.
    public enum Auth: Sendable, Hashable {
        /// No credentials.
        case none
        /// `user_env` + `password_env`.
        case userPassword(user: EnvironmentReference, password: EnvironmentReference)
        /// `token_env`.
        case token(EnvironmentReference)
        /// `nkey_seed_env`: an nkey seed (`SU…`).
        case nkey(seed: EnvironmentReference)
    }

    /// `urls` (or `url`): the servers, in the order tried; more are learned from the cluster.
    public var urls: [String]
    /// `subject_prefix` (default `marketmux`).
    public var subjectPrefix: String
    /// `name`: the connection name shown in the server's monitoring (default `marketmux`).
    public var name: String
    /// Credentials by variable name.
    public var auth: Auth
    /// `tls_ca_file`: CA bundle for `tls://` servers (default: the system's).
    public var tlsCAFile: String?
    /// `jetstream`: the stream capturing everything published, or `nil` (off).
    public var jetStream: NATSJetStreamConfiguration?
    /// `order_intake` (default true): serve `<prefix>.orders.<venue>` when order entry is on.
    public var servesOrderIntake: Bool
    /// Where the section is.
    public var location: SourceLocation

    /// Memberwise initializer with the defaults.
    public init(urls: [String], subjectPrefix: String = "marketmux", name: String = "marketmux", auth: Auth = .none,
                tlsCAFile: String? = nil, jetStream: NATSJetStreamConfiguration? = nil, servesOrderIntake: Bool = true,
                location: SourceLocation) {
        self.urls = urls
        self.subjectPrefix = subjectPrefix
        self.name = name
        self.auth = auth
        self.tlsCAFile = tlsCAFile
        self.jetStream = jetStream
        self.servesOrderIntake = servesOrderIntake
        self.location = location
    }

    /// The client configuration, with credentials read from `environment` (normally the process
    /// environment); an unset or empty variable is an error naming its `…_env` key's line.
    public func clientConfiguration(environment: [String: String]) throws(ConfigurationError) -> NATSClientConfiguration {
        var configuration: NATSClientConfiguration
        do {
            configuration = try NATSClientConfiguration(urls: urls, name: name)
        } catch {
            throw location.error(error.message)  // validated by the parser; kept for hand-made values
        }
        switch auth {
        case .none: break
        case .userPassword(let user, let password):
            configuration.auth = .userPassword(user: try user.resolve(in: environment), password: try password.resolve(in: environment))
        case .token(let token):
            configuration.auth = .token(try token.resolve(in: environment))
        case .nkey(let seed):
            configuration.auth = .nkey(seed: try seed.resolve(in: environment))
        }
        configuration.tlsCAFile = tlsCAFile
        return configuration
    }

    /// The publisher configuration for an instance owning `shardVenues` (`nil`: all venues).
    public func publisherConfiguration(shardVenues: [VenueID]?) throws(ConfigurationError) -> NATSPublisherConfiguration {
        do {
            return try NATSPublisherConfiguration(subjectPrefix: subjectPrefix, shardVenues: shardVenues.map(Set.init),
                                                  jetStream: jetStream)
        } catch {
            throw location.error(error.message)
        }
    }
}

extension NATSSettings: CustomStringConvertible {
    /// Servers, prefix, auth kind and variable names, JetStream: never a secret.
    public var description: String {
        let authText: String
        switch auth {
        case .none: authText = "none"
        case .userPassword(let user, let password): authText = "user \(user), password \(password)"
        case .token(let token): authText = "token \(token)"
        case .nkey(let seed): authText = "nkey \(seed)"
        }
        return "nats(\(urls.joined(separator: ", ")), prefix \(subjectPrefix), auth: \(authText), jetstream: "
            + (jetStream.map { "\($0.stream)" } ?? "off") + ", order intake: \(servesOrderIntake ? "on" : "off"))"
    }
}
