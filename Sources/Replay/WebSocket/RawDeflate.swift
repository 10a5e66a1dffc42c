import CZlib
import WebSocketWire

/// Raw-deflate compression of the server's outgoing messages (RFC 7692 §7.2.1): one stream for the
/// connection (context takeover) or reset after every message (`server_no_context_takeover`).
final class RawDeflater {
    private var stream = z_stream()
    private let resetsAfterEachMessage: Bool
    private var isInitialized = false

    /// `windowBits` is the negotiated `server_max_window_bits` (8...15).
    init(windowBits: Int, noContextTakeover: Bool, level: Int32 = 6) throws(WebSocketError) {
        resetsAfterEachMessage = noContextTakeover
        // zlib refuses a raw window of 8 bits; a 9-bit window never emits distances past 250
        // (window minus MIN_LOOKAHEAD), which a peer with a 256-byte window decodes.
        let status = mm_deflateInit2(&stream, level, Z_DEFLATED, -Int32(max(windowBits, 9)), 8, Z_DEFAULT_STRATEGY)
        guard status == Z_OK else {
            throw WebSocketError(.compression, .internalError, "zlib deflateInit2 failed with status \(status)")
        }
        isInitialized = true
    }

    deinit { if isInitialized { deflateEnd(&stream) } }

    /// One message compressed, with the trailing `00 00 FF FF` of the sync flush removed.
    func compress(_ input: [UInt8]) throws(WebSocketError) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, uLong(input.count))) + 16)
        var produced = 0
        var status: Int32 = Z_OK
        input.withUnsafeBufferPointer { source in
            stream.next_in = UnsafeMutablePointer(mutating: source.baseAddress)
            stream.avail_in = uInt(source.count)
            repeat {
                if produced == output.count { output.append(contentsOf: repeatElement(0, count: max(output.count, 256))) }
                output.withUnsafeMutableBufferPointer { target in
                    stream.next_out = target.baseAddress.map { $0 + produced }
                    stream.avail_out = uInt(target.count - produced)
                    status = deflate(&stream, Z_SYNC_FLUSH)
                    produced = target.count - Int(stream.avail_out)
                }
            } while (status == Z_OK || status == Z_BUF_ERROR) && stream.avail_out == 0
        }
        stream.next_in = nil
        guard status == Z_OK || status == Z_BUF_ERROR else {
            throw WebSocketError(.compression, .internalError, "zlib deflate failed with status \(status)")
        }
        output.removeSubrange(produced...)
        // RFC 7692 §7.2.1: drop the empty stored block that ends a sync flush.
        if output.count >= 4 && output.suffix(4) == [0x00, 0x00, 0xFF, 0xFF] { output.removeLast(4) }
        if resetsAfterEachMessage { deflateReset(&stream) }
        return output
    }
}

/// Raw-deflate decompression of the client's compressed messages (RFC 7692 §7.2.2), with a hard
/// output limit so a deflate bomb fails with 1009.
final class RawInflater {
    private var stream = z_stream()
    private let resetsAfterEachMessage: Bool
    private var isInitialized = false

    /// `noContextTakeover`: the client resets its compressor per message (we may then too).
    init(noContextTakeover: Bool) throws(WebSocketError) {
        resetsAfterEachMessage = noContextTakeover
        // The largest window decodes streams made with any smaller one.
        let status = mm_inflateInit2(&stream, -15)
        guard status == Z_OK else {
            throw WebSocketError(.compression, .internalError, "zlib inflateInit2 failed with status \(status)")
        }
        isInitialized = true
    }

    deinit { if isInitialized { inflateEnd(&stream) } }

    /// Inflates one whole message (its compressed payload, without the stripped tail).
    func inflate(_ compressed: [UInt8], limit: Int) throws(WebSocketError) -> [UInt8] {
        let input = compressed + [0x00, 0x00, 0xFF, 0xFF]
        var output = [UInt8](repeating: 0, count: min(max(input.count * 4, 1024), limit + 1))
        var produced = 0
        var failure: WebSocketError?
        input.withUnsafeBufferPointer { source in
            stream.next_in = UnsafeMutablePointer(mutating: source.baseAddress)
            stream.avail_in = uInt(source.count)
            while true {
                if produced == output.count {
                    guard output.count <= limit else { break }
                    output.append(contentsOf: repeatElement(0, count: min(output.count, limit + 1 - output.count)))
                }
                var status: Int32 = Z_OK
                output.withUnsafeMutableBufferPointer { target in
                    stream.next_out = target.baseAddress.map { $0 + produced }
                    stream.avail_out = uInt(target.count - produced)
                    status = CZlib.inflate(&stream, Z_SYNC_FLUSH)
                    produced = target.count - Int(stream.avail_out)
                }
                if status == Z_STREAM_END {
                    // A final block ends this raw stream; the next message starts a fresh one.
                    inflateReset(&stream)
                    if stream.avail_in > 0 {
                        failure = WebSocketError(.compression, .invalidFramePayloadData, "data after the end of a deflate stream")
                    }
                    break
                }
                guard status == Z_OK || status == Z_BUF_ERROR else {
                    failure = WebSocketError(.compression, .invalidFramePayloadData, "corrupt deflate data (zlib status \(status))")
                    break
                }
                if stream.avail_in == 0 && stream.avail_out > 0 { break }
                if status == Z_BUF_ERROR && stream.avail_out > 0 {
                    failure = WebSocketError(.compression, .invalidFramePayloadData, "the compressed stream stalled (corrupt deflate data)")
                    break
                }
            }
        }
        stream.next_in = nil
        if let failure { throw failure }
        if produced > limit {
            throw WebSocketError(.tooBig, .messageTooBig, "a compressed message inflates past the \(limit)-byte limit")
        }
        output.removeSubrange(produced...)
        if resetsAfterEachMessage { inflateReset(&stream) }
        return output
    }
}
