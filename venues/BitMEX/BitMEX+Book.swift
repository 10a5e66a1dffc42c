import MarketModel
import VenueKit

extension BitMEX {
    // {"table":"orderBookL2_25","action":"update","data":[{"symbol":"XBTUSD","id":8798309800,"side":"Buy",
    //  "size":42800,"price":26902,"timestamp":"2023-05-19T08:51:44.911Z"}]}
    // Since 2023 ids are arbitrary and `price` comes on every action (BMX-ID); every row has a
    // `timestamp` (BMX-TS). Rows are checked here, before the id map changes (`LevelIDMap.Row.check`:
    // partial and insert need side, size and price, update needs size, delete needs only the id).
    mutating func appendRow(_ f: Fields, symbol: Symbol, action: LevelIDMap.Action) throws(VenueParseError) {
        let row = Row(symbolIndex: rowSymbolIndex(symbol), id: try f.id.required("id"), isBid: f.side.map { $0 == .buy },
                      size: f.size, price: f.price, time: f.ts)
        try row.check(for: action)
        rows.append(row)
    }

    /// `symbol`'s index in ``rowSymbols``, appended on its first row in the message (a message
    /// has one symbol, so this is one comparison).
    mutating func rowSymbolIndex(_ symbol: Symbol) -> Int {
        if let index = rowSymbols.firstIndex(of: symbol) { return index }
        rowSymbols.append(symbol)
        return rowSymbols.count - 1
    }

    /// What the rows of one message repeat, for ``appendCompactBookRow(_:_:)``: the last compact
    /// row's head (`{"symbol":"XBTUSD","id":`, with its symbol's index) and tail
    /// (`,"timestamp":"…","transactTime":"…"}`, with its time) as stretches of the message (plain
    /// offsets and counts, 0 for none: optional tuples here cost generic value-witness calls per
    /// row), and the last symbol name and time texts for rows that repeat only those.
    struct RowRepeats {
        var headStart = 0, headCount = 0, headIndex = 0
        var tailStart = 0, tailCount = 0, tailTime: Nanoseconds = 0
        var name: (text: JSONString, index: Int)?
        var time: (text: JSONString, ns: Nanoseconds)?
        var transactTime: JSONString?
    }

    /// A book row in BitMEX's own compact order, `{"symbol":"XBTUSD","id":8798309800,"side":"Buy",
    /// "size":42800,"price":26902,"timestamp":"…"}` with an optional `"transactTime":"…"` last, read
    /// in one pass (fixed-word key compares, no per-key lookup) and appended to ``rows`` directly:
    /// it has every field any action needs, so ``appendRow(_:symbol:action:)``'s checks pass by
    /// construction. The rows of a message repeat their head and tail byte for byte, so those are
    /// compared with the last row's as whole words (`consumeRepeat`); failing that, the symbol
    /// name and the times are compared with the last ones. Returns `false`, consuming nothing,
    /// for any other row (other order or keys, `null`s, whitespace, unknown symbols, bad values):
    /// ``readFields(_:_:)`` then reads it and reports what is wrong.
    mutating func appendCompactBookRow(_ s: inout JSONScanner, _ repeats: inout RowRepeats) -> Bool {
        // A new symbol name is looked up here but registered in `rowSymbols` only once the whole
        // row has been read: a row the general reader takes over may name another symbol.
        // The head's end when it was read rather than repeated (kept out of the closure's result,
        // which the optimizer then handles as plain values).
        // The same goes for a newly looked-up symbol: a result holding a 33-byte `Symbol` next to
        // the row is copied with `memcpy` calls (~2k instructions per update).
        let rowStart = s.position
        var headEnd = -1
        var new: (symbol: Symbol, name: JSONString)?
        let parsed = s.attempt { s -> Row? in
            var index = -1
            if s.consumeRepeat(ofBytesAt: repeats.headStart, count: repeats.headCount) {
                index = repeats.headIndex
            } else {
                guard s.consume(#"{"symbol":"#) else { return nil }
                if let last = repeats.name, s.consumeString(sameAs: last.text) {
                    index = last.index
                } else {
                    guard let name = try? s.readString(), let known = symbols.lookup(name) else { return nil }
                    new = (known, name)
                }
                guard s.consume(#","id":"#) else { return nil }
                headEnd = s.position
            }
            guard let id = try? s.readInt64(), s.consume(#","side":""#) else { return nil }
            let isBid: Bool
            if s.consume(#"Buy""#) { isBid = true } else if s.consume(#"Sell""#) { isBid = false } else { return nil }
            guard s.consume(#","size":"#), let size = s.readCompactDecimal(), s.consume(#","price":"#),
                  let price = s.readCompactDecimal() else { return nil }
            if s.consumeRepeat(ofBytesAt: repeats.tailStart, count: repeats.tailCount) {
                return Row(symbolIndex: index, id: id, isBid: isBid, size: size, price: price, time: repeats.tailTime)
            }
            let tailStart = s.position
            guard s.consume(#","timestamp":"#) else { return nil }
            let ts: Nanoseconds
            if let last = repeats.time, s.consumeString(sameAs: last.text) {
                ts = last.ns
            } else {
                guard let text = try? s.readString(), let ns = try? clock.nanoseconds(text) else { return nil }
                repeats.time = (text, ns)
                ts = ns
            }
            if s.consume(#","transactTime":"#) {
                if let last = repeats.transactTime, s.consumeString(sameAs: last) {
                    // Validated with an earlier row.
                } else {
                    guard let text = s.readCompactString() else { return nil }
                    repeats.transactTime = text
                }
            }
            guard s.consume("}") else { return nil }
            // A validated stretch with its time, whether or not the rest of the row succeeds.
            (repeats.tailStart, repeats.tailCount, repeats.tailTime) = (tailStart, s.position - tailStart, ts)
            return Row(symbolIndex: index, id: id, isBid: isBid, size: size, price: price, time: ts)
        }
        guard var row = parsed else { return false }
        if let new {
            row.symbolIndex = rowSymbolIndex(new.symbol)
            repeats.name = (new.name, row.symbolIndex)
        }
        if headEnd >= 0 { (repeats.headStart, repeats.headCount, repeats.headIndex) = (rowStart, headEnd - rowStart, row.symbolIndex) }
        rows.append(row)
        return true
    }

    /// Turns the checked rows into one book message per symbol: a partial replaces the id map and
    /// is a snapshot (sorted best first); insert/update/delete become absolute level deltas.
    mutating func applyBook(action: LevelIDMap.Action, filter: Symbol?, _ context: ParseContext, _ output: inout VenueOutputs) {
        if rowSymbols.isEmpty {
            // An empty partial is still an image: the symbol's book is empty.
            if action == .snapshot, let filter { applyBook(symbol: filter, index: -1, action: action, context, &output) }
            return
        }
        for index in rowSymbols.indices {
            applyBook(symbol: rowSymbols[index], index: index, action: action, context, &output)
        }
    }

    /// One symbol's rows of the message (those with ``LevelIDMap/Row/symbolIndex`` == `index`) as
    /// one book message, or a resync when the id map diverged from BitMEX's (an update or delete
    /// for an id the partial never had means a message was lost): the symbol's id map is
    /// forgotten and `Books` publishes `resyncing` for this symbol only and resubscribes its topic
    /// so a fresh partial rebuilds it.
    mutating func applyBook(symbol: Symbol, index: Int, action: LevelIDMap.Action, _ context: ParseContext, _ output: inout VenueOutputs) {
        let slot = idMaps.slot(for: symbol) { LevelIDMap() }
        // BMX-AC: deltas before the partial are ignored.
        guard action == .snapshot || idMaps[slot].isLive else { return }
        var (bids, asks) = scratch.take()
        defer { scratch.keep(bids, asks) }
        let applied = idMaps[slot].apply(rows, symbolIndex: index, action: action, bids: &bids, asks: &asks)
        if let unknown = applied.unknownID {
            idMaps[slot].forget()
            return output.append(.bookInvalidated(symbol, reason: "gap: \(action.rawValue) for unknown id \(unknown)"))
        }
        output.append(.book(BookMessage(venue: Self.spec.id, symbol: symbol, isSnapshot: action == .snapshot, bids: bids, asks: asks,
                                        tsExchange: applied.time, tsRecv: context.tsRecv, sequencing: .none)))
    }
}
