import MarketModel
import VenueKit

/// Computes the venues' book checksums over a local book, from the levels' original text
/// (``FixedDecimal`` keeps the venue's digits). All are CRC-32/IEEE.
public enum BookChecksums {
    /// Room for the longest checksum text: 50 levels × (2 numbers + 2 separators).
    static let textCapacity = 50 * (2 * FixedDecimal.maxTextLength + 2)

    /// The checksum of `book` under `algorithm`. `scratch` is a reusable buffer (working storage:
    /// the text is rendered into it with raw stores, so it is grown once and its contents are
    /// unspecified afterwards).
    public static func compute(_ algorithm: ChecksumAlgorithm, book: OrderBook, scratch: inout [UInt8]) -> UInt32 {
        var cache = ChecksumTextCache()
        swap(&cache.nextText, &scratch)
        let crc = compute(algorithm, book: book, cache: &cache)
        swap(&cache.text, &scratch)
        return crc
    }

    /// The checksum of `book` under `algorithm`, re-rendering only the levels whose price or
    /// size changed since the previous call with the same `cache` (the others' text is copied).
    static func compute(_ algorithm: ChecksumAlgorithm, book: OrderBook, cache: inout ChecksumTextCache) -> UInt32 {
        if cache.algorithm != algorithm {
            cache.algorithm = algorithm
            cache.bids.removeAll(keepingCapacity: true)
            cache.asks.removeAll(keepingCapacity: true)
        }
        // The next generation is built in the spare buffers, then swapped in.
        var text = cache.nextText, bids = cache.nextBids, asks = cache.nextAsks
        cache.nextText = []
        cache.nextBids = []
        cache.nextAsks = []
        if text.count < textCapacity { text.append(contentsOf: repeatElement(0, count: textCapacity - text.count)) }
        bids.removeAll(keepingCapacity: true)
        asks.removeAll(keepingCapacity: true)
        let crc = cache.text.withUnsafeBytes { old -> UInt32 in
            text.withUnsafeMutableBytes { new -> UInt32 in
                guard let p = new.baseAddress else { return 0 }
                let style: ChecksumTextWriter.Style = algorithm == .krakenTop10 ? .krakenDigits
                    : algorithm == .bitfinexTop25 ? .javaScript : .venueText
                var writer = ChecksumTextWriter(old: old.baseAddress, new: p, style: style)
                switch algorithm {
                case .krakenTop10:
                    // docs.kraken.com book-checksum-v2: asks low→high, then bids high→low, top 10
                    // each; price and qty with '.' removed and leading zeros stripped, concatenated.
                    writer.kraken(book.asks, previous: cache.asks, into: &asks)
                    writer.kraken(book.bids, previous: cache.bids, into: &bids)
                case .okxTop25Interleaved, .bitfinexTop25:
                    // OKX v5 (historical): bid i then ask i for i < 25, "px:sz" joined by ':' over
                    // the original strings. Bitfinex (docs.bitfinex.com ws-websocket-checksum): the
                    // same in JavaScript number form with the ask amount negative.
                    writer.interleave(book, previousBids: cache.bids, previousAsks: cache.asks, bids: &bids, asks: &asks)
                }
                return CRC32.checksum(UnsafeRawBufferPointer(start: p, count: writer.count))
            }
        }
        cache.nextText = cache.text
        cache.nextBids = cache.bids
        cache.nextAsks = cache.asks
        cache.text = text
        cache.bids = bids
        cache.asks = asks
        return crc
    }
}

/// The text of the last checksum and where each level's part of it sits, per side, best first.
struct ChecksumTextCache: Sendable {
    /// One level's part of the text (`px:sz`, or Kraken's digits).
    struct Entry: Sendable {
        var level: BookLevel
        var offset: Int
        var length: Int
    }

    /// The algorithm the text was built for.
    var algorithm: ChecksumAlgorithm?
    /// The last checksum text.
    var text: [UInt8] = []
    /// The levels of ``text``, best first.
    var bids: [Entry] = [], asks: [Entry] = []
    /// Storage for the next generation (swapped with the current one after each checksum).
    var nextText: [UInt8] = [], nextBids: [Entry] = [], nextAsks: [Entry] = []
}

/// Assembles a checksum text, copying each level's part from the previous text when the level
/// is unchanged (same price and size digits) and rendering it otherwise.
struct ChecksumTextWriter {
    /// How a level's part is rendered.
    enum Style {
        /// Kraken: price digits then size digits, no point, no leading zeros.
        case krakenDigits
        /// OKX: `px:sz` in the venue's text.
        case venueText
        /// Bitfinex: `px:sz` in JavaScript number form, ask amounts negative.
        case javaScript
    }

    let old: UnsafeRawPointer?
    let new: UnsafeMutableRawPointer
    let style: Style
    var count = 0

    init(old: UnsafeRawPointer?, new: UnsafeMutableRawPointer, style: Style) {
        self.old = old
        self.new = new
        self.style = style
    }

    /// Same digits and scale (the text is a function of both).
    static func isSameText(_ a: FixedDecimal, _ b: FixedDecimal) -> Bool {
        a.mantissa == b.mantissa && a.scale == b.scale
    }

    /// Appends `level`'s part: copied from `previous` (walked with `cursor`, best first) when the
    /// same level is there, rendered otherwise; records it in `entries`.
    mutating func append(_ level: BookLevel, isBid: Bool, previous: [ChecksumTextCache.Entry], cursor: inout Int,
                         entries: inout [ChecksumTextCache.Entry]) {
        // Skip previous levels better than this one (sides are sorted best first).
        while cursor < previous.count {
            let c = FixedDecimal.compare(previous[cursor].level.price, level.price)
            if isBid ? c > 0 : c < 0 { cursor &+= 1 } else { break }
        }
        let start = count
        if let old, cursor < previous.count, ChecksumTextWriter.isSameText(previous[cursor].level.price, level.price),
           ChecksumTextWriter.isSameText(previous[cursor].level.size, level.size) {
            let entry = previous[cursor]
            (new + start).copyMemory(from: old + entry.offset, byteCount: entry.length)
            count &+= entry.length
        } else {
            count &+= render(level, isAsk: !isBid, at: new + start)
        }
        entries.append(ChecksumTextCache.Entry(level: level, offset: start, length: count &- start))
    }

    /// Renders one level's part at `p` and returns its length.
    func render(_ level: BookLevel, isAsk: Bool, at p: UnsafeMutableRawPointer) -> Int {
        switch style {
        case .krakenDigits:
            let n = level.price.writeKrakenChecksumDigits(to: p)
            return n &+ level.size.writeKrakenChecksumDigits(to: p + n)
        case .venueText:
            var n = level.price.writeText(to: p)
            p.storeBytes(of: UInt8(ascii: ":"), toByteOffset: n, as: UInt8.self)
            n &+= 1
            return n &+ level.size.writeText(to: p + n)
        case .javaScript:
            var n = level.price.writeJavaScriptForm(to: p)
            p.storeBytes(of: UInt8(ascii: ":"), toByteOffset: n, as: UInt8.self)
            n &+= 1
            return n &+ (isAsk ? level.size.negated : level.size).writeJavaScriptForm(to: p + n)
        }
    }

    /// Kraken: the side's best 10 levels, concatenated.
    mutating func kraken(_ side: BookSide, previous: [ChecksumTextCache.Entry], into entries: inout [ChecksumTextCache.Entry]) {
        var cursor = 0
        for rank in 0 ..< Swift.min(10, side.count) {
            append(side[rank], isBid: side.isBid, previous: previous, cursor: &cursor, entries: &entries)
        }
    }

    /// OKX / Bitfinex: bid i then ask i for i < 25, each `px:sz`, joined by `:`.
    mutating func interleave(_ book: OrderBook, previousBids: [ChecksumTextCache.Entry], previousAsks: [ChecksumTextCache.Entry],
                             bids: inout [ChecksumTextCache.Entry], asks: inout [ChecksumTextCache.Entry]) {
        let bidCount = Swift.min(25, book.bids.count)
        let askCount = Swift.min(25, book.asks.count)
        var bidCursor = 0, askCursor = 0
        for i in 0 ..< Swift.max(bidCount, askCount) {
            if i < bidCount {
                separator()
                append(book.bids[i], isBid: true, previous: previousBids, cursor: &bidCursor, entries: &bids)
            }
            if i < askCount {
                separator()
                append(book.asks[i], isBid: false, previous: previousAsks, cursor: &askCursor, entries: &asks)
            }
        }
    }

    /// `:` between levels.
    mutating func separator() {
        guard count > 0 else { return }
        new.storeBytes(of: UInt8(ascii: ":"), toByteOffset: count, as: UInt8.self)
        count &+= 1
    }
}
