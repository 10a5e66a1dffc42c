/// A refused request: the reply line's `id` (absent when the request had none or could not be
/// read), `code` and one-sentence `message`.
public struct RequestError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The request id to echo, if known.
    public var id: String?
    /// The error code.
    public var code: FanoutErrorCode
    /// What was wrong, in words.
    public var message: String

    /// Memberwise initializer.
    public init(id: String?, code: FanoutErrorCode, message: String) {
        self.id = id
        self.code = code
        self.message = message
    }

    /// `code: message`.
    public var description: String { "\(code.rawValue): \(message)" }
}
