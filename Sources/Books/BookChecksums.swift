import MarketModel
import VenueKit

/// Computes the venues' book checksums over a local book, from the levels' original text
/// (``FixedDecimal`` keeps the venue's digits). All are CRC-32/IEEE.
public enum BookChecksums {
    /// Room for the longest checksum text: 50 levels × (2 numbers + 2 separators). Every number
    /// takes at most 41 bytes of the 48 reserved, so the word-wise copies, which may store up to
    /// 7 bytes past a part's end, stay inside the buffer.
    static let textCapacity = 50 * (2 * FixedDecimal.maxTextLength + 2)

    /// The checksum of `book` under `algorithm`, rendered from scratch. `scratch` is kept for
    /// source compatibility (its contents are unspecified afterwards).
    public static func compute(_ algorithm: ChecksumAlgorithm, book: OrderBook, scratch: inout [UInt8]) -> UInt32 {
        var cache = ChecksumTextCache()
        return compute(algorithm, book: book, cache: &cache)
    }

    /// The checksum of `book` under `algorithm`, re-rendering only the levels whose price or
    /// size text changed since the previous call with the same `cache`.
    ///
    /// Why: OKX-like streams change ~20 of the 50 levels a checksum covers per message. Each
    /// covered level's text part (`px:sz`, or Kraken's digits) lives in a slot of the cache; a
    /// per-side list of slot numbers, best first, says which parts make up the current top. A
    /// message then costs one compare per covered level (is the slot still this level?), a render
    /// per changed number, and one word-wise copy per part into the text the CRC runs over —
    /// instead of matching, copying and re-recording every part into a new generation.
    static func compute(_ algorithm: ChecksumAlgorithm, book: OrderBook, cache: inout ChecksumTextCache) -> UInt32 {
        cache.prepare(for: algorithm)
        // Kraken: top 10 per side (docs.kraken.com book-checksum-v2); OKX (historical) and
        // Bitfinex (docs.bitfinex.com ws-websocket-checksum): top 25 per side.
        switch algorithm {
        case .krakenTop10: cache.refresh(book, depth: 10, style: ChecksumTextCache.KrakenDigits.self)
        case .okxTop25Interleaved: cache.refresh(book, depth: 25, style: ChecksumTextCache.VenueText.self)
        case .bitfinexTop25: cache.refresh(book, depth: 25, style: ChecksumTextCache.JavaScriptForm.self)
        }
        return cache.checksum(interleaved: algorithm != .krakenTop10)
    }
}

/// The rendered text parts of the levels the last checksum covered, per side, in slots that
/// survive from one checksum to the next; and the buffer the text is assembled in.
///
/// Invariant (what makes the cache equal to a fresh rendering): every slot listed in a side's
/// order holds exactly the rendering, in the cache's style, of the price and size recorded with
/// it, and the order lists the side's best levels, best first, by those prices and sizes. A slot
/// is reused only when its recorded price has the same digits and scale as the book's level (the
/// text is a function of both), and its size part is re-rendered whenever the size's digits or
/// scale differ; the style changes only with the algorithm, which clears the orders.
struct ChecksumTextCache: Sendable {
    /// How a level's part is rendered: one type per venue rule, so that ``refresh(_:depth:style:)``
    /// is compiled once per renderer (no per-number switch, and the merge loop shares its
    /// registers with one renderer's code only).
    protocol Style {
        /// Renders a level's price part at `p` and returns its length.
        static func renderPrice(_ price: FixedDecimal, at p: UnsafeMutableRawPointer) -> Int
        /// Renders the rest of a level's part after its price at `p` and returns its length.
        static func renderSize(_ size: FixedDecimal, isAsk: Bool, at p: UnsafeMutableRawPointer) -> Int
    }

    /// Kraken: price digits then size digits, no point, no leading zeros.
    enum KrakenDigits: Style {
        @inline(always)
        static func renderPrice(_ price: FixedDecimal, at p: UnsafeMutableRawPointer) -> Int {
            price.writeKrakenChecksumDigits(to: p)
        }

        @inline(always)
        static func renderSize(_ size: FixedDecimal, isAsk: Bool, at p: UnsafeMutableRawPointer) -> Int {
            size.writeKrakenChecksumDigits(to: p)
        }
    }

    /// OKX: `px:sz:` in the venue's text (the last part's `:` is cut off when assembling).
    enum VenueText: Style {
        @inline(always)
        static func renderPrice(_ price: FixedDecimal, at p: UnsafeMutableRawPointer) -> Int {
            price.writeShortText(to: p)
        }

        @inline(always)
        static func renderSize(_ size: FixedDecimal, isAsk: Bool, at p: UnsafeMutableRawPointer) -> Int {
            p.storeBytes(of: UInt8(ascii: ":"), as: UInt8.self)
            let end = 1 &+ size.writeShortText(to: p + 1)
            p.storeBytes(of: UInt8(ascii: ":"), toByteOffset: end, as: UInt8.self)  // after the renderer's junk stores
            return end &+ 1
        }
    }

    /// Bitfinex: `px:sz:` in JavaScript number form, ask amounts negative.
    enum JavaScriptForm: Style {
        @inline(always)
        static func renderPrice(_ price: FixedDecimal, at p: UnsafeMutableRawPointer) -> Int {
            price.writeShortJavaScriptForm(to: p)
        }

        @inline(always)
        static func renderSize(_ size: FixedDecimal, isAsk: Bool, at p: UnsafeMutableRawPointer) -> Int {
            p.storeBytes(of: UInt8(ascii: ":"), as: UInt8.self)
            let end = 1 &+ (isAsk ? size.negated : size).writeShortJavaScriptForm(to: p + 1)
            p.storeBytes(of: UInt8(ascii: ":"), toByteOffset: end, as: UInt8.self)
            return end &+ 1
        }
    }

    /// What a slot holds: the numbers its text was rendered from and the text's lengths.
    struct Part: Sendable {
        var price: FixedDecimal
        var size: FixedDecimal
        /// The whole part's length, with the `:` that follows every part in the interleaved
        /// styles (OKX, Bitfinex): assembling the text is then one copy per part.
        var length: Int32
        /// How much of the part is the price's text (what a size-only change keeps).
        var priceLength: Int32
    }

    /// Slots per side: at most 25 are listed, and a refresh allocates at most 25 new ones while
    /// the previous 25 may still be listed, so 64 always leaves a free one (one `UInt64` mask).
    static let slotsPerSide = 64
    /// Bytes per slot: a part is at most 41 + 1 + 41 + 1 bytes, and the renderers store whole
    /// words up to 48 bytes past where a number starts (the size starts at most 42 bytes in).
    static let slotStride = 96
    /// Room per side in ``order`` (25 used).
    static let orderStride = 32

    /// The algorithm the parts were rendered for.
    var algorithm: ChecksumAlgorithm?
    /// Slot metadata, `slotsPerSide` per side (bids first).
    var parts: [Part] = []
    /// Slot text, `slotStride` bytes per slot, in the same order as ``parts``.
    var partText: [UInt8] = []
    /// Per side, the listed slots (numbers within the side), best first.
    var order: [UInt8] = []
    /// How many slots each side lists (bids, asks).
    var counts = (0, 0)
    /// Where the checksum text is assembled (``BookChecksums/textCapacity`` bytes).
    var text: [UInt8] = []

    /// Sizes the buffers once; forgets the parts when the algorithm changes (another style).
    mutating func prepare(for algorithm: ChecksumAlgorithm) {
        if self.algorithm != algorithm {
            self.algorithm = algorithm
            counts = (0, 0)
        }
        let slots = 2 * Self.slotsPerSide
        if parts.count < slots {
            parts = Array(repeating: Part(price: .zero, size: .zero, length: 0, priceLength: 0), count: slots)
            partText = [UInt8](repeating: 0, count: slots * Self.slotStride)
            order = [UInt8](repeating: 0, count: 2 * Self.orderStride)
            text = [UInt8](repeating: 0, count: BookChecksums.textCapacity)
            counts = (0, 0)
        }
    }

    /// Brings both sides up to date with `book`'s best `depth` levels, rendered in `style`.
    mutating func refresh<S: Style>(_ book: OrderBook, depth: Int, style: S.Type) {
        book.bids.levels.withUnsafeBufferPointer { refresh(side: 0, with: $0, depth: depth, style: style) }
        book.asks.levels.withUnsafeBufferPointer { refresh(side: 1, with: $0, depth: depth, style: style) }
    }

    /// Brings side `side` (0 bids, 1 asks) up to date with the best `depth` of `levels`
    /// (worst → best, ``BookSide`` order): slots whose level is unchanged are kept, a changed
    /// size is re-rendered in its slot, a level not listed before gets a free slot.
    mutating func refresh<S: Style>(side: Int, with levels: UnsafeBufferPointer<BookLevel>, depth: Int, style: S.Type) {
        let isAsk = side == 1
        let previousCount = isAsk ? counts.1 : counts.0
        let count = Swift.min(depth, levels.count)
        if isAsk { counts.1 = count } else { counts.0 = count }
        guard count > 0, let levelBase = levels.baseAddress else { return }
        parts.withUnsafeMutableBufferPointer { partsBuffer in
            partText.withUnsafeMutableBytes { textBuffer in
                order.withUnsafeMutableBufferPointer { orderBuffer in
                    withUnsafeTemporaryAllocation(of: UInt8.self, capacity: Self.orderStride) { previousBuffer in
                        guard let partBase = partsBuffer.baseAddress, let textBase = textBuffer.baseAddress,
                              let orderBase = orderBuffer.baseAddress, let previous = previousBuffer.baseAddress else { return }
                        let sideParts = partBase + side &* Self.slotsPerSide
                        let sideText = textBase + side &* Self.slotsPerSide &* Self.slotStride
                        let sideOrder = orderBase + side &* Self.orderStride
                        // The previous list (the new one is written over it) and the slots it holds:
                        // those are not free while the merge below may still match them.
                        var inUse: UInt64 = 0
                        for i in 0 ..< previousCount {
                            previous[i] = sideOrder[i]
                            inUse |= 1 &<< UInt64(sideOrder[i])
                        }
                        var cursor = 0
                        let top = levels.count &- 1
                        for rank in 0 ..< count {
                            let level = levelBase[top &- rank]
                            // Both lists are best first: previous parts better than `level` that do not
                            // match it have left the top (a level still there would have matched at its
                            // own, better rank), so they are passed; one worse than `level` waits for a
                            // later level.
                            var slot = -1
                            while cursor < previousCount {
                                let candidate = Int(previous[cursor])
                                let price = sideParts[candidate].price
                                if price.mantissa == level.price.mantissa && price.scale == level.price.scale {
                                    slot = candidate
                                    cursor &+= 1
                                    break
                                }
                                let c = FixedDecimal.compare(price, level.price)
                                if isAsk ? c > 0 : c < 0 { break }  // `level` is better: new in the top
                                cursor &+= 1  // better than `level` (or the same value in other digits): gone
                            }
                            if slot >= 0 {
                                let part = sideParts + slot
                                if part.pointee.size.mantissa != level.size.mantissa || part.pointee.size.scale != level.size.scale {
                                    let p = sideText + slot &* Self.slotStride
                                    let priceLength = Int(part.pointee.priceLength)
                                    let sizeLength = S.renderSize(level.size, isAsk: isAsk, at: p + priceLength)
                                    part.pointee.size = level.size
                                    part.pointee.length = Int32(truncatingIfNeeded: priceLength &+ sizeLength)
                                }
                            } else {
                                // At most 25 previous and 25 new slots are taken: one of 64 is free.
                                slot = (~inUse).trailingZeroBitCount
                                inUse |= 1 &<< UInt64(slot)
                                let p = sideText + slot &* Self.slotStride
                                let priceLength = S.renderPrice(level.price, at: p)
                                let sizeLength = S.renderSize(level.size, isAsk: isAsk, at: p + priceLength)
                                sideParts[slot] = Part(price: level.price, size: level.size,
                                                       length: Int32(truncatingIfNeeded: priceLength &+ sizeLength),
                                                       priceLength: Int32(truncatingIfNeeded: priceLength))
                            }
                            sideOrder[rank] = UInt8(truncatingIfNeeded: slot)
                        }
                    }
                }
            }
        }
    }

    /// Assembles the text from the listed parts and returns its CRC-32: OKX and Bitfinex
    /// (`interleaved`) bid 0, ask 0, bid 1, … each followed by `:` except the last (the parts
    /// carry their `:`; the last one is cut off); Kraken all asks then all bids, no separators.
    mutating func checksum(interleaved: Bool) -> UInt32 {
        let (bidCount, askCount) = counts
        let length = text.withUnsafeMutableBytes { textBuffer -> Int in
            parts.withUnsafeBufferPointer { partsBuffer -> Int in
                partText.withUnsafeBytes { slotBuffer -> Int in
                    order.withUnsafeBufferPointer { orderBuffer -> Int in
                        guard let out = textBuffer.baseAddress, let partBase = partsBuffer.baseAddress,
                              let slotBase = slotBuffer.baseAddress, let orderBase = orderBuffer.baseAddress else { return 0 }
                        let bids = (parts: partBase, text: slotBase, order: orderBase)
                        let asks = (parts: partBase + Self.slotsPerSide, text: slotBase + Self.slotsPerSide &* Self.slotStride,
                                    order: orderBase + Self.orderStride)
                        var n = 0
                        if interleaved {
                            for rank in 0 ..< Swift.max(bidCount, askCount) {
                                if rank < bidCount { n = Self.append(bids, rank, to: out, at: n) }
                                if rank < askCount { n = Self.append(asks, rank, to: out, at: n) }
                            }
                            if n > 0 { n &-= 1 }  // no `:` after the last part
                        } else {
                            for rank in 0 ..< askCount { n = Self.append(asks, rank, to: out, at: n) }
                            for rank in 0 ..< bidCount { n = Self.append(bids, rank, to: out, at: n) }
                        }
                        return n
                    }
                }
            }
        }
        return text.withUnsafeBytes { CRC32.checksum(UnsafeRawBufferPointer(rebasing: $0[0 ..< length])) }
    }

    /// Copies the part listed at `rank` of a side (its slot metadata, slot text and order) to
    /// `out + n` and returns the text's new end. A function returning the end, not a closure
    /// updating a captured count: the count then stays in a register.
    @inline(always)
    static func append(_ side: (parts: UnsafePointer<Part>, text: UnsafeRawPointer, order: UnsafePointer<UInt8>), _ rank: Int,
                       to out: UnsafeMutableRawPointer, at n: Int) -> Int {
        let slot = Int(side.order[rank])
        let length = Int(side.parts[slot].length)
        let source = side.text + slot &* slotStride
        // Whole words: reads stay inside the 96-byte slot, stores inside the text's room.
        // Three unconditional words cover the usual part (OKX `px:sz:` ≤ 24 bytes) without a
        // loop; longer parts continue word by word.
        let target = out + n
        target.storeBytes(of: source.loadUnaligned(as: UInt64.self), as: UInt64.self)
        target.storeBytes(of: source.loadUnaligned(fromByteOffset: 8, as: UInt64.self), toByteOffset: 8, as: UInt64.self)
        target.storeBytes(of: source.loadUnaligned(fromByteOffset: 16, as: UInt64.self), toByteOffset: 16, as: UInt64.self)
        var i = 24
        while i < length {
            target.storeBytes(of: source.loadUnaligned(fromByteOffset: i, as: UInt64.self), toByteOffset: i, as: UInt64.self)
            i &+= 8
        }
        return n &+ length
    }
}
