import MarketModel
import VenueKit

/// Computes the venues' book checksums over a local book, from the levels' original text
/// (``FixedDecimal`` keeps the venue's digits). All are CRC-32/IEEE.
public enum BookChecksums {
    /// The checksum of `book` under `algorithm`. `scratch` is a reusable buffer.
    public static func compute(_ algorithm: ChecksumAlgorithm, book: OrderBook, scratch: inout [UInt8]) -> UInt32 {
        scratch.removeAll(keepingCapacity: true)
        switch algorithm {
        case .krakenTop10:
            // docs.kraken.com book-checksum-v2: asks low→high, then bids high→low, top 10 each;
            // price and qty with '.' removed and leading zeros stripped, concatenated.
            for level in book.asks.top(10) {
                level.price.writeKrakenChecksumDigits(into: &scratch)
                level.size.writeKrakenChecksumDigits(into: &scratch)
            }
            for level in book.bids.top(10) {
                level.price.writeKrakenChecksumDigits(into: &scratch)
                level.size.writeKrakenChecksumDigits(into: &scratch)
            }
        case .okxTop25Interleaved:
            // OKX v5 (historical): bid i then ask i for i < 25, "px:sz" joined by ':' over the
            // original strings.
            interleave(book, scratch: &scratch) { level, isAsk, out in
                level.price.write(into: &out)
                out.append(UInt8(ascii: ":"))
                level.size.write(into: &out)
            }
        case .bitfinexTop25:
            // docs.bitfinex.com ws-websocket-checksum: as OKX, but JS number form and the ask
            // amount negative (Bitfinex's own sign convention).
            interleave(book, scratch: &scratch) { level, isAsk, out in
                level.price.writeJavaScriptForm(into: &out)
                out.append(UInt8(ascii: ":"))
                (isAsk ? level.size.negated : level.size).writeJavaScriptForm(into: &out)
            }
        }
        return CRC32.checksum(scratch)
    }

    private static func interleave(_ book: OrderBook, scratch: inout [UInt8],
                                   _ write: (BookLevel, Bool, inout [UInt8]) -> Void) {
        let bidCount = Swift.min(25, book.bids.count)
        let askCount = Swift.min(25, book.asks.count)
        var first = true
        for i in 0 ..< Swift.max(bidCount, askCount) {
            if i < bidCount {
                if !first { scratch.append(UInt8(ascii: ":")) }
                first = false
                write(book.bids[i], false, &scratch)
            }
            if i < askCount {
                if !first { scratch.append(UInt8(ascii: ":")) }
                first = false
                write(book.asks[i], true, &scratch)
            }
        }
    }
}
