import NIOCore

/// NDJSON framing of the request stream with a line-length limit (sans-IO).
///
/// A line longer than the limit is reported once, as soon as the limit is passed (so a client
/// that never sends `\n` cannot make the buffer grow), and then discarded up to and including
/// its `\n`; the next line is read normally.
public struct LineFramer: Sendable {
    /// What the framer found.
    public enum Item {
        /// One complete line without its `\n`.
        case line(ByteBuffer)
        /// A line passed the limit and is being discarded.
        case tooLong
    }

    /// Longest accepted line, without its `\n`.
    public let maxLineBytes: Int
    private var pending: ByteBuffer?
    private var isDiscarding = false

    /// A framer for lines of at most `maxLineBytes`.
    public init(maxLineBytes: Int) {
        self.maxLineBytes = maxLineBytes
    }

    /// Bytes held while waiting for the end of a line (at most `maxLineBytes`).
    public var bufferedBytes: Int { pending?.readableBytes ?? 0 }

    /// Appends `bytes` and reports every complete line (and every overlong one) in order.
    public mutating func append(_ bytes: ByteBuffer, _ body: (Item) -> Void) {
        var buffer: ByteBuffer
        if var held = pending {
            pending = nil
            var bytes = bytes
            held.writeBuffer(&bytes)
            buffer = held
        } else {
            buffer = bytes
        }
        while buffer.readableBytes > 0 {
            guard let newline = buffer.readableBytesView.firstIndex(of: 0x0A) else {
                if isDiscarding {
                    buffer.moveReaderIndex(to: buffer.writerIndex)
                } else if buffer.readableBytes > maxLineBytes {
                    isDiscarding = true
                    buffer.moveReaderIndex(to: buffer.writerIndex)
                    body(.tooLong)
                }
                break
            }
            let length = newline - buffer.readerIndex
            if isDiscarding {
                isDiscarding = false
            } else if length > maxLineBytes {
                body(.tooLong)
            } else if let line = buffer.getSlice(at: buffer.readerIndex, length: length) {
                body(.line(line))
            }
            buffer.moveReaderIndex(forwardBy: length + 1)
        }
        if buffer.readableBytes > 0 {
            buffer.discardReadBytes()
            pending = buffer
        }
    }
}
