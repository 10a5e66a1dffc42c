import MarketModel
import VenueKit

extension Bitfinex {
    /// P0 book body, the scanner at its `[`: an array of levels `[[PRICE,COUNT,AMOUNT],...]`
    /// (possibly empty) — the snapshot when `chanID` awaits one (the first book message after
    /// `subscribed`), otherwise a bulk update (conf flag BULK_UPDATES) — or one update
    /// `[PRICE,COUNT,AMOUNT]` (what Bitfinex sends without the flag). COUNT > 0 sets the level
    /// (AMOUNT > 0 bid, < 0 ask, stored as a positive size); COUNT 0 deletes it (AMOUNT 1 bid,
    /// -1 ask) — docs.bitfinex.com ws-public books. The level arrays reuse the adapter's scratch
    /// storage (see `LevelScratch`).
    /// ```
    /// [232957,[[60400,1,0.68826974],[60397,1,1.17989099],[60407,1,-0.5]],526]   snapshot (or bulk update)
    /// [232957,[60418,1,0.6879704],527]                                          one level
    /// ```
    mutating func levels(_ s: inout JSONScanner, chanID: Int64) throws(VenueParseError) -> Levels {
        let isSnapshot = !awaitingSnapshot.isEmpty && awaitingSnapshot.contains(chanID)
        try s.beginArray()
        // An empty array: an empty book's snapshot, or (after the snapshot) a bulk update without
        // changes, which changes nothing.
        guard try s.nextElement() else { return (bids: [], asks: [], isSnapshot: isSnapshot) }
        var bids = bidScratch.take(minimumCapacity: 4), asks = askScratch.take(minimumCapacity: 4)
        defer { bidScratch.keep(bids); askScratch.keep(asks) }
        guard try s.peekKind() == .array else {
            try Self.level(&s, &bids, &asks)
            return (bids: bids, asks: asks, isSnapshot: false)
        }
        repeat {
            try s.beginArray()
            guard try s.nextElement() else { throw .missingField("PRICE") }
            try Self.level(&s, &bids, &asks)
        } while try s.nextElement()
        return (bids: bids, asks: asks, isSnapshot: isSnapshot)
    }

    /// Reads `PRICE,COUNT,AMOUNT]` with the scanner at PRICE.
    static func level(_ s: inout JSONScanner, _ bids: inout [BookLevel], _ asks: inout [BookLevel]) throws(VenueParseError) {
        let price = try s.readDecimal()
        guard try s.nextElement() else { throw .missingField("COUNT") }
        let count = try s.readInt64()
        guard try s.nextElement() else { throw .missingField("AMOUNT") }
        let amount = try s.readDecimal()
        while try s.nextElement() { try s.skipValue() }
        guard count >= 0, !amount.isZero else { throw .invalidValue("level", "COUNT must be ≥ 0 and AMOUNT non-zero") }
        let level = BookLevel(price: price, size: count == 0 ? .zero : amount.magnitude)
        if amount.isNegative { asks.append(level) } else { bids.append(level) }
    }

    /// The book lane: the two book frames of a Bitfinex update with BULK_UPDATES, SEQ_ALL and
    /// CHECKSUM on — a bulk update and the checksum that follows it — in their usual layout, read
    /// with one `LayoutReader` pass (see docs/adapters.md "The trade lane"):
    /// ```
    /// [232957,[[87411,2,0.5],[87413,0,-1],[87415,1,-0.25]],1042]
    /// [232957,"cs",-1582707309,1043]
    /// ```
    /// It produces exactly what ``parseChannel(_:_:_:)`` produces for these frames. `false`
    /// (nothing appended) sends the frame to that general path: any other channel or layout
    /// (whitespace, exponents such as `5e-7`, extra fields, a missing SEQ), a channel still
    /// waiting for its snapshot (the general path reads the snapshot and ends the wait), and every
    /// invalid value (negative COUNT, zero AMOUNT, a checksum outside int32), which the general
    /// path reports as a `VenueParseError`.
    mutating func layoutBook(_ message: UnsafeRawBufferPointer, _ context: ParseContext, _ output: inout VenueOutputs) -> Bool {
        var r = LayoutReader(message)
        guard r.literal("["), let chanID = r.integer(), let key = feedKey(chanID), key.feed == .book else { return false }
        if r.literal(#","cs","#) {
            guard let value = r.integer(), Int64(Int32.min) ... Int64(Int32.max) ~= value, r.literal(","), let seq = r.integer(),
                  r.literal("]"), r.isAtEnd else { return false }
            let update = BookUpdate(venue: .bitfinex, symbol: key.symbol, isSnapshot: false, bids: [], asks: [], tsExchange: nil,
                                    tsRecv: context.tsRecv)
            output.append(.connectionSequence(seq))
            output.append(.book(BookMessage(update: update, sequencing: .connectionSequence(seq),
                                            checksum: BookChecksum(expected: UInt32(truncatingIfNeeded: value), algorithm: .bitfinexTop25))))
            return true
        }
        guard awaitingSnapshot.isEmpty || !awaitingSnapshot.contains(chanID), r.literal(",[[") else { return false }
        var bids = bidScratch.take(minimumCapacity: 16), asks = askScratch.take(minimumCapacity: 16)
        defer { bidScratch.keep(bids); askScratch.keep(asks) }
        let isRead = LevelSink.collect { bidSink in
            LevelSink.collect { askSink in
                defer { bidSink.flush(into: &bids); askSink.flush(into: &asks) }
                repeat {
                    guard let price = r.decimal(), r.literal(","), let count = r.integer(), r.literal(","), let amount = r.decimal(),
                          r.literal("]"), count >= 0, !amount.isZero else { return false }
                    let level = BookLevel(price: price, size: count == 0 ? .zero : amount.magnitude)
                    if amount.isNegative { askSink.append(level, into: &asks) } else { bidSink.append(level, into: &bids) }
                } while r.literal(",[")
                return true
            }
        }
        guard isRead, r.literal("],"), let seq = r.integer(), r.literal("]"), r.isAtEnd else { return false }
        let update = BookUpdate(venue: .bitfinex, symbol: key.symbol, isSnapshot: false, bids: bids, asks: asks, tsExchange: nil,
                                tsRecv: context.tsRecv)
        output.append(.connectionSequence(seq))
        output.append(.book(BookMessage(update: update, sequencing: .connectionSequence(seq))))
        return true
    }
}
