import Testing
import VenueKit

/// ``JSONScanner/parseTree(_:as:maxDepth:)``: one validating reader for every cold-path JSON tree.
@Suite("JSONTree")
struct JSONTreeTests {
    /// A tree that keeps members in order, to see exactly what the reader built.
    indirect enum Tree: JSONTree, Equatable {
        case object([String])  // keys only, in order
        case array([Tree])
        case string(String)
        case number(String)
        case bool(Bool)
        case null

        static func jsonObject(_ members: [(key: String, value: Tree)]) -> Tree { .object(members.map(\.key)) }
    }

    static func parse(_ text: String, maxDepth: Int = 8) throws(VenueParseError) -> Tree {
        let bytes = Array(text.utf8)
        let result: Result<Tree, VenueParseError> = bytes.withUnsafeBytes { buffer in
            do throws(VenueParseError) {
                return .success(try JSONScanner.parseTree(buffer, as: Tree.self, maxDepth: maxDepth))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    @Test("values keep their text; keys keep their order; escapes are decoded")
    func values() throws {
        #expect(try Self.parse(#" [1.50, -2e-7, "a\"b\u00e9", true, false, null, {"z":1,"a":2}] "#)
                == .array([.number("1.50"), .number("-2e-7"), .string("a\"bé"), .bool(true), .bool(false), .null, .object(["z", "a"])]))
    }

    @Test("malformed, trailing and too-deep input is refused with a parse error", arguments: [
        #"{"a":1,}"#, #"[1 2]"#, #"{"a":1} x"#, #"01"#, #""unterminated"#, #"[[[[[[[[[1]]]]]]]]]"#, "",
    ])
    func refused(text: String) {
        #expect(throws: VenueParseError.self) { try Self.parse(text) }
    }
}
