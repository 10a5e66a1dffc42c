/// The sans-IO client side of an open WebSocket connection (RFC 6455 §5-7, RFC 7692): feed it the
/// bytes read from the socket, it calls a handler with complete messages and queues what must be
/// written (pongs, close echoes, your own frames) in `outbound`. No sockets, no clocks.
///
/// The receive path parses frames in place in the caller's buffer; only frames split across reads,
/// fragmented messages and compressed messages are copied, into buffers kept between messages.
public final class WebSocketEngine {
    /// Limits and options.
    public let configuration: WebSocketConfiguration
    /// The negotiated permessage-deflate parameters, if compression is on.
    public let deflate: PerMessageDeflateParameters?

    /// Bytes queued for the socket: write them, then call `outbound.removeAll()`.
    public let outbound = WireBuffer(initialCapacity: 4096)
    /// Whether we have sent a close frame (after which no data may be sent).
    public private(set) var isCloseSent = false
    /// Whether the peer's close frame has arrived (after which nothing more is read).
    public private(set) var isCloseReceived = false
    /// The error that failed the connection, if one did.
    public private(set) var failure: WebSocketError?
    /// The peer's close code, once its close frame arrived.
    public private(set) var peerCloseCode: WebSocketCloseCode?

    /// Both close frames exchanged, or the connection failed: the shell should close TCP.
    public var isFinished: Bool { (isCloseSent && isCloseReceived) || failure != nil }

    private let pending = WireBuffer(initialCapacity: 256)
    private let message = WireBuffer(initialCapacity: 4096)
    private let scratch = WireBuffer(initialCapacity: 256)
    private var messageOpcode: WebSocketOpcode?
    private var isMessageCompressed = false
    private var compressedByteCount = 0
    private var utf8 = UTF8Validator()
    /// Fail-fast UTF-8 check of a text frame whose payload is still arriving (RFC 6455 §8.1).
    private var partialUTF8 = UTF8Validator()
    private var partialValidatedCount = 0
    private let inflater: Inflater?
    /// Made on the first compressed send: a client mostly sends a few subscribe frames, and an
    /// idle connection should not carry zlib's compression state (see `Deflater`).
    private var deflater: Deflater?
    private var maskState: UInt64

    /// An engine for a connection whose handshake negotiated `deflate`; `maskSeed` seeds the
    /// masking-key generator (pass system randomness; tests pass a constant).
    public init(configuration: WebSocketConfiguration, deflate: PerMessageDeflateParameters?, maskSeed: UInt64) throws(WebSocketError) {
        self.configuration = configuration
        self.deflate = deflate
        if let deflate {
            inflater = try Inflater(noContextTakeover: deflate.serverNoContextTakeover)
        } else {
            inflater = nil
        }
        maskState = maskSeed
    }

    // MARK: Receiving

    /// Decodes `input` (bytes just read from the socket), calling `handler` for each complete message
    /// and control frame. Throws when the peer broke the protocol; the close frame with the matching
    /// code is then already queued in `outbound`.
    public func receive<Handler: WebSocketMessageHandler>(_ input: UnsafeRawBufferPointer, handler: inout Handler) throws(WebSocketError) {
        guard failure == nil, !isCloseReceived, var cursor = input.baseAddress else { return }
        var available = input.count
        do {
            if !pending.isEmpty {
                let consumed = try completePendingFrame(cursor, available, &handler)
                cursor += consumed
                available -= consumed
                if !pending.isEmpty { return }
            }
            while available > 0 && !isCloseReceived {
                guard let header = try parseHeader(UnsafeRawPointer(cursor), available) else {
                    pending.append(UnsafeRawBufferPointer(start: cursor, count: available))
                    return
                }
                let total = header.headerLength + header.payloadLength
                guard total <= available else {
                    pending.append(UnsafeRawBufferPointer(start: cursor, count: available))
                    try validatePartialText(header)
                    return
                }
                try handleFrame(header, UnsafeRawBufferPointer(start: cursor + header.headerLength, count: header.payloadLength), &handler)
                cursor += total
                available -= total
            }
        } catch {
            fail(error)
            throw error
        }
    }

    /// Fills the partial frame kept from the previous read; returns how many input bytes it used.
    private func completePendingFrame<Handler: WebSocketMessageHandler>(_ input: UnsafeRawPointer, _ available: Int,
                                                                        _ handler: inout Handler) throws(WebSocketError) -> Int {
        var consumed = 0
        while true {
            let have = pending.count
            if let header = try parseHeader(UnsafeRawPointer(pending.base), have) {
                let total = header.headerLength + header.payloadLength
                let take = min(total - have, available - consumed)
                pending.append(UnsafeRawBufferPointer(start: input + consumed, count: take))
                consumed += take
                if pending.count == total {
                    partialValidatedCount = 0
                    try handleFrame(header, UnsafeRawBufferPointer(start: pending.base + header.headerLength, count: header.payloadLength), &handler)
                    pending.removeAll()
                    pending.shrink(ifLargerThan: 1 << 20)
                } else {
                    try validatePartialText(header)
                }
                return consumed
            }
            // Take only the bytes this frame's header needs, never the next frame's.
            let headerNeed = have < 2 ? 2 - have : Self.headerLength(secondByte: pending.base.load(fromByteOffset: 1, as: UInt8.self)) - have
            let take = min(headerNeed, available - consumed)
            if take == 0 { return consumed }
            pending.append(UnsafeRawBufferPointer(start: input + consumed, count: take))
            consumed += take
        }
    }

    /// Validates the part of an uncompressed text payload received so far, so invalid UTF-8 fails
    /// before the rest of a large frame arrives. The full check still runs when the frame completes.
    private func validatePartialText(_ header: FrameHeader) throws(WebSocketError) {
        guard configuration.validatesUTF8, !header.isCompressed else { return }
        let isText = header.opcode == .text || (header.opcode == .continuation && messageOpcode == .text && !isMessageCompressed)
        guard isText else { return }
        if partialValidatedCount == 0 { partialUTF8 = header.opcode == .text ? UTF8Validator() : utf8 }
        let received = min(pending.count - header.headerLength, header.payloadLength)
        guard received > partialValidatedCount else { return }
        let fresh = UnsafeRawBufferPointer(start: pending.base + header.headerLength + partialValidatedCount,
                                           count: received - partialValidatedCount)
        partialValidatedCount = received
        if !partialUTF8.validate(fresh) {
            throw WebSocketError(.invalidUTF8, .invalidFramePayloadData, "a text message is not valid UTF-8")
        }
    }

    struct FrameHeader {
        var isFinal: Bool
        var isCompressed: Bool
        var opcode: WebSocketOpcode
        var headerLength: Int
        var payloadLength: Int
    }

    @inline(__always)
    static func headerLength(secondByte: UInt8) -> Int {
        switch secondByte & 0x7F {
        case 126: return 4
        case 127: return 10
        default: return 2
        }
    }

    /// Decodes and validates a frame header (RFC 6455 §5.2); `nil` if more bytes are needed.
    /// Pure: it may run more than once on the same partial header.
    @inline(__always)
    private func parseHeader(_ p: UnsafeRawPointer, _ available: Int) throws(WebSocketError) -> FrameHeader? {
        guard available >= 2 else { return nil }
        let b0 = p.load(as: UInt8.self)
        let b1 = p.load(fromByteOffset: 1, as: UInt8.self)
        var length = Int(b1 & 0x7F)
        var headerLength = 2
        if length == 126 {
            guard available >= 4 else { return nil }
            length = Int(p.load(fromByteOffset: 2, as: UInt8.self)) << 8 | Int(p.load(fromByteOffset: 3, as: UInt8.self))
            headerLength = 4
        } else if length == 127 {
            guard available >= 10 else { return nil }
            let raw = UInt64(bigEndian: p.loadUnaligned(fromByteOffset: 2, as: UInt64.self))
            // RFC 6455 §5.2: the most significant bit of a 64-bit length must be 0.
            guard raw >> 63 == 0 else { throw .protocolViolation("a 64-bit frame length has its top bit set") }
            guard raw <= UInt64(configuration.maxFrameSize) else {
                throw WebSocketError(.tooBig, .messageTooBig, "a \(raw)-byte frame exceeds the \(configuration.maxFrameSize)-byte frame limit")
            }
            length = Int(raw)
            headerLength = 10
        }
        // RFC 6455 §5.1: a client must fail the connection on a masked frame from the server.
        if b1 & 0x80 != 0 { throw .protocolViolation("the server sent a masked frame") }
        let opcode = WebSocketOpcode(rawValue: b0 & 0x0F)
        let isFinal = b0 & 0x80 != 0
        let rsv1 = b0 & 0x40 != 0
        if b0 & 0x30 != 0 { throw .protocolViolation("RSV2/RSV3 set without a negotiated extension that defines them") }
        if opcode.isReserved { throw .protocolViolation("reserved opcode \(opcode)") }
        if opcode.isControl {
            // RFC 6455 §5.5: control frames are never fragmented and carry at most 125 bytes.
            if !isFinal { throw .protocolViolation("fragmented \(opcode) frame") }
            if length > 125 { throw .protocolViolation("\(opcode) frame with a \(length)-byte payload (limit 125)") }
            if rsv1 { throw .protocolViolation("RSV1 set on a \(opcode) frame") }
        } else {
            if rsv1 {
                guard inflater != nil else { throw .protocolViolation("RSV1 set but permessage-deflate was not negotiated") }
                // RFC 7692 §6.1: RSV1 marks the first frame of a compressed message only.
                if opcode == .continuation { throw .protocolViolation("RSV1 set on a continuation frame") }
            }
            if opcode == .continuation {
                if messageOpcode == nil { throw .protocolViolation("continuation frame without a message in progress") }
            } else if messageOpcode != nil {
                throw .protocolViolation("new \(opcode) message while a fragmented message is in progress")
            }
            if length > configuration.maxFrameSize {
                throw WebSocketError(.tooBig, .messageTooBig, "a \(length)-byte frame exceeds the \(configuration.maxFrameSize)-byte frame limit")
            }
            // The message limit is checked here too, from the header alone, so the verdict (and close
            // code) never depends on how the bytes were split into reads.
            let isCompressed = opcode == .continuation ? isMessageCompressed : rsv1
            let soFar = opcode == .continuation ? (isCompressed ? compressedByteCount : message.count) : 0
            if soFar + length > configuration.maxMessageSize {
                throw WebSocketError(.tooBig, .messageTooBig,
                                     "a\(isCompressed ? " compressed" : "") message exceeds the \(configuration.maxMessageSize)-byte message limit")
            }
        }
        return FrameHeader(isFinal: isFinal, isCompressed: rsv1, opcode: opcode, headerLength: headerLength, payloadLength: length)
    }

    @inline(__always)
    private func handleFrame<Handler: WebSocketMessageHandler>(_ header: FrameHeader, _ payload: UnsafeRawBufferPointer,
                                                               _ handler: inout Handler) throws(WebSocketError) {
        switch header.opcode {
        case .text, .binary:
            if header.isFinal && !header.isCompressed {
                // The common case for market data: one frame, uncompressed, delivered in place.
                if header.opcode == .text && configuration.validatesUTF8 && !UTF8Validator.isValid(payload) {
                    throw WebSocketError(.invalidUTF8, .invalidFramePayloadData, "a text message is not valid UTF-8")
                }
                handler.webSocketDidReceiveMessage(payload, opcode: header.opcode)
                return
            }
            messageOpcode = header.opcode
            isMessageCompressed = header.isCompressed
            compressedByteCount = 0
            message.removeAll()
            utf8.reset()
            try appendFragment(payload, isFinal: header.isFinal, &handler)
        case .continuation:
            try appendFragment(payload, isFinal: header.isFinal, &handler)
        case .ping:
            if !isCloseSent { writeFrame(opcode: .pong, payload: payload) }
            handler.webSocketDidReceivePing(payload)
        case .pong:
            handler.webSocketDidReceivePong(payload)
        case .close:
            try handleClose(payload, &handler)
        default:
            throw .protocolViolation("reserved opcode \(header.opcode)")
        }
    }

    private func appendFragment<Handler: WebSocketMessageHandler>(_ payload: UnsafeRawBufferPointer, isFinal: Bool,
                                                                  _ handler: inout Handler) throws(WebSocketError) {
        guard let opcode = messageOpcode else { return }
        let isText = opcode == .text && configuration.validatesUTF8
        let before = message.count
        // Optional chaining on the stored `let` borrows it; binding it (`if let`) would retain and
        // release the inflater on every message.
        if isMessageCompressed, inflater != nil {
            compressedByteCount += payload.count
            if compressedByteCount > configuration.maxMessageSize {
                throw WebSocketError(.tooBig, .messageTooBig, "a compressed message exceeds the \(configuration.maxMessageSize)-byte message limit")
            }
            if isFinal {
                // One inflate call per message: the last fragment and the stripped tail go in together
                // (a second zlib call just for 4 bytes costs as much as the copy saves).
                scratch.removeAll()
                scratch.append(payload)
                scratch.append(bigEndian: 0x0000_FFFF)
                try inflater?.inflate(scratch.bytes, into: message, limit: configuration.maxDecompressedMessageSize)
                inflater?.endMessage()
                scratch.shrink(ifLargerThan: 1 << 20)
            } else {
                try inflater?.inflate(payload, into: message, limit: configuration.maxDecompressedMessageSize)
            }
        } else {
            if message.count + payload.count > configuration.maxMessageSize {
                throw WebSocketError(.tooBig, .messageTooBig, "a fragmented message exceeds the \(configuration.maxMessageSize)-byte message limit")
            }
            message.append(payload)
        }
        // Validate each fragment as it arrives so bad UTF-8 fails fast (RFC 6455 §8.1).
        if isText && !utf8.validate(UnsafeRawBufferPointer(start: message.base + before, count: message.count - before)) {
            throw WebSocketError(.invalidUTF8, .invalidFramePayloadData, "a text message is not valid UTF-8")
        }
        guard isFinal else { return }
        if isText && !utf8.isAtBoundary {
            throw WebSocketError(.invalidUTF8, .invalidFramePayloadData, "a text message ends inside a UTF-8 sequence")
        }
        messageOpcode = nil
        handler.webSocketDidReceiveMessage(message.bytes, opcode: opcode)
        message.removeAll()
        message.shrink(ifLargerThan: 1 << 20)
    }

    private func handleClose<Handler: WebSocketMessageHandler>(_ payload: UnsafeRawBufferPointer, _ handler: inout Handler) throws(WebSocketError) {
        var code = WebSocketCloseCode.noStatusReceived
        var reason = ""
        if payload.count == 1 { throw .protocolViolation("a close frame with a 1-byte payload") }
        if payload.count >= 2 {
            code = WebSocketCloseCode(rawValue: UInt16(payload[0]) << 8 | UInt16(payload[1]))
            guard code.isValidOnWire else { throw .protocolViolation("the peer sent close code \(code.rawValue), which is not allowed on the wire") }
            let reasonBytes = UnsafeRawBufferPointer(rebasing: payload[2...])
            guard UTF8Validator.isValid(reasonBytes) else {
                throw WebSocketError(.invalidUTF8, .invalidFramePayloadData, "the close reason is not valid UTF-8")
            }
            reason = String(decoding: reasonBytes, as: UTF8.self)
        }
        isCloseReceived = true
        peerCloseCode = code
        if !isCloseSent {
            // RFC 6455 §5.5.1: answer with a close frame, echoing the status code.
            if payload.count >= 2 {
                writeFrame(opcode: .close, payload: UnsafeRawBufferPointer(rebasing: payload[0..<2]))
            } else {
                writeFrame(opcode: .close, payload: UnsafeRawBufferPointer(start: nil, count: 0))
            }
            isCloseSent = true
        }
        handler.webSocketDidReceiveClose(code: code, reason: reason)
    }

    private func fail(_ error: WebSocketError) {
        guard failure == nil else { return }
        failure = error
        if !isCloseSent { queueClose(code: error.closeCode, reason: error.message) }
    }

    // MARK: Sending

    /// Queues a text message (compressed when negotiated and worthwhile).
    public func sendText(_ text: String) throws(WebSocketError) {
        var copy = text
        var failure: WebSocketError?
        copy.withUTF8 { bytes in
            do throws(WebSocketError) { try send(UnsafeRawBufferPointer(bytes), opcode: .text) } catch { failure = error }
        }
        if let failure { throw failure }
    }

    /// Queues a text or binary message.
    public func send(_ payload: UnsafeRawBufferPointer, opcode: WebSocketOpcode) throws(WebSocketError) {
        guard !isCloseSent else { throw WebSocketError(.invalidState, .internalError, "cannot send a message after the close frame") }
        guard opcode == .text || opcode == .binary else { throw WebSocketError(.invalidState, .internalError, "send() takes text or binary, not \(opcode)") }
        if let deflate, payload.count >= configuration.minimumCompressedMessageSize {
            if deflater == nil {
                deflater = try Deflater(windowBits: deflate.clientMaxWindowBits, noContextTakeover: deflate.clientNoContextTakeover,
                                        level: configuration.compression?.compressionLevel ?? 1)
            }
            scratch.removeAll()
            try deflater?.compress(payload, into: scratch)
            writeFrame(opcode: opcode, payload: scratch.bytes, compressed: true)
            scratch.shrink(ifLargerThan: 1 << 20)
        } else {
            writeFrame(opcode: opcode, payload: payload)
        }
    }

    /// Queues a ping (payload at most 125 bytes).
    public func sendPing(_ payload: UnsafeRawBufferPointer = UnsafeRawBufferPointer(start: nil, count: 0)) throws(WebSocketError) {
        guard !isCloseSent else { throw WebSocketError(.invalidState, .internalError, "cannot ping after the close frame") }
        guard payload.count <= 125 else { throw WebSocketError(.invalidState, .internalError, "a ping payload is at most 125 bytes") }
        writeFrame(opcode: .ping, payload: payload)
    }

    /// Starts the close handshake (RFC 6455 §7.1.2); later calls do nothing.
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
        payload.withUnsafeBytes { writeFrame(opcode: .close, payload: $0) }
        isCloseSent = true
    }

    /// Appends one masked frame to `outbound` (RFC 6455 §5.2-5.3).
    private func writeFrame(opcode: WebSocketOpcode, payload: UnsafeRawBufferPointer, compressed: Bool = false) {
        let length = payload.count
        outbound.reserve(length + 14)
        let start = outbound.count
        outbound.append(0x80 | (compressed ? 0x40 : 0) | opcode.rawValue)
        if length < 126 {
            outbound.append(0x80 | UInt8(length))
        } else if length <= 0xFFFF {
            outbound.append(0x80 | 126)
            outbound.append(UInt8(length >> 8)); outbound.append(UInt8(length & 0xFF))
        } else {
            outbound.append(0x80 | 127)
            for shift in stride(from: 56, through: 0, by: -8) { outbound.append(UInt8(truncatingIfNeeded: length >> shift)) }
        }
        let key = nextMaskKey()
        withUnsafeBytes(of: key) { outbound.append($0) }
        let payloadStart = outbound.count
        outbound.append(payload)
        WebSocketMasking.apply(key: key, to: UnsafeMutableRawBufferPointer(start: outbound.base + payloadStart, count: length))
        _ = start
    }

    /// splitmix64: cheap, per-connection, seeded from system randomness; masks need to be
    /// unpredictable to intermediaries, not cryptographically strong (RFC 6455 §10.3).
    private func nextMaskKey() -> UInt32 {
        maskState &+= 0x9E37_79B9_7F4A_7C15
        var z = maskState
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return UInt32(truncatingIfNeeded: z ^ (z >> 31))
    }
}
