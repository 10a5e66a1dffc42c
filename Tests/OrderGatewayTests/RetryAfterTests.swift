@testable import OrderGateway
import Testing
import Transport

/// The `Retry-After` a REST status query's rate-limit refusal carries into the core.
@Suite("Retry-After on REST status replies")
struct RetryAfterTests {
    static func response(_ head: String) throws -> HTTPResponse {
        var parser = HTTPResponseParser()
        let bytes = Array((head + "Content-Length: 0\r\n\r\n").utf8)
        _ = try bytes.withUnsafeBytes { try parser.feed($0) }
        return try parser.finish()
    }

    @Test("delay-seconds are read, any header case; dates, garbage and absurd values are not", arguments: [
        ("Retry-After: 7\r\n", 7 as Int?),
        ("retry-after: 0\r\n", 0),
        ("RETRY-AFTER: 120\r\n", 120),
        ("Retry-After: Wed, 21 Oct 2026 07:28:00 GMT\r\n", nil),
        ("Retry-After: soon\r\n", nil),
        ("Retry-After: -3\r\n", nil),
        ("Retry-After: 9999999\r\n", nil),
        ("", nil),
    ])
    func parses(header: String, expected: Int?) throws {
        let response = try Self.response("HTTP/1.1 429 Too Many Requests\r\n" + header)
        #expect(retryAfterSeconds(response) == expected)
    }
}
