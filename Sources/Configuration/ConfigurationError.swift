/// A configuration file MarketMux refuses to start with (SPEC §3: "refuse to start, naming the
/// file, line and key"). One sentence, `marketmux.yaml:12: venues.binance.symbols[2]: …`, so an
/// operator can jump straight to the line. Never retryable: the file has to change.
public struct ConfigurationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The file as named on the command line (`marketmux.yaml`), or `nil` before one was read.
    public var file: String
    /// 1-based line of the offending key or value; `nil` when the problem is the whole file.
    public var line: Int?
    /// 1-based column, only for YAML syntax errors (where the key is not known yet).
    public var column: Int?
    /// Dotted key path with list indexes (`venues.binance.symbols[2]`); `nil` for syntax errors.
    public var key: String?
    /// What is wrong and, where possible, what would be right.
    public var message: String

    /// Memberwise initializer.
    public init(file: String, line: Int?, column: Int? = nil, key: String?, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.key = key
        self.message = message
    }

    /// `file:line: key: message` (`file:line:column: message` for syntax errors).
    public var description: String {
        var text = file
        if let line {
            text += ":\(line)"
            if let column { text += ":\(column)" }
        }
        if let key { text += ": \(key)" }
        return text + ": " + message
    }

    /// Whether retrying without changing the file could help: never.
    public var isRetryable: Bool { false }
}
