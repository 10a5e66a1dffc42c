import MarketModel
import VenueKit

/// Computes the venues' book checksums over a local book, from the levels' original text
/// (``FixedDecimal`` keeps the venue's digits). All are CRC-32/IEEE.
public enum BookChecksums {
    /// Room for the longest checksum text: 50 levels × (2 numbers + 2 separators). Every number
    /// takes at most 41 bytes of the 48 reserved, so the word-wise stores and copies, which may
    /// run up to 7 (copies) or 47 (renderers) bytes past a part's end, stay inside the buffer.
    static let textCapacity = 50 * (2 * FixedDecimal.maxTextLength + 2)

    /// The checksum of `book` under `algorithm`. `scratch` is a reusable buffer (working storage:
    /// its contents are unspecified afterwards).
    public static func compute(_ algorithm: ChecksumAlgorithm, book: OrderBook, scratch: inout [UInt8]) -> UInt32 {
        var cache = ChecksumTextCache()
        swap(&cache.nextText, &scratch)
        let crc = compute(algorithm, book: book, cache: &cache)
        swap(&cache.text, &scratch)
        return crc
    }

    /// The checksum of `book` under `algorithm`, re-rendering only the levels whose price or
    /// size text changed since the previous call with the same `cache`; the others' text is
    /// copied from the previous checksum text.
    ///
    /// Why a cache: OKX-like streams change ~20 of the 50 levels a checksum covers per message;
    /// rendering a level costs ~180 instructions (two numbers), copying its text ~25. The
    /// bookkeeping runs on raw pointers (no per-level `Array.append` or `memmove` call).
    static func compute(_ algorithm: ChecksumAlgorithm, book: OrderBook, cache: inout ChecksumTextCache) -> UInt32 {
        cache.prepare(for: algorithm)
        let style: ChecksumTextWriter.Style = algorithm == .krakenTop10 ? .krakenDigits
            : algorithm == .bitfinexTop25 ? .javaScript : .venueText
        // Moved out of the cache for the duration (no overlapping accesses to `cache`).
        let text = cache.text, previousBidEntries = cache.bids, previousAskEntries = cache.asks
        let previousBidCount = cache.bidCount, previousAskCount = cache.askCount
        var nextText = cache.nextText, nextBids = cache.nextBids, nextAsks = cache.nextAsks
        cache.nextText = []
        cache.nextBids = []
        cache.nextAsks = []
        var nextBidCount = 0, nextAskCount = 0
        let count = text.withUnsafeBytes { old -> Int in
            nextText.withUnsafeMutableBytes { new -> Int in
                previousBidEntries.withUnsafeBufferPointer { previousBids -> Int in
                    previousAskEntries.withUnsafeBufferPointer { previousAsks -> Int in
                        nextBids.withUnsafeMutableBufferPointer { bids -> Int in
                            nextAsks.withUnsafeMutableBufferPointer { asks -> Int in
                                book.bids.levels.withUnsafeBufferPointer { bookBids -> Int in
                                    book.asks.levels.withUnsafeBufferPointer { bookAsks -> Int in
                                        guard let oldBase = old.baseAddress, let newBase = new.baseAddress,
                                              let pb = previousBids.baseAddress, let pa = previousAsks.baseAddress,
                                              let nb = bids.baseAddress, let na = asks.baseAddress else { return 0 }
                                        var writer = ChecksumTextWriter(old: oldBase, new: newBase, style: style)
                                        var bidSide = ChecksumSideCursor(levels: bookBids, isBid: true, previous: pb,
                                                                         previousCount: previousBidCount, entries: nb)
                                        var askSide = ChecksumSideCursor(levels: bookAsks, isBid: false, previous: pa,
                                                                         previousCount: previousAskCount, entries: na)
                                        switch algorithm {
                                        case .krakenTop10:
                                            // docs.kraken.com book-checksum-v2: asks low→high, then bids high→low, top 10
                                            // each; price and qty with '.' removed and leading zeros stripped, concatenated.
                                            for rank in 0 ..< Swift.min(10, bookAsks.count) { writer.append(rank, of: &askSide) }
                                            for rank in 0 ..< Swift.min(10, bookBids.count) { writer.append(rank, of: &bidSide) }
                                        case .okxTop25Interleaved, .bitfinexTop25:
                                            // OKX v5 (historical): bid i then ask i for i < 25, "px:sz" joined by ':' over
                                            // the original strings. Bitfinex (docs.bitfinex.com ws-websocket-checksum): the
                                            // same in JavaScript number form with the ask amount negative. Every part is
                                            // followed by ':'; the last one is dropped below.
                                            let bidCount = Swift.min(25, bookBids.count), askCount = Swift.min(25, bookAsks.count)
                                            for rank in 0 ..< Swift.max(bidCount, askCount) {
                                                if rank < bidCount { writer.append(rank, of: &bidSide); writer.separator() }
                                                if rank < askCount { writer.append(rank, of: &askSide); writer.separator() }
                                            }
                                            if writer.count > 0 { writer.count &-= 1 }
                                        }
                                        nextBidCount = bidSide.count
                                        nextAskCount = askSide.count
                                        return writer.count
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        cache.nextText = nextText
        cache.nextBids = nextBids
        cache.nextAsks = nextAsks
        cache.nextBidCount = nextBidCount
        cache.nextAskCount = nextAskCount
        cache.swapGenerations()
        return cache.text.withUnsafeBytes { CRC32.checksum(UnsafeRawBufferPointer(rebasing: $0[0 ..< count])) }
    }
}

/// The text of the last checksum and where each level's part of it sits, per side, best first.
struct ChecksumTextCache: Sendable {
    /// One level's part of the text (`px:sz`, or Kraken's digits): the level's numbers (their
    /// digits and scale decide the text) and where the part sits.
    struct Entry: Sendable {
        var price: FixedDecimal
        var size: FixedDecimal
        var offset: Int32
        var length: Int32
        /// How much of the part is the price's text (what a size-only change can copy).
        var priceLength: Int32
    }

    /// At most 25 levels per side are part of a checksum.
    static let entryCapacity = 25

    /// The algorithm the text was built for.
    var algorithm: ChecksumAlgorithm?
    /// The last checksum text (``BookChecksums/textCapacity`` bytes; the text is its prefix).
    var text: [UInt8] = []
    /// The levels of ``text``, best first: the first ``bidCount`` / ``askCount`` are valid.
    var bids: [Entry] = [], asks: [Entry] = []
    var bidCount = 0, askCount = 0
    /// Storage for the next generation (swapped with the current one after each checksum).
    var nextText: [UInt8] = [], nextBids: [Entry] = [], nextAsks: [Entry] = []
    var nextBidCount = 0, nextAskCount = 0

    /// Sizes the buffers once; forgets the previous text when the algorithm changes (another
    /// rendering style).
    mutating func prepare(for algorithm: ChecksumAlgorithm) {
        if self.algorithm != algorithm {
            self.algorithm = algorithm
            bidCount = 0
            askCount = 0
        }
        let blank = Entry(price: .zero, size: .zero, offset: 0, length: 0, priceLength: 0)
        let capacity = BookChecksums.textCapacity
        if text.count < capacity { text = [UInt8](repeating: 0, count: capacity); bidCount = 0; askCount = 0 }
        if nextText.count < capacity { nextText = [UInt8](repeating: 0, count: capacity) }
        if bids.count < Self.entryCapacity { bids = Array(repeating: blank, count: Self.entryCapacity); bidCount = 0 }
        if asks.count < Self.entryCapacity { asks = Array(repeating: blank, count: Self.entryCapacity); askCount = 0 }
        if nextBids.count < Self.entryCapacity { nextBids = Array(repeating: blank, count: Self.entryCapacity) }
        if nextAsks.count < Self.entryCapacity { nextAsks = Array(repeating: blank, count: Self.entryCapacity) }
    }

    /// Makes the generation just written the current one.
    mutating func swapGenerations() {
        swap(&text, &nextText)
        swap(&bids, &nextBids)
        swap(&asks, &nextAsks)
        bidCount = nextBidCount
        askCount = nextAskCount
    }
}

/// One book side as the checksum walks it, best first, with the previous checksum's entries of
/// that side (also best first) and a cursor into them.
struct ChecksumSideCursor {
    /// The side's levels, worst → best (``BookSide`` order).
    let levels: UnsafeBufferPointer<BookLevel>
    let isBid: Bool
    let previous: UnsafePointer<ChecksumTextCache.Entry>
    let previousCount: Int
    /// The first previous entry not yet passed.
    var cursor = 0
    /// Where this generation's entries go, and how many were written.
    let entries: UnsafeMutablePointer<ChecksumTextCache.Entry>
    var count = 0

    init(levels: UnsafeBufferPointer<BookLevel>, isBid: Bool, previous: UnsafePointer<ChecksumTextCache.Entry>,
         previousCount: Int, entries: UnsafeMutablePointer<ChecksumTextCache.Entry>) {
        self.levels = levels
        self.isBid = isBid
        self.previous = previous
        self.previousCount = previousCount
        self.entries = entries
    }

    /// The previous entry with the same price text as `level`, if any (its size may differ).
    /// Previous entries better than `level` are passed (both lists are sorted best first, so they
    /// cannot match a later, worse level either).
    @inline(__always)
    mutating func match(_ level: BookLevel) -> ChecksumTextCache.Entry? {
        while cursor < previousCount {
            let entry = previous[cursor]
            if ChecksumTextWriter.isSameText(entry.price, level.price) {
                cursor &+= 1
                return entry
            }
            let c = FixedDecimal.compare(entry.price, level.price)
            guard isBid ? c > 0 : c < 0 else { return nil }
            cursor &+= 1
        }
        return nil
    }
}

/// Assembles a checksum text, copying each level's part from the previous text when the level
/// is unchanged (same price and size digits), copying its price and rendering its size when only
/// the size changed (the usual delta), and rendering it otherwise.
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

    let old: UnsafeRawPointer
    let new: UnsafeMutableRawPointer
    let style: Style
    var count = 0

    init(old: UnsafeRawPointer, new: UnsafeMutableRawPointer, style: Style) {
        self.old = old
        self.new = new
        self.style = style
    }

    /// Same digits and scale (the text is a function of both).
    @inline(__always)
    static func isSameText(_ a: FixedDecimal, _ b: FixedDecimal) -> Bool {
        a.mantissa == b.mantissa && a.scale == b.scale
    }

    /// Appends the part of the level at `rank` (0 = best) of `side`: copied from the previous
    /// text when the same level is there, its price copied and size rendered when only the size
    /// changed, rendered otherwise; records it in the side's entries.
    @inline(__always)
    mutating func append(_ rank: Int, of side: inout ChecksumSideCursor) {
        let level = side.levels[side.levels.count &- 1 &- rank]
        let start = count
        let priceLength: Int
        if let entry = side.match(level) {
            priceLength = Int(entry.priceLength)
            if ChecksumTextWriter.isSameText(entry.size, level.size) {
                ChecksumTextWriter.copy(from: old + Int(entry.offset), to: new + start, count: Int(entry.length))
                count &+= Int(entry.length)
            } else {
                // The copy may store up to 7 bytes past the price: the size is written over them.
                ChecksumTextWriter.copy(from: old + Int(entry.offset), to: new + start, count: priceLength)
                count &+= priceLength
                count &+= renderSize(level.size, isAsk: !side.isBid, at: new + count)
            }
        } else {
            priceLength = renderPrice(level.price, at: new + start)
            count &+= priceLength
            count &+= renderSize(level.size, isAsk: !side.isBid, at: new + count)
        }
        (side.entries + side.count).initialize(to: ChecksumTextCache.Entry(
            price: level.price, size: level.size, offset: Int32(truncatingIfNeeded: start),
            length: Int32(truncatingIfNeeded: count &- start), priceLength: Int32(truncatingIfNeeded: priceLength)))
        side.count &+= 1
    }

    /// Copies `count` bytes as 8-byte words (the buffers have room for up to 7 bytes more).
    @inline(__always)
    static func copy(from source: UnsafeRawPointer, to target: UnsafeMutableRawPointer, count: Int) {
        var i = 0
        while i < count {
            target.storeBytes(of: source.loadUnaligned(fromByteOffset: i, as: UInt64.self), toByteOffset: i, as: UInt64.self)
            i &+= 8
        }
    }

    /// Renders the price of a level's part at `p` and returns its length.
    func renderPrice(_ price: FixedDecimal, at p: UnsafeMutableRawPointer) -> Int {
        switch style {
        case .krakenDigits: return price.writeKrakenChecksumDigits(to: p)
        case .venueText: return price.writeText(to: p)
        case .javaScript: return price.writeJavaScriptForm(to: p)
        }
    }

    /// Renders the rest of a level's part after its price (`:` and the size, or Kraken's size
    /// digits) at `p` and returns its length.
    func renderSize(_ size: FixedDecimal, isAsk: Bool, at p: UnsafeMutableRawPointer) -> Int {
        switch style {
        case .krakenDigits:
            return size.writeKrakenChecksumDigits(to: p)
        case .venueText:
            p.storeBytes(of: UInt8(ascii: ":"), as: UInt8.self)
            return 1 &+ size.writeText(to: p + 1)
        case .javaScript:
            p.storeBytes(of: UInt8(ascii: ":"), as: UInt8.self)
            return 1 &+ (isAsk ? size.negated : size).writeJavaScriptForm(to: p + 1)
        }
    }

    /// `:` after a level's part.
    @inline(__always)
    mutating func separator() {
        new.storeBytes(of: UInt8(ascii: ":"), toByteOffset: count, as: UInt8.self)
        count &+= 1
    }
}
