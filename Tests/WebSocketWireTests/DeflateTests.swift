import CZlib
import Testing
@testable import WebSocketWire

@Suite("permessage-deflate (RFC 7692)")
struct DeflateTests {
    @Test("RFC 7692 §7.2.3.1/§7.2.3.2 examples: one message, then the same with context takeover")
    func rfcExamples() throws {
        let engine = try makeEngine(WebSocketConfiguration(), deflate: PerMessageDeflateParameters())
        var recorder = Recorder()
        let first: [UInt8] = [0xC1, 0x07, 0xF2, 0x48, 0xCD, 0xC9, 0xC9, 0x07, 0x00]
        let second: [UInt8] = [0xC1, 0x05, 0xF2, 0x00, 0x11, 0x00, 0x00]
        #expect(feed(engine, first + second, into: &recorder) == nil)
        #expect(recorder.texts == ["Hello", "Hello"])
    }

    @Test("RFC 7692 §7.2.3.1: the same message split into two fragments, fed byte by byte")
    func fragmentedCompressed() throws {
        let engine = try makeEngine(WebSocketConfiguration(), deflate: PerMessageDeflateParameters())
        var recorder = Recorder()
        let bytes: [UInt8] = [0x41, 0x03, 0xF2, 0x48, 0xCD, 0x80, 0x04, 0xC9, 0xC9, 0x07, 0x00]
        #expect(feed(engine, bytes, chunk: 1, into: &recorder) == nil)
        #expect(recorder.texts == ["Hello"])
    }

    @Test("RFC 7692 §7.2.3.3: a stored (uncompressed) deflate block")
    func storedBlock() throws {
        let engine = try makeEngine(WebSocketConfiguration(), deflate: PerMessageDeflateParameters())
        var recorder = Recorder()
        let bytes: [UInt8] = [0xC1, 0x0B, 0x00, 0x05, 0x00, 0xFA, 0xFF, 0x48, 0x65, 0x6C, 0x6C, 0x6F, 0x00]
        #expect(feed(engine, bytes, into: &recorder) == nil)
        #expect(recorder.texts == ["Hello"])
    }

    @Test("RFC 7692 §7.2.3.4: a message ending in a BFINAL block (with and without padding), then a fresh stream")
    func bfinalBlock() throws {
        for padded in [false, true] {
            let engine = try makeEngine(WebSocketConfiguration(), deflate: PerMessageDeflateParameters())
            var recorder = Recorder()
            let payload: [UInt8] = [0xF3, 0x48, 0xCD, 0xC9, 0xC9, 0x07, 0x00] + (padded ? [0x00] : [])
            let next: [UInt8] = [0xC1, 0x07, 0xF2, 0x48, 0xCD, 0xC9, 0xC9, 0x07, 0x00]  // §7.2.3.1, new stream
            #expect(feed(engine, serverFrame(.text, payload, rsv1: true) + next, into: &recorder) == nil)
            #expect(recorder.texts == ["Hello", "Hello"])
        }
    }

    @Test("a deflate bomb fails with 1009 and memory stays at the limit")
    func deflateBomb() throws {
        let limit = 1 << 20
        let engine = try makeEngine(WebSocketConfiguration(maxDecompressedMessageSize: limit), deflate: PerMessageDeflateParameters())
        var recorder = Recorder()
        // 64 MiB of zeros compresses to ~64 KiB.
        let compressed = try compressRaw([UInt8](repeating: 0, count: 64 << 20))
        #expect(compressed.count < 100_000)
        let error = feed(engine, serverFrame(.binary, compressed, rsv1: true), into: &recorder)
        #expect(error?.closeCode == .messageTooBig)
        #expect(error?.message.contains("limit") == true)
        #expect(recorder.messages.isEmpty)
    }

    @Test("corrupt compressed data fails with 1007, naming the problem")
    func corrupt() throws {
        let engine = try makeEngine(WebSocketConfiguration(), deflate: PerMessageDeflateParameters())
        var recorder = Recorder()
        let error = feed(engine, serverFrame(.text, [0xFF, 0xFF, 0xFF, 0xFF, 0xFF], rsv1: true), into: &recorder)
        #expect(error?.kind == .compression)
    }

    @Test("compressed text with invalid UTF-8 fails with 1007")
    func compressedBadUTF8() throws {
        let engine = try makeEngine(WebSocketConfiguration(), deflate: PerMessageDeflateParameters())
        var recorder = Recorder()
        let compressed = try compressRaw([0x41, 0xFF, 0x42])
        #expect(feed(engine, serverFrame(.text, compressed, rsv1: true), into: &recorder)?.closeCode == .invalidFramePayloadData)
    }

    @Test("outgoing messages are compressed and decode back, with and without context takeover",
          arguments: [false, true])
    func roundTrip(noContextTakeover: Bool) throws {
        let parameters = PerMessageDeflateParameters(serverNoContextTakeover: noContextTakeover, clientNoContextTakeover: noContextTakeover)
        let sender = try makeEngine(WebSocketConfiguration(minimumCompressedMessageSize: 0), deflate: parameters)
        let message = String(repeating: "{\"e\":\"trade\",\"p\":\"50000.10\",\"q\":\"0.002\"}", count: 20)
        try sender.sendText(message)
        try sender.sendText(message)
        let frames = outboundFrames(sender)
        #expect(frames.count == 2)
        #expect(frames.allSatisfy { $0.rsv1 && $0.payload.count < message.utf8.count / 4 })
        if !noContextTakeover { #expect(frames[1].payload.count < frames[0].payload.count) }
        // Feed them back as if the server had sent them (same parameters both ways).
        let receiver = try makeEngine(WebSocketConfiguration(), deflate: parameters)
        var recorder = Recorder()
        let wire = frames.flatMap { serverFrame(.text, $0.payload, rsv1: true) }
        #expect(feed(receiver, wire, chunk: 5, into: &recorder) == nil)
        #expect(recorder.texts == [message, message])
    }

    @Test("a client window of 8 bits still produces a stream a 256-byte window can decode")
    func windowBits8() throws {
        let parameters = PerMessageDeflateParameters(clientMaxWindowBits: 8)
        let sender = try makeEngine(WebSocketConfiguration(minimumCompressedMessageSize: 0), deflate: parameters)
        var payload: [UInt8] = []
        for i in 0..<5000 { payload.append(UInt8(truncatingIfNeeded: i * 7 % 251)) }
        try payload.withUnsafeBytes { try sender.send($0, opcode: .binary) }
        let frame = try #require(outboundFrames(sender).first)
        #expect(try inflateRaw(frame.payload + [0, 0, 0xFF, 0xFF], windowBits: 8) == payload)
    }

    @Test("negotiation: accepted parameters, and refusals of bad answers")
    func negotiation() throws {
        let offer = PerMessageDeflateOffer()
        let accepted = try PerMessageDeflateParameters.negotiate(
            response: [("server_no_context_takeover", nil), ("client_max_window_bits", "10"), ("server_max_window_bits", "12")], offer: offer)
        #expect(accepted == PerMessageDeflateParameters(serverNoContextTakeover: true, clientNoContextTakeover: false,
                                                        serverMaxWindowBits: 12, clientMaxWindowBits: 10))
        let bad: [[(name: String, value: String?)]] = [
            [("unknown_param", nil)],
            [("server_max_window_bits", "7")],
            [("server_max_window_bits", "16")],
            [("server_max_window_bits", "010")],
            [("server_no_context_takeover", nil), ("server_no_context_takeover", nil)],
            [("client_no_context_takeover", "1")],
        ]
        for response in bad {
            #expect(throws: WebSocketError.self) { try PerMessageDeflateParameters.negotiate(response: response, offer: offer) }
        }
        var noClientBits = offer
        noClientBits.clientMaxWindowBits = nil
        #expect(throws: WebSocketError.self) {
            try PerMessageDeflateParameters.negotiate(response: [("client_max_window_bits", "10")], offer: noClientBits)
        }
        #expect(offer.headerValue == "permessage-deflate; client_max_window_bits")
    }
}

/// Raw deflate with zlib directly (a test oracle independent of the engine's deflater).
func compressRaw(_ input: [UInt8]) throws -> [UInt8] {
    var stream = z_stream()
    #expect(mm_deflateInit2(&stream, 9, Z_DEFLATED, -15, 9, Z_DEFAULT_STRATEGY) == Z_OK)
    defer { deflateEnd(&stream) }
    var output = [UInt8](repeating: 0, count: input.count / 2 + 1024)
    var produced = 0
    var source = input
    source.withUnsafeMutableBufferPointer { inBuffer in
        output.withUnsafeMutableBufferPointer { outBuffer in
            stream.next_in = inBuffer.baseAddress
            stream.avail_in = uInt(inBuffer.count)
            stream.next_out = outBuffer.baseAddress
            stream.avail_out = uInt(outBuffer.count)
            _ = deflate(&stream, Z_SYNC_FLUSH)
            produced = outBuffer.count - Int(stream.avail_out)
        }
    }
    return Array(output[0..<(produced - 4)])
}

func inflateRaw(_ input: [UInt8], windowBits: Int32) throws -> [UInt8] {
    var stream = z_stream()
    #expect(mm_inflateInit2(&stream, -windowBits) == Z_OK)
    defer { inflateEnd(&stream) }
    var output = [UInt8](repeating: 0, count: 1 << 20)
    var source = input
    var produced = 0
    var status: Int32 = 0
    source.withUnsafeMutableBufferPointer { inBuffer in
        output.withUnsafeMutableBufferPointer { outBuffer in
            stream.next_in = inBuffer.baseAddress
            stream.avail_in = uInt(inBuffer.count)
            stream.next_out = outBuffer.baseAddress
            stream.avail_out = uInt(outBuffer.count)
            status = inflate(&stream, Z_SYNC_FLUSH)
            produced = outBuffer.count - Int(stream.avail_out)
        }
    }
    #expect(status == Z_OK)
    return Array(output[0..<produced])
}
