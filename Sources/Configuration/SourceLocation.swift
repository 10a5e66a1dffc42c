/// Where a value came from in the configuration file: kept with every value that can still fail
/// after parsing (secrets resolved from the environment at start-up), so that error names the
/// line and key too.
public struct SourceLocation: Sendable, Hashable, CustomStringConvertible {
    /// The file as named on the command line.
    public var file: String
    /// 1-based line.
    public var line: Int
    /// Dotted key path (`venues.binance.orders.api_key_env`).
    public var key: String

    /// Memberwise initializer.
    public init(file: String, line: Int, key: String) {
        self.file = file
        self.line = line
        self.key = key
    }

    /// `file:line: key`.
    public var description: String { "\(file):\(line): \(key)" }

    /// An error at this location.
    public func error(_ message: String) -> ConfigurationError {
        ConfigurationError(file: file, line: line, key: key, message: message)
    }
}
