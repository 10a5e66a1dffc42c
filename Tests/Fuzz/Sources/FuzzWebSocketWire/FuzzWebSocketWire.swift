// libFuzzer entry point for WebSocketWire. Built with `-sanitize=fuzzer,address` (libFuzzer supplies
// `main`) and `-parse-as-library`; see docs/fuzzing.md.
//
// Input layout:
//   byte 0  mode and configuration (see `FuzzConfig`)
//   byte 1  seed for the chunking pattern / window bits / compression level
//   rest    the bytes under test (server bytes, a handshake response, or messages to send)
//
// Thrown `WebSocketError`s are expected. Everything that calls `bug(...)` is a real bug: it traps,
// so libFuzzer saves the input as a crash.

import WebSocketWire
#if canImport(Glibc)
import Glibc
#endif

/// `FUZZ_WSW_VERBOSE=1` prints what each input did (for reading a reproducer: run the binary on one file).
let verbose = getenv("FUZZ_WSW_VERBOSE") != nil

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = UnsafeRawBufferPointer(start: data, count: size)
    guard size >= 2 else {
        checkUTF8(input, seed: 0)
        return 0
    }
    let config = FuzzConfig(input[0], input[1])
    let rest = UnsafeRawBufferPointer(rebasing: input[2...])
    // The UTF-8 validator runs on every input against the standard library's decoder.
    checkUTF8(rest, seed: input[1])
    switch config.mode {
    case 0, 1: fuzzEngine(rest, config: config, deflate: config.directDeflate)
    case 2: fuzzHandshake(rest, config: config)
    default: fuzzSendRoundTrip(rest, config: config)
    }
    return 0
}

// MARK: - Configuration

struct FuzzConfig {
    /// 0, 1: raw server bytes into an engine; 2: handshake response then frames; 3: send round trip.
    let mode: UInt8
    let deflateOn: Bool
    let noContextTakeover: Bool
    let smallLimits: Bool
    let validatesUTF8: Bool
    /// 0: two pieces; 1: one byte at a time; 2: fixed-size pieces; 3: pseudo-random sizes.
    let chunkPattern: UInt8
    let seed: UInt8

    init(_ b0: UInt8, _ b1: UInt8) {
        mode = b0 & 0x03
        deflateOn = b0 & 0x04 != 0
        noContextTakeover = b0 & 0x08 != 0
        smallLimits = b0 & 0x10 == 0 // small limits are the default (flag clear)
        validatesUTF8 = b0 & 0x20 == 0
        chunkPattern = b0 >> 6
        seed = b1
    }

    /// Small limits (tiny ones when seed bit 3 is set, so short inputs reach every limit check), or large
    /// ones; the large inflated limit is 2 MiB so a delivered message can pass the engine's 1 MiB
    /// buffer-shrink threshold.
    var configuration: WebSocketConfiguration {
        if smallLimits && seed & 0x08 != 0 {
            return WebSocketConfiguration(maxFrameSize: 64, maxMessageSize: 256, maxDecompressedMessageSize: 1024,
                                          compression: nil, validatesUTF8: validatesUTF8)
        }
        if smallLimits {
            return WebSocketConfiguration(maxFrameSize: 4096, maxMessageSize: 16 << 10, maxDecompressedMessageSize: 64 << 10,
                                          compression: nil, validatesUTF8: validatesUTF8)
        }
        return WebSocketConfiguration(maxFrameSize: 1 << 20, maxMessageSize: 1 << 20, maxDecompressedMessageSize: 2 << 20,
                                      compression: nil, validatesUTF8: validatesUTF8)
    }

    var directDeflate: PerMessageDeflateParameters? {
        guard deflateOn else { return nil }
        return PerMessageDeflateParameters(serverNoContextTakeover: noContextTakeover, clientNoContextTakeover: seed & 1 != 0,
                                           serverMaxWindowBits: 15, clientMaxWindowBits: 8 + Int(seed >> 5))
    }
}

/// Splits `count` bytes into the pieces given by the chunking pattern (deterministic from the seed).
func chunkSizes(count: Int, pattern: UInt8, seed: UInt8) -> [Int] {
    guard count > 0 else { return [] }
    var sizes: [Int] = []
    switch pattern {
    case 0:
        let cut = count * Int(seed) / 256
        if cut > 0 { sizes.append(cut) }
        sizes.append(count - cut)
    case 1:
        sizes = Array(repeating: 1, count: count)
    case 2:
        let step = Int(seed) + 1
        var left = count
        while left > 0 { let n = min(step, left); sizes.append(n); left -= n }
    default:
        var rng = SplitMix(UInt64(seed) &* 0x9E37_79B9 &+ 1)
        var left = count
        while left > 0 {
            let r = rng.next()
            let n = min(left, Int(r >> 8 & ((1 << (r & 15)) - 1)) + 1)
            sizes.append(n); left -= n
        }
    }
    return sizes
}

struct SplitMix {
    var state: UInt64
    init(_ seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

// MARK: - Oracles

func bug(_ message: @autoclosure () -> String) -> Never {
    fatalError("WebSocketWire fuzz oracle: \(message())")
}

func isValidUTF8Oracle(_ bytes: UnsafeRawBufferPointer) -> Bool {
    String(validating: bytes, as: UTF8.self) != nil
}

func fnv1a(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
    var h: UInt64 = 0xCBF2_9CE4_8422_2325
    for b in bytes { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
    return h
}

/// `UTF8Validator` one-shot and fed in pieces must agree with the standard library.
func checkUTF8(_ bytes: UnsafeRawBufferPointer, seed: UInt8) {
    let expected = isValidUTF8Oracle(bytes)
    let oneShot = UTF8Validator.isValid(bytes)
    if oneShot != expected {
        bug("UTF8Validator.isValid = \(oneShot), String(validating:) = \(expected) for \(hex(bytes))")
    }
    var validator = UTF8Validator()
    var ok = true
    var offset = 0
    for n in chunkSizes(count: bytes.count, pattern: 3, seed: seed) {
        if !validator.validate(UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + n])) { ok = false; break }
        offset += n
    }
    let incremental = ok && validator.isAtBoundary
    if incremental != expected {
        bug("incremental UTF8Validator = \(incremental), String(validating:) = \(expected) for \(hex(bytes))")
    }
}

func hex(_ bytes: UnsafeRawBufferPointer, limit: Int = 256) -> String {
    let digits = Array("0123456789abcdef")
    var s = ""
    for b in bytes.prefix(limit) { s.append(digits[Int(b >> 4)]); s.append(digits[Int(b & 15)]) }
    if bytes.count > limit { s += "...(\(bytes.count) bytes)" }
    return s
}

// MARK: - Recording handler

enum Event: Equatable {
    case message(opcode: UInt8, count: Int, hash: UInt64)
    case ping(count: Int, hash: UInt64)
    case pong(count: Int, hash: UInt64)
    case close(code: UInt16, reason: String)
}

/// Records what the engine delivers (as hashes) and checks each delivery against the configuration.
struct Recorder: WebSocketMessageHandler {
    let configuration: WebSocketConfiguration
    let deflateOn: Bool
    var keepPayloads = false
    var events: [Event] = []
    var payloads: [[UInt8]] = []
    var pings: [[UInt8]] = []
    var closed = false

    init(configuration: WebSocketConfiguration, deflateOn: Bool) {
        self.configuration = configuration
        self.deflateOn = deflateOn
    }

    mutating func webSocketDidReceiveMessage(_ payload: UnsafeRawBufferPointer, opcode: WebSocketOpcode) {
        if closed { bug("a message was delivered after the close frame") }
        if opcode != .text && opcode != .binary { bug("a message with opcode \(opcode)") }
        let limit = deflateOn ? max(configuration.maxMessageSize, configuration.maxDecompressedMessageSize) : configuration.maxMessageSize
        if payload.count > limit { bug("a \(payload.count)-byte message passed the \(limit)-byte limit") }
        if opcode == .text && configuration.validatesUTF8 && !isValidUTF8Oracle(payload) {
            bug("a text message that is not valid UTF-8 was delivered: \(hex(payload))")
        }
        events.append(.message(opcode: opcode.rawValue, count: payload.count, hash: fnv1a(payload)))
        if keepPayloads { payloads.append(Array(payload)) }
    }

    mutating func webSocketDidReceivePing(_ payload: UnsafeRawBufferPointer) {
        if closed { bug("a ping was delivered after the close frame") }
        if payload.count > 125 { bug("a \(payload.count)-byte ping payload") }
        events.append(.ping(count: payload.count, hash: fnv1a(payload)))
        pings.append(Array(payload))
    }

    mutating func webSocketDidReceivePong(_ payload: UnsafeRawBufferPointer) {
        if closed { bug("a pong was delivered after the close frame") }
        if payload.count > 125 { bug("a \(payload.count)-byte pong payload") }
        events.append(.pong(count: payload.count, hash: fnv1a(payload)))
    }

    mutating func webSocketDidReceiveClose(code: WebSocketCloseCode, reason: String) {
        if closed { bug("a second close was delivered") }
        if !(code.isValidOnWire || (code == .noStatusReceived && reason.isEmpty)) { bug("close code \(code) delivered") }
        if reason.utf8.count > 123 { bug("a \(reason.utf8.count)-byte close reason") }
        closed = true
        events.append(.close(code: code.rawValue, reason: reason))
    }
}

// MARK: - Client frame decoding (the engine's outbound bytes)

struct ClientFrame {
    var fin: Bool
    var rsv1: Bool
    var opcode: UInt8
    var payload: [UInt8]
}

/// Decodes the engine's masked output; any malformed frame is a bug in the writer.
func decodeClientFrames(_ bytes: UnsafeRawBufferPointer) -> [ClientFrame] {
    var frames: [ClientFrame] = []
    var i = 0
    func need(_ n: Int) { if i + n > bytes.count { bug("truncated outbound frame in \(hex(bytes))") } }
    while i < bytes.count {
        need(2)
        let b0 = bytes[i], b1 = bytes[i + 1]
        i += 2
        if b1 & 0x80 == 0 { bug("an outbound frame is not masked") }
        if b0 & 0x30 != 0 { bug("an outbound frame has RSV2/RSV3 set") }
        var length = Int(b1 & 0x7F)
        if length == 126 {
            need(2); length = Int(bytes[i]) << 8 | Int(bytes[i + 1]); i += 2
            if length < 126 { bug("non-minimal 16-bit length \(length)") }
        } else if length == 127 {
            need(8)
            var raw: UInt64 = 0
            for k in 0..<8 { raw = raw << 8 | UInt64(bytes[i + k]) }
            i += 8
            if raw >> 63 != 0 || raw <= 0xFFFF { bug("bad 64-bit length \(raw)") }
            length = Int(raw)
        }
        need(4)
        let key = [bytes[i], bytes[i + 1], bytes[i + 2], bytes[i + 3]]
        i += 4
        need(length)
        var payload = Array(bytes[i..<i + length])
        for k in 0..<payload.count { payload[k] ^= key[k & 3] }
        i += length
        frames.append(ClientFrame(fin: b0 & 0x80 != 0, rsv1: b0 & 0x40 != 0, opcode: b0 & 0x0F, payload: payload))
    }
    return frames
}

/// Builds an unmasked server frame.
func serverFrame(opcode: UInt8, payload: [UInt8], rsv1: Bool) -> [UInt8] {
    var out: [UInt8] = [0x80 | (rsv1 ? 0x40 : 0) | opcode]
    if payload.count < 126 {
        out.append(UInt8(payload.count))
    } else if payload.count <= 0xFFFF {
        out += [126, UInt8(payload.count >> 8), UInt8(payload.count & 0xFF)]
    } else {
        out.append(127)
        for shift in stride(from: 56, through: 0, by: -8) { out.append(UInt8(truncatingIfNeeded: payload.count >> shift)) }
    }
    return out + payload
}

// MARK: - Engine (frame decoder + inflater)

struct EngineRun {
    var recorder: Recorder
    var error: WebSocketError?
    var outbound: [UInt8]
}

func makeEngine(_ configuration: WebSocketConfiguration, _ deflate: PerMessageDeflateParameters?) -> WebSocketEngine {
    do {
        return try WebSocketEngine(configuration: configuration, deflate: deflate, maskSeed: 0x5EED)
    } catch {
        bug("WebSocketEngine.init failed for valid parameters \(String(describing: deflate)): \(error)")
    }
}

/// Feeds `bytes` to a fresh engine in the given pieces and checks the engine's state afterwards.
func runEngine(_ bytes: UnsafeRawBufferPointer, pieces: [Int], configuration: WebSocketConfiguration,
               deflate: PerMessageDeflateParameters?) -> EngineRun {
    let engine = makeEngine(configuration, deflate)
    var recorder = Recorder(configuration: configuration, deflateOn: deflate != nil)
    var error: WebSocketError?
    var offset = 0
    for n in pieces {
        let piece = UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + n])
        offset += n
        do {
            try engine.receive(piece, handler: &recorder)
        } catch let thrown {
            if error != nil { bug("receive threw again after failing: \(thrown)") }
            error = thrown
            if engine.failure != thrown { bug("engine.failure \(String(describing: engine.failure)) != thrown \(thrown)") }
            if !engine.isFinished { bug("a failed engine is not finished") }
        }
        if error != nil && engine.failure == nil { bug("failure cleared") }
    }
    if error == nil && engine.failure != nil { bug("engine.failure set without a throw") }
    if recorder.closed != engine.isCloseReceived { bug("isCloseReceived \(engine.isCloseReceived) but close delivered \(recorder.closed)") }
    let outbound = Array(engine.outbound.bytes)
    checkOutbound(outbound, recorder: recorder, error: error, engine: engine)
    return EngineRun(recorder: recorder, error: error, outbound: outbound)
}

/// The engine's only outbound traffic here is pongs (echoing pings, in order) and one final close.
func checkOutbound(_ outbound: [UInt8], recorder: Recorder, error: WebSocketError?, engine: WebSocketEngine) {
    let frames = outbound.withUnsafeBytes { decodeClientFrames($0) }
    var pongs: [[UInt8]] = []
    var closes: [ClientFrame] = []
    for frame in frames {
        if !frame.fin || frame.rsv1 { bug("outbound control frame with FIN clear or RSV1 set") }
        if frame.payload.count > 125 { bug("outbound control frame with a \(frame.payload.count)-byte payload") }
        switch frame.opcode {
        case 0xA:
            if !closes.isEmpty { bug("pong written after the close frame") }
            pongs.append(frame.payload)
        case 0x8: closes.append(frame)
        default: bug("unexpected outbound opcode \(frame.opcode)")
        }
    }
    // Every ping before our close got its pong, in order.
    if pongs != Array(recorder.pings.prefix(pongs.count)) { bug("pongs do not echo the pings") }
    if closes.isEmpty && pongs.count != recorder.pings.count { bug("\(recorder.pings.count) pings but \(pongs.count) pongs") }
    if closes.count > 1 { bug("\(closes.count) close frames written") }
    if engine.isCloseSent != (closes.count == 1) { bug("isCloseSent \(engine.isCloseSent) with \(closes.count) close frames written") }
    if let close = closes.first {
        let payload = close.payload
        if payload.count == 1 { bug("a 1-byte close payload") }
        if payload.count >= 2 {
            let code = UInt16(payload[0]) << 8 | UInt16(payload[1])
            if !WebSocketCloseCode(rawValue: code).isValidOnWire { bug("we sent close code \(code)") }
            if !payload.dropFirst(2).withUnsafeBytes({ isValidUTF8Oracle($0) }) { bug("our close reason is not UTF-8") }
            if let error, recorder.closed == false, code != error.closeCode.rawValue {
                bug("failed with \(error.closeCode) but sent close code \(code)")
            }
            if case .close(let peerCode, _)? = recorder.events.last, error == nil, peerCode != code {
                bug("echoed close code \(code) for peer code \(peerCode)")
            }
        }
        if case .close(let peerCode, _)? = recorder.events.last, peerCode == WebSocketCloseCode.noStatusReceived.rawValue,
           error == nil, !payload.isEmpty {
            bug("answered an empty close with a \(payload.count)-byte close")
        }
    } else if error != nil || recorder.closed {
        bug("the connection failed or the peer closed, but no close frame was written")
    }
}

/// Differential: the same bytes fed in one call and in pieces must give the same events, error and output.
func fuzzEngine(_ bytes: UnsafeRawBufferPointer, config: FuzzConfig, deflate: PerMessageDeflateParameters?) {
    let configuration = config.configuration
    let whole = runEngine(bytes, pieces: bytes.isEmpty ? [] : [bytes.count], configuration: configuration, deflate: deflate)
    let pieces = chunkSizes(count: bytes.count, pattern: config.chunkPattern, seed: config.seed)
    let split = runEngine(bytes, pieces: pieces, configuration: configuration, deflate: deflate)
    if whole.recorder.events != split.recorder.events {
        bug("events differ between one read and \(pieces.count) reads:\n\(whole.recorder.events)\nvs\n\(split.recorder.events)")
    }
    if whole.error != split.error {
        bug("errors differ between one read and \(pieces.count) reads: \(String(describing: whole.error)) vs \(String(describing: split.error))")
    }
    if whole.outbound != split.outbound { bug("outbound bytes differ between one read and \(pieces.count) reads") }
    if verbose {
        print("engine deflate=\(String(describing: deflate)) limits=\(configuration.maxFrameSize)/\(configuration.maxMessageSize)/\(configuration.maxDecompressedMessageSize) reads=\(pieces.count)")
        print("  events: \(whole.recorder.events)")
        print("  error: \(whole.error.map { "\($0)" } ?? "none")")
    }
}

// MARK: - Handshake

let sampleNonce: [UInt8] = Array("the sample nonce".utf8) // RFC 6455 §1.3: key dGhlIHNhbXBsZSBub25jZQ==

func offer(for seed: UInt8) -> PerMessageDeflateOffer? {
    switch seed & 3 {
    case 0: return nil
    case 1: return PerMessageDeflateOffer()
    case 2: return PerMessageDeflateOffer(requestServerNoContextTakeover: true, clientNoContextTakeover: true,
                                          serverMaxWindowBits: 10, clientMaxWindowBits: 10)
    default: return PerMessageDeflateOffer(clientMaxWindowBits: nil)
    }
}

func findHeadEnd(_ bytes: UnsafeRawBufferPointer) -> Int? {
    guard bytes.count >= 4 else { return nil }
    for i in 0...(bytes.count - 4) where bytes[i] == 13 && bytes[i + 1] == 10 && bytes[i + 2] == 13 && bytes[i + 3] == 10 {
        return i
    }
    return nil
}

func fuzzHandshake(_ bytes: UnsafeRawBufferPointer, config: FuzzConfig) {
    let url: WebSocketURL
    do { url = try WebSocketURL("wss://stream.example.com/ws?streams=btcusdt@depth") } catch { bug("sample URL rejected: \(error)") }
    let compression = offer(for: config.seed)
    let maxResponseSize = config.smallLimits ? 512 : 16 << 10
    let handshake = WebSocketHandshake(url: url, nonce: sampleNonce, subprotocols: ["v1.json", "v2"],
                                       compression: compression, maxResponseSize: maxResponseSize)
    let request = handshake.requestBytes()
    if request.count < 4 || Array(request.suffix(4)) != [13, 10, 13, 10] { bug("request head does not end in CRLF CRLF") }

    // Also fuzz the URL parser with the first line of the input.
    let firstLine = bytes.prefix(while: { $0 != 10 && $0 != 13 })
    if let parsed = try? WebSocketURL(String(decoding: firstLine, as: UTF8.self)) {
        if !(1...65535).contains(parsed.port) || parsed.host.isEmpty || !parsed.requestTarget.hasPrefix("/") {
            bug("WebSocketURL accepted \(parsed)")
        }
        _ = parsed.hostHeader; _ = parsed.isIPLiteral; _ = parsed.description
    }

    let result: WebSocketHandshake.ParseResult
    do {
        result = try handshake.parseResponse(bytes)
    } catch {
        if verbose { print("handshake offer=\(String(describing: compression)) threw: \(error)") }
        if let end = findHeadEnd(bytes), error.kind != .handshake && error.kind != .redirect {
            bug("parseResponse threw a \(error.kind) error for a complete head ending at \(end)")
        }
        return
    }
    let headEnd = findHeadEnd(bytes)
    if verbose { print("handshake offer=\(String(describing: compression)): \(result)") }
    switch result {
    case .needMoreBytes:
        if headEnd != nil { bug("needMoreBytes for a complete head") }
        if bytes.count > maxResponseSize { bug("needMoreBytes past the \(maxResponseSize)-byte response limit") }
    case .complete(let response, let consumed):
        guard let headEnd, consumed == headEnd + 4 else { bug("consumed \(consumed) but the head ends at \(String(describing: headEnd))") }
        if response.status != 101 { bug("handshake completed with status \(response.status)") }
        if let subprotocol = response.subprotocol, !["v1.json", "v2"].contains(subprotocol) { bug("unoffered subprotocol \(subprotocol)") }
        if let deflate = response.deflate {
            guard let compression else { bug("deflate negotiated without an offer") }
            if !(8...15).contains(deflate.serverMaxWindowBits) || !(8...15).contains(deflate.clientMaxWindowBits) {
                bug("window bits out of range: \(deflate)")
            }
            if let offered = compression.clientMaxWindowBits, offered != 0, deflate.clientMaxWindowBits > offered {
                bug("client window \(deflate.clientMaxWindowBits) above our offer \(offered)")
            }
            if compression.clientNoContextTakeover && !deflate.clientNoContextTakeover { bug("our client_no_context_takeover was dropped") }
        }
        // The same head alone completes identically; one byte less does not complete.
        do {
            let again = try handshake.parseResponse(UnsafeRawBufferPointer(rebasing: bytes[0..<consumed]))
            guard case .complete(let response2, let consumed2) = again, consumed2 == consumed,
                  response2.deflate == response.deflate, response2.subprotocol == response.subprotocol else {
                bug("the head alone parses differently: \(again)")
            }
        } catch { bug("the head alone throws \(error) but the full input completed") }
        if let short = try? handshake.parseResponse(UnsafeRawBufferPointer(rebasing: bytes[0..<consumed - 1])),
           case .complete = short {
            bug("a head without its last byte completed")
        }
        // Then run the frames that followed the head through an engine with what was negotiated.
        let frames = UnsafeRawBufferPointer(rebasing: bytes[consumed...])
        fuzzEngine(frames, config: config, deflate: response.deflate)
    }
}

// MARK: - Send round trip (deflater -> writer -> decoder -> inflater)

func fuzzSendRoundTrip(_ bytes: UnsafeRawBufferPointer, config: FuzzConfig) {
    let level = Int32(config.seed % 9) + 1
    var clientConfiguration = WebSocketConfiguration(compression: PerMessageDeflateOffer(compressionLevel: level))
    clientConfiguration.minimumCompressedMessageSize = config.smallLimits ? 0 : 64
    let windowBits = 8 + Int(config.seed >> 5)
    let clientDeflate = config.deflateOn
        ? PerMessageDeflateParameters(serverNoContextTakeover: false, clientNoContextTakeover: config.noContextTakeover,
                                      serverMaxWindowBits: 15, clientMaxWindowBits: windowBits)
        : nil
    let client = makeEngine(clientConfiguration, clientDeflate)

    // Messages: the input cut into pieces; valid UTF-8 pieces go as text when the seed says so.
    var sent: [(opcode: UInt8, bytes: [UInt8])] = []
    var offset = 0
    for n in chunkSizes(count: bytes.count, pattern: config.chunkPattern == 1 ? 3 : config.chunkPattern, seed: config.seed) {
        let piece = UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + n])
        offset += n
        let opcode: WebSocketOpcode = config.seed & 0x10 != 0 && isValidUTF8Oracle(piece) ? .text : .binary
        do { try client.send(piece, opcode: opcode) } catch { bug("send failed: \(error)") }
        sent.append((opcode.rawValue, Array(piece)))
    }
    if bytes.count < 126 {
        do { try client.sendPing(bytes) } catch { bug("sendPing failed: \(error)") }
    }
    let reason = String(decoding: bytes.prefix(200), as: UTF8.self)
    client.close(code: .normalClosure, reason: reason)
    do {
        try client.send(bytes, opcode: .binary)
        bug("send after close succeeded")
    } catch {}

    // Re-frame the client's output as server frames.
    var server: [UInt8] = []
    let frames = decodeClientFrames(client.outbound.bytes)
    for frame in frames {
        if !frame.fin { bug("the client fragmented a message") }
        if frame.rsv1 && clientDeflate == nil { bug("RSV1 without deflate") }
        server += serverFrame(opcode: frame.opcode, payload: frame.payload, rsv1: frame.rsv1)
    }
    let serverDeflate = clientDeflate.map { PerMessageDeflateParameters(serverNoContextTakeover: $0.clientNoContextTakeover) }
    let receiverConfiguration = WebSocketConfiguration(maxFrameSize: 1 << 20, maxMessageSize: 1 << 20,
                                                       maxDecompressedMessageSize: 1 << 20, compression: nil)
    let receiver = makeEngine(receiverConfiguration, serverDeflate)
    var recorder = Recorder(configuration: receiverConfiguration, deflateOn: serverDeflate != nil)
    recorder.keepPayloads = true
    do {
        try server.withUnsafeBytes { all in
            var at = 0
            for n in chunkSizes(count: all.count, pattern: 3, seed: config.seed) {
                try receiver.receive(UnsafeRawBufferPointer(rebasing: all[at..<at + n]), handler: &recorder)
                at += n
            }
        }
    } catch {
        bug("round trip: the receiver refused what the sender wrote: \(error)")
    }
    let messages = recorder.events.compactMap { event -> UInt8? in
        if case .message(let opcode, _, _) = event { return opcode }
        return nil
    }
    if messages.count != sent.count || recorder.payloads.count != sent.count { bug("sent \(sent.count) messages, received \(messages.count)") }
    for (k, message) in sent.enumerated() where messages[k] != message.opcode || recorder.payloads[k] != message.bytes {
        bug("round trip changed message \(k): sent \(message.bytes.count) bytes, got \(recorder.payloads[k].count)")
    }
    guard case .close(let code, let gotReason)? = recorder.events.last else { bug("round trip: no close at the end") }
    if code != 1000 { bug("round trip close code \(code)") }
    var expectedReason = Array(reason.utf8.prefix(123))
    while !expectedReason.isEmpty && String(validating: expectedReason, as: UTF8.self) == nil { expectedReason.removeLast() }
    if Array(gotReason.utf8) != expectedReason { bug("round trip close reason changed") }
    if verbose { print("round trip deflate=\(String(describing: clientDeflate)) level=\(level): \(sent.count) messages OK") }
}
