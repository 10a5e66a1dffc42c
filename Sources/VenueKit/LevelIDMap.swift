import MarketModel

/// One symbol's book for a venue that names each price level by an id it assigns, as BitMEX's
/// `orderBookL2` does: an image (`partial`), then rows that insert, update or delete a level by
/// its id. An update or delete may leave out the side and price, which only the id's earlier row
/// gave, so the map keeps id → side and price and turns every row into an absolute price-level
/// change (size 0 clears a level), the same deltas `Books` applies for every other venue.
///
/// A delta for an id the map lacks means a message was lost: ``apply(_:symbolIndex:action:bids:asks:)``
/// returns that id, and the adapter ``forget()``s the map and has `Books` resync the symbol (the
/// venue's next image rebuilds it). Deltas for a map that is not ``isLive`` (before the image,
/// after a divergence) are the adapter's to drop.
/// ```swift
/// try row.check(for: action)                        // while reading the message's rows
/// rows.append(row)
/// guard action == .snapshot || map.isLive else { return }
/// let applied = map.apply(rows, symbolIndex: 0, action: action, bids: &bids, asks: &asks)
/// if let id = applied.unknownID { map.forget(); /* resync */ }
/// ```
/// The ids live in an ``IntegerKeyedTable`` (no per-row SipHash): meant for ids a venue's
/// matching engine assigns, not ids an adversary picks.
public struct LevelIDMap: Sendable {
    /// One id's level: its side and price.
    public struct Level: Sendable, Equatable {
        /// Whether the level is a bid.
        public var isBid: Bool
        /// The level's price.
        public var price: Price

        /// A level on one side at `price`.
        @inlinable
        public init(isBid: Bool, price: Price) {
            self.isBid = isBid
            self.price = price
        }
    }

    /// What a message's rows do to the map (the venue's action word for the message).
    public enum Action: String, Sendable {
        /// The rows are the whole book: the map is rebuilt from them and becomes live.
        case snapshot
        /// Each row adds its id's level (a known id at another price first clears its old level).
        case insert
        /// Each row sets the size of its id's level, and moves the level when its price differs.
        case update
        /// Each row clears its id's level and forgets the id.
        case delete
        /// Another action: the rows' times count, the map is left alone.
        case other
    }

    /// One book row, read from the message before the map changes. Fields a row of its action
    /// does not need may be `nil` (``check(for:)``). A row holds no reference, so collecting and
    /// reading rows costs no retain/release.
    public struct Row: Sendable, Equatable {
        /// The row's symbol, as an index into the caller's list of the message's symbols (a
        /// message may hold rows of several symbols; one `Int` is cheaper to carry than a `Symbol`).
        public var symbolIndex: Int
        /// The venue's level id.
        public var id: Int64
        /// Whether the level is a bid.
        public var isBid: Bool?
        /// The level's absolute size.
        public var size: Size?
        /// The level's price.
        public var price: Price?
        /// The row's exchange time.
        public var time: Nanoseconds?

        /// A row with the given fields.
        @inlinable
        public init(symbolIndex: Int, id: Int64, isBid: Bool?, size: Size?, price: Price?, time: Nanoseconds?) {
            self.symbolIndex = symbolIndex
            self.id = id
            self.isBid = isBid
            self.size = size
            self.price = price
            self.time = time
        }

        /// Throws ``VenueParseError/Kind/missingField`` when the row lacks what `action` needs:
        /// a snapshot or insert row needs side, size and price, an update row a size; a delete
        /// row needs only its id. Checking every row before ``LevelIDMap/apply(_:symbolIndex:action:bids:asks:)``
        /// keeps a bad message from changing the map halfway.
        @inlinable
        public func check(for action: Action) throws(VenueParseError) {
            switch action {
            case .snapshot, .insert:
                guard isBid != nil, size != nil, price != nil else { throw VenueParseError.missingField("side/size/price") }
            case .update:
                guard size != nil else { throw VenueParseError.missingField("size") }
            case .delete, .other:
                return
            }
        }
    }

    /// id → side and price.
    @usableFromInline var levels = IntegerKeyedTable<Level>()
    /// Storage of ``isLive`` (set only by the map; internal so the inlinable `apply` can set it).
    @usableFromInline var live = false

    /// An empty map that is not live.
    @inlinable
    public init() {}

    /// Whether the map is the symbol's book: set by a snapshot, cleared by ``forget()``.
    @inlinable public var isLive: Bool { live }

    /// The ids the map holds.
    @inlinable public var count: Int { levels.count }

    /// The side and price of `id`, if the map holds it.
    @inlinable
    public func level(of id: Int64) -> Level? { levels.index(of: id).map { levels.value(at: $0) } }

    /// Forgets every id (divergence, unsubscribe); the map is not live until the next snapshot.
    @inlinable
    public mutating func forget() {
        levels.removeAll(capacity: 0)
        live = false
    }

    /// Applies the rows whose ``Row/symbolIndex`` is `symbolIndex`, in order, and appends the
    /// level changes they make to `bids` and `asks`; a snapshot's levels are then sorted best
    /// first. Rows that lack what `action` needs (see ``Row/check(for:)``) are skipped.
    ///
    /// - snapshot: empties the map, makes it live, and sets every row's id → side and price.
    /// - insert: sets the id; a known id whose price differs first clears its old level.
    /// - update: the side comes from the map; a row price that differs moves the level (the old
    ///   price is cleared); the size is set at the id's (new) price.
    /// - delete: clears the id's level and forgets the id.
    ///
    /// Returns the latest row time (`nil` when no row has one) and the first id an update or
    /// delete needed but the map lacked: the book diverged, the rows after it are not applied,
    /// and the map is stale until the caller ``forget()``s it and a snapshot rebuilds it.
    @inlinable
    public mutating func apply(_ rows: [Row], symbolIndex: Int, action: Action,
                               bids: inout [BookLevel], asks: inout [BookLevel]) -> (time: Nanoseconds?, unknownID: Int64?) {
        if action == .snapshot {
            levels.removeAll(capacity: rows.count)
            live = true
        }
        let applied = rows.withUnsafeBufferPointer { rows in
            LevelSink.collect { bidSink in
                LevelSink.collect { askSink in
                    defer {
                        bidSink.flush(into: &bids)
                        askSink.flush(into: &asks)
                    }
                    return applyRows(rows, symbolIndex: symbolIndex, action: action, &bidSink, &askSink, &bids, &asks)
                }
            }
        }
        if action == .snapshot {
            bids.sort { $0.price > $1.price }
            asks.sort { $0.price < $1.price }
        }
        return applied
    }

    /// ``apply(_:symbolIndex:action:bids:asks:)``'s row loop, its level changes collected on the stack.
    @inlinable
    mutating func applyRows(_ rows: UnsafeBufferPointer<Row>, symbolIndex: Int, action: Action,
                            _ bidSink: inout LevelSink, _ askSink: inout LevelSink,
                            _ bids: inout [BookLevel], _ asks: inout [BookLevel]) -> (time: Nanoseconds?, unknownID: Int64?) {
        @inline(__always) func set(_ isBid: Bool, _ price: Price, _ size: Size) {
            if isBid { bidSink.append(BookLevel(price: price, size: size), into: &bids) }
            else { askSink.append(BookLevel(price: price, size: size), into: &asks) }
        }
        var time: Nanoseconds?
        for row in rows where row.symbolIndex == symbolIndex {
            if let t = row.time { time = max(time ?? t, t) }
            switch action {
            case .snapshot:
                guard let isBid = row.isBid, let price = row.price, let size = row.size else { continue }
                levels.updateValue(Level(isBid: isBid, price: price), forKey: row.id)
                set(isBid, price, size)
            case .insert:
                guard let isBid = row.isBid, let price = row.price, let size = row.size else { continue }
                let old = levels.updateValue(Level(isBid: isBid, price: price), forKey: row.id)
                if let old, old.price != price { set(old.isBid, old.price, .zero) }  // a reused id: clear its old level
                set(isBid, price, size)
            case .update:
                guard let size = row.size else { continue }
                guard let i = levels.index(of: row.id) else { return (time, row.id) }
                var level = levels.value(at: i)
                if let price = row.price, price != level.price {  // the level moved: clear the old price
                    set(level.isBid, level.price, .zero)
                    level.price = price
                    levels.setValue(level, at: i)
                }
                set(level.isBid, level.price, size)
            case .delete:
                guard let old = levels.removeValue(forKey: row.id) else { return (time, row.id) }
                set(old.isBid, old.price, .zero)
            case .other:
                continue
            }
        }
        return (time, nil)
    }
}
