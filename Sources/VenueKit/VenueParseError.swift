/// Why a venue message could not be turned into events. Never retryable by re-parsing the same
/// bytes: the pipeline logs it and emits a `status` with the message (malformed input must never
/// crash MarketMux, nor produce garbage events).
public struct VenueParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The broad class of failure.
    public enum Kind: String, Sendable, Equatable {
        /// The bytes are not valid JSON (position and expectation in ``message``).
        case malformedJSON
        /// A field the adapter needs is absent.
        case missingField
        /// A field is present but its value is wrong (type, decimal syntax, range).
        case invalidValue
        /// The venue symbol is not one this adapter knows.
        case unknownSymbol
        /// Valid JSON of a shape the adapter does not recognise.
        case unexpectedMessage
    }

    /// The class of failure.
    public var kind: Kind
    /// What was wrong, naming the field and/or what was expected.
    public var message: String
    /// Byte offset into the message where the problem was found, when known.
    public var offset: Int?

    /// Creates an error.
    public init(kind: Kind, message: String, offset: Int? = nil) {
        self.kind = kind
        self.message = message
        self.offset = offset
    }

    /// One line: `"malformed JSON at byte 17: expected ':' after object key"`.
    public var description: String {
        let what: String
        switch kind {
        case .malformedJSON: what = "malformed JSON"
        case .missingField: what = "missing field"
        case .invalidValue: what = "invalid value"
        case .unknownSymbol: what = "unknown symbol"
        case .unexpectedMessage: what = "unexpected message"
        }
        if let offset { return "\(what) at byte \(offset): \(message)" }
        return "\(what): \(message)"
    }

    /// Parse errors are about the input, so retrying the same input cannot help.
    public var isRetryable: Bool { false }

    /// Invalid JSON at `offset`: `expected` names what the scanner wanted there.
    public static func malformed(_ expected: String, at offset: Int) -> VenueParseError {
        VenueParseError(kind: .malformedJSON, message: expected, offset: offset)
    }

    /// A required field is absent.
    public static func missingField(_ name: String) -> VenueParseError {
        VenueParseError(kind: .missingField, message: "'\(name)'")
    }

    /// A field's value is wrong.
    public static func invalidValue(_ field: String, _ reason: String, at offset: Int? = nil) -> VenueParseError {
        VenueParseError(kind: .invalidValue, message: "'\(field)': \(reason)", offset: offset)
    }

    /// The venue symbol is not mapped.
    public static func unknownSymbol(_ venueSymbol: String) -> VenueParseError {
        VenueParseError(kind: .unknownSymbol, message: "'\(venueSymbol)'")
    }

    /// The message shape is not recognised.
    public static func unexpected(_ what: String) -> VenueParseError {
        VenueParseError(kind: .unexpectedMessage, message: what)
    }
}
