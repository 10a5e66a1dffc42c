import Testing
import VenueKit

/// One row of an order router's reply-parsing table: a venue message and the events (or the
/// error kind) it must produce. Shared by every `*OrderRoutingTests` suite.
struct OrderReplyCase: Sendable, CustomTestStringConvertible {
    let name: String
    let input: String
    var expected: [OrderVenueEvent] = []
    var error: VenueParseError.Kind? = nil
    var testDescription: String { name }
}
