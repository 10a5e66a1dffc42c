import MarketModel
import Testing
import VenueKit
import Venues

// Variants of venue frames that take the adapters off their fast paths (shared by the fast-path tests).

/// The frame with a space after every `,` and `:` outside strings (no member is compact).
func spaced(_ text: String) -> String {
    var out = "", inString = false, escaped = false
    for c in text {
        out.append(c)
        if inString {
            if escaped { escaped = false } else if c == "\\" { escaped = true } else if c == "\"" { inString = false }
        } else if c == "\"" {
            inString = true
        } else if c == "," || c == ":" {
            out.append(" ")
        }
    }
    return out
}

/// The bids and asks of the frame's single book output, as `b price/size` and `a price/size`
/// texts (digits and scale as kept); records an issue unless there is exactly one book output.
func bookLevelTexts(_ adapter: inout some VenueAdapter, _ frame: String) throws -> [String] {
    let books = try adapter.parse(frame, context: ParseContext(tsRecv: 1)).compactMap { output -> BookMessage? in
        if case .book(let m) = output { return m }
        return nil
    }
    guard books.count == 1, let book = books.first else { Issue.record("expected one book output in \(frame)"); return [] }
    return book.update.bids.map { "b \($0.price)/\($0.size)" } + book.update.asks.map { "a \($0.price)/\($0.size)" }
}

/// A book fast path's core check: the compact frame (`frame(nil)`), the same frame with
/// whitespace everywhere (no level compact) and a frame mixing both (`frame(every)`) give the same
/// `levelCount` levels. Returns them for the caller's further spellings.
func expectSameLevels(_ adapter: inout some VenueAdapter, levelCount: Int, mixedEvery every: Int,
                      _ frame: (_ spacedEvery: Int?) -> String) throws -> [String] {
    let compact = frame(nil)
    let expected = try bookLevelTexts(&adapter, spaced(compact))
    #expect(expected.count == levelCount)
    #expect(try bookLevelTexts(&adapter, compact) == expected)
    #expect(try bookLevelTexts(&adapter, frame(every)) == expected)
    return expected
}
