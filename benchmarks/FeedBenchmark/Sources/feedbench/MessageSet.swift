/// Messages stored back to back in one buffer (as a receive path would hand them over: bytes in
/// memory, no per-message object), addressed by ranges.
struct MessageSet {
    let bytes: [UInt8]
    let ranges: [Range<Int>]

    init(_ messages: [String]) {
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
