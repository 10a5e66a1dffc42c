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
        rows.append(Row(symbol: symbol, id: id, isBid: f.side.map { $0 == .buy }, size: f.size, price: f.price, ts: f.ts))
    }

    /// A book row in BitMEX's own compact order, `{"symbol":"XBTUSD","id":8798309800,"side":"Buy",
    /// "size":42800,"price":26902,"timestamp":"…"}` with an optional `"transactTime":"…"` last, read
    /// in one pass (fixed-word key compares, no per-key lookup, the time parsed once per message
    /// like ``readFields(_:_:)``) and appended to ``rows`` directly: it has every field any action
    /// needs, so ``appendRow(_:symbol:action:)``'s checks pass by construction. Returns `false`,
    /// consuming nothing, for any other row (other order or keys, `null`s, whitespace, unknown
    /// symbols, bad values): ``readFields(_:_:)`` then reads it and reports what is wrong.
    mutating func appendCompactBookRow(_ s: inout JSONScanner, _ lastTime: inout (text: JSONString, ns: Nanoseconds)?,
                                       _ lastTransactTime: inout JSONString?) -> Bool {
        let row = s.attempt { s -> Row? in
            guard s.consume(#"{"symbol":"#), let name = try? s.readString(), let symbol = try? symbols.require(name),
                  s.consume(#","id":"#), let id = try? s.readInt64(), s.consume(#","side":""#) else { return nil }
            let isBid: Bool
            if s.consume(#"Buy""#) { isBid = true } else if s.consume(#"Sell""#) { isBid = false } else { return nil }
            guard s.consume(#","size":"#), let size = s.readCompactDecimal(), s.consume(#","price":"#),
                  let price = s.readCompactDecimal(), s.consume(#","timestamp":"#) else { return nil }
            // Rows of a message repeat their times: the same text is compared, not scanned again.
            let ts: Nanoseconds
            if let last = lastTime, s.consumeString(sameAs: last.text) {
                ts = last.ns
            } else {
                guard let text = try? s.readString(), let ns = try? RFC3339.nanoseconds(text) else { return nil }
                lastTime = (text, ns)
                ts = ns
            }
            if s.consume(#","transactTime":"#) {
                if let last = lastTransactTime, s.consumeString(sameAs: last) {
                    // Validated with an earlier row.
                } else {
                    guard let text = s.readCompactString() else { return nil }
                    lastTransactTime = text
                }
            }
            guard s.consume("}") else { return nil }
            return Row(symbol: symbol, id: id, isBid: isBid, size: size, price: price, ts: ts)
        }
        guard let row else { return false }
        rows.append(row)
        return true
    }

    /// Turns the checked rows into one book message per symbol: a partial replaces the id map and
    /// is a snapshot (sorted best first); insert/update/delete become absolute level deltas.
    mutating func applyBook(action: JSONString, filter: Symbol?, _ context: ParseContext, _ output: inout [VenueOutput]) {
        let isPartial = action == "partial"
        // Messages carry one symbol's rows (the topics are per symbol): no list to build then.
        if let first = rows.first?.symbol, rows.allSatisfy({ $0.symbol == first }) {
            return applyBook(symbol: first, isPartial: isPartial, action: action, context, &output)
        }
        var order: [Symbol] = []
        for row in rows where !order.contains(row.symbol) { order.append(row.symbol) }
        if isPartial, order.isEmpty, let filter { order.append(filter) }  // an empty book is still an image
        for symbol in order { applyBook(symbol: symbol, isPartial: isPartial, action: action, context, &output) }
    }

    /// One symbol's rows of the message as one book message.
    mutating func applyBook(symbol: Symbol, isPartial: Bool, action: JSONString, _ context: ParseContext,
                            _ output: inout [VenueOutput]) {
        var bids = bidScratch.take(), asks = askScratch.take(), ts: Nanoseconds?
        defer { bidScratch.keep(bids); askScratch.keep(asks) }
        if isPartial {
            var map: [Int64: Level] = [:]
            for row in rows where row.symbol == symbol {
                guard let isBid = row.isBid, let price = row.price, let size = row.size else { continue }
                map[row.id] = Level(isBid: isBid, price: price)
                if isBid { bids.append(BookLevel(price: price, size: size)) } else { asks.append(BookLevel(price: price, size: size)) }
                ts = max(ts ?? row.ts ?? 0, row.ts ?? 0)
            }
            books[symbol] = map
            bids.sort { $0.price > $1.price }
            asks.sort { $0.price < $1.price }
        } else {
            // BMX-AC: deltas before the partial are ignored. The id map is taken out for the
            // message (one hash, not two per row) and put back unless it diverged.
            guard var map = books.removeValue(forKey: symbol) else { return }
            if let unknown = applyDelta(symbol, action: action, &map, &bids, &asks, &ts) {
                resync(symbol, reason: "\(action.string) for unknown id \(unknown)", &output)
                return
            }
            books[symbol] = map
        }
        let update = BookUpdate(venue: Self.spec.id, symbol: symbol, isSnapshot: isPartial, bids: bids, asks: asks,
                                tsExchange: ts, tsRecv: context.tsRecv)
        output.append(.book(BookMessage(update: update, sequencing: .none)))
    }

    /// Applies one symbol's insert/update/delete rows to its id map (in place) and returns the
    /// first id that should have been known but was not.
    func applyDelta(_ symbol: Symbol, action: JSONString, _ map: inout [Int64: Level], _ bids: inout [BookLevel],
                    _ asks: inout [BookLevel], _ ts: inout Nanoseconds?) -> Int64? {
        func set(_ isBid: Bool, _ price: Price, _ size: Size) {
            if isBid { bids.append(BookLevel(price: price, size: size)) } else { asks.append(BookLevel(price: price, size: size)) }
        }
        let isInsert = action == "insert", isUpdate = action == "update", isDelete = action == "delete"
        for row in rows where row.symbol == symbol {
            if let t = row.ts { ts = max(ts ?? t, t) }
            if isInsert, let isBid = row.isBid, let price = row.price, let size = row.size {
                let old = map.updateValue(Level(isBid: isBid, price: price), forKey: row.id)
                if let old, old.price != price { set(old.isBid, old.price, .zero) }  // a reused id: clear its old level
                set(isBid, price, size)
            } else if isUpdate {
                guard let size = row.size, let index = map.index(forKey: row.id) else { return row.id }
                var level = map.values[index]
                if let price = row.price, price != level.price {  // the level moved: clear the old price
                    set(level.isBid, level.price, .zero)
                    level.price = price
                    map.values[index] = level
                }
                set(level.isBid, level.price, size)
            } else if isDelete {
                guard let old = map.removeValue(forKey: row.id) else { return row.id }
                set(old.isBid, old.price, .zero)
            }
        }
        return nil
    }

    /// The id map diverged from BitMEX's (an update or delete for an id the partial never had
    /// means a message was lost): forget the symbol's id map and tell `Books`, which publishes
    /// `resyncing` for this symbol only and resubscribes its topic so a fresh partial rebuilds it.
    mutating func resync(_ symbol: Symbol, reason: String, _ output: inout [VenueOutput]) {
        books[symbol] = nil
        output.append(.bookInvalidated(symbol, reason: "gap: \(reason)"))
    }
}
