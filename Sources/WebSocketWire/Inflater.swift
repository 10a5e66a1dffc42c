import CZlib

/// Raw-deflate decompression for permessage-deflate (RFC 7692 §7.2.2) with a hard limit on the
/// decompressed size, so a deflate bomb fails with 1009 instead of growing memory.
final class Inflater {
    private var stream = z_stream()
    private let resetsAfterEachMessage: Bool
    private var isInitialized = false
    /// The current message's deflate stream ended with a BFINAL block; ignore the rest of it.
    private var hasEndedStream = false
    /// RFC 7692 §7.2.2: the sender strips this empty stored block; the receiver appends it back.
    static let tail: [UInt8] = [0x00, 0x00, 0xFF, 0xFF]

    /// An inflater; `noContextTakeover` resets the window after every message.
    init(noContextTakeover: Bool) throws(WebSocketError) {
        resetsAfterEachMessage = noContextTakeover
        // Always inflate with the largest window: it decodes streams made with any smaller window.
        let status = mm_inflateInit2(&stream, -15)
        guard status == Z_OK else {
            throw WebSocketError(.compression, .internalError, "zlib inflateInit2 failed with status \(status)")
        }
        isInitialized = true
    }

    deinit { if isInitialized { inflateEnd(&stream) } }

    /// Inflates one fragment's payload, appending to `output`; fails once output would pass `limit`.
    func inflate(_ input: UnsafeRawBufferPointer, into output: WireBuffer, limit: Int) throws(WebSocketError) {
        guard !hasEndedStream, input.count > 0, let source = input.baseAddress else { return }
        stream.next_in = UnsafeMutablePointer(mutating: source.assumingMemoryBound(to: Bytef.self))
        stream.avail_in = uInt(input.count)
        try run(into: output, limit: limit)
    }

    /// Ends the message (its last input must have ended with `tail`): resets the window when
    /// context takeover is off.
    func endMessage() {
        if resetsAfterEachMessage && !hasEndedStream { inflateReset(&stream) }
        hasEndedStream = false
    }

    private func run(into output: WireBuffer, limit: Int) throws(WebSocketError) {
        // Loop until all input is consumed AND the last call had output room left (otherwise zlib may
        // still hold decompressed bytes).
        while true {
            // Grow geometrically but never past limit + 1 (one byte over proves the limit is exceeded).
            output.reserve(min(max(output.count, 16 << 10), limit + 1 - output.count))
            let spare = output.spare
            let room = min(spare.count, limit + 1 - output.count)
            stream.next_out = spare.baseAddress?.assumingMemoryBound(to: Bytef.self)
            stream.avail_out = uInt(room)
            let status = CZlib.inflate(&stream, Z_SYNC_FLUSH)
            let produced = room - Int(stream.avail_out)
            output.commit(produced)
            if output.count > limit {
                throw WebSocketError(.tooBig, .messageTooBig,
                                     "a compressed message inflates past the \(limit)-byte limit (deflate bomb?)")
            }
            switch status {
            case Z_OK, Z_BUF_ERROR:
                // Z_BUF_ERROR with input left means "no progress possible": only if out of room, loop grows it.
                if status == Z_BUF_ERROR && produced == 0 && stream.avail_out > 0 && stream.avail_in > 0 {
                    throw WebSocketError(.compression, .invalidFramePayloadData, "the compressed stream stalled (corrupt deflate data)")
                }
            case Z_STREAM_END:
                // RFC 7692 §7.2.3.4: a sender may end a message with a BFINAL block instead of an empty
                // stored block. The stream is over: what follows in this message (our appended
                // 00 00 FF FF, the sender's padding) is ignored and the next message starts afresh.
                inflateReset(&stream)
                hasEndedStream = true
                stream.avail_in = 0
                return
            default:
                let reason = stream.msg.map { String(cString: $0) } ?? "status \(status)"
                throw WebSocketError(.compression, .invalidFramePayloadData, "corrupt deflate data: \(reason)")
            }
            if stream.avail_in == 0 && stream.avail_out > 0 { return }
        }
    }
}

/// Raw-deflate compression for outgoing permessage-deflate messages (RFC 7692 §7.2.1).
final class Deflater {
    private var stream = z_stream()
    private let resetsAfterEachMessage: Bool
    private var isInitialized = false

    /// zlib's memLevel for the client's own messages (subscribe frames, orders: short JSON). The
    /// default 8 gives a 64 KiB hash table, cleared (so resident) on init and on every reset, and a
    /// 64 KiB symbol buffer; 4 gives 4 KiB of each. Short messages compress the same (the window,
    /// not the hash size, sets what can be referenced); long ones end blocks more often.
    static let memoryLevel: Int32 = 4

    /// A deflater with our negotiated window and context takeover rule.
    init(windowBits: Int, noContextTakeover: Bool, level: Int32) throws(WebSocketError) {
        resetsAfterEachMessage = noContextTakeover
        // zlib refuses a raw window of 8 bits; 9 bits never emits distances past 250 (window minus
        // MIN_LOOKAHEAD), which a peer with a 256-byte window can decode.
        let bits = Int32(max(windowBits, 9))
        let status = mm_deflateInit2(&stream, level, Z_DEFLATED, -bits, Self.memoryLevel, Z_DEFAULT_STRATEGY)
        guard status == Z_OK else {
            throw WebSocketError(.compression, .internalError, "zlib deflateInit2 failed with status \(status)")
        }
        isInitialized = true
    }

    deinit { if isInitialized { deflateEnd(&stream) } }

    /// Compresses a whole message into `output`, with the trailing 00 00 FF FF removed.
    func compress(_ input: UnsafeRawBufferPointer, into output: WireBuffer) throws(WebSocketError) {
        let start = output.count
        stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: Bytef.self))
        stream.avail_in = uInt(input.count)
        repeat {
            output.reserve(Int(deflateBound(&stream, uLong(input.count))) + 16)
            let spare = output.spare
            stream.next_out = spare.baseAddress?.assumingMemoryBound(to: Bytef.self)
            stream.avail_out = uInt(spare.count)
            let status = deflate(&stream, Z_SYNC_FLUSH)
            output.commit(spare.count - Int(stream.avail_out))
            guard status == Z_OK || status == Z_BUF_ERROR else {
                throw WebSocketError(.compression, .internalError, "zlib deflate failed with status \(status)")
            }
        } while stream.avail_out == 0
        // RFC 7692 §7.2.1: remove the 4-byte empty stored block that Z_SYNC_FLUSH ends with.
        if output.count - start >= 4 { output.truncate(to: output.count - 4) }
        if resetsAfterEachMessage { deflateReset(&stream) }
    }
}
