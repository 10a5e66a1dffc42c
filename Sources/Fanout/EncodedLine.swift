import NIOCore

/// One encoded NDJSON line, shared (copy-on-write, never copied) by every subscriber queue that
/// holds it. Event lines are encoded once without `seq` and end in `}\n`; each subscriber's
/// `seq` is spliced in when the line is written (`…,"seq":17}\n`), so an event costs one encode
/// however many subscribers get it.
public struct EncodedLine: Sendable {
    /// The whole line, ending in `}\n`.
    public let bytes: [UInt8]

    /// Wraps an encoded line; it must be one JSON object followed by `\n`.
    public init(_ bytes: [UInt8]) {
        precondition(bytes.count >= 3 && bytes[bytes.count - 2] == UInt8(ascii: "}") && bytes[bytes.count - 1] == 0x0A,
                     "an EncodedLine is one JSON object followed by \\n")
        self.bytes = bytes
    }

    /// Bytes on the wire (without a spliced `seq`).
    public var count: Int { bytes.count }

    /// Appends the line to `buffer`, with `"seq":seq` as its last field when `seq` is given.
    public func write(seq: UInt64?, into buffer: inout ByteBuffer) {
        guard let seq else {
            buffer.writeBytes(bytes)
            return
        }
        bytes.withUnsafeBytes { raw in
            _ = buffer.writeBytes(UnsafeRawBufferPointer(rebasing: raw[..<(raw.count - 2)]))
        }
        buffer.writeStaticString(",\"seq\":")
        Self.writeDecimal(seq, into: &buffer)
        buffer.writeStaticString("}\n")
    }

    /// Writes `value` in decimal without allocating.
    static func writeDecimal(_ value: UInt64, into buffer: inout ByteBuffer) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            var v = value
            var i = 20
            repeat {
                i -= 1
                digits[i] = UInt8(ascii: "0") + UInt8(v % 10)
                v /= 10
            } while v > 0
            _ = buffer.writeBytes(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(digits)[i...]))
        }
    }
}
