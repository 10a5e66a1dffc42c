/// Messages stored back to back in one buffer (as a receive path would hand them over: bytes in
/// memory, no per-message object), addressed by ranges.
struct MessageSet {
    let bytes: [UInt8]
    let ranges: [Range<Int>]

    init(_ messages: [String]) {
        let messages = spacedFrames ? messages.map(spacedJSON) : messages
        var bytes: [UInt8] = []
        var ranges: [Range<Int>] = []
        bytes.reserveCapacity(messages.reduce(0) { $0 + $1.utf8.count })
        for m in messages {
            let start = bytes.count
            bytes.append(contentsOf: m.utf8)
            ranges.append(start ..< bytes.count)
        }
        self.bytes = bytes
        self.ranges = ranges
    }

    var count: Int { ranges.count }

    /// Mean message size in bytes.
    var averageSize: Int { ranges.isEmpty ? 0 : bytes.count / ranges.count }
}

/// A depth session: the book's bootstrap, then deltas that must be applied in order.
struct DepthSession {
    enum Bootstrap {
        /// A snapshot frame on the stream (parsed with `parse`).
        case frame(String)
        /// A REST depth body (Binance: `parseRESTSnapshot`).
        case rest(String)
    }

    var bootstrap: Bootstrap
    var deltas: MessageSet
    /// Frames parsed right before each bootstrap (Bitfinex: the `subscribed` event; with bulk
    /// updates the adapter reads a level array as the snapshot only right after it).
    var preamble: [String] = []
    /// Frames that make one 20-level update (1; Bitfinex: 20 one-level frames + 1 checksum frame).
    var framesPerUpdate: Int
    /// The generator's book after the last delta.
    var finalBook: SyntheticBook
    /// What the report says about checksums.
    var checksumNote: String
}

/// `--spaced`: every timed frame gets a space after each `,` and `:` outside strings. The JSON
/// means the same, but no adapter fast path matches it (the trade lanes and the compact level and
/// row readers compare exact bytes; the in-order key chains expect no whitespace), so the rows
/// measure the general parsers alone — what a venue added in an afternoon, before any fast path,
/// costs (docs/adapters.md). The generator's checks still apply: every trade once, no false gap
/// or checksum alarm, the final book equal to the generator's.
nonisolated(unsafe) var spacedFrames = false

/// `text` with a space after every `,` and `:` that is not inside a string.
func spacedJSON(_ text: String) -> String {
    var out: [UInt8] = []
    out.reserveCapacity(text.utf8.count * 5 / 4)
    var inString = false, escaped = false
    for byte in text.utf8 {
        out.append(byte)
        if inString {
            if escaped { escaped = false } else if byte == UInt8(ascii: "\\") { escaped = true } else if byte == UInt8(ascii: "\"") { inString = false }
        } else if byte == UInt8(ascii: "\"") {
            inString = true
        } else if byte == UInt8(ascii: ",") || byte == UInt8(ascii: ":") {
            out.append(UInt8(ascii: " "))
        }
    }
    return String(decoding: out, as: UTF8.self)
}
