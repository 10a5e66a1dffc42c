import MarketModel
import VenueKit

/// Shared reading of trading-rule replies (``VenueKit/InstrumentRulesSource``): the reply as a
/// ``JSONNode`` tree (rules replies are small and nested), decimals checked for sign, and errors
/// that name the venue, the symbol and the field so an operator can see which reply was wrong.
enum InstrumentRulesParsing {
    /// The reply as a tree; malformed JSON becomes an error naming the venue and `what` was read.
    static func tree(_ body: UnsafeRawBufferPointer, venue: VenueID, what: String) throws(InstrumentRulesError) -> JSONNode {
        do {
            return try JSONNode.parse(body)
        } catch {
            throw InstrumentRulesError(venue: venue, "\(what) reply is not valid JSON: \(error.description)")
        }
    }

    /// A required positive decimal (`tick_size`, `stepSize`): a zero step would make every value "a multiple".
    static func positive(_ node: JSONNode?, _ field: String, venue: VenueID, symbol: Symbol) throws(InstrumentRulesError) -> FixedDecimal {
        let value = try decimal(node, field, venue: venue, symbol: symbol)
        guard !value.isZero, !value.isNegative else {
            throw InstrumentRulesError(venue: venue, symbol: symbol, "'\(field)' must be positive, got \(value)")
        }
        return value
    }

    /// A required decimal that may be zero but not negative (`minQty`).
    static func nonNegative(_ node: JSONNode?, _ field: String, venue: VenueID, symbol: Symbol) throws(InstrumentRulesError) -> FixedDecimal {
        let value = try decimal(node, field, venue: venue, symbol: symbol)
        guard !value.isNegative else {
            throw InstrumentRulesError(venue: venue, symbol: symbol, "'\(field)' must not be negative, got \(value)")
        }
        return value
    }

    /// An optional decimal; absent, null, `""` or zero mean "no cap" (venues write an uncapped max as 0).
    static func optionalCap(_ node: JSONNode?, _ field: String, venue: VenueID, symbol: Symbol) throws(InstrumentRulesError) -> FixedDecimal? {
        guard node.nonEmptyText != nil else { return nil }
        let value = try nonNegative(node, field, venue: venue, symbol: symbol)
        return value.isZero ? nil : value
    }

    /// A required decimal from a string or number member.
    static func decimal(_ node: JSONNode?, _ field: String, venue: VenueID, symbol: Symbol) throws(InstrumentRulesError) -> FixedDecimal {
        let value: FixedDecimal?
        do {
            value = try node.decimal(field)
        } catch {
            throw InstrumentRulesError(venue: venue, symbol: symbol, error.description)
        }
        guard let value else { throw InstrumentRulesError(venue: venue, symbol: symbol, "missing field '\(field)'") }
        return value.normalized  // "0.01000000" → 0.01, so logs and config overrides compare alike
    }

    /// The error for a requested symbol the reply does not describe.
    static func missing(_ symbol: Symbol, venue: VenueID, venueName: String, reply: String) -> InstrumentRulesError {
        InstrumentRulesError(venue: venue, symbol: symbol, "'\(venueName)' is not in the \(reply) reply")
    }

    /// Percent-encodes a query value (RFC 3986 unreserved characters stay as they are).
    static func queryEscaped(_ text: String) -> String {
        var result = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"):
                result.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = Array("0123456789ABCDEF".utf8)
                result += "%" + String(decoding: [hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]], as: UTF8.self)
            }
        }
        return result
    }
}
