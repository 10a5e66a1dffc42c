import MarketModel
import VenueKit

extension BitMEX {
    // {"table":"orderBookL2_25","action":"update","data":[{"symbol":"XBTUSD","id":8798309800,"side":"Buy",
    //  "size":42800,"price":26902,"timestamp":"2023-05-19T08:51:44.911Z"}]}
    // Since 2023 ids are arbitrary and `price` comes on every action (BMX-ID); every row has a
    // `timestamp` (BMX-TS). Rows are checked here, before the id map changes: partial and insert
    // need side, size and price, update needs size, delete needs only the id.
    mutating func appendRow(_ f: Fields, symbol: Symbol, action: JSONString) throws(VenueParseError) {
        guard let id = f.id else { throw VenueParseError.missingField("id") }
        if action == "partial" || action == "insert" {
            guard f.side != nil, f.size != nil, f.price != nil else { throw VenueParseError.missingField("side/size/price") }
        } else if action == "update", f.size == nil { throw VenueParseError.missingField("size") }
        rows.append(Row(symbol: rowSymbolIndex(symbol), id: id, isBid: f.side.map { $0 == .buy }, size: f.size, price: f.price, ts: f.ts))
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
                return Row(symbol: index, id: id, isBid: isBid, size: size, price: price, ts: repeats.tailTime)
            }
            let tailStart = s.position
            guard s.consume(#","timestamp":"#) else { return nil }
            let ts: Nanoseconds
            if let last = repeats.time, s.consumeString(sameAs: last.text) {
                ts = last.ns
            } else {
                guard let text = try? s.readString(), let ns = try? RFC3339.nanoseconds(text) else { return nil }
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
            return Row(symbol: index, id: id, isBid: isBid, size: size, price: price, ts: ts)
        }
        guard var row = parsed else { return false }
        if let new {
            row.symbol = rowSymbolIndex(new.symbol)
            repeats.name = (new.name, row.symbol)
        }
        if headEnd >= 0 { (repeats.headStart, repeats.headCount, repeats.headIndex) = (rowStart, headEnd - rowStart, row.symbol) }
        rows.append(row)
        return true
    }

    /// Turns the checked rows into one book message per symbol: a partial replaces the id map and
    /// is a snapshot (sorted best first); insert/update/delete become absolute level deltas.
    mutating func applyBook(kind: RowKind, filter: Symbol?, _ context: ParseContext, _ output: inout [VenueOutput]) {
        if rowSymbols.isEmpty {
            // An empty partial is still an image: the symbol's book is empty.
            if kind == .partial, let filter { applyBook(symbol: filter, index: -1, kind: kind, context, &output) }
            return
        }
        for index in rowSymbols.indices {
            applyBook(symbol: rowSymbols[index], index: index, kind: kind, context, &output)
        }
    }

    /// What a message's rows do to the id map (its `action`).
    enum RowKind: String {
        case partial, insert, update, delete
        /// Another action: rows are checked and times read, the id map is left alone.
        case other

        /// The kind of `action`.
        init(_ action: JSONString) {
            self = action == "partial" ? .partial : action == "insert" ? .insert : action == "update" ? .update
                : action == "delete" ? .delete : .other
        }
    }

    /// One symbol's rows of the message (those with ``Row/symbol`` == `index`) as one book message.
    mutating func applyBook(symbol: Symbol, index: Int, kind: RowKind, _ context: ParseContext, _ output: inout [VenueOutput]) {
        let slot = idMaps.slot(for: symbol)
        // BMX-AC: deltas before the partial are ignored.
        guard kind == .partial || idMaps.maps[slot].isLive else { return }
        var bids = bidScratch.take(), asks = askScratch.take(), ts: Nanoseconds?
        defer { bidScratch.keep(bids); askScratch.keep(asks) }
        let rows = self.rows   // one reference for the message: the closures below mutate `idMaps`
        let unknown = rows.withUnsafeBufferPointer { rows in
            LevelSink.collect { bidSink in
                LevelSink.collect { askSink in
                    defer { bidSink.flush(into: &bids); askSink.flush(into: &asks) }
                    return idMaps.maps[slot].apply(rows, index: index, kind: kind, &bidSink, &askSink, &bids, &asks, &ts)
                }
            }
        }
        if let unknown {
            resync(symbol, reason: "\(kind.rawValue) for unknown id \(unknown)", &output)
            return
        }
        if kind == .partial {
            bids.sort { $0.price > $1.price }
            asks.sort { $0.price < $1.price }
        }
        let update = BookUpdate(venue: Self.spec.id, symbol: symbol, isSnapshot: kind == .partial, bids: bids, asks: asks,
                                tsExchange: ts, tsRecv: context.tsRecv)
        output.append(.book(BookMessage(update: update, sequencing: .none)))
    }

    /// The id map diverged from BitMEX's (an update or delete for an id the partial never had
    /// means a message was lost): forget the symbol's id map and tell `Books`, which publishes
    /// `resyncing` for this symbol only and resubscribes its topic so a fresh partial rebuilds it.
    mutating func resync(_ symbol: Symbol, reason: String, _ output: inout [VenueOutput]) {
        idMaps.forget(symbol)
        output.append(.bookInvalidated(symbol, reason: "gap: \(reason)"))
    }
}

extension BitMEX.LevelIDMap {
    /// Applies the rows of symbol `index` to this map, in order, and collects the absolute level
    /// changes (size 0 clears a level) and the latest row time. A partial first empties the map
    /// and makes it live. Returns the first id an update or delete needed but the map lacked
    /// (the book diverged; the map is then stale and the caller forgets it).
    ///
    /// - partial: every row's id → (side, price); the rows are the snapshot's levels.
    /// - insert: sets the id; a reused id whose price differs first clears its old level.
    /// - update: the id's side comes from the map; a row price that differs moves the level
    ///   (old price cleared); the size is set at the id's (new) price.
    /// - delete: clears the id's level and forgets the id.
    mutating func apply(_ rows: UnsafeBufferPointer<BitMEX.Row>, index: Int, kind: BitMEX.RowKind,
                        _ bidSink: inout LevelSink, _ askSink: inout LevelSink,
                        _ bids: inout [BookLevel], _ asks: inout [BookLevel], _ ts: inout Nanoseconds?) -> Int64? {
        @inline(__always) func set(_ isBid: Bool, _ price: Price, _ size: Size) {
            if isBid { bidSink.append(BookLevel(price: price, size: size), into: &bids) }
            else { askSink.append(BookLevel(price: price, size: size), into: &asks) }
        }
        if kind == .partial {
            levels.removeAll(capacity: rows.count)
            isLive = true
        }
        for row in rows where row.symbol == index {
            switch kind {
            case .partial:
                guard let isBid = row.isBid, let price = row.price, let size = row.size else { continue }
                levels.updateValue(BitMEX.Level(isBid: isBid, price: price), forKey: row.id)
                set(isBid, price, size)
                // A partial's time is the latest row time (none when its rows carry none, not 1970).
                if let t = row.ts { ts = max(ts ?? t, t) }
            case .insert:
                if let t = row.ts { ts = max(ts ?? t, t) }
                guard let isBid = row.isBid, let price = row.price, let size = row.size else { continue }
                let old = levels.updateValue(BitMEX.Level(isBid: isBid, price: price), forKey: row.id)
                if let old, old.price != price { set(old.isBid, old.price, .zero) }  // a reused id: clear its old level
                set(isBid, price, size)
            case .update:
                if let t = row.ts { ts = max(ts ?? t, t) }
                guard let size = row.size, let i = levels.index(of: row.id) else { return row.id }
                var level = levels.value(at: i)
                if let price = row.price, price != level.price {  // the level moved: clear the old price
                    set(level.isBid, level.price, .zero)
                    level.price = price
                    levels.setValue(level, at: i)
                }
                set(level.isBid, level.price, size)
            case .delete:
                if let t = row.ts { ts = max(ts ?? t, t) }
                guard let old = levels.removeValue(forKey: row.id) else { return row.id }
                set(old.isBid, old.price, .zero)
            case .other:
                if let t = row.ts { ts = max(ts ?? t, t) }
            }
        }
        return nil
    }
}
