import MarketModel

/// An L2 book message as the adapter extracted it: the levels, plus the venue's sequencing and
/// checksum numbers. Adapters only extract; `Books` (BookSynchronizer) checks continuity and
/// checksums, buffers for REST bootstraps and decides on resyncs.
public struct BookMessage: Sendable, Hashable {
    /// The levels (snapshot or delta). May be empty: an OKX no-change keep-alive, or a Bitfinex
    /// checksum message (then `update.isSnapshot == false` and only ``checksum`` is set).
    public var update: BookUpdate
    /// The venue's sequence numbers for this message.
    public var sequencing: BookSequencing
    /// The venue's checksum over the book *after* applying this message, if it sent one.
    public var checksum: BookChecksum?

    /// Memberwise initializer.
    public init(update: BookUpdate, sequencing: BookSequencing = .none, checksum: BookChecksum? = nil) {
        self.update = update
        self.sequencing = sequencing
        self.checksum = checksum
    }
}

/// The venue's sequence numbers, exactly as sent. Each case names the rule `Books` applies.
public enum BookSequencing: Sendable, Hashable {
    /// No sequence numbers (Kraken v2 — checksum only; BitMEX; Bitfinex without SEQ_ALL).
    case none
    /// A REST snapshot's `lastUpdateId` (Binance spot and USD-M `GET depth`).
    case restSnapshot(lastUpdateID: Int64)
    /// Binance spot diff depth: `U` (first) and `u` (last update id). After the snapshot, drop
    /// `u <= lastUpdateId`; the first applied must have `U <= lastUpdateId+1 <= u`; then each
    /// `U == previous u + 1`.
    case binanceSpot(firstUpdateID: Int64, lastUpdateID: Int64)
    /// Binance USD-M diff depth: `U`, `u` and `pu` (previous event's `u`). First applied must
    /// have `U <= lastUpdateId <= u`; then `pu == previous u` (ids are not contiguous).
    case binanceFutures(firstUpdateID: Int64, lastUpdateID: Int64, previousLastUpdateID: Int64)
    /// OKX `seqId` / `prevSeqId` (snapshot `prevSeqId == -1`; no-change keep-alives have
    /// `seqId == prevSeqId`): each update needs `prevSeqId == previous seqId`.
    case okx(seqID: Int64, prevSeqID: Int64)
    /// Deribit `change_id` / `prev_change_id` (`nil` on the snapshot): each change needs
    /// `prev_change_id == previous change_id`.
    case deribit(changeID: Int64, prevChangeID: Int64?)
    /// Bybit update id `u`: a snapshot resets (also `u == 1` after a service restart); deltas
    /// need `u` strictly above the previous one.
    case bybit(updateID: Int64)
    /// A per-connection message sequence (Coinbase Advanced Trade `sequence_num`, Bitfinex
    /// SEQ_ALL). Other channels and heartbeats share the counter, so a book only checks that it
    /// increases; contiguity is checked per connection from ``VenueOutput/connectionSequence(_:)``.
    case connectionSequence(Int64)
}

/// A checksum the venue sent, to compare with the local book after applying the message.
public struct BookChecksum: Sendable, Hashable {
    /// The venue's value as an unsigned 32-bit pattern. For venues that send a signed int32
    /// (OKX, Bitfinex) pass `UInt32(bitPattern: Int32(value))`.
    public var expected: UInt32
    /// Which string the CRC is computed over.
    public var algorithm: ChecksumAlgorithm

    /// Memberwise initializer.
    public init(expected: UInt32, algorithm: ChecksumAlgorithm) {
        self.expected = expected
        self.algorithm = algorithm
    }
}

/// The book checksum algorithms (all CRC-32/IEEE over ASCII built from the book's top levels).
public enum ChecksumAlgorithm: String, Sendable, Hashable, CaseIterable {
    /// Kraken WS v2: top 10 asks (low→high) then top 10 bids (high→low), each level's price and
    /// qty text with `.` removed and leading zeros stripped, concatenated (docs.kraken.com
    /// book-checksum-v2). Unsigned result.
    case krakenTop10 = "kraken-v2-top10"
    /// OKX (historical; now always 0): for i in 0..<25 `bidPx:bidSz` then `askPx:askSz` (each
    /// if present), joined with `:` over the original strings; signed int32 on the wire.
    case okxTop25Interleaved = "okx-top25-interleaved"
    /// Bitfinex (flag 131072): as OKX but numbers in JavaScript's shortest form and the ask
    /// amount negative; signed int32 on the wire (docs.bitfinex.com ws-websocket-checksum).
    case bitfinexTop25 = "bitfinex-top25"
}
