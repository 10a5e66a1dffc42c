/// A fixture that cannot be used, naming the file, the line and the field at fault.
public struct FixtureError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file (as given to the parser).
    public let file: String
    /// 1-based line number, or `nil` for file-level problems (unreadable, empty).
    public let line: Int?
    /// The JSON field at fault, if one is.
    public let field: String?
    /// One clear sentence.
    public let message: String

    /// Creates an error.
    public init(file: String, line: Int?, field: String?, message: String) {
        self.file = file
        self.line = line
        self.field = field
        self.message = message
    }

    /// Fixtures are data: fixing them needs a human, retrying never helps.
    public var isRetryable: Bool { false }

    /// `file:line: field `x`: message`.
    public var description: String {
        var text = file
        if let line { text += ":\(line)" }
        text += ": "
        if let field { text += "field `\(field)`: " }
        return text + message
    }
}
