import WebSocketWire

/// The sans-IO server side of an open WebSocket connection (RFC 6455 §5-7, RFC 7692): feed it the
/// client's bytes, it returns the messages and control frames, and queues what must be written
/// (pongs, close replies, our own frames) in `outbound`. No sockets, no clocks.
///
/// Client frames must be masked (§5.1: a server MUST close on an unmasked frame); every framing
/// rule the client engine checks is checked here too, with the matching close code queued on
/// failure (1002 protocol error, 1007 bad UTF-8, 1009 too big).
public final class WebSocketServerEngine {
    /// Limits and output shaping.
    public struct Configuration: Sendable, Equatable {
        /// Largest client frame payload (1009 past it).
        public var maxFrameSize: Int
        /// Largest client message, reassembled and still compressed (1009 past it).
        public var maxMessageSize: Int
        /// Largest client message after inflating.
        public var maxDecompressedMessageSize: Int
        /// Split outgoing messages into frames of at most this many payload bytes (nil: one frame),
        /// to exercise the client's reassembly.
        public var outgoingFragmentSize: Int?
        /// Compression policy for outgoing messages when deflate was negotiated.
        public var deflate: ServerDeflateConfiguration

        /// Client traffic is small (subscribes, pings): 1 MiB limits by default.
        public init(maxFrameSize: Int = 1 << 20, maxMessageSize: Int = 1 << 20, maxDecompressedMessageSize: Int = 4 << 20,
                    outgoingFragmentSize: Int? = nil, deflate: ServerDeflateConfiguration = ServerDeflateConfiguration()) {
            self.maxFrameSize = maxFrameSize
            self.maxMessageSize = maxMessageSize
            self.maxDecompressedMessageSize = maxDecompressedMessageSize
            self.outgoingFragmentSize = outgoingFragmentSize
            self.deflate = deflate
        }
    }

    /// What the client sent.
    public enum Event: Sendable, Equatable {
        /// A complete text (validated UTF-8) or binary message, inflated if it was compressed.
        case message([UInt8], opcode: WebSocketOpcode)
        /// A ping (the pong is already queued).
        case ping([UInt8])
        /// A pong.
        case pong([UInt8])
        /// The client's close frame (the reply is already queued if we had not closed first).
        case close(code: WebSocketCloseCode, reason: String)
    }

    /// The configuration.
    public let configuration: Configuration
    /// Negotiated compression.
    public let deflate: ServerDeflateParameters?
    /// Bytes to write to the client; take them with `takeOutbound()`.
    public private(set) var outbound: [UInt8] = []
    /// Whether our close frame is queued.
    public private(set) var isCloseSent = false
    /// Whether the client's close frame arrived.
    public private(set) var isCloseReceived = false
    /// The protocol error that failed the connection, if any.
    public private(set) var failure: WebSocketError?

    /// Both close frames exchanged, or the connection failed: the shell closes TCP (the server
    /// closes first, RFC 6455 §7.1.1).
    public var isFinished: Bool { (isCloseSent && isCloseReceived) || failure != nil }

    private var pending: [UInt8] = []
    private var messageOpcode: WebSocketOpcode?
    private var isMessageCompressed = false
    private var message: [UInt8] = []
    private var utf8 = UTF8Validator()
    private let deflater: RawDeflater?
    private let inflater: RawInflater?

    /// An engine for a connection whose handshake negotiated `deflate`.
    public init(configuration: Configuration = Configuration(), deflate: ServerDeflateParameters?) throws(WebSocketError) {
        self.configuration = configuration
        self.deflate = deflate
        if let deflate {
            deflater = try RawDeflater(windowBits: deflate.serverMaxWindowBits, noContextTakeover: deflate.serverNoContextTakeover,
                                       level: configuration.deflate.compressionLevel)
            inflater = try RawInflater(noContextTakeover: deflate.clientNoContextTakeover)
        } else {
            deflater = nil
            inflater = nil
        }
    }

    /// Hands over the queued output.
    public func takeOutbound() -> [UInt8] {
        defer { outbound = [] }
        return outbound
    }

    // MARK: Receiving

    /// Decodes `bytes` from the client. On a protocol violation `failure` is set, the close frame
    /// is queued, and the events decoded before it are still returned.
    public func receive(_ bytes: [UInt8]) -> [Event] {
        guard failure == nil, !isCloseReceived else { return [] }
        pending.append(contentsOf: bytes)
        var events: [Event] = []
        var cursor = 0
        do throws(WebSocketError) {
            while !isCloseReceived, let consumed = try decodeFrame(at: cursor, into: &events) {
                cursor += consumed
            }
        } catch {
            fail(error)
        }
        pending.removeFirst(min(cursor, pending.count))
        if failure != nil || isCloseReceived { pending = [] }
        return events
    }

    /// Decodes one frame starting at `start`; `nil` when more bytes are needed.
    private func decodeFrame(at start: Int, into events: inout [Event]) throws(WebSocketError) -> Int? {
        let available = pending.count - start
        guard available >= 2 else { return nil }
        let b0 = pending[start], b1 = pending[start + 1]
        let isFinal = b0 & 0x80 != 0
        let rsv1 = b0 & 0x40 != 0
        let opcode = WebSocketOpcode(rawValue: b0 & 0x0F)
        if opcode.isReserved { throw violation("reserved opcode \(opcode)") }
        if b0 & 0x30 != 0 { throw violation("RSV2/RSV3 set without an extension that defines them") }
        // RFC 6455 §5.1: the server MUST close the connection on an unmasked client frame.
        if b1 & 0x80 == 0 { throw violation("the client sent an unmasked frame") }
        var length = Int(b1 & 0x7F)
        var headerLength = 2
        if length == 126 {
            guard available >= 4 else { return nil }
            length = Int(pending[start + 2]) << 8 | Int(pending[start + 3])
            headerLength = 4
            // RFC 6455 §5.2: "the minimal number of bytes MUST be used to encode the length".
            if length < 126 { throw violation("a \(length)-byte payload length in the 16-bit form") }
        } else if length == 127 {
            guard available >= 10 else { return nil }
            var raw: UInt64 = 0
            for i in 2..<10 { raw = raw << 8 | UInt64(pending[start + i]) }
            if raw >> 63 != 0 { throw violation("a 64-bit frame length has its top bit set") }
            if raw <= 0xFFFF { throw violation("a \(raw)-byte payload length in the 64-bit form") }
            guard raw <= UInt64(configuration.maxFrameSize) else { throw tooBig("a \(raw)-byte frame exceeds the \(configuration.maxFrameSize)-byte limit") }
            length = Int(raw)
            headerLength = 10
        }
        if opcode.isControl {
            // RFC 6455 §5.5: control frames are never fragmented and carry at most 125 bytes.
            if !isFinal { throw violation("fragmented \(opcode) frame") }
            if length > 125 { throw violation("\(opcode) frame with a \(length)-byte payload (limit 125)") }
            if rsv1 { throw violation("RSV1 set on a \(opcode) frame") }
        } else {
            if rsv1 {
                guard inflater != nil else { throw violation("RSV1 set but permessage-deflate was not negotiated") }
                // RFC 7692 §6.1: RSV1 marks the first frame of a compressed message only.
                if opcode == .continuation { throw violation("RSV1 set on a continuation frame") }
            }
            if opcode == .continuation && messageOpcode == nil { throw violation("continuation frame without a message in progress") }
            if opcode != .continuation && messageOpcode != nil { throw violation("new \(opcode) message while a fragmented message is in progress") }
            if length > configuration.maxFrameSize { throw tooBig("a \(length)-byte frame exceeds the \(configuration.maxFrameSize)-byte limit") }
        }
        let total = headerLength + 4 + length
        guard available >= total else { return nil }
        let keyStart = start + headerLength
        var payload = Array(pending[(keyStart + 4)..<(start + total)])
        let key = pending.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: keyStart, as: UInt32.self) }
        _ = payload.withUnsafeMutableBytes { WebSocketMasking.apply(key: key, to: $0) }
        try handleFrame(opcode: opcode, isFinal: isFinal, isCompressed: rsv1, payload: payload, into: &events)
        return total
    }

    private func handleFrame(opcode: WebSocketOpcode, isFinal: Bool, isCompressed: Bool, payload: [UInt8],
                             into events: inout [Event]) throws(WebSocketError) {
        switch opcode {
        case .text, .binary:
            messageOpcode = opcode
            isMessageCompressed = isCompressed
            message = []
            utf8.reset()
            try appendFragment(payload, isFinal: isFinal, into: &events)
        case .continuation:
            try appendFragment(payload, isFinal: isFinal, into: &events)
        case .ping:
            if !isCloseSent { writeFrame(opcode: .pong, payload: payload) }
            events.append(.ping(payload))
        case .pong:
            events.append(.pong(payload))
        case .close:
            try handleClose(payload, into: &events)
        default:
            throw violation("reserved opcode \(opcode)")
        }
    }

    private func appendFragment(_ payload: [UInt8], isFinal: Bool, into events: inout [Event]) throws(WebSocketError) {
        guard let opcode = messageOpcode else { return }
        guard message.count + payload.count <= configuration.maxMessageSize else {
            throw tooBig("a message exceeds the \(configuration.maxMessageSize)-byte limit")
        }
        message.append(contentsOf: payload)
        let validatesNow = opcode == .text && !isMessageCompressed
        // RFC 6455 §8.1: fail as soon as a fragment cannot be valid UTF-8.
        if validatesNow && !payload.withUnsafeBytes({ utf8.validate($0) }) {
            throw WebSocketError(.invalidUTF8, .invalidFramePayloadData, "a text message is not valid UTF-8")
        }
        guard isFinal else { return }
        messageOpcode = nil
        var complete = message
        message = []
        if isMessageCompressed, let inflater {
            complete = try inflater.inflate(complete, limit: configuration.maxDecompressedMessageSize)
            if opcode == .text && !complete.withUnsafeBytes({ UTF8Validator.isValid($0) }) {
                throw WebSocketError(.invalidUTF8, .invalidFramePayloadData, "a text message is not valid UTF-8")
            }
        } else if validatesNow && !utf8.isAtBoundary {
            throw WebSocketError(.invalidUTF8, .invalidFramePayloadData, "a text message ends inside a UTF-8 sequence")
        }
        events.append(.message(complete, opcode: opcode))
    }

    private func handleClose(_ payload: [UInt8], into events: inout [Event]) throws(WebSocketError) {
        var code = WebSocketCloseCode.noStatusReceived
        var reason = ""
        if payload.count == 1 { throw violation("a close frame with a 1-byte payload") }
        if payload.count >= 2 {
            code = WebSocketCloseCode(rawValue: UInt16(payload[0]) << 8 | UInt16(payload[1]))
            guard code.isValidOnWire else { throw violation("close code \(code.rawValue) is not allowed on the wire") }
            let reasonBytes = Array(payload[2...])
            guard reasonBytes.withUnsafeBytes({ UTF8Validator.isValid($0) }) else {
                throw WebSocketError(.invalidUTF8, .invalidFramePayloadData, "the close reason is not valid UTF-8")
            }
            reason = String(decoding: reasonBytes, as: UTF8.self)
        }
        isCloseReceived = true
        if !isCloseSent {
            // RFC 6455 §5.5.1: reply with a close frame, echoing the status code.
            writeFrame(opcode: .close, payload: payload.count >= 2 ? Array(payload[0..<2]) : [])
            isCloseSent = true
        }
        events.append(.close(code: code, reason: reason))
    }

    private func fail(_ error: WebSocketError) {
        guard failure == nil else { return }
        failure = error
        if !isCloseSent { queueClose(code: error.closeCode, reason: error.message) }
    }

    private func violation(_ message: String) -> WebSocketError {
        WebSocketError(.protocolViolation, .protocolError, message)
    }

    private func tooBig(_ message: String) -> WebSocketError {
        WebSocketError(.tooBig, .messageTooBig, message)
    }

    // MARK: Sending

    /// Queues a text or binary message; compressed when deflate was negotiated, `compress` allows
    /// it and the message is long enough.
    public func send(_ payload: [UInt8], opcode: WebSocketOpcode = .text, compress: Bool = true) throws(WebSocketError) {
        guard !isCloseSent else { throw WebSocketError(.invalidState, .internalError, "cannot send a message after the close frame") }
        guard opcode == .text || opcode == .binary else {
            throw WebSocketError(.invalidState, .internalError, "send() takes text or binary, not \(opcode)")
        }
        var body = payload
        var isCompressed = false
        if compress, let deflater, payload.count >= configuration.deflate.minimumCompressedSize {
            body = try deflater.compress(payload)
            isCompressed = true
        }
        guard let fragmentSize = configuration.outgoingFragmentSize, fragmentSize > 0, body.count > fragmentSize else {
            writeFrame(opcode: opcode, payload: body, isCompressed: isCompressed)
            return
        }
        var offset = 0
        while offset < body.count {
            let end = min(offset + fragmentSize, body.count)
            writeFrame(opcode: offset == 0 ? opcode : .continuation, payload: Array(body[offset..<end]),
                       isCompressed: isCompressed && offset == 0, isFinal: end == body.count)
            offset = end
        }
    }

    /// Queues a ping (at most 125 bytes).
    public func sendPing(_ payload: [UInt8] = []) {
        guard !isCloseSent, payload.count <= 125 else { return }
        writeFrame(opcode: .ping, payload: payload)
    }

    /// Starts the close handshake; later calls do nothing.
    public func close(code: WebSocketCloseCode = .normalClosure, reason: String = "") {
        guard !isCloseSent else { return }
        queueClose(code: code, reason: reason)
    }

    private func queueClose(code: WebSocketCloseCode, reason: String) {
        var payload: [UInt8] = [UInt8(code.rawValue >> 8), UInt8(code.rawValue & 0xFF)]
        // A close payload is at most 125 bytes: cut the reason on a UTF-8 boundary.
        var reasonBytes = Array(reason.utf8.prefix(123))
        while !reasonBytes.isEmpty && !reasonBytes.withUnsafeBytes({ UTF8Validator.isValid($0) }) { reasonBytes.removeLast() }
        payload += reasonBytes
        writeFrame(opcode: .close, payload: payload)
        isCloseSent = true
    }

    /// Appends one unmasked frame (RFC 6455 §5.1: a server never masks).
    private func writeFrame(opcode: WebSocketOpcode, payload: [UInt8], isCompressed: Bool = false, isFinal: Bool = true) {
        outbound.append((isFinal ? 0x80 : 0) | (isCompressed ? 0x40 : 0) | opcode.rawValue)
        let length = payload.count
        if length < 126 {
            outbound.append(UInt8(length))
        } else if length <= 0xFFFF {
            outbound.append(126)
            outbound.append(UInt8(length >> 8))
            outbound.append(UInt8(length & 0xFF))
        } else {
            outbound.append(127)
            for shift in stride(from: 56, through: 0, by: -8) { outbound.append(UInt8(truncatingIfNeeded: length >> shift)) }
        }
        outbound.append(contentsOf: payload)
    }
}
