@testable import WebSocketWire

/// Collects what the engine delivers.
struct Recorder: WebSocketMessageHandler {
    var messages: [(opcode: WebSocketOpcode, bytes: [UInt8])] = []
    var pings: [[UInt8]] = []
    var pongs: [[UInt8]] = []
    var closes: [(WebSocketCloseCode, String)] = []

    var texts: [String] { messages.filter { $0.opcode == .text }.map { String(decoding: $0.bytes, as: UTF8.self) } }

    mutating func webSocketDidReceiveMessage(_ payload: UnsafeRawBufferPointer, opcode: WebSocketOpcode) {
        messages.append((opcode, Array(payload)))
    }
    mutating func webSocketDidReceivePing(_ payload: UnsafeRawBufferPointer) { pings.append(Array(payload)) }
    mutating func webSocketDidReceivePong(_ payload: UnsafeRawBufferPointer) { pongs.append(Array(payload)) }
    mutating func webSocketDidReceiveClose(code: WebSocketCloseCode, reason: String) { closes.append((code, reason)) }
}

/// A frame decoded from the client's (masked) output.
struct ClientFrame: Equatable {
    var fin: Bool
    var rsv1: Bool
    var opcode: WebSocketOpcode
    var payload: [UInt8]
}

/// Decodes masked client frames, checking the mask bit is set on each (RFC 6455 §5.3).
func decodeClientFrames(_ bytes: [UInt8]) -> [ClientFrame] {
    var frames: [ClientFrame] = []
    var i = 0
    while i < bytes.count {
        let b0 = bytes[i], b1 = bytes[i + 1]
        precondition(b1 & 0x80 != 0, "client frame not masked")
        var length = Int(b1 & 0x7F)
        i += 2
        if length == 126 { length = Int(bytes[i]) << 8 | Int(bytes[i + 1]); i += 2 } else if length == 127 {
            length = 0
            for k in 0..<8 { length = length << 8 | Int(bytes[i + k]) }
            i += 8
        }
        let key = Array(bytes[i..<i + 4])
        i += 4
        var payload = Array(bytes[i..<i + length])
        for k in 0..<payload.count { payload[k] ^= key[k % 4] }
        i += length
        frames.append(ClientFrame(fin: b0 & 0x80 != 0, rsv1: b0 & 0x40 != 0, opcode: WebSocketOpcode(rawValue: b0 & 0x0F), payload: payload))
    }
    return frames
}

/// Builds an unmasked server frame.
func serverFrame(_ opcode: WebSocketOpcode, _ payload: [UInt8], fin: Bool = true, rsv1: Bool = false, rsv2: Bool = false) -> [UInt8] {
    var out: [UInt8] = [(fin ? 0x80 : 0) | (rsv1 ? 0x40 : 0) | (rsv2 ? 0x20 : 0) | opcode.rawValue]
    if payload.count < 126 { out.append(UInt8(payload.count)) } else if payload.count <= 0xFFFF {
        out += [126, UInt8(payload.count >> 8), UInt8(payload.count & 0xFF)]
    } else {
        out.append(127)
        for shift in stride(from: 56, through: 0, by: -8) { out.append(UInt8(truncatingIfNeeded: payload.count >> shift)) }
    }
    return out + payload
}

func makeEngine(_ configuration: WebSocketConfiguration = WebSocketConfiguration(compression: nil),
                deflate: PerMessageDeflateParameters? = nil) throws -> WebSocketEngine {
    try WebSocketEngine(configuration: configuration, deflate: deflate, maskSeed: 42)
}

/// Feeds `bytes` in pieces of `chunk` bytes (to exercise frames split across reads).
@discardableResult
func feed(_ engine: WebSocketEngine, _ bytes: [UInt8], chunk: Int = .max, into recorder: inout Recorder) -> WebSocketError? {
    var offset = 0
    while offset < bytes.count {
        let end = min(bytes.count, offset + chunk)
        let piece = Array(bytes[offset..<end])
        do {
            try piece.withUnsafeBytes { try engine.receive($0, handler: &recorder) }
        } catch let error as WebSocketError {
            return error
        } catch {
            return nil
        }
        offset = end
    }
    return nil
}

func outboundFrames(_ engine: WebSocketEngine) -> [ClientFrame] {
    let frames = decodeClientFrames(Array(engine.outbound.bytes))
    engine.outbound.removeAll()
    return frames
}
