/// Why a decimal could not be parsed. Never retryable: the input itself is wrong.
public enum FixedDecimalError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The input was empty.
    case empty
    /// A byte at `offset` is not allowed where it stands (e.g. a letter, a second `.`).
    case invalidCharacter(offset: Int)
    /// Digits were required at `offset` (after `-`, after `.`, after `e`).
    case missingDigits(offset: Int)
    /// The value has more significant digits than an `Int64` mantissa can hold.
    case overflow
    /// The value needs more than 18 digits behind the decimal point.
    case scaleTooLarge

    /// A one-line human explanation.
    public var description: String {
        switch self {
        case .empty: return "empty decimal"
        case .invalidCharacter(let offset): return "invalid character in decimal at offset \(offset)"
        case .missingDigits(let offset): return "expected a digit in decimal at offset \(offset)"
        case .overflow: return "decimal has too many significant digits for a 64-bit mantissa"
        case .scaleTooLarge: return "decimal has more than 18 fractional digits"
        }
    }
}
