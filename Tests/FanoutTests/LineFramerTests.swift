@testable import Fanout
import NIOCore
import Testing

@Suite("NDJSON framing with a line limit")
struct LineFramerTests {
    enum Seen: Equatable {
        case line(String)
        case tooLong
    }

    static func feed(_ framer: inout LineFramer, _ chunks: [String]) -> [Seen] {
        var seen: [Seen] = []
        for chunk in chunks {
            framer.append(ByteBuffer(string: chunk)) { item in
                switch item {
                case .line(var line): seen.append(.line(line.readString(length: line.readableBytes) ?? "?"))
                case .tooLong: seen.append(.tooLong)
                }
            }
        }
        return seen
    }

    @Test("lines split across and within reads")
    func splitting() {
        var framer = LineFramer(maxLineBytes: 10)
        #expect(Self.feed(&framer, ["ab", "c\nde", "f\n\nxy\n", "z"]) == [.line("abc"), .line("def"), .line(""), .line("xy")])
        #expect(framer.bufferedBytes == 1)
    }

    @Test("an over-long line is reported once, discarded, and the next line is read")
    func overlong() {
        var framer = LineFramer(maxLineBytes: 4)
        // Reported as soon as the limit is passed, before its newline arrives.
        #expect(Self.feed(&framer, ["12345"]) == [.tooLong])
        #expect(framer.bufferedBytes == 0)
        #expect(Self.feed(&framer, ["6789", "0\nok\n"]) == [.line("ok")])
        // Complete in one read: reported at its newline.
        #expect(Self.feed(&framer, ["abcdefgh\nabcd\n"]) == [.tooLong, .line("abcd")])
    }
}
