import MarketModel

/// The default ``BookSnapshotProvider``: rebuilds each book from the book events the hub routes.
///
/// The pipeline only publishes consistent books (Books checks sequence and checksum and sends a
/// fresh snapshot after any resync), so applying its snapshots and deltas in order reproduces its
/// book exactly. A `status` of `resyncing` or `disconnected` for a book (or for the whole venue)
/// drops the affected books until the next snapshot: a subscriber then waits for that snapshot
/// instead of being given levels the pipeline no longer trusts.
///
/// Levels live in dictionaries (updates are O(levels in the update)); sorting happens only when
/// a snapshot is asked for, which is the cold path (new subscribers, slow-consumer catch-up).
public struct BookCache: BookSnapshotProvider {
    struct Book: Sendable {
        var bids: [Price: Size] = [:]
        var asks: [Price: Size] = [:]
        var tsExchange: Nanoseconds?
        var tsRecv: Nanoseconds = 0
    }

    private var books: [BookKey: Book] = [:]

    /// An empty cache.
    public init() {}

    /// Applies book events; forgets books on `resyncing` / `disconnected`.
    public mutating func observe(_ event: MarketEvent) {
        switch event {
        case .book(let update):
            apply(update)
        case .status(let status) where status.state == .resyncing || status.state == .disconnected:
            guard status.channel == nil || status.channel == .book else { return }
            if let symbol = status.symbol {
                books[BookKey(venue: status.venue, symbol: symbol)] = nil
            } else {
                books = books.filter { $0.key.venue != status.venue }
            }
        default:
            return
        }
    }

    /// Applies one update: a snapshot replaces the book, a delta sets levels (size 0 deletes).
    /// A delta for a book never seen is ignored: without a snapshot it cannot be completed.
    public mutating func apply(_ update: BookUpdate) {
        let key = BookKey(update)
        if update.isSnapshot {
            var book = Book()
            for level in update.bids where !level.size.isZero { book.bids[level.price] = level.size }
            for level in update.asks where !level.size.isZero { book.asks[level.price] = level.size }
            book.tsExchange = update.tsExchange
            book.tsRecv = update.tsRecv
            books[key] = book
            return
        }
        guard let index = books.index(forKey: key) else { return }
        // Mutate through the index: in place, one hash lookup, no copy of the level tables.
        books.values[index].tsExchange = update.tsExchange
        books.values[index].tsRecv = update.tsRecv
        for level in update.bids { books.values[index].bids[level.price] = level.size.isZero ? nil : level.size }
        for level in update.asks { books.values[index].asks[level.price] = level.size.isZero ? nil : level.size }
    }

    /// The book as a snapshot, bids descending and asks ascending.
    public func snapshot(of key: BookKey) -> BookUpdate? {
        guard let book = books[key] else { return nil }
        let bids = book.bids.map { BookLevel(price: $0.key, size: $0.value) }.sorted { $0.price > $1.price }
        let asks = book.asks.map { BookLevel(price: $0.key, size: $0.value) }.sorted { $0.price < $1.price }
        return BookUpdate(venue: key.venue, symbol: key.symbol, isSnapshot: true, bids: bids, asks: asks,
                          tsExchange: book.tsExchange, tsRecv: book.tsRecv)
    }

    /// Every book currently held, sorted.
    public var bookKeys: [BookKey] { books.keys.sorted() }
}
