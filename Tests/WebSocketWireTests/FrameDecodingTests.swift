import Testing
@testable import WebSocketWire

@Suite("Frame decoding (RFC 6455 §5)")
struct FrameDecodingTests {
    // RFC 6455 §5.7 examples, fed whole and one byte at a time.
    @Test("RFC 6455 §5.7 examples", arguments: [Int.max, 1, 2, 3, 7])
    func rfcExamples(chunk: Int) throws {
        let engine = try makeEngine()
        var recorder = Recorder()
        let single: [UInt8] = [0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f]
        let fragmented: [UInt8] = [0x01, 0x03, 0x48, 0x65, 0x6c, 0x80, 0x02, 0x6c, 0x6f]
        let ping: [UInt8] = [0x89, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f]
        let binary256 = serverFrame(.binary, [UInt8](repeating: 7, count: 256))
        let binary64k = serverFrame(.binary, [UInt8](repeating: 9, count: 65536))
        #expect(Array(binary256.prefix(4)) == [0x82, 0x7E, 0x01, 0x00])
        #expect(Array(binary64k.prefix(10)) == [0x82, 0x7F, 0, 0, 0, 0, 0, 1, 0, 0])
        let error = feed(engine, single + fragmented + ping + binary256 + binary64k, chunk: chunk, into: &recorder)
        #expect(error == nil)
        #expect(recorder.texts == ["Hello", "Hello"])
        #expect(recorder.pings == [Array("Hello".utf8)])
        #expect(recorder.messages.count == 4)
        #expect(recorder.messages[2].bytes == [UInt8](repeating: 7, count: 256))
        #expect(recorder.messages[3].bytes.count == 65536)
        // The ping is answered with a masked pong carrying the same payload.
        #expect(outboundFrames(engine) == [ClientFrame(fin: true, rsv1: false, opcode: .pong, payload: Array("Hello".utf8))])
    }

    @Test("control frames interleaved inside a fragmented message")
    func interleavedControl() throws {
        let engine = try makeEngine()
        var recorder = Recorder()
        let bytes = serverFrame(.text, Array("ab".utf8), fin: false) + serverFrame(.ping, [1]) +
            serverFrame(.continuation, Array("cd".utf8), fin: false) + serverFrame(.pong, [2]) +
            serverFrame(.continuation, Array("ef".utf8))
        #expect(feed(engine, bytes, into: &recorder) == nil)
        #expect(recorder.texts == ["abcdef"])
        #expect(recorder.pings == [[1]])
        #expect(recorder.pongs == [[2]])
    }

    struct Violation: CustomStringConvertible, Sendable {
        let name: String
        let bytes: [UInt8]
        let code: UInt16
        var description: String { name }
    }

    static let violations: [Violation] = [
        Violation(name: "masked server frame", bytes: [0x81, 0x85, 1, 2, 3, 4, 0, 0, 0, 0, 0], code: 1002),
        Violation(name: "RSV2 set", bytes: serverFrame(.text, [0x41], rsv2: true), code: 1002),
        Violation(name: "RSV1 without deflate", bytes: serverFrame(.text, [0x41], rsv1: true), code: 1002),
        Violation(name: "reserved opcode 3", bytes: [0x83, 0x00], code: 1002),
        Violation(name: "reserved control opcode 0xB", bytes: [0x8B, 0x00], code: 1002),
        Violation(name: "fragmented ping", bytes: serverFrame(.ping, [1], fin: false), code: 1002),
        Violation(name: "126-byte ping", bytes: serverFrame(.ping, [UInt8](repeating: 0, count: 126)), code: 1002),
        Violation(name: "continuation without a message", bytes: serverFrame(.continuation, [0x41]), code: 1002),
        Violation(name: "text during a fragmented message",
                  bytes: serverFrame(.text, [0x41], fin: false) + serverFrame(.text, [0x42]), code: 1002),
        Violation(name: "64-bit length with the top bit set", bytes: [0x82, 0x7F, 0x80, 0, 0, 0, 0, 0, 0, 1], code: 1002),
        Violation(name: "invalid UTF-8 in a text frame", bytes: serverFrame(.text, [0xCE, 0xBA, 0xE1, 0xBD, 0xB9, 0xCF, 0x83, 0xED, 0xA0, 0x80]), code: 1007),
        Violation(name: "text ends mid code point", bytes: serverFrame(.text, [0x41, 0xE2, 0x82]), code: 1007),
        Violation(name: "1-byte close payload", bytes: serverFrame(.close, [0x03]), code: 1002),
        Violation(name: "close code 1005 on the wire", bytes: serverFrame(.close, [0x03, 0xED]), code: 1002),
        Violation(name: "close code 999", bytes: serverFrame(.close, [0x03, 0xE7]), code: 1002),
        Violation(name: "close code 2000", bytes: serverFrame(.close, [0x07, 0xD0]), code: 1002),
        Violation(name: "close reason not UTF-8", bytes: serverFrame(.close, [0x03, 0xE8, 0xFF]), code: 1007),
    ]

    @Test("protocol violations fail with the right close code", arguments: violations)
    func violation(_ violation: Violation) throws {
        for chunk in [Int.max, 1] {
            let engine = try makeEngine()
            var recorder = Recorder()
            let error = feed(engine, violation.bytes, chunk: chunk, into: &recorder)
            #expect(error?.closeCode.rawValue == violation.code, "\(violation.name)")
            #expect(recorder.messages.isEmpty)
            #expect(engine.isFinished)
            // The close frame we send carries the same code.
            let frames = outboundFrames(engine)
            #expect(frames.count == 1)
            #expect(frames.first?.opcode == .close)
            #expect(frames.first.map { UInt16($0.payload[0]) << 8 | UInt16($0.payload[1]) } == violation.code)
        }
    }

    @Test("bad UTF-8 in a fragment fails before the message ends (fail fast)")
    func utf8FailFast() throws {
        let engine = try makeEngine()
        var recorder = Recorder()
        let first = serverFrame(.text, [0xCE, 0xBA, 0xF4, 0x90], fin: false)  // F4 90 is beyond U+10FFFF
        let error = feed(engine, first, into: &recorder)
        #expect(error?.closeCode == .invalidFramePayloadData)
    }

    @Test("bad UTF-8 at the start of a large text frame fails before the frame is complete")
    func utf8FailFastWithinFrame() throws {
        let engine = try makeEngine()
        var recorder = Recorder()
        let frame = serverFrame(.text, [0x41, 0xFF] + [UInt8](repeating: 0x41, count: 500))
        let error = feed(engine, Array(frame.prefix(10)), into: &recorder)
        #expect(error?.closeCode == .invalidFramePayloadData)
    }

    @Test("valid UTF-8 split across fragments is accepted")
    func utf8AcrossFragments() throws {
        let engine = try makeEngine()
        var recorder = Recorder()
        let text = Array("κόσμε €𝄞".utf8)
        var bytes: [UInt8] = []
        for (index, byte) in text.enumerated() {
            bytes += serverFrame(index == 0 ? .text : .continuation, [byte], fin: index == text.count - 1)
        }
        #expect(feed(engine, bytes, into: &recorder) == nil)
        #expect(recorder.texts == ["κόσμε €𝄞"])
    }

    @Test("an oversized frame is refused from its header, before its payload arrives")
    func oversizedFrame() throws {
        let engine = try makeEngine(WebSocketConfiguration(maxFrameSize: 1000, compression: nil))
        var recorder = Recorder()
        let header: [UInt8] = [0x82, 0x7E, 0x10, 0x00]  // 4096-byte frame announced
        let error = feed(engine, header, into: &recorder)
        #expect(error?.closeCode == .messageTooBig)
        #expect(error?.kind == .tooBig)
    }

    @Test("a fragmented message past the message limit fails with 1009")
    func oversizedMessage() throws {
        let engine = try makeEngine(WebSocketConfiguration(maxFrameSize: 100, maxMessageSize: 150, compression: nil))
        var recorder = Recorder()
        let bytes = serverFrame(.binary, [UInt8](repeating: 1, count: 100), fin: false) +
            serverFrame(.continuation, [UInt8](repeating: 1, count: 100))
        #expect(feed(engine, bytes, into: &recorder)?.closeCode == .messageTooBig)
    }

    @Test("the verdict does not depend on how reads split the stream (size is checked before UTF-8)")
    func splitIndependentVerdict() throws {
        let bytes: [UInt8] = [0x01, 0x02, 0x61, 0x61, 0x80, 0x02, 0xFF, 0x61]  // found by the fuzzer
        let configuration = WebSocketConfiguration(maxFrameSize: 2, maxMessageSize: 2, compression: nil)
        var codes: Set<UInt16> = []
        for chunk in [Int.max, 1, 3, 7] {
            let engine = try makeEngine(configuration)
            var recorder = Recorder()
            codes.insert(feed(engine, bytes, chunk: chunk, into: &recorder)?.closeCode.rawValue ?? 0)
        }
        #expect(codes == [1009])
    }

    @Test("server close is echoed with its code and ends reading")
    func closeEcho() throws {
        let engine = try makeEngine()
        var recorder = Recorder()
        let bytes = serverFrame(.close, [0x03, 0xE8] + Array("bye".utf8)) + serverFrame(.text, Array("late".utf8))
        #expect(feed(engine, bytes, into: &recorder) == nil)
        #expect(recorder.closes.count == 1)
        #expect(recorder.closes.first?.0 == .normalClosure)
        #expect(recorder.closes.first?.1 == "bye")
        #expect(recorder.messages.isEmpty)
        #expect(engine.isFinished)
        #expect(outboundFrames(engine) == [ClientFrame(fin: true, rsv1: false, opcode: .close, payload: [0x03, 0xE8])])
    }

    @Test("an empty close is answered with an empty close; 1012 from a venue restart is accepted")
    func closeVariants() throws {
        let engine = try makeEngine()
        var recorder = Recorder()
        #expect(feed(engine, serverFrame(.close, []), into: &recorder) == nil)
        #expect(recorder.closes.first?.0 == .noStatusReceived)
        #expect(outboundFrames(engine).first?.payload == [])
        let restart = try makeEngine()
        var other = Recorder()
        #expect(feed(restart, serverFrame(.close, [0x03, 0xF4]), into: &other) == nil)
        #expect(other.closes.first?.0 == .serviceRestart)
    }
}
