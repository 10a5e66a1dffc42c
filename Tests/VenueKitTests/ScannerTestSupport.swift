import Testing
@testable import VenueKit

// Scanner harnesses shared by the VenueKit helper tests.

/// Runs `body` over `text` with a scanner positioned at its first value; the text must end where `body` stops.
func readingWhole<T>(_ text: String, _ body: (inout JSONScanner) throws(VenueParseError) -> T) throws(VenueParseError) -> T {
    let bytes = Array(text.utf8)
    var result: Result<T, VenueParseError>?
    bytes.withUnsafeBytes { raw in
        var s = JSONScanner(raw)
        do throws(VenueParseError) {
            let value = try body(&s)
            try s.finish()
            result = .success(value)
        } catch {
            result = .failure(error)
        }
    }
    return try result!.get()
}

/// Runs `body` over `text` with a scanner positioned inside its top-level object; the members
/// `body` leaves are skipped through the closing `}`.
func inObject<T>(_ text: String, _ body: (inout JSONScanner) throws(VenueParseError) -> T) throws(VenueParseError) -> T {
    try readingWhole(text) { s throws(VenueParseError) -> T in
        try s.beginObject()
        let value = try body(&s)
        while try s.nextKey() != nil { try s.skipValue() }
        return value
    }
}
